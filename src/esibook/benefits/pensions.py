"""Pensions (lương hưu hằng tháng): the retirement claim a person files on the dossier engine, what approval
records, the months paid and where and how they are paid.

- **Filing** (:func:`prepare_retirement`): the pension worksheet computed from the book for the first month of
  pension (the month after the retirement age and the last contributed month, not before the month filed), with
  the lump sum above 35/30 years (Law 41/2024 Art. 68) and where the pension is to be paid.
- **Approval** (:func:`approve_retirement`): the pension (monthly amount and lump sum) as two settlements that enter
  the book, the payment method from the first month, the first month settled (paid when it has begun, scheduled
  when it is still ahead; months between the first and the current month are paid too), and the pensioner's own HI
  card (group HT, paid by the SI fund) from the first month.
- **Monthly payment** (:func:`pay_month`): one row a month and pensioner, with the method in force that month;
  running it again for the same month changes nothing.
- **Changing the method** (:func:`change_payment_method`): from the next month on, audited; the history stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook import jobs
from esibook.access import policy
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.claims import OpenClaim, _not_participating, _refuse, _worksheet_form
from esibook.benefits.estimator import contribution_history
from esibook.benefits.long_term import lump_sum_of, pension, retirement_age
from esibook.benefits.models import BenefitSettlement, Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.payouts import (
    BANKS,
    PaymentMethod,
    change_takes_effect,
    first_pension_month,
    parse_payment_method,
)
from esibook.dates import VIETNAM, vietnam_today
from esibook.db import last_seq, transaction
from esibook.health.service import issue_card
from esibook.people.models import Person
from esibook.periods import Month

#: A pensioner's HI card: beneficiary group HT (người hưởng lương hưu), benefit level 3 (Decision 1351/QĐ-BHXH).
PENSIONER_GROUP, PENSIONER_BENEFIT_LEVEL = "HT", 3
#: A pensioner's card is issued for this many months from the first month of pension, then renewed.
CARD_MONTHS = 12


class RetirementClaim(BaseModel):
    """Đề nghị hưởng lương hưu: where and how the pension is to be paid (the rest comes from the book)."""

    method: str = Field(pattern="^(bank|cash)$")
    bank_code: str | None = Field(None, max_length=12)
    account_number: str | None = Field(None, max_length=30)
    post_office: str | None = Field(None, max_length=200)


def _last_contributed(session: Session, person: Person, before: Month) -> Month | None:
    months = contribution_history(session, person.id, before=before).months
    return months[-1].month if months else None


def _no_pension_yet(session: Session, person: Person, open_claim: OpenClaim | None) -> None:
    if session.get(Pension, person.id) is not None:
        raise _refuse("claim.already_settled", "your pension is already being paid",
                      "bạn đã được giải quyết hưởng lương hưu", "form")
    if open_claim and open_claim(session, person, "claim_pension"):
        raise _refuse("claim.pending", "a retirement claim is already being processed",
                      "đã có hồ sơ đề nghị hưởng lương hưu đang được giải quyết", "form")


def prepare_retirement(session: Session, person: Person, form: RetirementClaim, *, open_claim: OpenClaim) -> dict:
    """The filed retirement claim: the worksheet from the book for the first month of pension, the lump sum, and
    where it is to be paid."""
    payment = parse_payment_method(form.method, form.bank_code, form.account_number, form.post_office)
    _not_participating(session, person)
    _no_pension_yet(session, person, open_claim)
    filed = Month.from_date(vietnam_today())
    age = retirement_age(person.date_of_birth, person.sex)
    first = first_pension_month(age.reached, _last_contributed(session, person, filed + 1), filed)
    if first > filed + 1:  # filed at most a month ahead: years before the age, the worksheet says why not
        first = filed
    history = contribution_history(session, person.id, before=first)
    sheet = pension(history.months, sex=person.sex, date_of_birth=person.date_of_birth, retire_month=first)
    return _worksheet_form(
        sheet,
        regime="pension",
        first_month=str(first),
        lump_sum=lump_sum_of(sheet),
        total=sheet.result,
        payment=payment.as_dict(),
        paid_to=payment.shown(),
    )


def _settlement(session: Session, person: Person, *, amount: int, start: date, end: date, number: str,
                regime: str = "pension") -> None:
    seq = last_seq(session, BenefitSettlement.seq, BenefitSettlement.person_id, person.id) + 1
    session.add(BenefitSettlement(
        person_id=person.id, seq=seq, regime=regime, period_from=start, period_to=end, days=None, amount=amount,
        decision_no=f"{number}-{person.id}-{seq}", decision_date=vietnam_today(), authority=person.authority,
    ))
    session.flush()


def approve_retirement(session: Session, person: Person, form: dict) -> list[int]:
    """Record the approved pension: its settlements in the book, the payment method, the months already begun,
    and the pensioner's HI card."""
    session.scalar(select(Person.id).where(Person.id == person.id).with_for_update())  # one approval at a time
    _no_pension_yet(session, person, None)
    first = Month.parse(form["first_month"])
    monthly, lump = int(form["total"]), int(form.get("lump_sum") or 0)
    _settlement(session, person, amount=monthly, start=first.first_day(), end=date(9999, 12, 31),
                number="QD-PENSION")
    if lump:
        _settlement(session, person, amount=lump, start=first.first_day(), end=first.first_day(),
                    number="QD-PENSION-LUMP", regime="pension_lump")
    session.add(Pension(
        person_id=person.id, first_month=first.as_int(), monthly_amount=monthly, lump_sum=lump,
        decision_no=f"QD-PENSION-{person.id}", decided_on=vietnam_today(), authority=person.authority,
    ))
    chosen = form["payment"]
    session.add(PensionPaymentMethod(
        person_id=person.id, seq=1, from_month=first.as_int(), method=chosen["method"],
        bank_code=chosen.get("bank_code"), account_number=chosen.get("account_number"),
        post_office=chosen.get("post_office"), authority=person.authority,
    ))
    session.flush()
    now = Month.from_date(vietnam_today())
    for month in Month.range(first, max(first, now)):
        _settle_month(session, session.get(Pension, person.id), month, paid=month <= now)
    issue_card(session, person, group=PENSIONER_GROUP, benefit_level=PENSIONER_BENEFIT_LEVEL,
               valid_from=first.first_day(), valid_to=(first + (CARD_MONTHS - 1)).last_day(),
               authority=person.authority)
    return [person.id]


