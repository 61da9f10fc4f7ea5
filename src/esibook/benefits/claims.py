"""Benefit claims as procedures on the dossier engine (hồ sơ đề nghị hưởng): sickness and maternity filed by the
employer for an employee, one-time withdrawal and unemployment filed by the person. Each filed form carries the
worksheet computed from the book (inputs, rule, every step), so the officer reviews the arithmetic, not a number;
an approved claim records a settlement, which enters the book as a new signed version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.claim_payouts import PayoutChoice, pay_out
from esibook.benefits.estimator import contribution_history
from esibook.benefits.models import BenefitSettlement
from esibook.benefits.months import COMPULSORY
from esibook.benefits.rules import maternity, one_time_withdrawal, sickness, unemployment
from esibook.benefits.worksheet import Worksheet
from esibook.contributions.dues import employee_dues
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.db import last_seq
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.periods import Month

OpenClaim = Callable[[Session, Person, str], bool]
"""Whether a dossier of this claim procedure is already open for the person (the dossier engine answers)."""


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


CLAIMS = ("claim_sickness", "claim_maternity", "claim_one_time", "claim_unemployment", "claim_sickness_own")


def _not_claimed_twice(
    session: Session, person: Person, regime: str, start: date, end: date, open_claim: OpenClaim
) -> None:
    """A benefit is paid once: no settlement of the same regime overlapping the period (a one-time withdrawal:
    none ever), and no claim of the same kind still open for the person."""
    query = (
        select(func.count())
        .select_from(BenefitSettlement)
        .where(BenefitSettlement.person_id == person.id, BenefitSettlement.regime == regime)
    )
    if regime != "one_time":
        query = query.where(BenefitSettlement.period_from <= end, BenefitSettlement.period_to >= start)
    if session.scalar(query):
        raise _refuse(
            "claim.already_settled",
            "this benefit is already settled for that period",
            "chế độ này đã được giải quyết cho thời gian đó",
            "form",
        )
    pending = open_claim(session, person, f"claim_{regime}")
    if pending:
        raise _refuse(
            "claim.pending",
            "a claim of this kind is already being processed for this person",
            "đã có hồ sơ đề nghị chế độ này đang được giải quyết",
            "form",
        )


def _sickness_days_left(session: Session, person: Person, month: Month, sheet: Worksheet, days: int) -> None:
    taken = session.scalar(
        select(func.coalesce(func.sum(BenefitSettlement.days), 0)).where(
            BenefitSettlement.person_id == person.id,
            BenefitSettlement.regime == "sickness",
            BenefitSettlement.period_from >= date(month.year, 1, 1),
            BenefitSettlement.period_from <= date(month.year, 12, 31),
        )
    )
    allowed = int(sheet.value("days_per_year")) if sheet.has("days_per_year") else 30
    if taken + days > allowed:
        raise _refuse(
            "claim.sickness_days",
            f"{taken} of the {allowed} sickness days of {month.year} are already paid; at most {allowed - taken} left",
            f"đã hưởng {taken}/{allowed} ngày ốm đau năm {month.year}; còn tối đa {max(allowed - taken, 0)} ngày",
            "days",
        )


def _salary_basis_in(session: Session, employer: Employer, person: Person, month: Month) -> int | None:
    """The SI salary basis the employee is declared at with this employer in ``month`` (the floor and the cap of
    the month applied): the salary of a first month of participation (Law 41/2024 Art. 45)."""
    salary = session.scalar(
        select(ParticipationPeriod.salary_basis).where(
            ParticipationPeriod.person_id == person.id,
            ParticipationPeriod.employer_id == employer.id,
            ParticipationPeriod.from_month <= month.as_int(),
            func.coalesce(ParticipationPeriod.to_month, 999912) >= month.as_int(),
        ).limit(1)
    )
    return None if salary is None else employee_dues(salary, month, employer.region).salary_basis


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


class SicknessClaim(PayoutChoice):
    """Đề nghị hưởng chế độ ốm đau: the employee, the month of the leave and the days off work."""

    personal_id: str = Field(min_length=12, max_length=12)
    leave_month: str = Field(min_length=7, max_length=7)
    days: int = Field(ge=1, le=180)


def prepare_sickness(session: Session, employer: Employer, form: SicknessClaim, *, open_claim: OpenClaim) -> dict:
    month = Month.parse_input(form.leave_month, field="leave_month")
    person = _employee(session, employer, form.personal_id, month)
    history = contribution_history(session, person.id, before=month)
    first = not any(m.kind == COMPULSORY for m in history.months)
    sheet = sickness(
        history.months, leave_month=month, days=form.days,
        first_month_salary=_salary_basis_in(session, employer, person, month) if first else None,
    )
    _not_claimed_twice(
        session, person, "sickness", month.first_day(), month.first_day() + timedelta(form.days - 1), open_claim
    )
    _sickness_days_left(session, person, month, sheet, form.days)
    return _worksheet_form(
        sheet,
        personal_id=person.personal_id,
        full_name=person.full_name,
        leave_month=str(month),
        days=form.days,
        regime="sickness",
        total=sheet.value("amount_for_days") if sheet.has("amount_for_days") else sheet.result,
    )


class OwnSicknessClaim(PayoutChoice):
    """Đề nghị hưởng chế độ ốm đau của người đã nghỉ việc: a person whose job has ended files their own claim with
    the SI office (Law 41/2024: the employer no longer files for them) for a leave taken while employed."""

    leave_month: str = Field(min_length=7, max_length=7)
    days: int = Field(ge=1, le=180)


def prepare_own_sickness(session: Session, person: Person, form: OwnSicknessClaim, *, open_claim: OpenClaim) -> dict:
    """The same worksheet as the employer's claim, for the employer of the month of the leave; only once the job
    has ended (the period is closed), else the employer files it."""
    month = Month.parse_input(form.leave_month, field="leave_month")
    _not_participating(session, person)
    employer = session.scalar(
        select(Employer)
        .join(ParticipationPeriod, ParticipationPeriod.employer_id == Employer.id)
        .where(
            ParticipationPeriod.person_id == person.id,
            ParticipationPeriod.participant_type == "employee",
            ParticipationPeriod.from_month <= month.as_int(),
            func.coalesce(ParticipationPeriod.to_month, 999912) >= month.as_int(),
        )
        .limit(1)
    )
    if employer is None:
        raise _refuse(
            "claim.not_employed_then",
            "you were not employed in that month: the sickness benefit is for leave from a job",
            "bạn không làm việc trong tháng đó: chế độ ốm đau là cho thời gian nghỉ việc khi đang làm việc",
            "leave_month",
        )
    claim = SicknessClaim(personal_id=person.personal_id, leave_month=str(month), days=form.days,
                          **form.model_dump(include=set(PayoutChoice.model_fields)))
    return {**prepare_sickness(session, employer, claim, open_claim=open_claim), "employer": employer.name}


def approve_own_sickness(session: Session, person: Person, form: dict) -> list[int]:
    return approve_employee_claim(session, None, form)


class MaternityClaim(PayoutChoice):
    """Đề nghị hưởng chế độ thai sản: the employee, the month of the birth and the number of children."""

    personal_id: str = Field(min_length=12, max_length=12)
    birth_month: str = Field(min_length=7, max_length=7)
    children: int = Field(1, ge=1, le=6)


def prepare_maternity(session: Session, employer: Employer, form: MaternityClaim, *, open_claim: OpenClaim) -> dict:
    month = Month.parse_input(form.birth_month, field="birth_month")
    person = _employee(session, employer, form.personal_id, month)
    if person.sex != "female":
        raise _refuse(
            "claim.maternity_mother",
            "the maternity leave benefit is claimed for the mother",
            "chế độ thai sản khi sinh con được giải quyết cho người mẹ",
            "personal_id",
        )
    _not_claimed_twice(session, person, "maternity", month.first_day(), month.last_day(), open_claim)
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


class OneTimeClaim(PayoutChoice):
    """Đề nghị hưởng BHXH một lần: the reason (as the law allows it)."""

    reason: str = Field(pattern="^(retirement_age_without_15_years|going_abroad|serious_illness)$")


def prepare_one_time(session: Session, person: Person, form: OneTimeClaim, *, open_claim: OpenClaim) -> dict:
    _not_participating(session, person)
    _not_claimed_twice(session, person, "one_time", date.min, date.max, open_claim)
    today = vietnam_today()
    history = contribution_history(session, person.id, before=Month.from_date(today))
    sheet = one_time_withdrawal(history.months, computed_on=today)
    return _worksheet_form(sheet, reason=form.reason, regime="one_time", total=sheet.result)


class UnemploymentClaim(PayoutChoice):
    """Đề nghị hưởng trợ cấp thất nghiệp: the last month of the labour contract, and where the allowance is paid
    each month."""

    termination_month: str = Field(min_length=7, max_length=7)


def prepare_unemployment(session: Session, person: Person, form: UnemploymentClaim, *, open_claim: OpenClaim) -> dict:
    month = Month.parse_input(form.termination_month, field="termination_month")
    _not_participating(session, person)
    _not_claimed_twice(session, person, "unemployment", (month + 1).first_day(), (month + 12).last_day(), open_claim)
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
    session.scalar(select(Person.id).where(Person.id == person.id).with_for_update())  # one approval at a time
    overlap = (
        select(func.count())
        .select_from(BenefitSettlement)
        .where(BenefitSettlement.person_id == person.id, BenefitSettlement.regime == form["regime"])
    )
    if form["regime"] != "one_time":
        overlap = overlap.where(BenefitSettlement.period_from <= end, BenefitSettlement.period_to >= start)
    if session.scalar(overlap):
        raise _refuse(
            "claim.already_settled",
            "this benefit was settled for that period meanwhile",
            "chế độ này đã được giải quyết cho thời gian đó",
            "form",
        )
    seq = last_seq(session, BenefitSettlement.seq, BenefitSettlement.person_id, person.id) + 1
    settlement = BenefitSettlement(
        person_id=person.id,
        seq=seq,
        regime=form["regime"],
        period_from=start,
        period_to=end,
        days=days,
        amount=int(form["total"]),
        decision_no=f"QD-{form['regime'].upper()}-{person.id}-{seq}",
        decision_date=vietnam_today(),
        authority=person.authority,
    )
    session.add(settlement)
    pay_out(session, settlement, form, beneficiary_id=person.id)
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
    return _settle(session, person, form, vietnam_today(), vietnam_today(), None)
