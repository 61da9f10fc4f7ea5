"""The monthly run's one way of settling a benefit paid by month (chi trả hằng tháng), for a pension
(:mod:`esibook.benefits.pension_runs`) and for the other monthly benefits (:mod:`esibook.benefits.monthly_benefits`:
the unemployment allowance, the survivors' and the accident/disease monthly allowances) alike:

- each month from the benefit's first month to the run's month (and not after its last month) not yet paid is
  settled in the run as one row (a :class:`Ledger` keeps them), so a month is never paid twice; a month before the
  run's is back pay (``paid_in`` is the run);
- it goes by the way in force in the run's month; to an authorised representative only when the one access policy
  (:func:`esibook.access.policy.authorised_representative`, as :data:`~esibook.access.policy.PAYOUT_RUN`) still
  allows it, else the month is **held** with the policy's reason; with no way named at all it is held too
  (``payout.no_way``) until the beneficiary names one. Either way an agent's payout is in the grantor's access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.benefits.payouts import AGENT_LABEL, PaymentMethod, lines_due
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.periods import Month

#: Why a month is held when no way of payment was ever named (the claim form left it empty).
NO_WAY = "payout.no_way"


def as_method(row, agent_name: str | None = None) -> PaymentMethod:
    """A way-of-payment row (a pension's, another monthly benefit's, a one-off payout) as a :class:`PaymentMethod`."""
    return PaymentMethod(row.method, row.bank_code, row.account_number, row.post_office, row.authorisation_id,
                         agent_name)


@dataclass(frozen=True)
class Payee:
    """Who a run pays: the method (with the agent's name), the agent's id, or why the month is held."""

    method: PaymentMethod | None
    agent: Person | None = None
    hold_reason: str | None = None


def payee_of(session: Session, row) -> Payee:
    """Whom the run pays by this method row: the beneficiary, or the agent if the access policy still allows it;
    no row (no way named): held."""
    if row is None:
        return Payee(None, hold_reason=NO_WAY)
    if row.authorisation_id is None:
        return Payee(as_method(row))
    named = session.get(Person, row.agent_id) if row.agent_id else None
    try:
        grant, _ = policy.authorised_representative(session, policy.PAYOUT_RUN, row.authorisation_id,
                                                    policy.RECEIVE_PAYMENT, payee=True)
    except DomainError as refusal:
        return Payee(as_method(row, named.full_name if named else None), hold_reason=refusal.code[:40])
    agent = session.get(Person, grant.agent_id)
    return Payee(as_method(row, agent.full_name), agent=agent)


def log_for_grantor(session: Session, person_id: int, payee: Payee) -> None:
    """A payout to (or held from) an authorised representative, in the grantor's access log."""
    if payee.method is None or payee.method.authorisation_id is None:
        return
    name = payee.method.agent_name or "?"
    record_access(session, person_id=person_id, principal=policy.PAYOUT_RUN, groups=[4], purpose="GDBHXH",
                  outcome="refused" if payee.hold_reason else "allowed", channel="payout",
                  accessor=("authorised", f"{AGENT_LABEL}: {name}"))


def apply_payee(row, payee: Payee, method_seq: int | None, run: Month) -> None:
    """Record on a month's row how the run settled it: paid (to whom) or held (why)."""
    held = payee.hold_reason is not None
    row.method = payee.method.method if payee.method else None
    row.payee = payee.method.shown()[:160] if payee.method else ""
    row.method_seq, row.paid_in = method_seq, run.as_int()
    row.status, row.hold_reason = ("held", payee.hold_reason) if held else ("paid", None)
    row.agent_id = None if held or payee.agent is None else payee.agent.id
    row.paid_at = None if held else datetime.now(UTC)


def still_to_settle(benefit, payments, run: Month, same_benefit):
    """A run's filter: the benefits (table ``benefit``, with ``first_month`` and ``last_month``) a run for ``run``
    may still owe something: running on, ending at or after the run's month, their last month (not before their
    first) not yet paid, or a month held. A benefit that ended before the run with its last month paid (or ending
    before it began) and nothing held is left out, so ended benefits (years of unemployment allowances) are not
    read again each month. ``same_benefit``: the join condition of the ``payments`` table (rows with ``month`` and
    ``status``) to it. Months are settled in order, so a paid last month means every earlier one was settled:
    paid, or held and so seen here."""
    return or_(
        benefit.last_month.is_(None),
        benefit.last_month >= run.as_int(),
        and_(benefit.last_month >= benefit.first_month,
             ~exists().where(same_benefit, payments.month == benefit.last_month, payments.status == "paid")),
        exists().where(same_benefit, payments.status == "held"),
    )


class Ledger(Protocol):
    """One benefit paid by month, as the run sees it: its months and where the money goes."""

    beneficiary_id: int
    first: Month
    last: Month | None
    monthly: int
    lump_sum: int

    def rows(self, session: Session, run: Month) -> dict[Month, object]:
        """The months already settled, up to the run's."""

    def new_row(self, session: Session, month: Month, amount: int, lump_sum: int) -> object:
        """A month's row, added to the session."""

    def method_in(self, session: Session, month: Month) -> tuple[object | None, int | None]:
        """The method row in force in ``month`` and its number (none named: ``(None, None)``)."""


@dataclass(frozen=True)
class Settled:
    paid: int
    held: int


def settle(session: Session, ledger: Ledger, run: Month) -> Settled:
    """Pay, in the run for ``run``, every month of this benefit up to it not yet paid (back pay included, never
    after its last month); a month already paid, or already held by this same run, is left as it is."""
    rows = ledger.rows(session, run)
    lines = lines_due(ledger.first, run, {m for m, r in rows.items() if r.status == "paid"},
                      monthly=ledger.monthly, lump_sum=ledger.lump_sum, last=ledger.last)
    held_now = {m for m, r in rows.items() if r.status == "held" and r.paid_in == run.as_int()}
    due = [line for line in lines if line.month not in held_now]  # held by this same run: decided already
    if not due:
        return Settled(0, 0)
    method, method_seq = ledger.method_in(session, run)
    payee = payee_of(session, method)
    for line in due:
        row = rows.get(line.month)
        if row is None:
            row = ledger.new_row(session, line.month, line.amount, line.lump_sum)
        apply_payee(row, payee, method_seq, run)
        log_for_grantor(session, ledger.beneficiary_id, payee)
    return Settled(0, len(due)) if payee.hold_reason else Settled(len(due), 0)
