"""The monthly benefits other than the pension, paid month by month by the pension's run (Step 10): the
unemployment allowance (trợ cấp thất nghiệp, for its number of months), the survivors' monthly allowance (trợ cấp
tuất hằng tháng, to each relative paid) and the monthly occupational accident/disease allowance (trợ cấp TNLĐ-BNN
hằng tháng).

- **Approval** (:func:`award`, from :func:`esibook.benefits.claim_payouts.pay_out` in the approval's transaction):
  a :class:`MonthlyBenefit` beside the settlement, the way named on the claim form as its first method row, and the
  months already begun settled at once (those before the current one as back pay), as a pension's approval does.
- **The run** (:func:`settle_all`, called by :func:`esibook.benefits.pension_runs.pay_month`): the same
  :func:`esibook.benefits.monthly_runs.settle` as pensions, one row a benefit and month, never twice, never after
  the benefit's last month; to an agent only when the access policy allows it, else held.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.benefits.models import (
    MONTHLY_REGIMES,
    BenefitSettlement,
    MonthlyBenefit,
    MonthlyBenefitMethod,
    MonthlyBenefitPayment,
)
from esibook.benefits.monthly_runs import Settled, settle, still_to_settle
from esibook.dates import vietnam_today
from esibook.periods import Month


def method_row_in(session: Session, benefit: MonthlyBenefit, month: Month) -> MonthlyBenefitMethod | None:
    """The way in force in ``month``: the newest row from that month or before (none: no way named yet)."""
    return session.scalar(
        select(MonthlyBenefitMethod)
        .where(MonthlyBenefitMethod.person_id == benefit.person_id, MonthlyBenefitMethod.seq == benefit.seq,
               MonthlyBenefitMethod.from_month <= month.as_int())
        .order_by(MonthlyBenefitMethod.from_month.desc(), MonthlyBenefitMethod.method_seq.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class BenefitLedger:
    """A monthly benefit as the run sees it: ``monthly_benefit_payments`` rows, ``monthly_benefit_methods`` ways."""

    benefit: MonthlyBenefit
    lump_sum = 0

    @property
    def beneficiary_id(self) -> int:
        return self.benefit.beneficiary_id

    @property
    def first(self) -> Month:
        return Month.from_int(self.benefit.first_month)

    @property
    def last(self) -> Month | None:
        return Month.from_int(self.benefit.last_month) if self.benefit.last_month else None

    @property
    def monthly(self) -> int:
        return self.benefit.monthly_amount

    def rows(self, session: Session, run: Month) -> dict[Month, MonthlyBenefitPayment]:
        return {Month.from_int(r.month): r for r in session.scalars(select(MonthlyBenefitPayment).where(
            MonthlyBenefitPayment.person_id == self.benefit.person_id, MonthlyBenefitPayment.seq == self.benefit.seq,
            MonthlyBenefitPayment.month <= run.as_int()))}

    def new_row(self, session: Session, month: Month, amount: int, lump_sum: int) -> MonthlyBenefitPayment:
        row = MonthlyBenefitPayment(person_id=self.benefit.person_id, seq=self.benefit.seq, month=month.as_int(),
                                    beneficiary_id=self.benefit.beneficiary_id, amount=amount,
                                    authority=self.benefit.authority)
        session.add(row)
        return row

    def method_in(self, session: Session, month: Month) -> tuple[MonthlyBenefitMethod | None, int | None]:
        row = method_row_in(session, self.benefit, month)
        return (row, row.method_seq) if row else (None, None)


def months_of(settlement: BenefitSettlement, form: dict) -> tuple[Month, Month | None, int]:
    """The first and last month paid and the amount a month, from the settlement approved: the unemployment
    allowance for the months of its period (the amount a month is the worksheet's); the survivors' allowance from
    the month after the death (to the month a child qualifying by age turns 18, the form's ``last_month``), the
    accident/disease allowance from the month of the assessment, both until stopped (:mod:`.stops`)."""
    if settlement.regime == "unemployment":
        first, last = Month.from_date(settlement.period_from), Month.from_date(settlement.period_to)
        return first, last, int(form.get("amount") or settlement.amount // (last - first + 1))
    if settlement.regime == "oad_monthly":
        return Month.from_date(settlement.period_to), None, settlement.amount
    until = form.get("last_month")  # a child qualifying by age: the month of the 18th birthday (benefits.stops)
    return Month.from_date(settlement.period_from), Month.parse(until) if until else None, settlement.amount


def add_method(session: Session, benefit: MonthlyBenefit, from_month: Month, chosen: dict) -> MonthlyBenefitMethod:
    """A way of payment from ``from_month`` on (as the claim form or a later change names it)."""
    number = 1 + max((r.method_seq for r in session.scalars(select(MonthlyBenefitMethod).where(
        MonthlyBenefitMethod.person_id == benefit.person_id, MonthlyBenefitMethod.seq == benefit.seq))), default=0)
    row = MonthlyBenefitMethod(
        person_id=benefit.person_id, seq=benefit.seq, method_seq=number, from_month=from_month.as_int(),
        method=chosen["method"], bank_code=chosen.get("bank_code"), account_number=chosen.get("account_number"),
        post_office=chosen.get("post_office"), authorisation_id=chosen.get("authorisation_id"),
        agent_id=chosen.get("agent_id"), authority=benefit.authority)
    session.add(row)
    session.flush()
    return row


def award(session: Session, settlement: BenefitSettlement, form: dict, *, beneficiary_id: int) -> MonthlyBenefit:
    """A monthly settlement just approved, in payment: paid the way the form names (``payment``; none named: its
    months are held until the beneficiary names one), the months already begun settled now."""
    assert settlement.regime in MONTHLY_REGIMES
    first, last, monthly = months_of(settlement, form)
    benefit = MonthlyBenefit(
        person_id=settlement.person_id, seq=settlement.seq, regime=settlement.regime, beneficiary_id=beneficiary_id,
        first_month=first.as_int(), last_month=last.as_int() if last else None, monthly_amount=monthly,
        decision_no=settlement.decision_no, authority=settlement.authority)
    session.add(benefit)
    session.flush()
    if form.get("payment"):
        add_method(session, benefit, first, form["payment"])
    now = Month.from_date(vietnam_today())
    if first <= now:
        settle(session, BenefitLedger(benefit), now)
    return benefit


@dataclass(frozen=True)
class RunCounts:
    benefits: int
    paid: int
    held: int


def settle_all(session: Session, run: Month) -> RunCounts:
    """The run's part for the monthly benefits begun by ``run`` and not yet settled to their end (in the run's
    transaction): each settled by the pension's own :func:`~esibook.benefits.monthly_runs.settle`."""
    benefits = list(session.scalars(
        select(MonthlyBenefit).where(
            MonthlyBenefit.first_month <= run.as_int(),
            still_to_settle(MonthlyBenefit, MonthlyBenefitPayment, run,
                            (MonthlyBenefitPayment.person_id == MonthlyBenefit.person_id)
                            & (MonthlyBenefitPayment.seq == MonthlyBenefit.seq)))
        .order_by(MonthlyBenefit.person_id, MonthlyBenefit.seq).with_for_update()
    ))
    results: list[Settled] = [settle(session, BenefitLedger(b), run) for b in benefits]
    return RunCounts(len(benefits), sum(r.paid for r in results), sum(r.held for r in results))
