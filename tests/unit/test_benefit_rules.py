"""Benefit rules worked by hand: every case below is written out in its docstring, number by number, and the
worksheet must show the same steps and add up.

Coefficient tables are given by the tests (not the shipped, yearly-updated table) so the hand-worked numbers stay
fixed: ``TABLE`` adjusts 2012 × 1.5, 2013 × 1.4, 2014 × 1.3, 2015 × 1.2 and leaves every other year at 1; ``FLAT``
adjusts nothing. Reference levels and minimum wages come from the dated contribution parameters.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esibook.benefits.coefficients import AdjustmentTable, current_coefficients
from esibook.benefits.rules import (
    VOLUNTARY,
    ContributedMonth,
    arithmetic_errors,
    counted_years,
    evaluate,
    maternity,
    one_time_withdrawal,
    paternity_leave,
    pension,
    retirement_age,
    round_vnd,
    sickness,
    unemployment,
)
from esibook.errors import DomainError
from esibook.periods import Month

TABLE = AdjustmentTable(
    date(2025, 1, 1),
    "test table",
    Decimal(2),
    {2012: Decimal("1.5"), 2013: Decimal("1.4"), 2014: Decimal("1.3"), 2015: Decimal("1.2")},
    "test",
)
FLAT = AdjustmentTable(date(2025, 1, 1), "flat", Decimal(1), {}, "flat")


def months(start: str, count: int, salary: int, *, ui: int | None = None, region: int = 1, kind="compulsory"):
    first = Month.parse(start)
    return [ContributedMonth(first + i, salary, salary if ui is None else ui, kind, region) for i in range(count)]


def adds_up(sheet) -> None:
    assert arithmetic_errors(sheet) == [], arithmetic_errors(sheet)


# --- counting and rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months_", "years"),
    [(0, 0), (1, 0.5), (6, 0.5), (7, 1), (11, 1), (12, 1), (13, 1.5), (18, 1.5), (19, 2), (246, 20.5)],
)
def test_leftover_months_1_to_6_are_half_a_year_and_7_to_11_a_full_year(months_, years):
    assert counted_years(months_) == Decimal(str(years))


def test_money_is_rounded_half_up_to_the_dong():
    assert round_vnd(Decimal("156250.5")) == 156251
    assert round_vnd(Decimal("156250.49")) == 156250
    assert evaluate("5000016 × 75% ÷ 24") == Decimal("156250.5")


def test_a_step_that_does_not_add_up_is_reported():
    sheet = sickness(months("2026-01", 10, 9_600_000), leave_month=Month(2026, 11))
    adds_up(sheet)
    daily = next(s for s in sheet.steps if s.key == "daily")
    tampered = replace(sheet, steps=tuple(replace(s, value=300_001) if s is daily else s for s in sheet.steps))
    assert any(e.startswith("daily:") for e in arithmetic_errors(tampered))


# --- retirement age ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "sex", "years", "extra", "reached"),
    [
        # born before the roadmap: 60 years, reached 2020-03
        (date(1960, 3, 15), "male", 60, 0, "2020-03"),
        # 60 y 3 m is the age for 2021; 1961-01 + 60 y 3 m = 2021-04, in 2021
        (date(1961, 1, 10), "male", 60, 3, "2021-04"),
        # 2024: 61 y → 2025-09 (not in 2024); 2025: 61 y 3 m → 2025-12, in 2025
        (date(1964, 9, 1), "male", 61, 3, "2025-12"),
        # 2026: 57 y → 2027-05 (not in 2026); 2027: 57 y 4 m → 2027-09, in 2027
        (date(1970, 5, 3), "female", 57, 4, "2027-09"),
        # the cap: men 62 from 2028
        (date(1990, 1, 1), "male", 62, 0, "2052-01"),
    ],
)
def test_retirement_age_follows_the_labour_code_roadmap(born, sex, years, extra, reached):
    age = retirement_age(born, sex)
    assert (age.years, age.months, str(age.reached)) == (years, extra, reached)


# --- pension -------------------------------------------------------------------------------------------------


def test_pension_of_a_woman_with_20_years_3_months():
    """243 months at 8,000,000 (no adjustment): average 8,000,000.
    20 full years + 3 leftover months → 20.5 years. Rate = 45 + 2 × (20.5 − 15) = 56%.
    Pension = 8,000,000 × 56% = 4,480,000 a month."""
    sheet = pension(
        months("2025-01", 243, 8_000_000),
        sex="female",
        date_of_birth=date(1988, 1, 10),  # 60 years (the cap) reached 2048-01
        retire_month=Month(2048, 2),
        table=FLAT,
    )
    adds_up(sheet)
    assert sheet.eligible
    assert sheet.value("average_salary") == 8_000_000
    assert sheet.value("years_counted") == Decimal("20.5")
    assert sheet.value("rate_capped") == 56
    assert sheet.result == 4_480_000


def test_pension_of_a_man_with_18_years_4_months_uses_40_percent_plus_1_per_year():
    """220 months at 10,000,000 → 18 years + 4 months → 18.5 years.
    Men with 15 to under 20 years: 40 + 1 × (18.5 − 15) = 43.5%. Pension = 10,000,000 × 43.5% = 4,350,000."""
    sheet = pension(
        months("2001-12", 220, 10_000_000),
        sex="male",
        date_of_birth=date(1960, 3, 15),
        retire_month=Month(2020, 4),
        table=FLAT,
    )
    adds_up(sheet)
    assert sheet.value("rate") == Decimal("43.5")
    assert sheet.result == 4_350_000


def test_pension_rate_is_capped_at_75_percent():
    """A man with 40 years: 45 + 2 × (40 − 20) = 85% → capped at 75%. 6,000,000 × 75% = 4,500,000."""
    sheet = pension(
        months("1985-01", 480, 6_000_000),
        sex="male",
        date_of_birth=date(1962, 6, 1),
        retire_month=Month(2025, 1),
        table=FLAT,
    )
    adds_up(sheet)
    assert sheet.value("rate") == 85
    assert sheet.value("rate_capped") == 75
    assert sheet.result == 4_500_000


def test_early_retirement_takes_2_percent_a_year_and_1_percent_for_6_to_11_months():
    """A woman born 1975-06 reaches 60 in 2035-06. Retiring in 2032-11 (allowed: reduced working capacity) is 31
    months early = 2 years 7 months → 2 × 2 + 1 = 5%. 30 years → 45 + 2 × 15 = 75%, then 75 − 5 = 70%.
    Average 9,000,000 × 70% = 6,300,000."""
    sheet = pension(
        months("2002-11", 360, 9_000_000),
        sex="female",
        date_of_birth=date(1975, 6, 20),
        retire_month=Month(2032, 11),
        early_months_allowed=60,
        table=FLAT,
    )
    adds_up(sheet)
    assert sheet.value("months_early") == 31
    assert sheet.value("early_reduction") == 5
    assert sheet.value("rate_final") == 70
    assert sheet.result == 6_300_000


def test_under_6_months_early_takes_nothing_off():
    sheet = pension(
        months("2002-11", 360, 9_000_000),
        sex="female",
        date_of_birth=date(1975, 6, 20),
        retire_month=Month(2035, 1),  # 5 months early
        early_months_allowed=60,
        table=FLAT,
    )
    adds_up(sheet)
    assert sheet.value("early_reduction") == 0
    assert sheet.result == 6_750_000


def test_no_pension_with_under_15_years_or_before_the_age():
    short = pension(
        months("2005-01", 179, 9_000_000),
        sex="male",
        date_of_birth=date(1960, 1, 1),
        retire_month=Month(2021, 1),
        table=FLAT,
    )
    adds_up(short)
    assert not short.eligible and short.result == 0
    assert "179" in short.notes[0].en
    early = pension(
        months("2002-11", 360, 9_000_000),
        sex="female",
        date_of_birth=date(1975, 6, 20),
        retire_month=Month(2032, 11),
        table=FLAT,
    )
    assert not early.eligible and "2035-06" in early.notes[0].en


def test_the_career_average_adjusts_each_year_by_its_coefficient():
    """2013: 12 × 5,000,000 × 1.4 = 84,000,000; 2014: 12 × 6,000,000 × 1.3 = 93,600,000.
    Average = (84,000,000 + 93,600,000) ÷ 24 = 7,400,000."""
    sheet = one_time_withdrawal(months("2013-01", 12, 5_000_000) + months("2014-01", 12, 6_000_000), table=TABLE)
    adds_up(sheet)
    assert sheet.value("adjusted_2013") == 84_000_000
    assert sheet.value("adjusted_2014") == 93_600_000
    assert sheet.value("average_salary") == 7_400_000


# --- one-time withdrawal -------------------------------------------------------------------------------------


def test_one_time_withdrawal_moves_pre_2014_leftover_months_into_the_later_period():
    """2012-05..2013-12: 20 months at 5,000,000; 2014-01..2015-08: 20 months at 6,000,000.
    Adjusted: 2012: 8 × 5,000,000 × 1.5 = 60,000,000; 2013: 12 × 5,000,000 × 1.4 = 84,000,000;
    2014: 12 × 6,000,000 × 1.3 = 93,600,000; 2015: 8 × 6,000,000 × 1.2 = 57,600,000; total 295,200,000.
    Average = 295,200,000 ÷ 40 = 7,380,000.
    Before 2014: 20 months = 1 year + 8 leftover months, which move to the later period: 20 + 8 = 28 months
    = 2 years + 4 months → 2.5 years. Months of average salary = 1.5 × 1 + 2 × 2.5 = 6.5.
    Amount = 7,380,000 × 6.5 = 47,970,000."""
    sheet = one_time_withdrawal(months("2012-05", 20, 5_000_000) + months("2014-01", 20, 6_000_000), table=TABLE)
    adds_up(sheet)
    assert sheet.value("adjusted_total") == 295_200_000
    assert sheet.value("average_salary") == 7_380_000
    assert sheet.value("years_before_2014") == 1
    assert sheet.value("leftover_before_2014") == 8
    assert sheet.value("months_from_2014_counted") == 28
    assert sheet.value("years_from_2014") == Decimal("2.5")
    assert sheet.value("benefit_months") == Decimal("6.5")
    assert sheet.result == 47_970_000


@pytest.mark.parametrize(("extra", "benefit_months"), [(6, 3), (7, 4), (1, 3), (0, 2)])
def test_one_time_leftover_months_round_to_half_or_full_years(extra, benefit_months):
    """From 2014 only, at 10,000,000: 12 + 6 months → 1.5 years → 3 months; 12 + 7 → 2 years → 4 months;
    12 + 1 → 1.5 years → 3 months; 12 → 1 year → 2 months."""
    sheet = one_time_withdrawal(months("2020-01", 12 + extra, 10_000_000), table=FLAT)
    adds_up(sheet)
    assert sheet.value("benefit_months") == benefit_months
    assert sheet.result == benefit_months * 10_000_000


def test_one_time_under_one_year_is_what_was_contributed():
    """6 months at 10,000,000: contributed 60,000,000 × 22% (14% employer + 8% employee) = 13,200,000;
    the cap is 2 × 10,000,000 = 20,000,000, so 13,200,000."""
    sheet = one_time_withdrawal(months("2025-01", 6, 10_000_000), computed_on=date(2026, 1, 1), table=FLAT)
    adds_up(sheet)
    assert sheet.value("contributed_compulsory") == 13_200_000
    assert sheet.value("cap") == 20_000_000
    assert sheet.result == 13_200_000


def test_one_time_under_one_year_is_capped_at_2_months_of_the_average():
    """11 months at 10,000,000: 110,000,000 × 22% = 24,200,000 > 2 × 10,000,000 → 20,000,000."""
    sheet = one_time_withdrawal(months("2025-01", 11, 10_000_000), computed_on=date(2026, 1, 1), table=FLAT)
    adds_up(sheet)
    assert sheet.value("contributed_compulsory") == 24_200_000
    assert sheet.result == 20_000_000


def test_one_time_with_no_months_is_nothing():
    sheet = one_time_withdrawal([], computed_on=date(2026, 1, 1), table=FLAT)
    assert not sheet.eligible and sheet.result == 0


# --- sickness ------------------------------------------------------------------------------------------------


def test_sickness_per_day_is_75_percent_of_last_month_over_24():
    """Salary of 2026-10: 9,600,000. A day = 9,600,000 × 75% ÷ 24 = 300,000.
    192 months = 16 years (15 to under 30) → at most 40 days; 10 days asked → 3,000,000."""
    sheet = sickness(months("2010-11", 192, 9_600_000), leave_month=Month(2026, 11), days=10)
    adds_up(sheet)
    assert sheet.value("days_per_year") == 40
    assert sheet.result == 300_000
    assert sheet.value("amount_for_days") == 3_000_000


@pytest.mark.parametrize(("count", "days"), [(179, 30), (180, 40), (359, 40), (360, 60)])
def test_sickness_days_a_year_by_years_of_si(count, days):
    sheet = sickness(months("1990-01", count, 6_000_000), leave_month=Month(1990, 1) + count)
    adds_up(sheet)
    assert sheet.value("days_per_year") == days
    assert sheet.value("days") == days  # no days asked: the yearly maximum


def test_sickness_daily_rounds_half_up_and_days_are_capped():
    """5,000,016 × 75% ÷ 24 = 156,250.5 → 156,251 a day. 45 days asked, under 15 years → 30 days."""
    sheet = sickness(months("2026-01", 10, 5_000_016), leave_month=Month(2026, 11), days=45)
    adds_up(sheet)
    assert sheet.result == 156_251
    assert sheet.value("days") == 30


def test_no_sickness_benefit_outside_compulsory_si():
    """Not in compulsory SI in the month of the leave, or only voluntary SI: no sickness benefit. (A gap before the
    leave is no bar: Art. 45 takes the most recent month with contributions, see test_legal_data.)"""
    sheet = sickness(months("2026-01", 8, 9_600_000), leave_month=Month(2026, 11), participating=False)
    assert not sheet.eligible and sheet.result == 0
    voluntary = sickness(months("2026-01", 10, 9_600_000, kind=VOLUNTARY), leave_month=Month(2026, 11))
    assert not voluntary.eligible


# --- maternity -----------------------------------------------------------------------------------------------


def test_maternity_at_childbirth():
    """Last 6 months before 2026-08: 3 × 8,000,000 and 3 × 9,200,000 → average (24,000,000 + 27,600,000) ÷ 6
    = 8,600,000. 6 months of leave → 51,600,000. Lump sum 2 × 2,530,000 (reference level from 2026-07-01) × 1
    = 5,060,000. Total 56,660,000."""
    history = months("2025-11", 3, 7_000_000) + months("2026-02", 3, 8_000_000) + months("2026-05", 3, 9_200_000)
    sheet = maternity(history, birth_month=Month(2026, 8))
    adds_up(sheet)
    assert sheet.value("average_salary") == 8_600_000
    assert sheet.value("leave_benefit") == 51_600_000
    assert sheet.value("lump_sum") == 5_060_000
    assert sheet.result == 56_660_000


def test_maternity_for_twins_adds_a_month_and_a_lump_sum():
    """Twins: 6 + 1 = 7 months × 8,600,000 = 60,200,000; lump sum 2 × 2,530,000 × 2 = 10,120,000."""
    history = months("2026-02", 3, 8_000_000) + months("2026-05", 3, 9_200_000)
    sheet = maternity(history, birth_month=Month(2026, 8), children=2)
    adds_up(sheet)
    assert sheet.value("leave_months") == 7
    assert sheet.result == 60_200_000 + 10_120_000


def test_no_maternity_benefit_with_under_6_months_in_the_12_before_the_birth():
    sheet = maternity(months("2026-03", 5, 8_000_000), birth_month=Month(2026, 8))
    assert not sheet.eligible and sheet.result == 0


@pytest.mark.parametrize(
    ("case", "children", "days", "amount"),
    [
        ("normal", 1, 5, 1_791_667),  # 8,600,000 ÷ 24 × 5 = 1,791,666.67
        ("caesarean_or_premature", 1, 7, 2_508_333),  # 8,600,000 ÷ 24 × 7 = 2,508,333.33
        ("twins", 2, 10, 3_583_333),  # 8,600,000 ÷ 24 × 10 = 3,583,333.33
        ("twins", 3, 13, 4_658_333),  # triplets: 10 + 3 = 13 days
        ("twins_caesarean", 2, 14, 5_016_667),  # 8,600,000 ÷ 24 × 14 = 5,016,666.67
    ],
)
def test_fathers_leave_by_case(case, children, days, amount):
    history = months("2026-02", 3, 8_000_000) + months("2026-05", 3, 9_200_000)
    sheet = paternity_leave(history, birth_month=Month(2026, 8), case=case, children=children)
    adds_up(sheet)
    assert sheet.value("days") == days
    assert sheet.result == amount


# --- unemployment --------------------------------------------------------------------------------------------


def test_unemployment_benefit():
    """50 months of UI, the last 6 at 7,000,000: 60% = 4,200,000 a month, under the cap 5 × 5,310,000
    (region I from 2026-01-01) = 26,550,000. Duration: 3 + floor((50 − 36) ÷ 12) = 4 months; total 16,800,000."""
    sheet = unemployment(months("2022-09", 50, 7_000_000), termination_month=Month(2026, 11))
    adds_up(sheet)
    assert sheet.value("average_ui_salary") == 7_000_000
    assert sheet.value("cap") == 26_550_000
    assert sheet.result == 4_200_000
    assert sheet.value("duration_months") == 4
    assert sheet.value("total") == 16_800_000


def test_unemployment_benefit_is_capped_at_5_times_the_regional_minimum_wage():
    """Region IV: 60,000,000 × 60% = 36,000,000 > 5 × 3,700,000 = 18,500,000 → 18,500,000."""
    sheet = unemployment(months("2025-11", 12, 60_000_000, region=4), termination_month=Month(2026, 11))
    adds_up(sheet)
    assert sheet.value("sixty_percent") == 36_000_000
    assert sheet.result == 18_500_000


@pytest.mark.parametrize(("count", "duration"), [(12, 3), (36, 3), (47, 3), (48, 4), (144, 12), (200, 12)])
def test_unemployment_duration(count, duration):
    sheet = unemployment(months(str(Month(2026, 11) - count), count, 7_000_000), termination_month=Month(2026, 11))
    adds_up(sheet)
    assert sheet.value("duration_months") == duration


def test_no_unemployment_benefit_with_under_12_months_in_the_last_24():
    """11 months in the 24 before; 30 older months do not help."""
    history = months("2020-01", 30, 7_000_000) + months("2025-12", 11, 7_000_000)
    sheet = unemployment(history, termination_month=Month(2026, 11))
    assert not sheet.eligible and sheet.result == 0
    used = unemployment(
        months("2024-11", 24, 7_000_000), termination_month=Month(2026, 11), counted_from=Month(2025, 12)
    )
    assert not used.eligible, "months used by an earlier benefit do not count again"


def test_the_last_month_of_the_contract_counts_toward_the_12_months_and_the_average():
    """A contract from 2025-11 to 2026-10, UI paid each month, the last at 13,000,000: the claim names 2026-10 as
    its last month; 12 months in the 24 up to it (eligible), and the average of the last 6 is
    (7,000,000 × 5 + 13,000,000) ÷ 6 = 8,000,000, so 4,800,000 a month. A month after it does not count."""
    history = months("2025-11", 11, 7_000_000) + months("2026-10", 1, 13_000_000)
    sheet = unemployment(history, termination_month=Month(2026, 10))
    adds_up(sheet)
    assert sheet.eligible and sheet.value("ui_months_in_24") == 12
    assert sheet.value("average_ui_salary") == 8_000_000 and sheet.result == 4_800_000
    later = unemployment([*history, *months("2026-11", 1, 50_000_000)], termination_month=Month(2026, 10))
    assert later.result == 4_800_000, "a month after the end of the contract is not counted"


# --- dated data ----------------------------------------------------------------------------------------------


def test_the_shipped_coefficient_table_is_dated_versioned_and_labelled():
    tables = current_coefficients()
    assert tables.version and "KEPT UP TO DATE" in tables.label
    table = tables.on(date(2026, 1, 1))
    assert table.coefficient(1990) == table.before_1995 > table.coefficient(2010) > 1
    assert table.coefficient(2099) == 1
    with pytest.raises(DomainError):
        tables.on(date(2000, 1, 1))


# --- every worksheet adds up ---------------------------------------------------------------------------------

salaries = st.integers(min_value=1_500_000, max_value=50_000_000)


@st.composite
def histories(draw):
    start = Month(draw(st.integers(1985, 2024)), draw(st.integers(1, 12)))
    result, month = [], start
    for _ in range(draw(st.integers(0, 6))):
        count, salary = draw(st.integers(1, 90)), draw(salaries)
        kind = draw(st.sampled_from(["compulsory", "compulsory", "voluntary"])) if month.year >= 2008 else "compulsory"
        ui = salary if kind == "compulsory" and draw(st.booleans()) else 0
        region = draw(st.integers(1, 4))
        result += [ContributedMonth(month + i, salary, ui, kind, region) for i in range(count)]
        month = month + count + draw(st.integers(0, 30))
    return result


@settings(max_examples=120, deadline=None)
@given(
    history=histories(),
    sex=st.sampled_from(["male", "female"]),
    born=st.dates(date(1955, 1, 1), date(2000, 12, 31)),
    days=st.one_of(st.none(), st.integers(1, 90)),
    children=st.integers(1, 4),
    case=st.sampled_from(["normal", "caesarean_or_premature", "twins", "twins_caesarean"]),
    early=st.integers(0, 120),
)
def test_every_worksheet_adds_up(history, sex, born, days, children, case, early):
    end = (history[-1].month + 1) if history else Month(2026, 1)
    age = retirement_age(born, sex)
    table = current_coefficients().on(date(2026, 1, 1))
    sheets = [
        one_time_withdrawal(history, computed_on=date(2026, 1, 1), table=table),
        pension(
            history,
            sex=sex,
            date_of_birth=born,
            retire_month=age.reached + 1 - early,
            early_months_allowed=early,
            table=table,
        ),
        sickness(history, leave_month=end, days=days),
        unemployment(history, termination_month=max(end, Month(2019, 1))),
    ]
    birth = max(end, Month(2019, 7))
    sheets += [
        maternity(history, birth_month=birth, children=children),
        paternity_leave(history, birth_month=birth, case=case, children=children),
    ]
    for sheet in sheets:
        assert arithmetic_errors(sheet) == [], (sheet.benefit, arithmetic_errors(sheet))
        assert sheet.result >= 0
        assert bool(sheet.result) <= sheet.eligible
