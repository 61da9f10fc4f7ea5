"""Deterministic synthetic rows for the National Insurance Database.

Given a :class:`SeedPlan` (size, months, random seed, last month) the generator yields the same rows every time:
employers spread over provinces and regions, clinics, households of related persons whose personal ID digits
agree with their birth data, careers with job changes and gaps, HI coverage, unemployment reserves and benefit
settlements. Monthly contribution lines are not made here: the loader derives them in SQL from the periods.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from esibook.access.authorities import Authority
from esibook.contributions.parameters import current_parameters
from esibook.employers.identifiers import make_tax_code, make_unit_code
from esibook.health.identifiers import make_hi_card_code
from esibook.people.identifiers import PROVINCES, make_personal_id
from esibook.people.names import fold_name
from esibook.periods import Month
from esibook.seeding import vocab

PROVINCE_CODES = tuple(PROVINCES)
#: Where employers (and so jobs) concentrate: Hồ Chí Minh, Hà Nội, the industrial provinces around them.
BUSY_PROVINCES = {
    "079": 250,
    "001": 200,
    "074": 60,
    "075": 50,
    "031": 30,
    "048": 30,
    "027": 25,
    "022": 20,
    "092": 15,
    "056": 15,
    "026": 15,
    "033": 12,
    "038": 12,
    "040": 12,
}
REGION_I_PROVINCES = {"001", "079", "031", "074", "075", "077", "022"}
REGION_II_PROVINCES = {
    "048",
    "092",
    "056",
    "027",
    "026",
    "030",
    "033",
    "019",
    "038",
    "040",
    "066",
    "068",
    "072",
    "080",
    "025",
    "036",
}
SELF_PAID = 0
#: Ethnicity code for a foreign national (the 54 Vietnamese groups are 01–54).
NOT_VIETNAMESE = "00"


@dataclass(frozen=True)
class SeedPlan:
    persons: int
    months: int
    seed: int
    end_month: Month
    employers: int = 0

    def __post_init__(self) -> None:
        if not self.employers:
            object.__setattr__(self, "employers", max(4, self.persons // 25))

    @property
    def start_month(self) -> Month:
        return self.end_month - (self.months - 1)

    @property
    def reference_day(self) -> date:
        return self.end_month.last_day()


class Weighted:
    """Draws from ``(value, weight)`` pairs with a precomputed cumulative table (fast for millions)."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))

    def draw(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum)[0]


SURNAMES = Weighted(vocab.SURNAMES)
MIDDLE = {"male": Weighted(vocab.MIDDLE_NAMES_MALE), "female": Weighted(vocab.MIDDLE_NAMES_FEMALE)}
GIVEN = {"male": Weighted(vocab.GIVEN_NAMES_MALE), "female": Weighted(vocab.GIVEN_NAMES_FEMALE)}
ETHNICITIES = Weighted([(code, w) for code, _, w in vocab.ETHNICITIES])
BUSINESS_TYPES = Weighted([(code, w) for code, _, _, w in vocab.BUSINESS_TYPES if code != "lltv"])
EMPLOYER_PROVINCES = Weighted([(c, BUSY_PROVINCES.get(c, 4)) for c in PROVINCE_CODES])
HOUSEHOLD_SIZES = Weighted([(1, 15), (2, 20), (3, 25), (4, 25), (5, 15)])
FOREIGN = [n for n in vocab.NATIONALITIES if n[0] != "VN"]


@dataclass
class PersonBatch:
    """Rows for one batch of households, ready to load."""

    persons: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    households: list[dict] = field(default_factory=list)
    household_members: list[dict] = field(default_factory=list)
    participation_periods: list[dict] = field(default_factory=list)
    hi_coverages: list[dict] = field(default_factory=list)
    unemployment_reserves: list[dict] = field(default_factory=list)
    benefit_settlements: list[dict] = field(default_factory=list)
    population_records: list[dict] = field(default_factory=list)


@dataclass
class Life:
    """One person's insurance history while it is being generated."""

    periods: list[dict] = field(default_factory=list)
    settlements: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class EmployerInfo:
    id: int
    province_code: str
    region: int
    authority: str
    business_type: str
    address: str
    arrears_months: int


