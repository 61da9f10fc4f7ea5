"""The national population database (CSDL quốc gia về dân cư) as an adapter.

The real one is reached through the national data-sharing platform; esibook needs two things of it: the person
behind a personal ID number (to pre-fill forms instead of asking), and whether what someone claims matches it.
``LocalPopulationRegistry`` answers from the ``population_records`` table, seeded with the demo population and
with residents not yet insured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.people.si_codes import new_si_code
from esibook.transactions.models import PopulationRecord


@dataclass(frozen=True)
class Resident:
    personal_id: str
    full_name: str
    date_of_birth: date
    sex: str
    ethnicity_code: str
    nationality: str
    permanent_residence: str | None
    birth_province_code: str | None


class PopulationRegistry(Protocol):
    def find(self, personal_id: str) -> Resident | None: ...

    def mismatches(self, personal_id: str, claimed: dict) -> dict[str, str]:
        """Fields where ``claimed`` differs from the registry: {field: registry's value}."""
        ...


class LocalPopulationRegistry:
    def __init__(self, session: Session):
        self.session = session

    def find(self, personal_id: str) -> Resident | None:
        row = self.session.get(PopulationRecord, personal_id)
        if row is None:
            return None
        return Resident(
            row.personal_id,
            row.full_name,
            row.date_of_birth,
            row.sex,
            row.ethnicity_code,
            row.nationality,
            row.permanent_residence,
            row.birth_province_code,
        )

    def mismatches(self, personal_id: str, claimed: dict) -> dict[str, str]:
        resident = self.find(personal_id)
        if resident is None:
            return {"personal_id": "not in the population database"}
        return {
            name: str(getattr(resident, name))
            for name, value in claimed.items()
            if hasattr(resident, name) and str(getattr(resident, name)) != str(value)
        }


def never_insured(session: Session, limit: int = 5) -> tuple[int, list[Resident]]:
    """Residents the population database knows who have no record in the insurance database yet: those an employer
    can register as new employees (the first registration creates the record). How many, and the first ``limit``."""
    unknown = ~exists().where(Person.personal_id == PopulationRecord.personal_id)
    count = session.scalar(select(func.count()).select_from(PopulationRecord).where(unknown))
    rows = session.scalars(
        select(PopulationRecord.personal_id).where(unknown).order_by(PopulationRecord.personal_id).limit(limit)
    )
    registry = LocalPopulationRegistry(session)
    return count, [registry.find(personal_id) for personal_id in rows]


def person_for_personal_id(session: Session, personal_id: str) -> Person:
    """The person's record, created from the population database at their first registration."""
    person = session.scalar(select(Person).where(Person.personal_id == personal_id))
    if person:
        return person
    resident = LocalPopulationRegistry(session).find(personal_id)
    if resident is None:
        raise DomainError(
            "dossier.not_in_population_db",
            f"{personal_id} is not in the national population database",
            f"{personal_id} không có trong cơ sở dữ liệu quốc gia về dân cư",
        )
    person = Person(
        personal_id=resident.personal_id,
        si_code_legacy=new_si_code(session, resident.birth_province_code),
        full_name=resident.full_name,
        name_key=fold_name(resident.full_name),
        date_of_birth=resident.date_of_birth,
        sex=resident.sex,
        ethnicity_code=resident.ethnicity_code,
        nationality=resident.nationality,
        permanent_residence=resident.permanent_residence,
        birth_province_code=resident.birth_province_code,
        authority="civil",
    )
    session.add(person)
    session.flush()
    return person
