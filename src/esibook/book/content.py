"""What a book says (MISSION §1.3): identity, the whole contribution process, benefits, HI and UI status.

Classified details of defence and security service (unit, rank) are never written into a book: the signed
document can leave its authority; the details stay in the ministry's records.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.benefits.service import settlements_of
from esibook.contributions.dues import FUNDS
from esibook.contributions.models import ContributionLine, ParticipationPeriod, UnemploymentReserve
from esibook.employers.models import Employer
from esibook.health.service import latest_card
from esibook.people.models import Person
from esibook.periods import Month


def book_id(person: Person) -> str:
    """One person, one book, one code: the book is named by the SI code (the personal ID number)."""
    return f"VN-SBH-{person.personal_id or person.si_code_legacy}"


def book_content(session: Session, person: Person) -> dict:
    units = {
        e.id: e
        for e in session.scalars(
            select(Employer).where(
                Employer.id.in_(
                    select(ParticipationPeriod.employer_id).where(ParticipationPeriod.person_id == person.id)
                )
            )
        )
    }
    return {
        "book_id": book_id(person),
        "person": {
            "si_code": person.personal_id or person.si_code_legacy,
            "personal_id": person.personal_id,
            "si_code_legacy": person.si_code_legacy,
            "passport_no": person.passport_no,
            "full_name": person.full_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "sex": person.sex,
            "nationality": person.nationality,
            "ethnicity_code": person.ethnicity_code,
        },
        "managing_authority": {"code": person.authority, "name": AUTHORITY_NAMES[Authority(person.authority)][0]},
        "participation": _periods(session, person, units),
        "contributions": _months(session, person, units),
        "benefits": settlements_of(session, person.id),
        "health_insurance": _card(session, person),
        "unemployment_reserve": [
            {"months": r.reserved_months, "since": str(Month.from_int(r.since_month)), "reason": r.reason}
            for r in session.scalars(
                select(UnemploymentReserve)
                .where(UnemploymentReserve.person_id == person.id)
                .order_by(UnemploymentReserve.seq)
            )
        ],
    }


def _periods(session: Session, person: Person, units: dict) -> list[dict]:
    periods = session.scalars(
        select(ParticipationPeriod)
        .where(ParticipationPeriod.person_id == person.id)
        .order_by(ParticipationPeriod.from_month, ParticipationPeriod.seq)
    )
    return [
        {
            "from": str(Month.from_int(p.from_month)),
            "to": str(Month.from_int(p.to_month)) if p.to_month else None,
            "employer": _employer(units.get(p.employer_id)),
            "participant_type": p.participant_type,
            "job_title": p.job_title,
            "position": p.position,
            "workplace": p.workplace,
            "salary_basis": p.salary_basis,
            "provenance": p.provenance,
            "classified_details_withheld": p.classified_unit is not None,
        }
        for p in periods
    ]


def _employer(employer: Employer | None) -> dict | None:
    return {"unit_code": employer.unit_code, "name": employer.name} if employer else None


def _months(session: Session, person: Person, units: dict) -> list[dict]:
    lines = session.scalars(
        select(ContributionLine)
        .where(ContributionLine.person_id == person.id)
        .order_by(ContributionLine.month, ContributionLine.employer_id)
    )
    return [
        {
            "month": str(Month.from_int(line.month)),
            "unit_code": units[line.employer_id].unit_code if line.employer_id in units else None,
            "salary_basis": line.salary_basis,
            "ui_basis": line.ui_basis,
            "funds": {fund: getattr(line, fund) for fund in FUNDS},
            "total": line.total,
            "paid_amount": line.paid_amount,
            "status": line.status,
            "provenance": line.provenance,
        }
        for line in lines
    ]


def _card(session: Session, person: Person) -> dict | None:
    card = latest_card(session, person.id)
    if card is None:
        return None
    return {
        "card_code": card.card_code,
        "benefit_level": card.benefit_level,
        "initial_clinic_code": card.initial_clinic_code,
        "valid_from": card.valid_from.isoformat(),
        "valid_to": card.valid_to.isoformat(),
        "five_years_since": card.five_years_since.isoformat() if card.five_years_since else None,
    }