def _method_in(session: Session, person_id: int, month: Month) -> PaymentMethod:
    row = session.scalar(
        select(PensionPaymentMethod)
        .where(PensionPaymentMethod.person_id == person_id, PensionPaymentMethod.from_month <= month.as_int())
        .order_by(PensionPaymentMethod.from_month.desc(), PensionPaymentMethod.seq.desc())
        .limit(1)
    )
    return PaymentMethod(row.method, row.bank_code, row.account_number, row.post_office)


def _settle_month(session: Session, pension_row: Pension, month: Month, *, paid: bool) -> bool:
    """Settle one month of a pension: the row is made once (with the method in force that month) and marked paid
    once; True when anything changed."""
    row = session.get(PensionPayment, (pension_row.person_id, month.as_int()))
    if row is not None:
        if row.status == "paid" or not paid:
            return False
        row.status, row.paid_at = "paid", datetime.now(UTC)
        return True
    method = _method_in(session, pension_row.person_id, month)
    session.add(PensionPayment(
        person_id=pension_row.person_id, month=month.as_int(), amount=pension_row.monthly_amount,
        lump_sum=pension_row.lump_sum if month.as_int() == pension_row.first_month else 0,
        method=method.method, payee=method.shown(), status="paid" if paid else "scheduled",
        paid_at=datetime.now(UTC) if paid else None, authority=pension_row.authority,
    ))
    return True


@dataclass(frozen=True)
class MonthPaid:
    month: Month
    pensioners: int
    settled: int
    """How many pensioners' month this run settled (0 when the month was already paid)."""


