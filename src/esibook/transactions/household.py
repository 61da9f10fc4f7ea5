"""Household health insurance (BHYT hộ gia đình): a member registers the household's members who have no other
card. The household and its members come from the database (group 3); the form only picks who joins and for how
many months.

Amounts (MISSION §4, dated parameters ``household_hi``): the first member pays 4.5% of the reference level a month;
the 2nd, 3rd and 4th pay 70%, 60%, 50% of the first member's amount; the 5th and later 40%. Members are counted in
the order they are listed.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from esibook.access.principal import Principal
from esibook.contributions.parameters import MonthParameters, current_parameters, share
from esibook.dates import vietnam_today
from esibook.db import last_seq
from esibook.errors import DomainError
from esibook.health.identifiers import make_hi_card_code
from esibook.health.models import Clinic, HICoverage
from esibook.people.models import Household, HouseholdMember, Person
from esibook.people.si_codes import new_si_code
from esibook.periods import Month
from esibook.transactions.registry import Procedure

HOUSEHOLD_GROUP = "GD"
HOUSEHOLD_BENEFIT_LEVEL = 4


class HouseholdRegistration(BaseModel):
    """Đăng ký BHYT hộ gia đình: who joins (by personal ID, from my household) and for how many months."""

    members: list[str] = Field(min_length=1, max_length=20)
    months: int = Field(12)


def member_amount(params: MonthParameters, order: int) -> int:
    """The monthly amount of the household's ``order``-th joining member (1-based), in VND."""
    first = share(params.reference_level, params.household_hi_basis_points)
    shares = params.household_member_percent
    return (first * shares[min(order, len(shares)) - 1] + 50) // 100


def household_of(session: Session, person: Person) -> tuple[Household | None, list[tuple[Person, str]]]:
    """The person's household and its members with their relationship to the head."""
    household_id = session.scalar(select(HouseholdMember.household_id).where(HouseholdMember.person_id == person.id))
    if household_id is None:
        return None, []
    rows = session.execute(
        select(Person, HouseholdMember.relationship)
        .join(HouseholdMember, HouseholdMember.person_id == Person.id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(Person.date_of_birth)
    ).all()
    return session.get(Household, household_id), [(p, r) for p, r in rows]


def household_view(session: Session, caller: Principal, today: date) -> dict:
    """The caller's household as the services page shows it, with each member's cover today and what the 1st to
    5th joining member pays a month now. Members' ID numbers and cover are shown at VNeID level 2 only, like the
    rest of group 3."""
    person = session.get(Person, caller.person_id) if caller.person_id else None
    household, members = household_of(session, person) if person and caller.level >= 2 else (None, [])
    params = current_parameters().for_month(Month.from_date(today))
    return {
        "household": household,
        "members": [(m, r, insured_on(session, m.id, today)) for m, r in members],
        "household_amounts": [member_amount(params, n) for n in range(1, 6)],
    }


def insured_on(session: Session, person_id: int, day: date) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    HICoverage.person_id == person_id, HICoverage.valid_from <= day, HICoverage.valid_to >= day
                )
            )
        )
    )


def _household_card_on(session: Session, person_id: int, day: date) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    HICoverage.person_id == person_id,
                    HICoverage.beneficiary_group == HOUSEHOLD_GROUP,
                    HICoverage.valid_from <= day,
                    HICoverage.valid_to >= day,
                )
            )
        )
    )


def _refuse(code: str, en: str, vi: str, field: str = "members") -> DomainError:
    return DomainError(code, en, vi, field=field)


