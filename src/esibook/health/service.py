"""Health insurance use cases shared by the book, the clinic check-in and share links."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.health.models import Clinic, HICoverage


def latest_card(session: Session, person_id: int) -> HICoverage | None:
    """The person's card with the latest validity end (the latest issued among equals), valid or not."""
    return session.scalar(
        select(HICoverage)
        .where(HICoverage.person_id == person_id)
        .order_by(HICoverage.valid_to.desc(), HICoverage.seq.desc())
        .limit(1)
    )


def initial_clinic(session: Session, card: HICoverage | None) -> Clinic | None:
    """The card's initial clinic (nơi đăng ký KCB ban đầu), to show by name and address rather than its code."""
    if card is None:
        return None
    return session.scalar(select(Clinic).where(Clinic.code == card.initial_clinic_code))
