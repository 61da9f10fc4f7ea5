"""Demo data for the procedures that need an older record: a duplicate book (a second SI code issued before the
personal ID number was the key) for the demo citizen, so that "Merge duplicate books" can be tried."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.employers.models import Employer
from esibook.people.models import Person
from esibook.people.si_codes import new_si_code


def add_duplicate_book(session: Session, person: Person) -> Person:
    """A legacy record of the same person under another SI code, holding a copy of their first period (which
    overlaps) and an earlier period with another employer (which does not). Added once."""
    existing = session.scalar(
        select(Person).where(
            Person.personal_id.is_(None),
            Person.name_key == person.name_key,
            Person.date_of_birth == person.date_of_birth,
            Person.merged_into_id.is_(None),
        )
    )
    if existing:
        return existing
    first = session.scalar(
        select(ParticipationPeriod)
        .where(ParticipationPeriod.person_id == person.id, ParticipationPeriod.employer_id != 0)
        .order_by(ParticipationPeriod.from_month)
        .limit(1)
    )
    other = session.scalar(select(Employer).where(Employer.id != first.employer_id).order_by(Employer.id).limit(1))
    duplicate = Person(
        si_code_legacy=new_si_code(session, person.birth_province_code),
        full_name=person.full_name,
        name_key=person.name_key,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        authority=person.authority,
    )
    session.add(duplicate)
    session.flush()
    start_year = first.from_month // 100
    earlier = (start_year - 3) * 100 + 1, (start_year - 2) * 100 + 12
    for seq, (employer_id, from_month, to_month, salary) in enumerate(
        [
            (other.id, earlier[0], earlier[1], max(first.salary_basis // 2, 1_000_000)),
            (first.employer_id, first.from_month, first.from_month, first.salary_basis),
        ],
        start=1,
    ):
        session.add(
            ParticipationPeriod(
                person_id=duplicate.id,
                seq=seq,
                employer_id=employer_id,
                from_month=from_month,
                to_month=to_month,
                salary_basis=salary,
                participant_type="employee",
                provenance="electronic",
                authority=person.authority,
            )
        )
    return duplicate
