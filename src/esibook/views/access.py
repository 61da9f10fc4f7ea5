"""What each kind of caller may read about a person, decided in one place, with every access logged.

Rules:
- a citizen reads their own record: every data group at VNeID level 2, only status at level 1; a parent or legal
  representative reads the record of a person they represent the same way;
- an officer reads persons of their own authority only; anyone else's person is "not found";
- an employer representative reads groups 1 and 4 of persons employed by an employer they are authorised for, and
  group 4 only as far as that employer is concerned;
- a clinic user checks HI cards (group 5 status);
- an external system reads the data groups granted to it, for a stated purpose, of persons of its authority.
Every read of someone else's data is written to that person's access log (allowed or refused).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.consent import require_consent
from esibook.access.errors import forbidden, person_not_found
from esibook.access.guards import (  # noqa: F401 (the guards pages call through this module)
    ALL_GROUPS,
    EMPLOYER_GROUPS,
    check_groups,
    require_employer,
    require_officer,
    require_person,
)
from esibook.access.principal import Principal
from esibook.access.purposes import check_purpose
from esibook.audit import service as audit
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.db import scoped_to, transaction
from esibook.errors import DomainError
from esibook.health.service import latest_card
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.people.service import PersonMatch, search_persons
from esibook.periods import Month
from esibook.views.person import person_groups, status_view

# --- citizens ------------------------------------------------------------------------------------------------


def own_record(
    session: Session,
    principal: Principal,
    *,
    person_id: int | None = None,
    groups: list[int] | None = None,
    today: date | None = None,
) -> dict:
    """The caller's own record (status only below level 2), or that of a person they represent (``person_id``)."""
    chosen = check_groups(groups)
    today = today or vietnam_today()
    with transaction(session):
        if person_id:
            person = policy.represented_person(session, principal, person_id)
        else:
            person = policy.own_person(session, principal, status_only=True)
        view = {
            "person_id": person.id,
            "full_name": person.full_name,
            "level": principal.level,
            "status": status_view(session, person, today),
            "groups": {},
        }
        if principal.level < 2:
            view["upgrade"] = "level2_required"
            return view
        view["groups"] = person_groups(session, person, chosen)
        if person_id:
            record_access(
                session,
                person_id=person.id,
                principal=principal,
                groups=chosen,
                purpose="DAIDIEN",
                outcome="allowed",
                channel="web",
                accessor=("representative", f"Người đại diện hợp pháp: {principal.name}"),
            )
    return view


def dependants(session: Session, principal: Principal) -> list[Person]:
    """Persons the caller legally represents (children under 18 and represented adults)."""
    require_person(principal)
    return list(
        session.scalars(
            select(Person).where(Person.representative_id == principal.personal_id).order_by(Person.date_of_birth)
        )
    )


def represented_card_holder(session: Session, principal: Principal, person_id: int, *, channel: str = "web") -> Person:
    """A person the caller represents, whose HI card the caller is about to show; the showing goes into that
    person's access log (a parent showing a child's card at the clinic)."""
    with transaction(session):
        person = policy.represented_person(session, principal, person_id)
        record_access(
            session,
            person_id=person.id,
            principal=principal,
            groups=[5],
            purpose="DAIDIEN",
            outcome="allowed",
            channel=channel,
            accessor=("representative", f"Người đại diện hợp pháp: {principal.name}"),
        )
    return person


def dependants_with_cards(session: Session, principal: Principal) -> list[tuple[Person, object]]:
    """The persons the caller represents, each with their latest HI card (or None), for the family page."""
    return [(person, latest_card(session, person.id)) for person in dependants(session, principal)]


# --- officers ------------------------------------------------------------------------------------------------


def officer_search(session: Session, principal: Principal, query: str, *, limit: int = 20) -> list[PersonMatch]:
    authority = require_officer(principal)
    with scoped_to(authority):
        return search_persons(session, query, limit=limit, authority=authority)


