"""The monthly pension run (chi trả lương hưu hằng tháng): each month from a pension's first month to the run's month
that is not yet paid is settled in the run, one row a month and pensioner, so a month is never paid twice.

- **Back pay** (truy lĩnh): a month before the run's month, not yet paid (a pension whose first month is before its
  approval, a month held before), is paid in the run as a line of its own, marked back pay (``paid_in`` is the run).
- **Where it goes**: the method in force in the run's month (money paid now goes where the pensioner now says).
- **Paid to an authorised representative** (nhận thay theo ủy quyền): when that method names an authorisation, the
  one access policy (:func:`esibook.access.policy.authorised_representative`, as the payout run) decides whether
  the agent may still receive it; if so the month is paid to the agent and recorded as theirs, else the month is
  **held** (not paid, with the policy's reason) until the pensioner names another way. Either way the grantor's
  access log has an entry for it.
- **The pensioner's HI card** (group HT) is renewed by the run before it ends, so it never lapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook import jobs
from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.audit import service as audit
from esibook.benefits.models import Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.payouts import AGENT_LABEL, PaymentMethod, _refuse, card_renewal, lines_due
from esibook.dates import VIETNAM, vietnam_today
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.health.service import cards_of_group, issue_card
from esibook.people.models import Person
from esibook.periods import Month


def method_row_in(session: Session, person_id: int, month: Month) -> PensionPaymentMethod:
    """The payment method in force in ``month``: the newest row from that month or before."""
    return session.scalar(
        select(PensionPaymentMethod)
        .where(PensionPaymentMethod.person_id == person_id, PensionPaymentMethod.from_month <= month.as_int())
        .order_by(PensionPaymentMethod.from_month.desc(), PensionPaymentMethod.seq.desc())
        .limit(1)
    )


def as_method(row: PensionPaymentMethod, agent_name: str | None = None) -> PaymentMethod:
    return PaymentMethod(row.method, row.bank_code, row.account_number, row.post_office, row.authorisation_id,
                         agent_name)


@dataclass(frozen=True)
class Payee:
    """Who a run pays: the method (with the agent's name), the agent's id, or why the month is held."""

    method: PaymentMethod
    agent: Person | None = None
    hold_reason: str | None = None


def payee_of(session: Session, row: PensionPaymentMethod) -> Payee:
    """Whom the run pays by this method row: the pensioner, or the agent if the access policy still allows it."""
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
    if payee.method.authorisation_id is None:
        return
    name = payee.method.agent_name or "?"
    record_access(session, person_id=person_id, principal=policy.PAYOUT_RUN, groups=[4], purpose="GDBHXH",
                  outcome="refused" if payee.hold_reason else "allowed", channel="payout",
                  accessor=("authorised", f"{AGENT_LABEL}: {name}"))


def _apply(row: PensionPayment, payee: Payee, seq: int, run: Month) -> None:
    held = payee.hold_reason is not None
    row.method, row.payee, row.method_seq, row.paid_in = payee.method.method, payee.method.shown()[:160], seq, \
        run.as_int()
    row.status, row.hold_reason = ("held", payee.hold_reason) if held else ("paid", None)
    row.agent_id = None if held or payee.agent is None else payee.agent.id
    row.paid_at = None if held else datetime.now(UTC)


@dataclass(frozen=True)
class Settled:
    paid: int
    held: int


def settle_pension(session: Session, pension: Pension, run: Month) -> Settled:
    """Pay, in the run for ``run``, every month of this pension up to it not yet paid (back pay included); a month
    already paid, or already held by this same run, is left as it is."""
    rows = {Month.from_int(r.month): r for r in session.scalars(select(PensionPayment).where(
        PensionPayment.person_id == pension.person_id, PensionPayment.month <= run.as_int()))}
    lines = lines_due(Month.from_int(pension.first_month), run, {m for m, r in rows.items() if r.status == "paid"},
                      monthly=pension.monthly_amount, lump_sum=pension.lump_sum)
    held_now = {m for m, r in rows.items() if r.status == "held" and r.paid_in == run.as_int()}
    due = [line for line in lines if line.month not in held_now]  # held by this same run: decided already
    if not due:
        return Settled(0, 0)
    method = method_row_in(session, pension.person_id, run)
    payee = payee_of(session, method)
    for line in due:
        row = rows.get(line.month)
        if row is None:
            row = PensionPayment(person_id=pension.person_id, month=line.month.as_int(), amount=line.amount,
                                 lump_sum=line.lump_sum, authority=pension.authority)
            session.add(row)
        _apply(row, payee, method.seq, run)
        log_for_grantor(session, pension.person_id, payee)
    return Settled(0, len(due)) if payee.hold_reason else Settled(len(due), 0)


def schedule_month(session: Session, pension: Pension, month: Month) -> None:
    """A month still ahead, recorded as scheduled with the method in force then (the run decides who is paid)."""
    method = as_method(method_row_in(session, pension.person_id, month))
    session.add(PensionPayment(
        person_id=pension.person_id, month=month.as_int(), amount=pension.monthly_amount,
        lump_sum=pension.lump_sum if month.as_int() == pension.first_month else 0, method=method.method,
        payee=method.shown()[:160], status="scheduled", authority=pension.authority))


#: A pensioner's HI card: beneficiary group HT (người hưởng lương hưu), benefit level 3 (Decision 1351/QĐ-BHXH).
PENSIONER_GROUP, PENSIONER_BENEFIT_LEVEL = "HT", 3
#: A pensioner's card is issued for this many months, then renewed by the monthly run before it ends.
CARD_MONTHS = 12


def renew_card(session: Session, pension: Pension, run: Month) -> bool:
    """Issue the pensioner's next HT card when the one in hand ends before the end of the month after the run's
    (:func:`card_renewal`); True when a card was issued. A run made twice finds the new card and issues none."""
    cards = cards_of_group(session, pension.person_id, PENSIONER_GROUP)
    renewal = card_renewal(cards[0].valid_to if cards else None, run, CARD_MONTHS)
    if renewal is None:
        return False
    issue_card(session, session.get(Person, pension.person_id), group=PENSIONER_GROUP,
               benefit_level=PENSIONER_BENEFIT_LEVEL, valid_from=renewal[0], valid_to=renewal[1],
               authority=pension.authority)
    session.flush()
    return True


@dataclass(frozen=True)
class MonthPaid:
    month: Month
    pensioners: int
    settled: int
    """How many months this run paid (back pay included; 0 when the run had already been made)."""
    held: int = 0
    """How many months this run held (an authorisation no longer in force)."""
    cards: int = 0
    """How many pensioners' HI cards this run renewed."""


def pay_month(session: Session, month: Month, *, actor: str = "system:pension") -> MonthPaid:
    """The run for ``month``, for every pensioner whose pension has begun: idempotent (a month already paid is left
    as it is), one audit record for the run. A month not yet begun in Vietnam cannot be paid."""
    if month > Month.from_date(vietnam_today()):
        raise _refuse("pension.future_month", f"{month} has not begun: it cannot be paid yet",
                      f"tháng {month} chưa đến: chưa thể chi trả", "month")
    with transaction(session):
        pensions = list(session.scalars(
            select(Pension).where(Pension.first_month <= month.as_int()).order_by(Pension.person_id)
            .with_for_update()
        ))
        results = [settle_pension(session, row, month) for row in pensions]
        cards = sum(renew_card(session, row, month) for row in pensions)
        paid, held = sum(r.paid for r in results), sum(r.held for r in results)
        audit.append(session, actor=actor, action="pension.month_paid", target=f"pension-month:{month}",
                     details={"pensioners": len(pensions), "settled": paid, "held": held, "cards": cards})
    return MonthPaid(month, len(pensions), paid, held, cards)


def was_run(session: Session, month: Month) -> bool:
    """Whether a run has been made for ``month`` (its audit record)."""
    return audit.has_record(session, action="pension.month_paid", target=f"pension-month:{month}")


@jobs.app.periodic(cron="15 0 2 * *", periodic_id="pension-monthly")
@jobs.app.task(name="pension.pay_month", queue=jobs.DAILY_QUEUE, queueing_lock="pension.pay_month")
def pension_pay_month(timestamp: int) -> None:
    """The monthly payment job (on the 2nd of each month): the month it was scheduled in, for every pensioner;
    run twice (a retry, a second worker), it pays nobody twice."""
    with jobs.runtime().sessions() as session:
        pay_month(session, Month.from_date(datetime.fromtimestamp(timestamp, VIETNAM).date()), actor="job:pension")
