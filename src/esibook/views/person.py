"""One person's record, data group by data group (the 7 groups of Decree 164), as a given viewer may see it.

Classified details of defence and security records (unit, rank) are shown only to officers of the record's own
authority; anyone else gets ``"[redacted]"`` in their place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.service import settlements_of
from esibook.contributions.models import ContributionLine, ParticipationPeriod, UnemploymentReserve
from esibook.employers.models import Employer
from esibook.health.models import Clinic, HICoverage
from esibook.health.service import latest_card
from esibook.people.identifiers import mask_personal_id
from esibook.people.models import Contact, Household, HouseholdMember, Person
from esibook.people.reference import ethnicity_name, nationality_name
from esibook.periods import Month

REDACTED = "[redacted]"
RECENT_MONTHS = 24


def person_groups(
    session: Session,
    person: Person,
    groups: Iterable[int],
    *,
    viewer_authority: str | None = None,
    employer_ids: frozenset[int] | None = None,
) -> dict[int, dict]:
    """The chosen groups; ``employer_ids`` limits group 4 to periods with those employers (an employer's view)."""
    builders = {1: _basic, 2: _contacts, 3: _household, 4: _social, 5: _health, 6: _unemployment, 7: _employers}
    return {g: builders[g](session, person, viewer_authority, employer_ids) for g in sorted(set(groups))}


def _basic(session, person: Person, *_):
    return {
        "personal_id": person.personal_id,
        "si_code_legacy": person.si_code_legacy,
        "passport_no": person.passport_no,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "ethnicity_code": person.ethnicity_code,
        "nationality": person.nationality,
        "birth_registration_place": person.birth_registration_place,
        "hometown": person.hometown,
        "permanent_residence": person.permanent_residence,
        "father": _relative(person.father_name, person.father_id),
        "mother": _relative(person.mother_name, person.mother_id),
        "spouse": _relative(person.spouse_name, person.spouse_id),
        "legal_representative": _relative(person.representative_name, person.representative_id),
        "managing_authority": person.authority,
    }


def _relative(name: str | None, personal_id: str | None) -> str | None:
    """A relative's name, with their personal ID number masked: it is their data, not the viewer's."""
    if not name:
        return None
    return f"{name} ({mask_personal_id(personal_id)})" if personal_id else name


def _contacts(session, person: Person, *_):
    contact = session.get(Contact, person.id)
    return {"phone": contact.phone, "email": contact.email, "address": contact.address} if contact else {}


def _household(session, person: Person, *_):
    household = session.scalar(
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.person_id == person.id)
    )
    if household is None:
        return {}
    members = session.execute(
        select(Person.full_name, HouseholdMember.relationship)
        .join(HouseholdMember, HouseholdMember.person_id == Person.id)
        .where(HouseholdMember.household_id == household.id)
        .order_by(Person.id)
    ).all()
    return {
        "household_code": household.household_code,
        "address": household.address,
        "members": [{"full_name": name, "relationship": rel} for name, rel in members],
    }


def _social(session, person: Person, viewer_authority, employer_ids):
    periods_query = (
        select(ParticipationPeriod, Employer.name, Employer.unit_code)
        .outerjoin(Employer, Employer.id == ParticipationPeriod.employer_id)
        .where(ParticipationPeriod.person_id == person.id)
    )
    lines_query = select(ContributionLine).where(ContributionLine.person_id == person.id)
    if employer_ids is not None:
        periods_query = periods_query.where(ParticipationPeriod.employer_id.in_(employer_ids))
        lines_query = lines_query.where(ContributionLine.employer_id.in_(employer_ids))
    periods = [
        _period(p, name, unit, viewer_authority)
        for p, name, unit in session.execute(periods_query.order_by(ParticipationPeriod.seq))
    ]
    lines = session.scalars(lines_query.order_by(ContributionLine.month.desc()).limit(RECENT_MONTHS)).all()
    settlements = [] if employer_ids is not None else settlements_of(session, person.id)
    return {
        "si_code": person.personal_id or person.si_code_legacy,
        "si_code_legacy": person.si_code_legacy,
        "participation": periods,
        "recent_months": [_line(line) for line in lines],
        "benefit_settlements": settlements,
    }


