"""Health insurance use cases shared by the book, the clinic check-in and share links."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.health.models import HICoverage


def latest_card(session: Session, person_id: int) -> HICoverage | None:
    """The person's card with the latest validity end (the latest issued among equals), valid or not."""
    return session.scalar(
        select(HICoverage)
        .where(HICoverage.person_id == person_id)
        .order_by(HICoverage.valid_to.desc(), HICoverage.seq.desc())
        .limit(1)
    )