def prepare_household(session: Session, person: Person, form: HouseholdRegistration) -> dict:
    if form.months not in (3, 6, 12):
        raise _refuse("dossier.payment_months", "pay for 3, 6 or 12 months", "đóng 3, 6 hoặc 12 tháng", "months")
    household, members = household_of(session, person)
    if household is None:
        raise _refuse(
            "dossier.no_household",
            "the population database has no household for you",
            "cơ sở dữ liệu không có hộ gia đình của bạn",
        )
    by_id = {p.personal_id: (p, r) for p, r in members if p.personal_id}
    start = Month.from_date(vietnam_today()) + 1
    params = current_parameters().for_month(start)
    enrolled = sum(1 for p, _ in members if p.died_on is None and _household_card_on(session, p.id, start.first_day()))
    rows, seen = [], set()
    for personal_id in form.members:
        if personal_id in seen or personal_id not in by_id:
            raise _refuse(
                "dossier.not_household_member",
                f"{personal_id} is not listed once among your household's members",
                f"{personal_id} không phải thành viên trong hộ của bạn (hoặc bị kê hai lần)",
            )
        seen.add(personal_id)
        member, relationship = by_id[personal_id]
        if member.died_on is not None:
            raise _refuse(
                "dossier.member_deceased",
                f"{member.full_name} died on {member.died_on:%d/%m/%Y}: a deceased member is not enrolled",
                f"{member.full_name} đã chết ngày {member.died_on:%d/%m/%Y}: không tham gia BHYT cho người đã chết",
            )
        if insured_on(session, member.id, start.first_day()):
            raise _refuse(
                "dossier.already_insured",
                f"{member.full_name} already has a valid HI card",
                f"{member.full_name} đã có thẻ BHYT còn hạn",
            )
        order = enrolled + len(rows) + 1  # members already enrolled count first
        monthly = member_amount(params, order)
        rows.append(
            {
                "personal_id": personal_id,
                "full_name": member.full_name,
                "relationship": relationship,
                "order": order,
                "monthly": monthly,
                "amount": monthly * form.months,
            }
        )
    return {
        "household_code": household.household_code,
        "from_month": str(start),
        "months": form.months,
        "reference_level": params.reference_level,
        "parameters_version": params.version,
        "members": rows,
        "total": sum(r["amount"] for r in rows),
    }


def approve_household(session: Session, person: Person, form: dict) -> list[int]:
    """A card for each member, group GD at 80%, valid from the first month for the months paid."""
    start = Month.parse(form["from_month"])
    end = start + (form["months"] - 1)
    household = session.scalar(select(Household).where(Household.household_code == form["household_code"]))
    clinic = session.scalar(
        select(Clinic.code)
        .where(Clinic.province_code == household.province_code, Clinic.accepts_initial_registration.is_(True))
        .order_by(Clinic.code)
        .limit(1)
    )
    changed = []
    for row in form["members"]:
        member = session.scalar(select(Person).where(Person.personal_id == row["personal_id"]).with_for_update())
        if insured_on(session, member.id, start.first_day()):
            raise _refuse(
                "dossier.already_insured",
                f"{member.full_name} got a valid HI card meanwhile",
                f"{member.full_name} đã có thẻ BHYT còn hạn trong thời gian xử lý",
            )
        if not member.si_code_legacy:
            member.si_code_legacy = new_si_code(session, member.birth_province_code)
        seq = last_seq(session, HICoverage.seq, HICoverage.person_id, member.id) + 1
        province = household.province_code[1:]
        session.add(
            HICoverage(
                person_id=member.id,
                seq=seq,
                card_code=make_hi_card_code(HOUSEHOLD_GROUP, HOUSEHOLD_BENEFIT_LEVEL, province, member.si_code_legacy),
                beneficiary_group=HOUSEHOLD_GROUP,
                benefit_level=HOUSEHOLD_BENEFIT_LEVEL,
                province_code=province,
                initial_clinic_code=clinic or "01001",
                valid_from=start.first_day(),
                valid_to=end.last_day(),
                authority="civil",
            )
        )
        changed.append(member.id)
    return changed


PROCEDURE = Procedure(
    code="household_hi",
    name_vi="Đăng ký tham gia BHYT hộ gia đình",
    name_en="Register household members for health insurance",
    filer="citizen",
    form=HouseholdRegistration,
    service_days=5,
    result_vi="Thẻ BHYT của từng thành viên trong kho dữ liệu điện tử",
    prepare=prepare_household,
    approve=approve_household,
)
