"""Health insurance use cases shared by the book, the clinic check-in and share links."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
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


def cards_with_clinics(session: Session, person_id: int) -> list[tuple[HICoverage, str | None, str | None]]:
    """Every card of the person in order, each with its initial clinic's name and address (None when the clinic
    is not in the list)."""
    rows = session.execute(
        select(HICoverage, Clinic.name, Clinic.address)
        .outerjoin(Clinic, Clinic.code == HICoverage.initial_clinic_code)
        .where(HICoverage.person_id == person_id)
        .order_by(HICoverage.seq)
    )
    return [tuple(row) for row in rows]


def valid_card_count(session: Session, today: date) -> int:
    """How many cards are valid today (the home page's statistics)."""
    return session.execute(
        select(func.count()).select_from(HICoverage).where(HICoverage.valid_from <= today, HICoverage.valid_to >= today)
    ).scalar_one()


def initial_clinic(session: Session, card: HICoverage | None) -> Clinic | None:
    """The card's initial clinic (nơi đăng ký KCB ban đầu), to show by name and address rather than its code."""
    if card is None:
        return None
    return session.scalar(select(Clinic).where(Clinic.code == card.initial_clinic_code))