class Generator:
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

    # --- employers and clinics ------------------------------------------------------------------------------

    def employers(self) -> Iterator[dict]:
        plan, rng = self.plan, self.rng
        armed = max(2, plan.employers // 100)
        next_unit_number: dict[str, int] = {}
        tax_prefix = 10_000_000 + plan.seed % 1000 * 1000
        for employer_id in range(1, plan.employers + 1):
            authority = self._employer_authority(employer_id, plan.employers, armed)
            province = EMPLOYER_PROVINCES.draw(rng)
            business = "lltv" if authority != Authority.CIVIL else BUSINESS_TYPES.draw(rng)
            region = self._region(province)
            prefix = _agency_prefix(province)
            next_unit_number[prefix] = next_unit_number.get(prefix, 0) + 1
            tax_code = None
            while tax_code is None:
                tax_prefix += 1
                tax_code = make_tax_code(tax_prefix)
            name = self._employer_name(business, authority, province)
            arrears = (
                rng.choice((1, 2, 2, 3, 4))
                if authority == Authority.CIVIL and (employer_id == 1 or rng.random() < 0.05)
                else 0
            )
            address = self.address(province)
            info = EmployerInfo(employer_id, province, region, authority, business, address, arrears)
            self.employer_infos.append(info)
            self.employers_by_authority[authority].append(info)
            yield {
                "id": employer_id,
                "unit_code": make_unit_code(prefix, next_unit_number[prefix]),
                "name": name,
                "name_key": fold_name(name),
                "tax_code": tax_code,
                "business_type": business,
                "address": address,
                "province_code": province,
                "region": region,
                "representative_name": self.full_name(rng.choice(("male", "female"))),
                "representative_id": None,
                "contact_phone": self.phone(),
                "contact_email": f"nhansu{employer_id}@congty{employer_id}.vn",
                "managing_agency": f"Bảo hiểm xã hội {PROVINCES[province]}",
                "reduced_oad_rate": rng.random() < 0.1,
                "authority": authority.value,
                "created_at": self.created_at,
            }

    @staticmethod
    def _employer_authority(employer_id: int, total: int, armed: int) -> Authority:
        if employer_id > total - armed:
            return Authority.DEFENCE if (total - employer_id) % 2 == 0 else Authority.SECURITY
        return Authority.CIVIL

    def _region(self, province: str) -> int:
        if province in REGION_I_PROVINCES:
            main = 1
        elif province in REGION_II_PROVINCES:
            main = 2
        else:
            main = 3 if int(province) % 2 else 4
        return main if self.rng.random() < 0.8 else min(4, main + 1)

    def _employer_name(self, business: str, authority: Authority, province: str) -> str:
        rng = self.rng
        if authority == Authority.DEFENCE:
            return rng.choice(vocab.MILITARY_UNITS).replace("tỉnh", f"tỉnh {PROVINCES[province]}")
        if authority == Authority.SECURITY:
            return f"{rng.choice(vocab.POLICE_UNITS)} ({PROVINCES[province]})"
        prefix = rng.choice(vocab.COMPANY_PREFIXES[business])
        core = rng.choice(vocab.COMPANY_CORES)
        if business in ("tnhh", "co_phan", "dnnn", "fdi") and rng.random() < 0.6:
            return f"{prefix} {rng.choice(vocab.COMPANY_SECTORS)[0]} {core}"
        return f"{prefix} {core}"

    def clinics(self) -> Iterator[dict]:
        """Four facilities per province: the provincial hospital, a district centre, a commune station and a
        private clinic, coded like MA_CSKCB (2-digit province + 3 digits)."""
        clinic_id = 0
        for province in PROVINCE_CODES:
            name = PROVINCES[province]
            kinds = (
                ("province", f"Bệnh viện Đa khoa {name}"),
                ("district", f"Trung tâm Y tế khu vực {self.rng.choice(vocab.COMPANY_CORES)}"),
                ("commune", f"Trạm Y tế {self.rng.choice(vocab.WARD_NAMES)}"),
                ("private", f"Phòng khám Đa khoa {self.rng.choice(vocab.COMPANY_CORES)}"),
            )
            for number, (level, clinic_name) in enumerate(kinds, start=1):
                clinic_id += 1
                code = f"{province[1:]}{number:03d}"
                self.clinics_by_province.setdefault(province, []).append(code)
                yield {
                    "id": clinic_id,
                    "code": code,
                    "name": clinic_name,
                    "province_code": province,
                    "level": level,
                    "address": self.address(province),
                    "accepts_initial_registration": level != "province" or number == 1,
                }

    # --- persons --------------------------------------------------------------------------------------------

    def person_batches(self, households_per_batch: int = 2000) -> Iterator[PersonBatch]:
        batch = PersonBatch()
        households = 0
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
        head = self._person(batch, head_sex, _birthday(rng, today, head_age), province, address)
        self._member(batch, household_id, head, "chu_ho")
        spouse = None
        if size > 1 and rng.random() < 0.75:
            spouse_sex = "female" if head_sex == "male" else "male"
            spouse = self._person(
                batch,
                spouse_sex,
                _birthday(rng, today, max(19, head_age + rng.randint(-5, 3))),
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
                batch, sex, _birthday(rng, today, child_age), province, address, father=father, mother=mother
            )
            self._member(batch, household_id, child, "con")
        if self.rng.random() < 0.08:
            self._uninsured_resident(batch, province, address)

    def _uninsured_resident(self, batch: PersonBatch, province: str, address: str) -> None:
        """Someone the population database knows who has never been insured: a future first registration."""
        rng = self.rng
        sex = rng.choice(("male", "female"))
        dob = _birthday(rng, self.plan.reference_day, rng.randint(18, 30))
        name = self.full_name(sex)
        batch.population_records.append({
            "personal_id": self.personal_id(province, dob, sex), "full_name": name, "date_of_birth": dob,
            "sex": sex, "ethnicity_code": ETHNICITIES.draw(rng), "nationality": "VN",
            "permanent_residence": address, "birth_province_code": province})

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
        batch.population_records.append(_resident(person))
        batch.contacts.append(self._contact(person, address))
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
        dob = _birthday(rng, self.plan.reference_day, rng.randint(25, 55))
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

    # --- insurance: careers, coverage, reserves, settlements -----------------------------------------------

    def _insurance(self, batch: PersonBatch, person: dict, province: str) -> None:
        age = self._age(person["date_of_birth"])
        retirement_age = 61 if person["sex"] == "male" else 57
        life = Life()
        if 18 <= age < retirement_age and self.rng.random() < 0.78:
            life.periods = self._career(batch, person)
            self._after_career(batch, person, life)
        elif 18 <= age < retirement_age and self.rng.random() < 0.12:
            life.periods = [self._voluntary(batch, person)]
        if age >= retirement_age + 1 and self.rng.random() < 0.5:
            self._pension(batch, person, life)
        self._coverage(batch, person, province, life)

    def _career(self, batch: PersonBatch, person: dict, force_work: bool = False) -> list[dict]:
        rng, plan = self.rng, self.plan
        self._careers += 1
        authority = Authority.CIVIL
        if not force_work:  # about 0.6% each, and at least one each once 100 careers exist
            authority = {7: Authority.DEFENCE, 87: Authority.SECURITY}.get(self._careers % 160, Authority.CIVIL)
        person["authority"] = authority.value
        pool = self.employers_by_authority[authority]
        month = plan.start_month if rng.random() < 0.7 else plan.start_month + rng.randrange(plan.months)
        job = rng.choice(vocab.JOB_TITLES)
        salary = _round_salary(rng.randint(job[2], job[3]))
        periods: list[dict] = []
        while month <= plan.end_month and len(periods) < 4:
            employer = rng.choice(pool)
            length = rng.randint(3, plan.months * 2)
            last = month + (length - 1)
            open_ended = last >= plan.end_month and rng.random() < 0.85
            to_month = None if open_ended else min(last, plan.end_month)
            periods.append(self._period(person, len(periods) + 1, employer, month, to_month, job, salary))
            if to_month is None:
                break
            month = to_month + 1 + (rng.randint(1, 6) if rng.random() < 0.6 else 0)
            if rng.random() < 0.5:
                job = rng.choice(vocab.JOB_TITLES)
            salary = _round_salary(max(salary * rng.uniform(1.0, 1.25), rng.randint(job[2], job[3])))
        batch.participation_periods.extend(periods)
        return periods

    def _period(
        self, person, seq, employer: EmployerInfo, from_month: Month, to_month: Month | None, job, salary: int
    ) -> dict:
        rng = self.rng
        armed = employer.authority != Authority.CIVIL
        units, ranks = (
            (vocab.MILITARY_UNITS, vocab.MILITARY_RANKS)
            if employer.authority == Authority.DEFENCE
            else (vocab.POLICE_UNITS, vocab.POLICE_RANKS)
        )
        position = rng.choices(vocab.POSITIONS, weights=[40] + [4] * (len(vocab.POSITIONS) - 1))[0]
        return {
            "person_id": person["id"],
            "seq": seq,
            "employer_id": employer.id,
            "from_month": from_month.as_int(),
            "to_month": to_month.as_int() if to_month else None,
            "job_title": "Quân nhân chuyên nghiệp"
            if armed and employer.authority == Authority.DEFENCE
            else "Cán bộ, chiến sĩ"
            if armed
            else job[0],
            "position": position[0],
            "workplace": employer.address.split(", ")[-1],
            "salary_basis": salary,
            "participant_type": "armed_forces" if armed else "employee",
            "classified_unit": rng.choice(units) if armed else None,
            "classified_rank": rng.choice(ranks) if armed else None,
            "provenance": "electronic",
            "authority": employer.authority.value,
        }

    def _voluntary(self, batch: PersonBatch, person: dict) -> dict:
        """Voluntary SI (BHXH tự nguyện): self-paid, on a chosen income above the rural poverty line."""
        plan, rng = self.plan, self.rng
        start = plan.start_month + rng.randrange(plan.months)
        income = _round_salary(rng.randint(1_500_000, 8_000_000))
        period = {
            "person_id": person["id"],
            "seq": 1,
            "employer_id": SELF_PAID,
            "from_month": start.as_int(),
            "to_month": None,
            "job_title": None,
            "position": None,
            "workplace": None,
            "salary_basis": income,
            "participant_type": "voluntary",
            "classified_unit": None,
            "classified_rank": None,
            "provenance": "electronic",
            "authority": Authority.CIVIL.value,
        }
        batch.participation_periods.append(period)
        return period

    def _after_career(self, batch: PersonBatch, person: dict, life: Life) -> None:
        """Reserves for those who left their last job, and a few sickness / maternity settlements."""
        periods = life.periods
        last = periods[-1]
        rng = self.rng
        if last["to_month"] is not None and last["participant_type"] == "employee":
            months = sum(_months_in(p, self.plan.end_month) for p in periods)
            if months >= 12:
                since = Month.from_int(last["to_month"]) + 1
                batch.unemployment_reserves.append(
                    {
                        "person_id": person["id"],
                        "seq": 1,
                        "reserved_months": months,
                        "since_month": since.as_int(),
                        "reason": "Chấm dứt hợp đồng lao động, chưa hưởng trợ cấp thất nghiệp",
                        "authority": person["authority"],
                        "created_at": self.created_at,
                    }
                )
                if rng.random() < 0.3:
                    self._settle(batch, person, life, "unemployment", since, 3, last["salary_basis"])
        if rng.random() < 0.04:
            self._settle(
                batch,
                person,
                life,
                "sickness",
                Month.from_int(last["from_month"]),
                rng.randint(2, 10),
                last["salary_basis"],
            )
        age = self._age(person["date_of_birth"])
        if person["sex"] == "female" and 20 <= age <= 40 and rng.random() < 0.05:
            self._settle(
                batch,
                person,
                life,
                "maternity",
                Month.from_int(last["from_month"]),
                180,
                last["salary_basis"],
            )

    def _settle(
        self, batch: PersonBatch, person: dict, life: Life, regime: str, month: Month, days: int, salary: int
    ) -> None:
        month = min(month, self.plan.end_month)
        params = self.parameters.for_month(month)
        basis = min(salary, params.si_cap)
        if regime == "sickness":
            amount = basis * 75 // 100 * days // 24
        elif regime == "maternity":
            amount = basis * 6 + 2 * params.reference_level
        else:
            amount = min(basis * 60 // 100, 5 * params.regional_minimum_wage[1]) * days
        start = month.first_day()
        end = start + timedelta(days=days - 1) if regime != "unemployment" else (month + days - 1).last_day()
        self._decisions += 1
        settlement = {
            "person_id": person["id"],
            "seq": len(life.settlements) + 1,
            "regime": regime,
            "period_from": start,
            "period_to": end,
            "days": days if regime != "unemployment" else None,
            "amount": amount,
            "decision_no": f"{self._decisions}/QĐ-BHXH",
            "decision_date": start,
            "authority": person["authority"],
        }
        life.settlements.append(settlement)
        batch.benefit_settlements.append(settlement)

    def _pension(self, batch: PersonBatch, person: dict, life: Life) -> None:
        rng = self.rng
        retired = _birthday(rng, self.plan.reference_day, rng.randint(0, 10))
        self._decisions += 1
        settlement = {
            "person_id": person["id"],
            "seq": len(life.settlements) + 1,
            "regime": "pension",
            "period_from": retired,
            "period_to": self.plan.reference_day,
            "days": None,
            "amount": _round_salary(rng.randint(3_000_000, 15_000_000)),
            "decision_no": f"{self._decisions}/QĐ-BHXH",
            "decision_date": retired,
            "authority": person["authority"],
        }
        life.settlements.append(settlement)
        batch.benefit_settlements.append(settlement)

    def _coverage(self, batch: PersonBatch, person: dict, province: str, life: Life) -> None:
        group, level, valid_from, valid_to = self._card_terms(person, life)
        if group is None:
            return
        clinic = self.rng.choice(self.clinics_by_province[province])
        five_years = None
        if group in ("DN", "HC", "QN", "CA", "HT") and self.rng.random() < 0.4:
            five_years = valid_from - timedelta(days=self.rng.randint(0, 2000))
        batch.hi_coverages.append(
            {
                "person_id": person["id"],
                "seq": 1,
                "card_code": make_hi_card_code(group, level, province[1:], person["si_code_legacy"]),
                "beneficiary_group": group,
                "benefit_level": level,
                "province_code": province[1:],
                "initial_clinic_code": clinic,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "five_years_since": five_years,
                "authority": person["authority"],
            }
        )

    def _card_terms(self, person: dict, life: Life):
        """Which HI card a person holds: through work, as a child, a pupil, a pensioner or a household."""
        rng, end = self.rng, self.plan.end_month
        dob, age = person["date_of_birth"], self._age(person["date_of_birth"])
        year_end = date(end.year, 12, 31)
        current = [p for p in life.periods if p["to_month"] is None and p["participant_type"] != "voluntary"]
        if current:
            employer = self.employer_infos[current[0]["employer_id"] - 1]
            group = {"defence": "QN", "security": "CA"}.get(employer.authority) or (
                "HC" if employer.business_type == "hcsn" else "DN"
            )
            level = 1 if group in ("QN", "CA") else 4
            return group, level, Month.from_int(current[0]["from_month"]).first_day(), year_end
        if age < 6:
            return "TE", 1, dob, _add_years(dob, 6) - timedelta(days=1)
        if age < 18:
            return "HS", 4, date(end.year, 1, 1), year_end
        if any(s["regime"] == "pension" for s in life.settlements):
            return "HT", 2, date(end.year, 1, 1), year_end
        if rng.random() < 0.6:
            start = (end - rng.randrange(24)).first_day()
            return "GD", 4, start, _add_years(start, 1) - timedelta(days=1)
        return None, None, None, None


def _resident(person: dict) -> dict:
    return {key: person[key] for key in ("personal_id", "full_name", "date_of_birth", "sex", "ethnicity_code",
                                         "nationality", "permanent_residence", "birth_province_code")}


def _agency_prefix(province_code: str) -> str:
    """Two letters naming the managing agency, derived from the province code (e.g. 079 → 'TD')."""
    number = int(province_code)
    return chr(ord("A") + number // 26 % 26) + chr(ord("A") + number % 26)


def _birthday(rng: random.Random, today: date, age: int) -> date:
    return today - timedelta(days=age * 365 + rng.randint(0, 364) + age // 4)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _round_salary(value: float) -> int:
    return int(round(value / 100_000)) * 100_000


def _months_in(period: dict, end: Month) -> int:
    last = Month.from_int(period["to_month"]) if period["to_month"] else end
    return last - Month.from_int(period["from_month"]) + 1
