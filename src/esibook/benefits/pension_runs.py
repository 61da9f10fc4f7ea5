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
- **The other monthly benefits** (unemployment, the survivors' and accident/disease allowances) are paid by the same
  run, after the pensions, by the same :func:`esibook.benefits.monthly_runs.settle`
  (:func:`esibook.benefits.monthly_benefits.settle_all`); a pension is one :class:`PensionLedger` to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook import jobs
from esibook.audit import service as audit
from esibook.benefits import monthly_benefits, monthly_runs
from esibook.benefits.models import Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.monthly_runs import (  # noqa: F401 (named here as before)
    Payee,
    Settled,
    as_method,
    log_for_grantor,
    payee_of,
    settle,
)
from esibook.benefits.payouts import _refuse, card_renewal
from esibook.dates import VIETNAM, vietnam_today
from esibook.db import transaction
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


@dataclass(frozen=True)
class PensionLedger:
    """A pension as the run (:func:`esibook.benefits.monthly_runs.settle`) sees it: one ``pension_payments`` row a
    month, the method rows of ``pension_payment_methods``."""

    pension: Pension

    @property
    def beneficiary_id(self) -> int:
        return self.pension.person_id

    @property
    def first(self) -> Month:
        return Month.from_int(self.pension.first_month)

    @property
    def last(self) -> Month | None:
        return Month.from_int(self.pension.last_month) if self.pension.last_month else None

    @property
    def monthly(self) -> int:
        return self.pension.monthly_amount

    @property
    def lump_sum(self) -> int:
        return self.pension.lump_sum

    def rows(self, session: Session, run: Month) -> dict[Month, PensionPayment]:
        return {Month.from_int(r.month): r for r in session.scalars(select(PensionPayment).where(
            PensionPayment.person_id == self.pension.person_id, PensionPayment.month <= run.as_int()))}

    def new_row(self, session: Session, month: Month, amount: int, lump_sum: int) -> PensionPayment:
        row = PensionPayment(person_id=self.pension.person_id, month=month.as_int(), amount=amount,
                             lump_sum=lump_sum, authority=self.pension.authority)
        session.add(row)
        return row

    def method_in(self, session: Session, month: Month) -> tuple[PensionPaymentMethod, int]:
        row = method_row_in(session, self.pension.person_id, month)
        return row, row.seq


def settle_pension(session: Session, pension: Pension, run: Month) -> Settled:
    """Pay, in the run for ``run``, every month of this pension up to it not yet paid (back pay included); a month
    already paid, or already held by this same run, is left as it is."""
    return settle(session, PensionLedger(pension), run)


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
    benefits: int = 0
    """How many other monthly benefits (unemployment, survivors', accident/disease) the run covered."""
    benefits_settled: int = 0
    """How many months of them it paid."""
    benefits_held: int = 0
    """How many months of them it held (no way named, an authorisation no longer in force)."""


def pay_month(session: Session, month: Month, *, actor: str = "system:pension") -> MonthPaid:
    """The run for ``month``, for every pensioner whose pension has begun and every other monthly benefit begun
    (:func:`esibook.benefits.monthly_benefits.settle_all`): idempotent (a month already paid is left
    as it is), one audit record for the run. A month not yet begun in Vietnam cannot be paid."""
    if month > Month.from_date(vietnam_today()):
        raise _refuse("pension.future_month", f"{month} has not begun: it cannot be paid yet",
                      f"tháng {month} chưa đến: chưa thể chi trả", "month")
    with transaction(session):
        pensions = list(session.scalars(
            select(Pension).where(Pension.first_month <= month.as_int(),
                                  monthly_runs.still_to_settle(Pension, PensionPayment, month, PensionPayment.person_id
                                                               == Pension.person_id))
            .order_by(Pension.person_id).with_for_update()
        ))
        results = [settle_pension(session, row, month) for row in pensions]
        cards = sum(renew_card(session, row, month) for row in pensions
                    if row.last_month is None or row.last_month > month.as_int())
        paid, held = sum(r.paid for r in results), sum(r.held for r in results)
        others = monthly_benefits.settle_all(session, month)
        audit.append(session, actor=actor, action="pension.month_paid", target=f"pension-month:{month}",
                     details={"pensioners": len(pensions), "settled": paid, "held": held, "cards": cards,
                              "monthly_benefits": others.benefits, "benefits_settled": others.paid,
                              "benefits_held": others.held})
    return MonthPaid(month, len(pensions), paid, held, cards, others.benefits, others.paid, others.held)


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
