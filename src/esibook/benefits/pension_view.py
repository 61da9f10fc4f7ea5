"""What the pensioner reads of their pension (page and API): the award, where it is paid now and from next month
(their own account or post office, or their authorised representative's), and every month settled, newest first:
amount, how and to whom paid, back pay, and a held month with the reason it was held."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.payees import PaymentAgent, payment_agents
from esibook.access.principal import Principal
from esibook.benefits.models import Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.payouts import PaymentMethod
from esibook.benefits.pension_runs import as_method, method_row_in
from esibook.benefits.stops import stopped
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month


def _payment(p: PensionPayment) -> dict:
    return {
        "month": str(Month.from_int(p.month)), "amount": p.amount, "lump_sum": p.lump_sum, "method": p.method,
        "paid_to": p.payee, "status": p.status,
        "paid_at": p.paid_at.isoformat(timespec="seconds") if p.paid_at else None,
        "back_pay": p.paid_in is not None and p.paid_in > p.month,
        "paid_in": str(Month.from_int(p.paid_in)) if p.paid_in else None,
        "to_agent": p.agent_id is not None, "hold_reason": p.hold_reason,
    }


@dataclass(frozen=True)
class PensionView:
    """What the pensioner's page and API show."""

    pension: Pension | None
    payments: list[PensionPayment]
    method: PaymentMethod | None
    method_from: Month | None
    next_method: tuple[Month, PaymentMethod] | None

    def as_dict(self) -> dict:
        if self.pension is None:
            return {"pension": None, "payments": []}
        return {
            "pension": {
                "first_month": str(Month.from_int(self.pension.first_month)),
                "monthly_amount": self.pension.monthly_amount,
                "lump_sum": self.pension.lump_sum,
                "decision_no": self.pension.decision_no,
                "decided_on": self.pension.decided_on.isoformat(),
                "last_month": str(Month.from_int(self.pension.last_month)) if self.pension.last_month else None,
                **stopped(self.pension),
            },
            "paid_to": {
                "method": self.method.method, "shown": self.method.shown(), "from_month": str(self.method_from),
                "authorisation_id": self.method.authorisation_id,
            },
            "next_change": None if self.next_method is None else {
                "from_month": str(self.next_method[0]), "method": self.next_method[1].method,
                "shown": self.next_method[1].shown(), "authorisation_id": self.next_method[1].authorisation_id},
            "held": [str(Month.from_int(p.month)) for p in self.payments if p.status == "held"],
            "payments": [_payment(p) for p in self.payments],
        }


def _shown(session: Session, row: PensionPaymentMethod) -> PaymentMethod:
    agent = session.get(Person, row.agent_id) if row.agent_id else None
    return as_method(row, agent.full_name if agent else None)


def my_pension(session: Session, caller: Principal) -> PensionView:
    """The caller's own pension: the award, every month settled (newest first) and where it is paid."""
    person = policy.own_person(session, caller)
    row = session.get(Pension, person.id)
    if row is None:
        return PensionView(None, [], None, None, None)
    payments = list(session.scalars(
        select(PensionPayment).where(PensionPayment.person_id == person.id).order_by(PensionPayment.month.desc())
    ))
    now = max(Month.from_date(vietnam_today()), Month.from_int(row.first_month))
    latest = session.scalar(select(func.max(PensionPaymentMethod.seq)).where(
        PensionPaymentMethod.person_id == person.id))
    last = session.get(PensionPaymentMethod, (person.id, latest))
    ahead = (Month.from_int(last.from_month), _shown(session, last)) if last.from_month > now.as_int() else None
    current = method_row_in(session, person.id, now)
    return PensionView(row, payments, _shown(session, current), Month.from_int(current.from_month), ahead)


def agents_to_choose(caller: Principal, session: Session) -> list[PaymentAgent]:
    """Whom the pensioner may name to receive the pension for them: their authorisations in force that cover it."""
    return payment_agents(session, policy.own_person_id(caller))
