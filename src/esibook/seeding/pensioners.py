"""Demo data for pensions: a resident at retirement age whose career (36 years, converted from the paper book) has
ended, who can claim the pension on Online services; and a pensioner whose pension began five months ago, with
its payment history, paid to a bank account, and a pensioner's HI card. Added once (found again by personal ID)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.benefits.estimator import contribution_history
from esibook.benefits.long_term import lump_sum_of, pension
from esibook.benefits.models import PensionPayment
from esibook.benefits.payouts import PaymentMethod
from esibook.benefits.pensions import approve_retirement
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.employers.models import Employer
from esibook.people.identifiers import make_personal_id
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.periods import Month
from esibook.transactions.models import PopulationRecord


@dataclass(frozen=True)
class DemoPensioner:
    role: str
    """``can_claim`` or ``pensioner``."""
    full_name: str
    sex: str
    born: date
    career: tuple[Month, Month, int]
    """First and last month (converted from the paper book) and the salary written in it."""
    serial: int


DEMO_PENSIONERS = (
    DemoPensioner("can_claim", "Đỗ Văn Thành", "male", date(1962, 4, 18), (Month(1980, 1), Month(2015, 12),
                                                                           6_200_000), 990_101),
    DemoPensioner("pensioner", "Ngô Thị Hòa", "female", date(1961, 2, 9), (Month(1983, 3), Month(2015, 12),
                                                                          5_400_000), 990_102),
)


PROVINCE = "001"


def demo_personal_id(demo: DemoPensioner) -> str:
    return make_personal_id(PROVINCE, demo.born, demo.sex, demo.serial)


def _person(session: Session, demo: DemoPensioner, province: str = PROVINCE) -> tuple[Person, bool]:
    personal_id = demo_personal_id(demo)
    found = session.scalar(select(Person).where(Person.personal_id == personal_id))
    if found is not None:
        return found, False
    person = Person(personal_id=personal_id, full_name=demo.full_name, name_key=fold_name(demo.full_name),
                    date_of_birth=demo.born, sex=demo.sex, birth_province_code=province, authority="civil",
                    permanent_residence="Hà Nội")
    session.add(person)
    if session.get(PopulationRecord, personal_id) is None:
        session.add(PopulationRecord(personal_id=personal_id, full_name=demo.full_name, date_of_birth=demo.born,
                                     sex=demo.sex, ethnicity_code="01", nationality="VN",
                                     permanent_residence="Hà Nội", birth_province_code=province))
    session.flush()
    employer = session.scalar(select(Employer.id).where(Employer.authority == "civil").order_by(Employer.id).limit(1))
    start, end, salary = demo.career
    session.add(ParticipationPeriod(
        person_id=person.id, seq=1, employer_id=employer or 0, from_month=start.as_int(), to_month=end.as_int(),
        salary_basis=salary, participant_type="employee", provenance="converted_from_paper", authority="civil",
        job_title="Công nhân", workplace="Hà Nội",
    ))
    session.flush()
    return person, True


def _award(session: Session, person: Person) -> None:
    """The pension as an approved claim would have recorded it, five months ago."""
    first = Month.from_date(vietnam_today()) - 5
    history = contribution_history(session, person.id, before=first)
    sheet = pension(history.months, sex=person.sex, date_of_birth=person.date_of_birth, retire_month=first)
    payment = PaymentMethod("bank", bank_code="AGRIBANK", account_number="1500205123456")
    approve_retirement(session, person, {
        "regime": "pension", "first_month": str(first), "total": sheet.result, "lump_sum": lump_sum_of(sheet),
        "payment": payment.as_dict(), "paid_to": payment.shown(),
    })
    for row in session.scalars(select(PensionPayment).where(PensionPayment.person_id == person.id)):
        row.paid_in = row.month  # each month as its own monthly run would have paid it (no back pay in the demo)


def add_demo_pensioners(session: Session) -> list[tuple[str, Person]]:
    """The demo's retiree and pensioner (role, person), added once; the caller commits."""
    found = []
    for demo in DEMO_PENSIONERS:
        person, created = _person(session, demo)
        if created and demo.role == "pensioner":
            _award(session, person)
        found.append((demo.role, person))
    return found