def officer_view(
    session: Session, principal: Principal, person_id: int, *, purpose: str, groups: list[int] | None = None
) -> dict:
    authority = require_officer(principal)
    purpose = check_purpose(purpose)
    chosen = check_groups(groups)
    with scoped_to(authority), transaction(session):
        person = policy.officer_acts_on(session, principal, person_id)
        record_access(
            session,
            person_id=person.id,
            principal=principal,
            groups=chosen,
            purpose=purpose,
            outcome="allowed",
            channel="web",
        )
        audit.append(
            session,
            actor=principal.actor,
            action="person.viewed",
            target=f"person:{person.id}",
            authority=authority,
            details={"groups": list(chosen), "purpose": purpose},
        )
        view = {
            "person_id": person.id,
            "full_name": person.full_name,
            "groups": person_groups(session, person, chosen, viewer_authority=authority),
        }
    return view


# --- employers -----------------------------------------------------------------------------------------------


def employees(session: Session, principal: Principal, employer_id: int) -> list[dict]:
    """Current employees of an employer the caller represents; each listing is logged for each employee."""
    require_employer(principal, employer_id)
    with transaction(session):
        rows = session.execute(
            select(Person, ParticipationPeriod)
            .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .where(ParticipationPeriod.employer_id == employer_id, ParticipationPeriod.to_month.is_(None))
            .order_by(Person.name_key, Person.id)
            .limit(500)
        ).all()
        for person, _ in rows:
            record_access(
                session,
                person_id=person.id,
                principal=principal,
                groups=[1],
                purpose="TTHC",
                outcome="allowed",
                channel="web",
            )
    return [
        {
            "person_id": p.id,
            "full_name": p.full_name,
            "personal_id": p.personal_id,
            "from": str(Month.from_int(period.from_month)),
            "job_title": period.job_title,
        }
        for p, period in rows
    ]


def employee_view(session: Session, principal: Principal, employer_id: int, person_id: int) -> dict:
    with transaction(session):
        person = policy.current_employee(session, principal, employer_id, person_id)
        record_access(
            session,
            person_id=person.id,
            principal=principal,
            groups=EMPLOYER_GROUPS,
            purpose="TTHC",
            outcome="allowed",
            channel="web",
        )
        groups = person_groups(session, person, EMPLOYER_GROUPS, employer_ids=frozenset({employer_id}))
    return {"person_id": person.id, "full_name": person.full_name, "groups": groups}


# --- clinics -------------------------------------------------------------------------------------------------


def clinic_card_check(session: Session, principal: Principal, personal_id: str, *, today: date | None = None) -> dict:
    """Check-in eligibility at a clinic by personal ID number: the check-in rule itself (one implementation)."""
    from esibook.views.checkin import check_in

    number = parse_personal_id(personal_id).number
    return check_in(session, principal, code=number, today=today)


# --- external systems ----------------------------------------------------------------------------------------


def exchange_read(session: Session, principal: Principal, personal_id: str, group: int, purpose: str | None) -> dict:
    """One data group of one person, for a system granted that group and stating an allowed purpose."""
    if principal.kind != "system":
        raise policy.system_only()
    number = parse_personal_id(personal_id).number
    check_groups([group])
    with scoped_to(principal.client_authority), transaction(session):
        person = session.scalar(select(Person).where(Person.personal_id == number))
        if person is None or person.authority != principal.client_authority:
            raise person_not_found()
        consent_id, refusal = None, _exchange_refusal(principal, group, purpose)
        if refusal is None:
            consent_id, refusal = require_consent(session, principal, person.id, group, purpose)
        record_access(
            session,
            person_id=person.id,
            principal=principal,
            groups=[group],
            purpose=purpose or "-",
            outcome="refused" if refusal else "allowed",
            channel="api",
            consent_id=consent_id,
        )
        if refusal is None:
            data = person_groups(session, person, [group])[group]
    if refusal:
        raise refusal
    return {"personal_id": number, "group": group, "purpose": purpose, "data": data}


def _exchange_refusal(principal: Principal, group: int, purpose: str | None) -> DomainError | None:
    if group not in principal.client_groups:
        return forbidden(
            "access.group_not_granted",
            f"This system is not granted data group {group}.",
            f"Hệ thống này không được cấp quyền nhóm dữ liệu {group}.",
        )
    try:
        code = check_purpose(purpose)
    except DomainError as error:
        return error
    if code not in principal.client_purposes:
        return forbidden(
            "access.purpose_not_granted",
            f"This system may not request data for purpose {code}.",
            f"Hệ thống này không được khai thác dữ liệu cho mục đích {code}.",
        )
    return None
