"""Benefit settlements as the book and the data groups show them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.benefits.models import BenefitSettlement


def settlements_of(session: Session, person_id: int) -> list[dict]:
    """Every settlement of a person, oldest first: regime, period, days, amount, decision."""
    rows = session.scalars(select(BenefitSettlement).where(BenefitSettlement.person_id == person_id)
                           .order_by(BenefitSettlement.seq))
    return [settlement_entry(s) for s in rows]


def settlement_entry(s) -> dict:
    """A settlement as the book and the person's records show it (``s``: a row or a BenefitSettlement)."""
    return {"regime": s.regime, "from": s.period_from.isoformat(), "to": s.period_to.isoformat(), "days": s.days,
            "amount": s.amount, "decision_no": s.decision_no, "decision_date": s.decision_date.isoformat()}
