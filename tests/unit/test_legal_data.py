"""Step 10, legal data that was missing: each rule worked by hand in its docstring.

- the reduced OAD rate of Decree 58/2020 (in force 2020-07-15: first month August 2020);
- the rural poverty line of 2027 (2,200,000), which moves the voluntary SI floor and the State's support;
- the 120-month limit of the State's support of voluntary SI (Decree 159/2025);
- the UI cap in the last employer's region, refused when it is not known;
- the sickness salary of Law 41/2024 Art. 45 (the most recent month with contributions; a first month's own).
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from esibook.benefits.rules import ContributedMonth, arithmetic_errors, sickness, unemployment
from esibook.contributions.dues import employee_dues, voluntary_dues, voluntary_payment
from esibook.contributions.parameters import current_parameters
from esibook.errors import DomainError
from esibook.periods import Month


def raw_parameters() -> dict:
    return json.loads(resources.files("esibook.contributions").joinpath("parameters.json").read_text("utf-8"))


def months(start: str, count: int, salary: int, *, region: int | None = 1) -> list[ContributedMonth]:
    first = Month.parse(start)
    return [ContributedMonth(first + i, salary, salary, "compulsory", region) for i in range(count)]


# --- 1. reduced OAD rate, Decree 58/2020 ---------------------------------------------------------------------


def test_reduced_oad_rate_applies_from_august_2020():
    """Decree 58/2020 took effect on 2020-07-15; a month takes the rates in force on its first day, so July 2020
    is still 0.5% for all and August 2020 is the first month at 0.3%.
    Salary 10,000,000 in region I (minimum 4,420,000; cap 20 × 1,490,000 = 29,800,000): the basis is 10,000,000.
    July 2020, reduced-rate employer: 10,000,000 × 0.5% = 50,000. August 2020: 10,000,000 × 0.3% = 30,000.
    An employer without the reduced rate pays 50,000 in both."""
    july = employee_dues(10_000_000, Month(2020, 7), 1, reduced_oad=True)
    august = employee_dues(10_000_000, Month(2020, 8), 1, reduced_oad=True)
    assert (july.salary_basis, july.oad_employer) == (10_000_000, 50_000)
    assert august.oad_employer == 30_000
    assert employee_dues(10_000_000, Month(2020, 8), 1).oad_employer == 50_000
    entry = next(e for e in raw_parameters()["contribution_rates"] if e["from"] == "2020-07-15")
    assert "58/2020" in entry["source"] and "August 2020" in entry["source"]


# --- 2. the rural poverty line of 2027 -----------------------------------------------------------------------


def test_the_rural_poverty_line_moves_the_voluntary_floor_in_2027():
    """Rural poverty line 1,500,000 until 2026-12-31, 2,200,000 from 2027-01-01.
    An income of 1,000,000 is raised to the floor: December 2026: 22% × 1,500,000 = 330,000;
    January 2027: 22% × 2,200,000 = 484,000."""
    december, january = Month(2026, 12), Month(2027, 1)
    assert current_parameters().for_month(december).rural_poverty_line == 1_500_000
    assert current_parameters().for_month(january).rural_poverty_line == 2_200_000
    assert (voluntary_dues(1_000_000, december).salary_basis, voluntary_dues(1_000_000, december).total) == (
        1_500_000,
        330_000,
    )
    assert (voluntary_dues(1_000_000, january).salary_basis, voluntary_dues(1_000_000, january).total) == (
        2_200_000,
        484_000,
    )
    lines = raw_parameters()["rural_poverty_line"]
    assert [e["value"] for e in lines if e["from"] >= "2022-01-01"] == [1_500_000, 2_200_000]
    assert all(e.get("source") for e in lines if e["from"] >= "2022-01-01"), "each line names its legal source"


def test_the_states_support_follows_the_2027_poverty_line():
    """Income 3,000,000: contribution 22% × 3,000,000 = 660,000 in both months.
    Near-poor support 40% of 22% of the poverty line: December 2026: 330,000 × 40% = 132,000 → pays 528,000;
    January 2027: 484,000 × 40% = 193,600 → pays 466,400. Anyone else (20%): 484,000 × 20% = 96,800."""
    december = voluntary_payment(3_000_000, Month(2026, 12), "near_poor", 1)
    january = voluntary_payment(3_000_000, Month(2027, 1), "near_poor", 1)
    assert (december.monthly_contribution, december.monthly_state_support, december.payable) == (
        660_000,
        132_000,
        528_000,
    )
    assert (january.monthly_contribution, january.monthly_state_support, january.payable) == (
        660_000,
        193_600,
        466_400,
    )
    assert voluntary_payment(3_000_000, Month(2027, 1), "other", 1).monthly_state_support == 96_800


# --- 3. the 120-month limit of support ----------------------------------------------------------------------


def test_support_stops_after_120_months():
    """November 2026, income 3,000,000, near-poor, 6 months paid at once: 660,000 a month, support 132,000.
    None supported before: 6 × (660,000 − 132,000) = 3,168,000.
    117 supported before: 3 months left → 6 × 660,000 − 3 × 132,000 = 3,960,000 − 396,000 = 3,564,000.
    120 supported before: none left → 6 × 660,000 = 3,960,000, and the payment says why."""
    month = Month(2026, 11)
    fresh = voluntary_payment(3_000_000, month, "near_poor", 6)
    assert (fresh.supported_months, fresh.payable, fresh.support_stopped) == (6, 3_168_000, None)
    partly = voluntary_payment(3_000_000, month, "near_poor", 6, supported_before=117)
    assert (partly.supported_months, partly.payable) == (3, 3_564_000)
    assert "120" in partly.support_stopped[0] and "117" in partly.support_stopped[0]
    spent = voluntary_payment(3_000_000, month, "near_poor", 6, supported_before=120)
    assert (spent.supported_months, spent.payable, spent.monthly_payable) == (0, 3_960_000, 660_000)
    assert "at most 120 months" in spent.support_stopped[0] and "tối đa 120 tháng" in spent.support_stopped[1]
    assert current_parameters().voluntary_support_months_limit == 120
    assert current_parameters().voluntary_support_began() == Month(2018, 1)
    assert "159/2025" in raw_parameters()["voluntary_support_months_limit"]["source"]


# --- 4. UI cap in the last employer's region ----------------------------------------------------------------


def test_ui_cap_uses_the_last_employers_region():
    """12 months at 60,000,000 to 2026-10, the last employer in region III (minimum 4,140,000 from 2026-01-01):
    60% = 36,000,000 > 5 × 4,140,000 = 20,700,000 → 20,700,000 a month (not Region I's 26,550,000)."""
    history = months("2025-11", 11, 60_000_000, region=1) + months("2026-10", 1, 60_000_000, region=3)
    sheet = unemployment(history, termination_month=Month(2026, 11))
    assert arithmetic_errors(sheet) == []
    assert sheet.value("region") == 3 and sheet.value("cap") == 20_700_000
    assert sheet.result == 20_700_000


def test_ui_benefit_is_refused_when_the_last_employers_region_is_unknown():
    history = months("2025-11", 12, 7_000_000, region=None)
    with pytest.raises(DomainError) as refused:
        unemployment(history, termination_month=Month(2026, 11))
    assert refused.value.code == "benefits.region_unknown"
    assert "2026-10" in refused.value.message_en and "vùng" in refused.value.message_vi


# --- 5. sickness salary, Law 41/2024 Art. 45 ----------------------------------------------------------------


def test_sickness_uses_the_most_recent_month_with_contributions():
    """Contributions January to August 2026 at 9,600,000, none in September and October (e.g. unpaid leave),
    sick in November: the most recent month with contributions is August → 9,600,000 × 75% ÷ 24 = 300,000 a day;
    8 months, under 15 years → at most 30 days."""
    sheet = sickness(months("2026-01", 8, 9_600_000), leave_month=Month(2026, 11))
    assert arithmetic_errors(sheet) == []
    assert sheet.eligible and sheet.result == 300_000
    assert sheet.value("previous_salary") == 9_600_000 and sheet.value("days_per_year") == 30
    assert not sickness(months("2026-01", 8, 9_600_000), leave_month=Month(2026, 11), participating=False).eligible


def test_sickness_in_the_first_month_uses_that_months_salary():
    """First month of participation November 2026, salary 7,200,000, sick in November: nothing before it, so that
    month's salary counts: 7,200,000 × 75% ÷ 24 = 225,000 a day; 5 days → 1,125,000."""
    sheet = sickness([], leave_month=Month(2026, 11), days=5, first_month_salary=7_200_000)
    assert arithmetic_errors(sheet) == []
    assert sheet.eligible and sheet.result == 225_000 and sheet.value("amount_for_days") == 1_125_000
    assert not sickness([], leave_month=Month(2026, 11)).eligible, "no month with contributions at all"
