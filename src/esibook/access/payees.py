"""Whom a person may name to receive a benefit paid to them (người nhận thay theo ủy quyền): their authorisations in
force that cover receiving a benefit, by the same rule the access policy applies to every use
(:func:`esibook.access.authorisation_rules.authorisation_refusal`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorisation_rules import RECEIVE_PAYMENT, authorisation_refusal
from esibook.access.models import Authorisation
from esibook.dates import vietnam_today
from esibook.people.models import Person


@dataclass(frozen=True)
class PaymentAgent:
    authorisation_id: int
    agent_name: str
    valid_until: date


def payment_agents(session: Session, grantor_id: int, *, today: date | None = None) -> list[PaymentAgent]:
    """The grantor's authorisations in force that cover receiving a benefit, newest first, with the agent's name."""
    today = today or vietnam_today()
    rows = session.execute(
        select(Authorisation, Person.full_name).join(Person, Person.id == Authorisation.agent_id)
        .where(Authorisation.grantor_id == grantor_id, Authorisation.receive_payment.is_(True),
               Authorisation.revoked_at.is_(None), Authorisation.valid_until >= today)
        .order_by(Authorisation.id.desc())
    ).all()
    return [PaymentAgent(grant.id, name, grant.valid_until) for grant, name in rows
            if authorisation_refusal(grant, agent_id=grant.agent_id, scope=RECEIVE_PAYMENT, today=today) is None]
