"""Deterministic synthetic rows for the National Insurance Database.

Given a :class:`SeedPlan` (size, months, random seed, last month) the generator yields the same rows every time:
employers spread over provinces and regions, clinics, households of related persons whose personal ID digits
agree with their birth data, careers with job changes and gaps, HI coverage, unemployment reserves and benefit
settlements. Monthly contribution lines are not made here: the loader derives them in SQL from the periods.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime

from esibook.access.authorities import Authority
from esibook.contributions.parameters import current_parameters
from esibook.people.identifiers import PROVINCES, make_personal_id
from esibook.people.names import fold_name
from esibook.seeding import vocab
from esibook.seeding.careers import Careers
from esibook.seeding.histories import Histories
from esibook.seeding.organisations import Organisations
from esibook.seeding.plan import (
    EMPLOYER_PROVINCES,
    ETHNICITIES,
    FOREIGN,
    GIVEN,
    HOUSEHOLD_SIZES,
    MIDDLE,
    NOT_VIETNAMESE,
    PROVINCE_CODES,
    SURNAMES,
    EmployerInfo,
    Life,
    PersonBatch,
    SeedPlan,
    birthday,
    resident_of,
)
from esibook.seeding.showcase import SHOWCASE_PERSONS, Showcase


class Generator(Organisations, Careers, Histories, Showcase):
    def __init__(self, plan: SeedPlan):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.created_at = datetime(plan.end_month.year, plan.end_month.month, 1, tzinfo=UTC)
        self.parameters = current_parameters()
        self.employer_infos: list[EmployerInfo] = []
        self.employers_by_authority: dict[str, list[EmployerInfo]] = {a.value: [] for a in Authority}
        self.clinics_by_province: dict[str, list[str]] = {}
        self._used_personal_ids: set[str] = set()
        self._next_person_id = 1
        self._next_household_id = 1
        self._decisions = 0
        self._careers = 0

    # --- helpers -------------------------------------------------------------------------------------------

    def full_name(self, sex: str, surname: str | None = None) -> str:
        return f"{surname or SURNAMES.draw(self.rng)} {MIDDLE[sex].draw(self.rng)} {GIVEN[sex].draw(self.rng)}"

    def address(self, province_code: str) -> str:
        rng = self.rng
        return (
            f"{rng.randint(1, 350)} {rng.choice(vocab.STREET_NAMES)}, {rng.choice(vocab.WARD_NAMES)}, "
            f"{PROVINCES[province_code]}"
        )

    def phone(self) -> str:
        return self.rng.choice(("03", "09", "08", "07", "05")) + f"{self.rng.randrange(10**8):08d}"

    def personal_id(self, province_code: str, dob: date, sex: str) -> str:
        while True:
            number = make_personal_id(province_code, dob, sex, self.rng.randrange(1_000_000))
            if number not in self._used_personal_ids:
                self._used_personal_ids.add(number)
                return number

    def legacy_si_code(self, person_id: int, province_code: str) -> str:
        """Unique for every person id below 10^8: 48271 is coprime with 10^8, so this is a permutation."""
        return f"{province_code[1:]}{(person_id * 48271 + self.plan.seed) % 10**8:08d}"

    # --- persons --------------------------------------------------------------------------------------------

    def person_batches(self, households_per_batch: int = 2000) -> Iterator[PersonBatch]:
        batch = PersonBatch()
        households = 0
        if self.plan.history and self.plan.persons >= SHOWCASE_PERSONS:
            self._showcase_household(batch)
        while self._next_person_id <= self.plan.persons:
            self._household(batch)
            households += 1
            if households % households_per_batch == 0:
                yield batch
                batch = PersonBatch()
        if batch.persons:
            yield batch

    def _household(self, batch: PersonBatch) -> None:
        rng, today = self.rng, self.plan.reference_day
        remaining = self.plan.persons - self._next_person_id + 1
        if rng.random() < 0.004:
            self._foreign_worker(batch)
            return
        size = min(HOUSEHOLD_SIZES.draw(rng), remaining)
        province = rng.choice(PROVINCE_CODES) if rng.random() < 0.5 else EMPLOYER_PROVINCES.draw(rng)
        household_id = self._next_household_id
        self._next_household_id += 1
        address = self.address(province)
        batch.households.append(
            {
                "id": household_id,
                "household_code": f"{province}{household_id:09d}",
                "address": address,
                "province_code": province,
            }
        )
        head_sex = "male" if rng.random() < 0.7 else "female"
        head_age = rng.randint(24, 72) if size > 1 else rng.randint(19, 75)
        head = self._person(batch, head_sex, birthday(rng, today, head_age), province, address)
        self._member(batch, household_id, head, "chu_ho")
        spouse = None
        if size > 1 and rng.random() < 0.75:
            spouse_sex = "female" if head_sex == "male" else "male"
            spouse = self._person(
                batch,
                spouse_sex,
                birthday(rng, today, max(19, head_age + rng.randint(-5, 3))),
                province,
                address,
                spouse_of=head,
            )
            self._member(batch, household_id, spouse, "vo" if spouse_sex == "female" else "chong")
        father = head if head_sex == "male" else spouse
        mother = head if head_sex == "female" else spouse
        for _ in range(size - 1 - (spouse is not None)):
            child_age = rng.randint(0, max(0, min(head_age - 20, 40)))
            sex = rng.choice(("male", "female"))
            child = self._person(
                batch, sex, birthday(rng, today, child_age), province, address, father=father, mother=mother
            )
            self._member(batch, household_id, child, "con")
        if self.rng.random() < self.plan.uninsured_share:
            self._uninsured_resident(batch, province, address)

    def _uninsured_resident(self, batch: PersonBatch, province: str, address: str) -> None:
        """Someone the population database knows who has never been insured: a future first registration."""
        rng = self.rng
        sex = rng.choice(("male", "female"))
        dob = birthday(rng, self.plan.reference_day, rng.randint(18, 30))
        name = self.full_name(sex)
        batch.population_records.append(
            {
                "personal_id": self.personal_id(province, dob, sex),
                "full_name": name,
                "date_of_birth": dob,
                "sex": sex,
                "ethnicity_code": ETHNICITIES.draw(rng),
                "nationality": "VN",
                "permanent_residence": address,
                "birth_province_code": province,
            }
        )

    def _member(self, batch: PersonBatch, household_id: int, person: dict, relationship: str) -> None:
        batch.household_members.append(
            {"household_id": household_id, "person_id": person["id"], "relationship": relationship}
        )

    def _person(
        self,
        batch: PersonBatch,
        sex: str,
        dob: date,
        province: str,
        address: str,
        *,
        spouse_of: dict | None = None,
        father: dict | None = None,
        mother: dict | None = None,
        insure: bool = True,
    ) -> dict:
        rng = self.rng
        person_id = self._next_person_id
        self._next_person_id += 1
        birth_province = province if rng.random() < 0.8 else rng.choice(PROVINCE_CODES)
        surname = father["full_name"].split(" ")[0] if father else None
        name = self.full_name(sex, surname)
        person = {
            "id": person_id,
            "personal_id": self.personal_id(birth_province, dob, sex),
            "passport_no": None,
            "si_code_legacy": self.legacy_si_code(person_id, birth_province),
            "full_name": name,
            "name_key": fold_name(name),
            "date_of_birth": dob,
            "sex": sex,
            "ethnicity_code": ETHNICITIES.draw(rng),
            "nationality": "VN",
            "birth_registration_place": f"{rng.choice(vocab.WARD_NAMES)}, {PROVINCES[birth_province]}",
            "birth_province_code": birth_province,
            "hometown": PROVINCES[rng.choice(PROVINCE_CODES) if rng.random() < 0.3 else birth_province],
            "permanent_residence": address,
            "father_name": father["full_name"] if father else self.full_name("male", name.split(" ")[0]),
            "father_id": father["personal_id"] if father else None,
            "mother_name": mother["full_name"] if mother else self.full_name("female"),
            "mother_id": mother["personal_id"] if mother else None,
            "spouse_name": spouse_of["full_name"] if spouse_of else None,
            "spouse_id": spouse_of["personal_id"] if spouse_of else None,
            "representative_name": None,
            "representative_id": None,
            "authority": Authority.CIVIL.value,
            "created_at": self.created_at,
        }
        if spouse_of:
            spouse_of["spouse_name"], spouse_of["spouse_id"] = name, person["personal_id"]
        if self._age(dob) < 18:
            guardian = father or mother
            if guardian:
                person["representative_name"] = guardian["full_name"]
                person["representative_id"] = guardian["personal_id"]
        batch.persons.append(person)
        batch.population_records.append(resident_of(person))
        batch.contacts.append(self._contact(person, address))
        if insure:
            self._insurance(batch, person, province)
        return person

    def _foreign_worker(self, batch: PersonBatch) -> None:
        rng = self.rng
        person_id = self._next_person_id
        self._next_person_id += 1
        nationality = rng.choice(FOREIGN)
        sex = rng.choice(("male", "female"))
        name = (
            f"{rng.choice(('Kim', 'Lee', 'Park', 'Wang', 'Tanaka', 'Smith', 'Martin', 'Somchai'))} "
            f"{rng.choice(('Min', 'Jun', 'Wei', 'Hiro', 'John', 'Marie', 'Anan', 'Ji'))}"
        )
        dob = birthday(rng, self.plan.reference_day, rng.randint(25, 55))
        province = EMPLOYER_PROVINCES.draw(rng)
        address = self.address(province)
        person = {
            "id": person_id,
            "personal_id": None,
            "passport_no": f"{nationality[0]}{rng.randrange(10**7):07d}",
            "si_code_legacy": self.legacy_si_code(person_id, province),
            "full_name": name,
            "name_key": fold_name(name),
            "date_of_birth": dob,
            "sex": sex,
            "ethnicity_code": NOT_VIETNAMESE,
            "nationality": nationality[0],
            "birth_registration_place": None,
            "birth_province_code": None,
            "hometown": None,
            "permanent_residence": None,
            "father_name": None,
            "father_id": None,
            "mother_name": None,
            "mother_id": None,
            "spouse_name": None,
            "spouse_id": None,
            "representative_name": None,
            "representative_id": None,
            "authority": Authority.CIVIL.value,
            "created_at": self.created_at,
        }
        batch.persons.append(person)
        batch.contacts.append(self._contact(person, address))
        life = Life(self._career(batch, person, force_work=True))
        self._after_career(batch, person, life)
        self._coverage(batch, person, province, life)

    def _contact(self, person: dict, address: str) -> dict:
        adult = self._age(person["date_of_birth"]) >= 16
        email = None
        if adult and self.rng.random() < 0.6:
            email = f"{person['name_key'].replace(' ', '.')}.{person['id']}@example.vn"
        return {
            "person_id": person["id"],
            "phone": self.phone() if adult and self.rng.random() < 0.95 else None,
            "email": email,
            "address": address,
        }

    def _age(self, dob: date) -> int:
        today = self.plan.reference_day
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
