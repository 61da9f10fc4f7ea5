"""Issuing the 10-digit social insurance code (mã số BHXH) still printed on HI cards."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.people.models import Person


def new_si_code(session: Session, birth_province_code: str | None) -> str:
    """A fresh 10-digit SI code for the HI card: the province of birth and 8 random digits, unused."""
    prefix = (birth_province_code or "001")[1:]
    while True:
        code = f"{prefix}{secrets.randbelow(10**8):08d}"
        if not session.scalar(select(Person.id).where(Person.si_code_legacy == code)):
            return code
