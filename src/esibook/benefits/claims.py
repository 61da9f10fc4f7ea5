"""Benefit claims as procedures on the dossier engine (hồ sơ đề nghị hưởng): sickness and maternity filed by the
employer for an employee, one-time withdrawal and unemployment filed by the person. Each filed form carries the
worksheet computed from the book (inputs, rule, every step), so the officer reviews the arithmetic, not a number;
an approved claim records a settlement, which enters the book as a new signed version.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.estimator import contribution_history
from esibook.benefits.models import BenefitSettlement
from esibook.benefits.rules import maternity, one_time_withdrawal, sickness, unemployment
from esibook.benefits.worksheet import Worksheet
from esibook.contributions.models import ParticipationPeriod
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.periods import Month


def _refuse(code: str, en: str, vi: str, field: str) -> DomainError:
    return DomainError(code, en, vi, field=field)


def _worksheet_form(sheet: Worksheet, **facts) -> dict:
    if not sheet.eligible:
        reasons = "; ".join(n.en for n in sheet.notes) if sheet.notes else "the conditions are not met"
        raise _refuse(
            "claim.not_eligible",
            f"not eligible: {reasons}",
            "chưa đủ điều kiện hưởng: "
            + ("; ".join(n.vi for n in sheet.notes) if sheet.notes else "chưa đủ điều kiện"),
            "form",
        )
    return {**facts, "amount": sheet.result, "worksheet": sheet.as_dict()}


def _employee(session: Session, employer: Employer, personal_id: str, month: Month) -> Person:
    number = parse_personal_id(personal_id).number
    person = session.scalar(
        select(Person)
        .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
        .where(
            Person.personal_id == number,
            ParticipationPeriod.employer_id == employer.id,
            ParticipationPeriod.from_month <= month.as_int(),
            func.coalesce(ParticipationPeriod.to_month, 999912) >= month.as_int(),
        )
    )
    if person is None:
        raise _refuse(
            "claim.not_employee",
            "this person was not your employee in that month",
            "người này không làm việc tại đơn vị trong tháng đó",
            "personal_id",
        )
    return person


class SicknessClaim(BaseModel):
    """Đề nghị hưởng chế độ ốm đau: the employee, the month of the leave and the days off work."""

    personal_id: str = Field(min_length=12, max_length=12)
    leave_month: str = Field(min_length=7, max_length=7)
    days: int = Field(ge=1, le=180)


def prepare_sickness(session: Session, employer: Employer, form: SicknessClaim) -> dict:
    month = Month.parse(form.leave_month, field="leave_month")
    person = _employee(session, employer, form.personal_id, month)
    history = contribution_history(session, person.id, before=month)
    sheet = sickness(history.months, leave_month=month, days=form.days)
    return _worksheet_form(
        sheet,
        personal_id=person.personal_id,
        full_name=person.full_name,
        leave_month=str(month),
        days=form.days,
        regime="sickness",
        total=sheet.value("amount_for_days") if sheet.has("amount_for_days") else sheet.result,
    )


class MaternityClaim(BaseModel):
    """Đề nghị hưởng chế độ thai sản: the employee, the month of the birth and the number of children."""

    personal_id: str = Field(min_length=12, max_length=12)
    birth_month: str = Field(min_length=7, max_length=7)
    children: int = Field(1, ge=1, le=6)


def prepare_maternity(session: Session, employer: Employer, form: MaternityClaim) -> dict:
    month = Month.parse(form.birth_month, field="birth_month")
    person = _employee(session, employer, form.personal_id, month)
    if person.sex != "female":
        raise _refuse(
            "claim.maternity_mother",
            "the maternity leave benefit is claimed for the mother",
            "chế độ thai sản khi sinh con được giải quyết cho người mẹ",
            "personal_id",
        )
    history = contribution_history(session, person.id, before=month)
    sheet = maternity(history.months, birth_month=month, children=form.children)
    return _worksheet_form(
        sheet,
        personal_id=person.personal_id,
        full_name=person.full_name,
        birth_month=str(month),
        children=form.children,
        regime="maternity",
        total=sheet.result,
    )


class OneTimeClaim(BaseModel):
    """Đề nghị hưởng BHXH một lần: the reason (as the law allows it)."""

    reason: str = Field(pattern="^(retirement_age_without_15_years|going_abroad|serious_illness)$")


def prepare_one_time(session: Session, person: Person, form: OneTimeClaim) -> dict:
    _not_participating(session, person)
    today = date.today()
    history = contribution_history(session, person.id, before=Month.from_date(today))
    sheet = one_time_withdrawal(history.months, computed_on=today)
    return _worksheet_form(sheet, reason=form.reason, regime="one_time", total=sheet.result)


class UnemploymentClaim(BaseModel):
    """Đề nghị hưởng trợ cấp thất nghiệp: the last month of the labour contract."""

    termination_month: str = Field(min_length=7, max_length=7)


def prepare_unemployment(session: Session, person: Person, form: UnemploymentClaim) -> dict:
    month = Month.parse(form.termination_month, field="termination_month")
    _not_participating(session, person)
    history = contribution_history(session, person.id, before=month + 1)
    sheet = unemployment(history.months, termination_month=month, counted_from=history.ui_counted_from)
    duration = int(sheet.value("duration_months")) if sheet.has("duration_months") else 0
    return _worksheet_form(
        sheet,
        termination_month=str(month),
        regime="unemployment",
        months=duration,
        total=int(sheet.value("total")) if sheet.has("total") else sheet.result * duration,
    )


def _not_participating(session: Session, person: Person) -> None:
    open_job = session.scalar(
        select(func.count())
        .select_from(ParticipationPeriod)
        .where(
            ParticipationPeriod.person_id == person.id,
            ParticipationPeriod.to_month.is_(None),
            ParticipationPeriod.participant_type == "employee",
        )
    )
    if open_job:
        raise _refuse(
            "claim.still_employed",
            "your employer has not reported that you left (the period is still open)",
            "đơn vị chưa báo giảm (quá trình tham gia còn đang mở)",
            "form",
        )


def _settle(session: Session, person: Person, form: dict, start: date, end: date, days: int | None) -> list[int]:
    seq = (
        session.scalar(select(func.max(BenefitSettlement.seq)).where(BenefitSettlement.person_id == person.id)) or 0
    ) + 1
    session.add(
        BenefitSettlement(
            person_id=person.id,
            seq=seq,
            regime=form["regime"],
            period_from=start,
            period_to=end,
            days=days,
            amount=int(form["total"]),
            decision_no=f"QD-{form['regime'].upper()}-{person.id}-{seq}",
            decision_date=date.today(),
            authority=person.authority,
        )
    )
    return [person.id]


def approve_employee_claim(session: Session, employer: Employer, form: dict) -> list[int]:
    person = session.scalar(select(Person).where(Person.personal_id == form["personal_id"]))
    month = Month.parse(form.get("leave_month") or form["birth_month"])
    days = form.get("days")
    end = month.first_day() + timedelta(days=(days or 180) - 1)
    return _settle(session, person, form, month.first_day(), end, days)


def approve_own_claim(session: Session, person: Person, form: dict) -> list[int]:
    if form["regime"] == "unemployment":
        start = (Month.parse(form["termination_month"]) + 1).first_day()
        end = (Month.parse(form["termination_month"]) + max(form["months"], 1)).last_day()
        return _settle(session, person, form, start, end, None)
    return _settle(session, person, form, date.today(), date.today(), None)