def _period(p: ParticipationPeriod, employer_name, unit_code, viewer_authority) -> dict:
    visible = viewer_authority == p.authority
    classified = p.classified_unit is not None
    return {
        "from": str(Month.from_int(p.from_month)),
        "to": str(Month.from_int(p.to_month)) if p.to_month else None,
        "employer": employer_name,
        "unit_code": unit_code,
        "participant_type": p.participant_type,
        "job_title": p.job_title,
        "position": p.position,
        "workplace": p.workplace,
        "salary_basis": p.salary_basis,
        "provenance": p.provenance,
        "authority": p.authority,
        "unit": (p.classified_unit if visible else REDACTED) if classified else None,
        "rank": (p.classified_rank if visible else REDACTED) if classified else None,
    }


def _line(line: ContributionLine) -> dict:
    return {
        "month": str(Month.from_int(line.month)),
        "employer_id": line.employer_id,
        "salary_basis": line.salary_basis,
        "total": line.total,
        "paid_amount": line.paid_amount,
        "status": line.status,
    }


def _health(session, person: Person, *_):
    rows = session.execute(
        select(HICoverage, Clinic.name, Clinic.address)
        .outerjoin(Clinic, Clinic.code == HICoverage.initial_clinic_code)
        .where(HICoverage.person_id == person.id)
        .order_by(HICoverage.seq)
    ).all()
    return {
        "cards": [
            {
                "card_code": c.card_code,
                "beneficiary_group": c.beneficiary_group,
                "benefit_level": c.benefit_level,
                "initial_clinic": {"code": c.initial_clinic_code, "name": name, "address": address},
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat(),
                "five_years_since": c.five_years_since.isoformat() if c.five_years_since else None,
            }
            for c, name, address in rows
        ]
    }


def _unemployment(session, person: Person, *_):
    months = session.scalar(
        select(func.count())
        .select_from(ContributionLine)
        .where(ContributionLine.person_id == person.id, ContributionLine.ui_employee > 0)
    )
    reserves = session.scalars(select(UnemploymentReserve).where(UnemploymentReserve.person_id == person.id)).all()
    return {
        "ui_months_on_record": months,
        "reserved": [
            {"months": r.reserved_months, "since": str(Month.from_int(r.since_month)), "reason": r.reason}
            for r in reserves
        ],
    }


def _employers(session, person: Person, viewer_authority, employer_ids):
    query = (
        select(Employer)
        .join(ParticipationPeriod, ParticipationPeriod.employer_id == Employer.id)
        .where(ParticipationPeriod.person_id == person.id, ParticipationPeriod.to_month.is_(None))
    )
    if employer_ids is not None:
        query = query.where(Employer.id.in_(employer_ids))
    return {
        "current": [
            {
                "unit_code": e.unit_code,
                "name": e.name,
                "tax_code": e.tax_code,
                "address": e.address,
                "region": e.region,
                "managing_agency": e.managing_agency,
            }
            for e in session.scalars(query.distinct())
        ]
    }


def readable_groups(groups: dict[int, dict], lang: str) -> dict[int, dict]:
    """The groups as a person reads them on a page: names in place of codes (the ethnic group, the nationality,
    the initial clinic with its address). The API keeps the codes."""
    shown = dict(groups)
    if 1 in shown:
        shown[1] = {
            ("ethnicity" if key == "ethnicity_code" else key): _named(key, value, lang)
            for key, value in shown[1].items()
        }
    if 5 in shown:
        cards = shown[5]["cards"]
        shown[5] = {"cards": [{**card, "initial_clinic": _clinic(card["initial_clinic"])} for card in cards]}
    return shown


def _named(key: str, value, lang: str):
    if key == "ethnicity_code":
        return ethnicity_name(value)
    if key == "nationality":
        return nationality_name(value, lang)
    return value


def _clinic(clinic: dict) -> str | None:
    """ "Bệnh viện Đa khoa Nghệ An, 12 Trần Phú, Vinh" (the code only when the clinic is not in the list)."""
    return ", ".join(part for part in (clinic["name"], clinic.get("address")) if part) or clinic["code"]


def status_view(session: Session, person: Person, today: date) -> dict:
    """What a level-1 sign-in may see: whether the HI card is valid and whether the person is insured now."""
    card = latest_card(session, person.id)
    insured = (
        session.scalar(
            select(func.count())
            .select_from(ParticipationPeriod)
            .where(ParticipationPeriod.person_id == person.id, ParticipationPeriod.to_month.is_(None))
        )
        > 0
    )
    return {
        "hi_card_valid": bool(card and card.valid_from <= today <= card.valid_to),
        "hi_card_valid_until": card.valid_to.isoformat() if card else None,
        "participating_now": insured,
    }
