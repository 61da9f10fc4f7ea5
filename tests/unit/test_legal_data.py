"""Step 10, legal data that was missing: each rule worked by hand in its docstring.

- the reduced OAD rate of Decree 58/2020 (in force 2020-07-15: first month August 2020);
- the rural poverty line of 2027 (2,200,000), which moves the voluntary SI floor and the State's support;
- the 120-month limit of the State's support of voluntary SI (Decree 159/2025);
- the UI cap in the last employer's region, refused when it is not known;
- the sickness salary of Law 41/2024 Art. 45 (the most recent month with contributions; a first month's own);
- one salary adjustment table per claim year, each with its circular and period: a claim is computed with the
  table of its own year, and a year (or a salary year) no table gives is refused, never guessed;
- months of 2018 priced with 2018's regional minimum wage and base salary;
- every figure of parameters.json and of the coefficient tables names its legal source.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from esibook.benefits.coefficients import current_coefficients
from esibook.benefits.rules import ContributedMonth, arithmetic_errors, one_time_withdrawal, sickness, unemployment
from esibook.contributions.dues import employee_dues, voluntary_dues, voluntary_payment
from esibook.contributions.parameters import current_parameters
from esibook.errors import DomainError
from esibook.periods import Month


def raw_parameters() -> dict:
    return json.loads(resources.files("esibook.contributions").joinpath("parameters.json").read_text("utf-8"))


def raw_coefficients() -> dict:
    return json.loads(resources.files("esibook.benefits").joinpath("adjustment_coefficients.json").read_text("utf-8"))


def months(
    start: str, count: int, salary: int, *, region: int | None = 1, kind: str = "compulsory"
) -> list[ContributedMonth]:
    first = Month.parse(start)
    return [ContributedMonth(first + i, salary, salary, kind, region) for i in range(count)]


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
    assert "Decree 351/2025/ND-CP" in lines[-1]["source"], "the 2027 line cites the 2026-2030 poverty standard"


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


# --- 6. one adjustment table per claim year -----------------------------------------------------------------


def worker_a() -> list[ContributedMonth]:
    """Vietnam Social Security's worked example of a one-time withdrawal settled in 2017 (worker A): 2013 at
    1,200,000; 2014-01..09 at 1,445,000 and 2014-10..12 at 2,140,000; unpaid leave 2015-01..06; 2015-07..2016-02
    at 2,140,000; 2016-03..07 at 2,515,000. 37 months."""
    return (
        months("2013-01", 12, 1_200_000)
        + months("2014-01", 9, 1_445_000)
        + months("2014-10", 3, 2_140_000)
        + months("2015-07", 8, 2_140_000)
        + months("2016-03", 5, 2_515_000)
    )


def test_a_claim_of_2017_is_computed_with_the_2017_table():
    """Settled in June 2017, Thông tư 42/2016/TT-BLĐTBXH (2013 1.08, 2014 1.03, 2015 1.03, 2016 1.00):
    2013: 12 × 1,200,000 = 14,400,000 × 1.08 = 15,552,000
    2014: 9 × 1,445,000 + 3 × 2,140,000 = 19,425,000 × 1.03 = 20,007,750
    2015: 6 × 2,140,000 = 12,840,000 × 1.03 = 13,225,200
    2016: 2 × 2,140,000 + 5 × 2,515,000 = 16,855,000 × 1.00 = 16,855,000
    total 65,639,950 ÷ 37 months = 1,774,052.7 → average 1,774,053.
    12 months before 2014 = 1 year × 1.5; 25 months from 2014 = 2 years + 1 month (→ half a year) = 2.5 × 2 = 5:
    6.5 × 1,774,053 = 11,531,344.5 → 11,531,345."""
    sheet = one_time_withdrawal(worker_a(), computed_on=date(2017, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert [sheet.value(f"adjusted_{year}") for year in (2013, 2014, 2015, 2016)] == [
        15_552_000,
        20_007_750,
        13_225_200,
        16_855_000,
    ]
    assert sheet.value("average_salary") == 1_774_053 and sheet.result == 11_531_345
    assert any("42/2016" in rule.source for rule in sheet.rules), "the worksheet cites the 2017 circular"


def test_the_same_career_settled_in_2024_uses_the_2024_table():
    """Settled in June 2024, Thông tư 20/2023/TT-BLĐTBXH (2013 1.33, 2014 1.27, 2015 1.27, 2016 1.23):
    14,400,000 × 1.33 = 19,152,000; 19,425,000 × 1.27 = 24,669,750; 12,840,000 × 1.27 = 16,306,800;
    16,855,000 × 1.23 = 20,731,650; total 80,860,200 ÷ 37 = 2,185,410.8 → 2,185,411; × 6.5 = 14,205,171.5 →
    14,205,172. In 2025 (Thông tư 01/2025: 1.37, 1.32, 1.31, 1.28) and 2026 (Công văn 340/BHXH-CSXH: 1.42,
    1.36, 1.36, 1.32) each year's table gives more."""
    sheet = one_time_withdrawal(worker_a(), computed_on=date(2024, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert sheet.value("adjusted_total") == 80_860_200 and sheet.value("average_salary") == 2_185_411
    assert sheet.result == 14_205_172
    in_2025 = one_time_withdrawal(worker_a(), computed_on=date(2025, 6, 1))
    in_2026 = one_time_withdrawal(worker_a(), computed_on=date(2026, 6, 1))
    assert in_2025.value("adjusted_2016") == round(16_855_000 * Decimal("1.28"))
    assert in_2026.value("adjusted_2013") == round(14_400_000 * Decimal("1.42"))
    assert sheet.result < in_2025.result < in_2026.result


def test_the_full_tables_of_2018_and_2020_give_their_years_results():
    """Thông tư 32/2017 (2018: 2013 1.11, 2014 1.07, 2015 1.06, 2016 1.04): 15,984,000 + 20,784,750 +
    13,610,400 + 17,529,200 = 67,908,350. Thông tư 35/2019 (2020: 1.18, 1.14, 1.13, 1.10): 14,400,000 × 1.18 =
    16,992,000; 19,425,000 × 1.14 = 22,144,500; 12,840,000 × 1.13 = 14,509,200; 16,855,000 × 1.10 = 18,540,500;
    total 72,186,200 ÷ 37 = 1,950,978.4 → 1,950,978; × 6.5 = 12,681,357."""
    in_2018 = one_time_withdrawal(worker_a(), computed_on=date(2018, 3, 1))
    assert in_2018.value("adjusted_total") == 67_908_350
    in_2020 = one_time_withdrawal(worker_a(), computed_on=date(2020, 6, 1))
    assert arithmetic_errors(in_2020) == []
    assert in_2020.value("adjusted_total") == 72_186_200 and in_2020.value("average_salary") == 1_950_978
    assert in_2020.result == 12_681_357
    assert any("35/2019" in rule.source for rule in in_2020.rules)


def test_a_claim_of_2023_uses_vietnam_social_securitys_2023_figures():
    """Thông tư 01/2023 (as vss.gov.vn gives it: 2013 1.28, 2014 1.23, 2015 1.23, 2016 1.19):
    14,400,000 × 1.28 = 18,432,000; 19,425,000 × 1.23 = 23,892,750; 12,840,000 × 1.23 = 15,793,200;
    16,855,000 × 1.19 = 20,057,450; total 78,175,400 ÷ 37 = 2,112,848.6 → 2,112,849; × 6.5 = 13,733,518.5 →
    13,733,519. Its voluntary table is known in part: incomes of 2015 (1.23) count, incomes of 2013 are refused."""
    sheet = one_time_withdrawal(worker_a(), computed_on=date(2023, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert sheet.value("adjusted_total") == 78_175_400 and sheet.result == 13_733_519
    voluntary = one_time_withdrawal(months("2015-01", 12, 2_000_000, kind="voluntary"), computed_on=date(2023, 6, 1))
    assert voluntary.value("adjusted_2015_voluntary") == 29_520_000
    with pytest.raises(DomainError) as refused:
        one_time_withdrawal(months("2013-01", 12, 2_000_000, kind="voluntary"), computed_on=date(2023, 6, 1))
    assert "voluntary-SI incomes of 2013" in refused.value.message_en


def test_a_claim_year_without_a_table_is_refused_naming_the_year():
    """No table before claim year 2016 is known here: a claim of 2015 is refused, not computed with a later
    year's table."""
    with pytest.raises(DomainError) as refused:
        one_time_withdrawal(worker_a()[:24], computed_on=date(2015, 6, 1))
    assert refused.value.code == "benefits.no_coefficients"
    assert "2015" in refused.value.message_en and "2015" in refused.value.message_vi
    with pytest.raises(DomainError):
        current_coefficients().on(date(2015, 12, 31))


def test_the_completed_2021_table_gives_worker_as_result():
    """Thông tư 23/2020 (2021; Table 1 as thuvienphapluat.vn reproduces it: 2013 1.22, 2014 1.18, 2015 1.17,
    2016 1.14): 14,400,000 × 1.22 = 17,568,000; 19,425,000 × 1.18 = 22,921,500; 12,840,000 × 1.17 = 15,022,800;
    16,855,000 × 1.14 = 19,214,700; total 74,727,000 ÷ 37 = 2,019,648.6 → 2,019,649; × 6.5 = 13,127,718.5 →
    13,127,719. A career of 2015-2019: 12 × 5,000,000 × (1.17 + 1.14 + 1.10 + 1.06 + 1.03) = 60,000,000 × 5.50 =
    330,000,000 ÷ 60 = 5,500,000."""
    sheet = one_time_withdrawal(worker_a(), computed_on=date(2021, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert sheet.value("adjusted_total") == 74_727_000 and sheet.value("average_salary") == 2_019_649
    assert sheet.result == 13_127_719 and any("23/2020" in rule.source for rule in sheet.rules)
    sheet = one_time_withdrawal(months("2015-01", 60, 5_000_000), computed_on=date(2021, 6, 1))
    assert sheet.value("adjusted_total") == 330_000_000 and sheet.value("average_salary") == 5_500_000


def test_a_claim_of_2016_uses_the_2016_table_and_refuses_its_unknown_incomes():
    """Thông tư 58/2015 Table 1 (as lawnet.vn reproduces it: 2013 1.05, 2014 1.01): worker A's first 24 months
    settled in 2016: 14,400,000 × 1.05 = 15,120,000; 19,425,000 × 1.01 = 19,619,250; total 34,739,250 ÷ 24 =
    1,447,468.75 → 1,447,469. Its voluntary incomes are known only for 2014-2016: incomes of 2010 are refused,
    naming 2010 and the circular, never computed with another year's table."""
    sheet = one_time_withdrawal(worker_a()[:24], computed_on=date(2016, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert (sheet.value("adjusted_2013"), sheet.value("adjusted_2014")) == (15_120_000, 19_619_250)
    assert sheet.value("average_salary") == 1_447_469 and any("58/2015" in rule.source for rule in sheet.rules)
    with pytest.raises(DomainError) as refused:
        one_time_withdrawal(months("2010-01", 12, 2_000_000, kind="voluntary"), computed_on=date(2016, 6, 1))
    assert refused.value.code == "benefits.no_coefficients"
    assert "voluntary-SI incomes of 2010" in refused.value.message_en and "58/2015" in refused.value.message_en


def test_voluntary_incomes_are_adjusted_by_the_voluntary_table():
    """Thông tư 01/2025 Bảng 2 (voluntary incomes, from 2008): 2020 1.12, as Bảng 1. 12 voluntary months of 2020
    at 2,000,000 settled in 2025: 24,000,000 × 1.12 = 26,880,000. The 2024 circular's Bảng 2 is known only for
    2008-2012: the same voluntary months settled in 2024 are refused, while compulsory months are computed."""
    sheet = one_time_withdrawal(months("2020-01", 12, 2_000_000, kind="voluntary"), computed_on=date(2025, 6, 1))
    assert sheet.value("adjusted_2020_voluntary") == 26_880_000
    table_2025 = current_coefficients().on(date(2025, 6, 1))
    assert table_2025.coefficient(2020, "voluntary") == table_2025.coefficient(2020) == Decimal("1.12")
    with pytest.raises(DomainError) as refused:
        one_time_withdrawal(months("2020-01", 12, 2_000_000, kind="voluntary"), computed_on=date(2024, 6, 1))
    assert refused.value.code == "benefits.no_coefficients" and "voluntary" in refused.value.message_en
    assert one_time_withdrawal(months("2020-01", 12, 2_000_000), computed_on=date(2024, 6, 1)).result > 0


def test_each_table_names_its_circular_and_period():
    tables = {t["from"]: t for t in raw_coefficients()["tables"]}
    assert {day[:4]: t["circular"] for day, t in tables.items()} == {
        "2016": "Thông tư 58/2015/TT-BLĐTBXH",
        "2017": "Thông tư 42/2016/TT-BLĐTBXH",
        "2018": "Thông tư 32/2017/TT-BLĐTBXH",
        "2019": "Thông tư 35/2018/TT-BLĐTBXH",
        "2020": "Thông tư 35/2019/TT-BLĐTBXH",
        "2021": "Thông tư 23/2020/TT-BLĐTBXH",
        "2022": "Thông tư 36/2021/TT-BLĐTBXH",
        "2023": "Thông tư 01/2023/TT-BLĐTBXH",
        "2024": "Thông tư 20/2023/TT-BLĐTBXH",
        "2025": "Thông tư 01/2025/TT-BLĐTBXH",
        "2026": "Công văn 340/BHXH-CSXH (2026-02-03)",
    }
    assert all(t["until"] == f"{day[:4]}-12-31" for day, t in tables.items() if day < "2026")
    assert all(f"{day[:4]}-01-01 to {day[:4]}-12-31" in t["source"] for day, t in tables.items() if day < "2026")
    assert "until" not in tables["2026-01-01"], "the latest table applies until the next is published"
    assert current_coefficients().claim_years() == list(range(2016, 2027))
    partial = sorted(day[:4] for day, t in tables.items() if t.get("complete") is False)
    assert partial == [], "every salary table from 2016 is complete"
    voluntary_partial = [day[:4] for day, t in tables.items() if t.get("voluntary_complete") is False]
    assert voluntary_partial == ["2016", "2022", "2023", "2024"]
    notes = raw_coefficients()["notes"]
    assert "MISSING" in notes and "1995 to 2015" in notes


# --- 7. months of 2018 priced with 2018's figures -----------------------------------------------------------


def test_a_month_of_2018_is_priced_with_that_years_minimum_and_base_salary():
    """January 2018, region I: minimum wage 3,980,000 (Decree 141/2017), base salary 1,300,000 (Decree 47/2017),
    SI cap 20 × 1,300,000 = 26,000,000. A declared 3,000,000 is raised to 3,980,000: employee 8% = 318,400,
    employer 14% = 557,200, OAD 0.5% = 19,900. A declared 30,000,000 is capped at 26,000,000 for SI
    (8% = 2,080,000) but not for UI (cap 20 × 3,980,000 = 79,600,000: 1% = 300,000). From July 2018 (base salary
    1,390,000) the cap is 27,800,000; December 2017's minimum was 3,750,000."""
    low = employee_dues(3_000_000, Month(2018, 1), 1)
    assert (low.salary_basis, low.retirement_employee, low.retirement_employer, low.oad_employer) == (
        3_980_000,
        318_400,
        557_200,
        19_900,
    )
    high = employee_dues(30_000_000, Month(2018, 1), 1)
    assert (high.salary_basis, high.retirement_employee, high.ui_basis, high.ui_employee) == (
        26_000_000,
        2_080_000,
        30_000_000,
        300_000,
    )
    assert employee_dues(30_000_000, Month(2018, 7), 1).salary_basis == 27_800_000
    assert employee_dues(3_000_000, Month(2017, 12), 1).salary_basis == 3_750_000
    parameters = current_parameters().for_month(Month(2018, 1))
    assert (parameters.reference_level, parameters.regional_minimum_wage[4], parameters.ui_cap[1]) == (
        1_300_000,
        2_760_000,
        79_600_000,
    )


def test_pricing_still_begins_in_2016():
    """The 2014 and 2015 minimum wages are recorded (Decrees 182/2013, 103/2014) but those months are not priced:
    the Law 71/2006 rules they need (the voluntary floor on the general minimum wage) are not in the file."""
    assert current_parameters().first_month() == Month(2016, 1)
    wages = {e["from"]: e for e in raw_parameters()["regional_minimum_wage"]}
    assert wages["2015-01-01"]["values"]["1"] == 3_100_000 and "103/2014" in wages["2015-01-01"]["source"]


# --- 8. every figure names its legal source -----------------------------------------------------------------


def unsourced(node, path: str = "") -> list[str]:
    """Paths of the figures that name no source: a dated entry (one with 'from') or a single figure (one with
    'value') needs a non-empty 'source' of its own."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in unsourced(item, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    missing = [path] if ("from" in node or "value" in node) and not str(node.get("source", "")).strip() else []
    return missing + [p for key, value in node.items() for p in unsourced(value, f"{path}.{key}")]


def test_every_figure_of_the_parameters_names_its_source():
    raw = raw_parameters()
    assert unsourced(raw) == []
    figures = {key: value for key, value in raw.items() if key not in ("version", "notes")}
    assert all(isinstance(value, (list, dict)) for value in figures.values()), "no bare number without a source"
    assert all(entry.get("source") for series in figures.values() if isinstance(series, list) for entry in series)
    assert raw["version"] == "2026-12-02.4"


def test_every_coefficient_table_names_its_source():
    raw = raw_coefficients()
    assert unsourced(raw) == []
    for table in raw["tables"]:
        assert table["circular"] and table["source"] and table["verify"], table["from"]
        assert table["circular"] in table["source"] or table["circular"].split(" (")[0] in table["source"]


def test_the_source_walker_finds_a_figure_without_a_source():
    assert unsourced({"a": [{"from": "2016-01-01", "value": 1}], "b": {"value": 2, "source": "x"}}) == [".a[0]"]