def pay_month(session: Session, month: Month, *, actor: str = "system:pension") -> MonthPaid:
    """Settle ``month`` for every pensioner whose pension has begun: idempotent (a month already paid is left as
    it is), one audit record for the run. A month not yet begun in Vietnam cannot be paid."""
    if month > Month.from_date(vietnam_today()):
        raise _refuse("pension.future_month", f"{month} has not begun: it cannot be paid yet",
                      f"tháng {month} chưa đến: chưa thể chi trả", "month")
    with transaction(session):
        pensions = list(session.scalars(
            select(Pension).where(Pension.first_month <= month.as_int()).order_by(Pension.person_id)
            .with_for_update()
        ))
        settled = sum(_settle_month(session, row, month, paid=True) for row in pensions)
        audit.append(session, actor=actor, action="pension.month_paid", target=f"pension-month:{month}",
                     details={"pensioners": len(pensions), "settled": settled})
    return MonthPaid(month, len(pensions), settled)


@jobs.app.periodic(cron="15 0 2 * *", periodic_id="pension-monthly")
@jobs.app.task(name="pension.pay_month", queue=jobs.DAILY_QUEUE, queueing_lock="pension.pay_month")
def pension_pay_month(timestamp: int) -> None:
    """The monthly payment job (on the 2nd of each month): the month it was scheduled in, for every pensioner;
    run twice (a retry, a second worker), it pays nobody twice."""
    with jobs.runtime().sessions() as session:
        pay_month(session, Month.from_date(datetime.fromtimestamp(timestamp, VIETNAM).date()), actor="job:pension")


def change_payment_method(session: Session, caller: Principal, form: dict) -> PensionPaymentMethod:
    """The pensioner changes where and how the pension is paid, from the next month on (audited; the account is
    never written to the audit record)."""
    chosen = parse_payment_method(form.get("method", ""), form.get("bank_code"), form.get("account_number"),
                                  form.get("post_office"))
    with transaction(session):
        person = policy.own_person(session, caller)
        pension_row = session.get(Pension, person.id, with_for_update=True)
        if pension_row is None:
            raise _refuse("pension.none", "you have no pension in payment", "bạn chưa hưởng lương hưu", "form")
        start = change_takes_effect(Month.from_date(vietnam_today()), Month.from_int(pension_row.first_month))
        seq = last_seq(session, PensionPaymentMethod.seq, PensionPaymentMethod.person_id, person.id) + 1
        row = PensionPaymentMethod(
            person_id=person.id, seq=seq, from_month=start.as_int(), method=chosen.method,
            bank_code=chosen.bank_code, account_number=chosen.account_number, post_office=chosen.post_office,
            authority=person.authority,
        )
        session.add(row)
        scheduled = session.scalars(select(PensionPayment).where(
            PensionPayment.person_id == person.id, PensionPayment.month >= start.as_int(),
            PensionPayment.status == "scheduled"))
        for payment in scheduled:  # a month not yet paid goes where the pensioner now says
            payment.method, payment.payee = chosen.method, chosen.shown()
        audit.append(session, actor=caller.actor, action="pension.payment_method_changed",
                     target=f"person:{person.id}", authority=person.authority,
                     details={"method": chosen.method, "bank": chosen.bank_code, "from_month": str(start)})
    return row


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
            },
            "paid_to": {
                "method": self.method.method, "shown": self.method.shown(), "from_month": str(self.method_from)
            },
            "next_change": None if self.next_method is None else {
                "from_month": str(self.next_method[0]), "method": self.next_method[1].method,
                "shown": self.next_method[1].shown()},
            "payments": [
                {"month": str(Month.from_int(p.month)), "amount": p.amount, "lump_sum": p.lump_sum,
                 "method": p.method, "paid_to": p.payee, "status": p.status,
                 "paid_at": p.paid_at.isoformat(timespec="seconds") if p.paid_at else None}
                for p in self.payments
            ],
        }


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
    ahead = None
    if last.from_month > now.as_int():
        ahead = (Month.from_int(last.from_month), PaymentMethod(last.method, last.bank_code, last.account_number,
                                                                last.post_office))
    current = session.scalar(
        select(PensionPaymentMethod)
        .where(PensionPaymentMethod.person_id == person.id, PensionPaymentMethod.from_month <= now.as_int())
        .order_by(PensionPaymentMethod.from_month.desc(), PensionPaymentMethod.seq.desc()).limit(1)
    )
    method = PaymentMethod(current.method, current.bank_code, current.account_number, current.post_office)
    return PensionView(row, payments, method, Month.from_int(current.from_month), ahead)


def bank_choices() -> dict[str, str]:
    """The banks a pension can be paid into (code → name), for the forms."""
    return dict(BANKS)
