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

from dataclasses import replace
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.claims import OpenClaim, _not_participating, _refuse, _worksheet_form
from esibook.benefits.estimator import contribution_history
from esibook.benefits.long_term import lump_sum_of, pension, retirement_age
from esibook.benefits.models import BenefitSettlement, Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.payouts import BANKS, change_takes_effect, first_pension_month, parse_payment_method
from esibook.benefits.pension_runs import (  # noqa: F401 (the monthly run, named here as before)
    CARD_MONTHS,
    PENSIONER_BENEFIT_LEVEL,
    PENSIONER_GROUP,
    MonthPaid,
    pay_month,
    pension_pay_month,
    schedule_month,
    settle_pension,
)
from esibook.dates import vietnam_today
from esibook.db import last_seq, transaction
from esibook.health.service import issue_card
from esibook.params import MAX_ROW_ID
from esibook.people.models import Person
from esibook.periods import Month


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
    now, award = Month.from_date(vietnam_today()), session.get(Pension, person.id)
    if first > now:
        schedule_month(session, award, first)
    else:  # the months from the first to this one, paid now (those before it as back pay)
        settle_pension(session, award, now)
    issue_card(session, person, group=PENSIONER_GROUP, benefit_level=PENSIONER_BENEFIT_LEVEL,
               valid_from=first.first_day(), valid_to=(first + (CARD_MONTHS - 1)).last_day(),
               authority=person.authority)
    return [person.id]


def _agent_chosen(session: Session, caller: Principal, form: dict) -> Person | None:
    """The agent the pensioner names as payee (an authorisation of theirs covering receiving a benefit, in force:
    the access policy decides), or None when the pension is paid to the pensioner."""
    raw = str(form.get("authorisation_id") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ROW_ID:
        raise policy.authorisation_not_found()
    grant, _ = policy.authorised_representative(session, caller, int(raw), policy.RECEIVE_PAYMENT, payee=True)
    return session.get(Person, grant.agent_id)


def change_payment_method(session: Session, caller: Principal, form: dict) -> PensionPaymentMethod:
    """The pensioner changes where and how the pension is paid, from the next month on: to their own account or
    post office, or to their authorised representative's (``authorisation_id``), audited (the account is never
    written to the audit record). Months held stay held until the next run, which pays them the new way."""
    chosen = parse_payment_method(form.get("method", ""), form.get("bank_code"), form.get("account_number"),
                                  form.get("post_office"))
    with transaction(session):
        person = policy.own_person(session, caller)
        pension_row = session.get(Pension, person.id, with_for_update=True)
        if pension_row is None:
            raise _refuse("pension.none", "you have no pension in payment", "bạn chưa hưởng lương hưu", "form")
        agent = _agent_chosen(session, caller, form)
        authorisation_id = int(form["authorisation_id"]) if agent else None
        chosen = replace(chosen, authorisation_id=authorisation_id, agent_name=agent.full_name if agent else None)
        start = change_takes_effect(Month.from_date(vietnam_today()), Month.from_int(pension_row.first_month))
        seq = last_seq(session, PensionPaymentMethod.seq, PensionPaymentMethod.person_id, person.id) + 1
        row = PensionPaymentMethod(
            person_id=person.id, seq=seq, from_month=start.as_int(), method=chosen.method,
            bank_code=chosen.bank_code, account_number=chosen.account_number, post_office=chosen.post_office,
            authority=person.authority, authorisation_id=authorisation_id, agent_id=agent.id if agent else None,
        )
        session.add(row)
        scheduled = session.scalars(select(PensionPayment).where(
            PensionPayment.person_id == person.id, PensionPayment.month >= start.as_int(),
            PensionPayment.status == "scheduled"))
        for payment in scheduled:  # a month not yet paid goes where the pensioner now says
            payment.method, payment.payee = chosen.method, chosen.shown()[:160]
        audit.append(session, actor=caller.actor, action="pension.payment_method_changed",
                     target=f"person:{person.id}", authority=person.authority,
                     details={"method": chosen.method, "bank": chosen.bank_code, "from_month": str(start),
                              "authorisation": authorisation_id})
    return row


def bank_choices() -> dict[str, str]:
    """The banks a pension can be paid into (code → name), for the forms."""
    return dict(BANKS)
