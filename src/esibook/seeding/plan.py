"""What a seed run is made of: the plan (size, months, random seed, last month), the weighted draws from the
vocabulary, the batches of rows the loader writes, and small date and salary helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from esibook.health.identifiers import make_hi_card_code
from esibook.people.identifiers import PROVINCES
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
    history: bool = False
    """Deep histories (``seeding/histories.py``, ``seeding/showcase.py``): careers from the first job, back to the
    1990s for older persons, the months before the first priced month converted from paper, medical visits, and a
    first household whose head is the demo citizen. Contribution lines then run from the first priced month."""
    uninsured_share: float = 0.08
    """The share of households next to which the population database holds a resident never insured (someone
    an employer can register as a new employee)."""

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
    medical_visits: list[dict] = field(default_factory=list)


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


def resident_of(person: dict) -> dict:
    return {
        key: person[key]
        for key in (
            "personal_id",
            "full_name",
            "date_of_birth",
            "sex",
            "ethnicity_code",
            "nationality",
            "permanent_residence",
            "birth_province_code",
        )
    }


def card_row(person: dict, group: str, level: int, province: str, clinic: str, valid_from: date, valid_to: date,
             five_years: date | None) -> dict:
    """The person's first HI card as a row of ``hi_coverages``, its code made from the group, level, province
    (a ``0NN`` code) and the person's legacy SI code."""
    return {
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


def agency_prefix(province_code: str) -> str:
    """Two letters naming the managing agency, derived from the province code (e.g. 079 → 'TD')."""
    number = int(province_code)
    return chr(ord("A") + number // 26 % 26) + chr(ord("A") + number % 26)


def birthday(rng: random.Random, today: date, age: int) -> date:
    return today - timedelta(days=age * 365 + rng.randint(0, 364) + age // 4)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def round_salary(value: float) -> int:
    return int(round(value / 100_000)) * 100_000


def months_in(period: dict, end: Month) -> int:
    last = Month.from_int(period["to_month"]) if period["to_month"] else end
    return last - Month.from_int(period["from_month"]) + 1
