"""The employer's procedures for their employees: registration (báo tăng), leavers (báo giảm) and salary changes.

Forms ask only for what no database holds: for an employee, the personal ID number, the job and the salary; the
name, date of birth and sex come from the population database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.contributions.parameters import current_parameters
from esibook.dates import vietnam_today
from esibook.db import last_seq
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.health.identifiers import make_hi_card_code
from esibook.health.models import Clinic, HICoverage
from esibook.money import parse_vnd
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions import registrations
from esibook.transactions.population import LocalPopulationRegistry, person_for_personal_id
from esibook.transactions.registry import Procedure
from esibook.transactions.uploads import HEADINGS

MAX_EMPLOYEES = 1000


class NewEmployee(BaseModel):
    personal_id: str = Field(min_length=1, max_length=20)
    job_title: str = Field(min_length=1, max_length=120)
    position: str | None = Field(None, max_length=120)
    workplace: str | None = Field(None, max_length=200)
    salary: int = Field(gt=0, le=10_000_000_000)
    from_month: str = Field(min_length=6, max_length=7)


class RegisterEmployees(BaseModel):
    """Báo tăng lao động (D02-LT): register employees, which issues their e-book and HI card."""

    employees: list[NewEmployee] = Field(min_length=1, max_length=MAX_EMPLOYEES)


class Leaver(BaseModel):
    personal_id: str = Field(min_length=1, max_length=20)
    last_month: str = Field(min_length=6, max_length=7)
    reason: str = Field(min_length=2, max_length=200)


class ReportLeavers(BaseModel):
    """Báo giảm lao động: close the participation period (chốt sổ)."""

    leavers: list[Leaver] = Field(min_length=1, max_length=MAX_EMPLOYEES)


class SalaryChange(BaseModel):
    personal_id: str = Field(min_length=1, max_length=20)
    from_month: str = Field(min_length=6, max_length=7)
    salary: int = Field(gt=0, le=10_000_000_000)
    job_title: str | None = Field(None, max_length=120)
    position: str | None = Field(None, max_length=120)


class AdjustSalary(BaseModel):
    """Điều chỉnh tiền lương, chức danh: a new salary (and title) from a month, for employees with you."""

    adjustments: list[SalaryChange] = Field(min_length=1, max_length=MAX_EMPLOYEES)


def _row_error(index: int, code: str, en: str, vi: str) -> DomainError:
    return DomainError(code, f"line {index + 1}: {en}", f"dòng {index + 1}: {vi}", field=f"employees.{index}")


def prepare_registration(session: Session, employer: Employer, form: RegisterEmployees) -> dict:
    registry = LocalPopulationRegistry(session)
    seen: set[str] = set()
    rows = [_registered(session, registry, employer, seen, i, row) for i, row in enumerate(form.employees)]
    return {"employees": rows}


def _registered(session: Session, registry, employer: Employer, seen: set[str], i: int, row: NewEmployee) -> dict:
    """One listed employee as filed (the population database's name, birth date and sex), or the row's problem."""
    personal_id = _listed_once(seen, i, _personal_id(i, row.personal_id))
    resident = registry.find(personal_id)
    if resident is None:
        raise _row_error(
            i,
            "dossier.not_in_population_db",
            f"{personal_id} is not in the national population database",
            f"{personal_id} không có trong cơ sở dữ liệu quốc gia về dân cư",
        )
    start = _month(i, row.from_month)
    _check_salary(i, employer, start, row.salary)
    _check_not_employed(session, i, employer, personal_id)
    return {
        **row.model_dump(),
        "personal_id": personal_id,
        "from_month": str(start),
        "full_name": resident.full_name,
        "date_of_birth": resident.date_of_birth.isoformat(),
        "sex": resident.sex,
    }


@dataclass(frozen=True)
class RowCheck:
    """A listed employee before filing: what was read, the name the population database gives, or the problem."""

    line: int
    listed: dict
    filed: dict | None
    problem: DomainError | None


def check_registration_rows(session: Session, employer: Employer, rows: list[dict]) -> list[RowCheck]:
    """Every row of a list checked as filing would check it, each with its own problem (a preview files nothing)."""
    registry = LocalPopulationRegistry(session)
    seen: set[str] = set()
    checks = []
    for i, listed in enumerate(rows):
        try:
            row = _new_employee(i, listed)
            checks.append(RowCheck(i + 1, listed, _registered(session, registry, employer, seen, i, row), None))
        except DomainError as problem:
            checks.append(RowCheck(i + 1, listed, None, problem))
    return checks


def _new_employee(i: int, listed: dict) -> NewEmployee:
    salary = parse_vnd(listed.get("salary"))
    if not salary:
        raise _row_error(
            i,
            "upload.salary",
            f"the salary '{str(listed.get('salary') or '')[:20]}' is not an amount in đồng",
            f"mức lương '{str(listed.get('salary') or '')[:20]}' không phải số tiền",
        )
    try:
        return NewEmployee.model_validate({**listed, "salary": salary})
    except ValidationError as error:
        vi, en = HEADINGS.get(str(error.errors()[0]["loc"][0]), ("?", "?"))
        raise _row_error(i, "dossier.form", f"{en}: missing or too long", f"{vi}: thiếu hoặc quá dài") from error


def _personal_id(index: int, value: str) -> str:
    try:
        return parse_personal_id(value).number
    except DomainError as error:
        raise _row_error(index, error.code, error.message_en, error.message_vi) from error


def _month(index: int, value: str) -> Month:
    try:
        return Month.parse_input(value)
    except DomainError as error:
        raise _row_error(index, error.code, error.message_en, error.message_vi) from error


def _check_salary(index: int, employer: Employer, month: Month, salary: int) -> None:
    floor = current_parameters().for_month(month).regional_minimum_wage[employer.region]
    if salary < floor:
        raise _row_error(
            index,
            "dossier.salary_below_minimum",
            f"the salary {salary:,} is below the region {employer.region} minimum wage {floor:,} in {month}",
            f"tiền lương {salary:,} thấp hơn lương tối thiểu vùng {employer.region} ({floor:,}) tháng {month}",
        )


def _check_not_employed(session: Session, index: int, employer: Employer, personal_id: str) -> None:
    """One open period per person and employer: not employed here already, nor listed in a registration of this
    employer that is still being processed."""
    if registrations.open_period_here(session, employer.id, personal_id) is not None:
        raise _row_error(
            index,
            "registration.already_employed",
            "this person is already registered with you (their participation here is open)",
            "người này đã được đơn vị đăng ký tham gia (đang tham gia tại đơn vị)",
        )
    if other := registrations.pending_registration(session, employer.id, personal_id):
        raise _row_error(
            index,
            "registration.already_employed",
            f"this person is already listed in your registration {other.code}, still being processed",
            f"người này đã có trong hồ sơ báo tăng {other.code} đang được giải quyết",
        )


def _still_not_employed(session: Session, index: int, employer: Employer, personal_id: str) -> None:
    """At approval: a registration filed in parallel may have been approved first."""
    if registrations.open_period_here(session, employer.id, personal_id) is not None:
        raise _row_error(
            index,
            "registration.already_employed",
            f"{personal_id} was registered with this employer meanwhile (another dossier was approved first): "
            "this dossier cannot be approved as filed; reject it or ask for a corrected list",
            f"{personal_id} đã được đăng ký tại đơn vị trong thời gian xử lý (một hồ sơ khác đã được duyệt trước): "
            "không thể duyệt hồ sơ này; hãy từ chối hoặc đề nghị đơn vị nộp lại danh sách",
        )


def approve_registration(session: Session, employer: Employer, form: dict) -> list[int]:
    with registrations.one_open_period():
        changed = _register(session, employer, form)
        session.flush()
    return changed


def _register(session: Session, employer: Employer, form: dict) -> list[int]:
    changed = []
    for i, row in enumerate(form["employees"]):
        _still_not_employed(session, i, employer, row["personal_id"])
        person = person_for_personal_id(session, row["personal_id"])
        start = Month.parse(row["from_month"])
        seq = last_seq(session, ParticipationPeriod.seq, ParticipationPeriod.person_id, person.id) + 1
        session.add(
            ParticipationPeriod(
                person_id=person.id,
                seq=seq,
                employer_id=employer.id,
                from_month=start.as_int(),
                to_month=None,
                job_title=row["job_title"],
                position=row.get("position"),
                workplace=row.get("workplace"),
                salary_basis=row["salary"],
                participant_type="employee",
                provenance="electronic",
                authority=employer.authority,
            )
        )
        _issue_card(session, employer, person, start)
        changed.append(person.id)
    return changed


def _issue_card(session: Session, employer: Employer, person: Person, start: Month) -> None:
    clinic = session.scalar(
        select(Clinic.code)
        .where(Clinic.province_code == employer.province_code, Clinic.accepts_initial_registration.is_(True))
        .order_by(Clinic.code)
        .limit(1)
    )
    seq = last_seq(session, HICoverage.seq, HICoverage.person_id, person.id) + 1
    group = "HC" if employer.business_type == "hcsn" else "DN"
    province = employer.province_code[1:]
    session.add(
        HICoverage(
            person_id=person.id,
            seq=seq,
            card_code=make_hi_card_code(group, 4, province, person.si_code_legacy),
            beneficiary_group=group,
            benefit_level=4,
            province_code=province,
            initial_clinic_code=clinic or "01001",
            valid_from=start.first_day(),
            valid_to=date(max(start.year, vietnam_today().year), 12, 31),
            authority=employer.authority,
        )
    )


def prepare_leavers(session: Session, employer: Employer, form: ReportLeavers) -> dict:
    rows = []
    for i, row in enumerate(form.leavers):
        personal_id = _personal_id(i, row.personal_id)
        period = _employed_here(session, employer, i, personal_id)
        last = _month(i, row.last_month)
        if last.as_int() < period.from_month:
            raise _row_error(
                i,
                "dossier.last_month_early",
                "the last month is before the period started",
                "tháng cuối trước tháng bắt đầu tham gia",
            )
        rows.append({**row.model_dump(), "personal_id": personal_id, "last_month": str(last)})
    return {"leavers": rows}


def _listed_once(seen: set[str], index: int, personal_id: str) -> str:
    if personal_id in seen:
        raise _row_error(
            index, "dossier.duplicate_employee", "this person is listed twice", "người này bị kê khai hai lần"
        )
    seen.add(personal_id)
    return personal_id


def _employed_here(session: Session, employer: Employer, index: int, personal_id: str) -> ParticipationPeriod:
    period = _open_period(session, employer, personal_id)
    if period is None:
        raise _row_error(
            index,
            "dossier.not_employed",
            "this person has no open period with you",
            "người này không đang tham gia tại đơn vị",
        )
    return period


def _open_period(session: Session, employer: Employer, personal_id: str) -> ParticipationPeriod | None:
    return registrations.open_period_here(session, employer.id, personal_id)


def approve_leavers(session: Session, employer: Employer, form: dict) -> list[int]:
    changed = []
    for row in form["leavers"]:
        period = _open_period(session, employer, row["personal_id"])
        if period is not None:
            period.to_month = Month.parse(row["last_month"]).as_int()
            changed.append(period.person_id)
    return changed


def prepare_adjustment(session: Session, employer: Employer, form: AdjustSalary) -> dict:
    rows, seen = [], set()
    for i, row in enumerate(form.adjustments):
        personal_id = _listed_once(seen, i, _personal_id(i, row.personal_id))
        period = _employed_here(session, employer, i, personal_id)
        start = _month(i, row.from_month)
        if start.as_int() < period.from_month:
            raise _row_error(
                i,
                "dossier.adjust_before_start",
                "the change cannot start before the period did",
                "không điều chỉnh từ trước tháng bắt đầu tham gia",
            )
        _check_salary(i, employer, start, row.salary)
        rows.append(
            {
                **row.model_dump(),
                "personal_id": personal_id,
                "from_month": str(start),
                "previous_salary": period.salary_basis,
                "previous_job_title": period.job_title,
            }
        )
    return {"adjustments": rows}


def approve_adjustment(session: Session, employer: Employer, form: dict) -> list[int]:
    """From the month of the change the period continues as a new one with the new salary and title."""
    changed = []
    for row in form["adjustments"]:
        period = _open_period(session, employer, row["personal_id"])
        if period is None:
            raise DomainError(
                "dossier.not_employed",
                f"{row['personal_id']} left meanwhile: ask the employer to file again",
                f"{row['personal_id']} đã nghỉ việc trong thời gian xử lý: đề nghị đơn vị nộp lại",
            )
        start = Month.parse(row["from_month"])
        if start.as_int() > period.from_month:
            period.to_month = (start - 1).as_int()
            seq = last_seq(session, ParticipationPeriod.seq, ParticipationPeriod.person_id, period.person_id) + 1
            period = ParticipationPeriod(
                person_id=period.person_id,
                seq=seq,
                employer_id=employer.id,
                from_month=start.as_int(),
                to_month=None,
                job_title=period.job_title,
                position=period.position,
                workplace=period.workplace,
                salary_basis=period.salary_basis,
                participant_type=period.participant_type,
                provenance="electronic",
                authority=period.authority,
            )
            session.add(period)
        period.salary_basis = row["salary"]
        period.job_title = row.get("job_title") or period.job_title
        period.position = row.get("position") or period.position
        changed.append(period.person_id)
    return changed


#: The employer's procedures for their employees.
PROCEDURES = (
    Procedure(
        code="register_employees",
        name_vi="Đăng ký tham gia BHXH, BHYT cho người lao động (báo tăng)",
        name_en="Register employees for SI and HI",
        filer="employer",
        form=RegisterEmployees,
        service_days=5,
        result_vi="Sổ BHXH điện tử và thẻ BHYT của từng người lao động",
        prepare=prepare_registration,
        approve=approve_registration,
    ),
    Procedure(
        code="report_leavers",
        name_vi="Báo giảm lao động, chốt sổ BHXH",
        name_en="Report leavers and close their periods",
        filer="employer",
        form=ReportLeavers,
        service_days=5,
        result_vi="Sổ BHXH điện tử được cập nhật (chốt sổ)",
        prepare=prepare_leavers,
        approve=approve_leavers,
    ),
    Procedure(
        code="adjust_salary",
        name_vi="Điều chỉnh tiền lương, chức danh đóng BHXH",
        name_en="Adjust salary or job title",
        filer="employer",
        form=AdjustSalary,
        service_days=5,
        result_vi="Sổ BHXH điện tử ghi tiền lương, chức danh mới",
        prepare=prepare_adjustment,
        approve=approve_adjustment,
    ),
)
