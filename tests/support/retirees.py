"""A retiree on record for the pension tests: a career converted from the paper book and ended."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.people.identifiers import make_personal_id
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.periods import Month
from esibook.transactions.models import PopulationRecord


def add_retiree(engine, *, serial: int, born: date, sex: str = "male", years: int = 38, first: Month = Month(1986, 1)):
    """A person past retirement age whose whole career (``years`` years at 10,000,000) is converted from the paper
    book and ended, also in the population database (to sign in): the retirement claim can be filed."""
    with Session(engine) as session, session.begin():
        name = "Trần Văn Hưu" if sex == "male" else "Lê Thị Hưu"
        person = Person(personal_id=make_personal_id("001", born, sex, serial), full_name=name,
                        name_key=fold_name(name), date_of_birth=born, sex=sex, birth_province_code="001",
                        authority="civil")
        session.add(person)
        session.add(PopulationRecord(personal_id=person.personal_id, full_name=name, date_of_birth=born, sex=sex,
                                     ethnicity_code="01", nationality="VN", birth_province_code="001"))
        session.flush()
        session.add(ParticipationPeriod(
            person_id=person.id, seq=1, employer_id=0, from_month=first.as_int(),
            to_month=(first + (12 * years - 1)).as_int(), salary_basis=10_000_000, participant_type="employee",
            provenance="converted_from_paper", authority="civil",
        ))
        return person.id, person.personal_id


def add_citizen(engine, *, serial: int, born: date, sex: str, name: str, **family) -> Person:
    """A civil person with no SI history, also in the population database (to sign in); ``family``: the
    ``Person`` columns naming relatives (``spouse_id``, ``father_id``, ``mother_id``, ``representative_id``)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        person = Person(personal_id=make_personal_id("001", born, sex, serial), full_name=name,
                        name_key=fold_name(name), date_of_birth=born, sex=sex, birth_province_code="001",
                        authority="civil", **family)
        session.add(person)
        session.add(PopulationRecord(personal_id=person.personal_id, full_name=name, date_of_birth=born, sex=sex,
                                     ethnicity_code="01", nationality="VN", birth_province_code="001"))
    return person
