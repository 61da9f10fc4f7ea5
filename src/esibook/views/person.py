"""One person's record, data group by data group (the 7 groups of Decree 164), as a given viewer may see it.

Classified details of defence and security records (unit, rank) are shown only to officers of the record's own
authority; anyone else gets ``"[redacted]"`` in their place. Each context reads its own records (people, contributions,
health, benefits services); this module chooses, redacts and shapes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from esibook.benefits.service import settlements_of
from esibook.contributions import records
from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.health.service import cards_with_clinics, latest_card
from esibook.people.identifiers import mask_personal_id
from esibook.people.models import Person
from esibook.people.reference import ethnicity_name, nationality_name
from esibook.people.service import contact_of, household_with_members
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
    contact = contact_of(session, person.id)
    return {"phone": contact.phone, "email": contact.email, "address": contact.address} if contact else {}


def _household(session, person: Person, *_):
    household, members = household_with_members(session, person.id)
    if household is None:
        return {}
    return {
        "household_code": household.household_code,
        "address": household.address,
        "members": [{"full_name": name, "relationship": rel} for name, rel in members],
    }


def _social(session, person: Person, viewer_authority, employer_ids):
    periods = [
        _period(p, name, unit, viewer_authority)
        for p, name, unit in records.participation(session, person.id, employer_ids)
    ]
    lines = records.recent_lines(session, person.id, limit=RECENT_MONTHS, employer_ids=employer_ids)
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
    rows = cards_with_clinics(session, person.id)
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
    months = records.unemployment_months(session, person.id)
    reserves = records.unemployment_reserves(session, person.id)
    return {
        "ui_months_on_record": months,
        "reserved": [
            {"months": r.reserved_months, "since": str(Month.from_int(r.since_month)), "reason": r.reason}
            for r in reserves
        ],
    }


def _employers(session, person: Person, viewer_authority, employer_ids):
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
            for e in records.current_employers(session, person.id, employer_ids)
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
    insured = records.participating_now(session, person.id)
    return {
        "hi_card_valid": bool(card and card.valid_from <= today <= card.valid_to),
        "hi_card_valid_until": card.valid_to.isoformat() if card else None,
        "participating_now": insured,
    }
