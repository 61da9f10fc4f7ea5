"""Monthly dues worked by hand (MISSION.md §4, 2026 values): at the floor, in the middle, above the SI cap and
above the UI cap. Employer 14 + 3 + 0.5 + 1 + 3 = 21.5%, employee 8 + 1 + 1.5 = 10.5%."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from esibook.contributions.dues import FUNDS, employee_dues, voluntary_dues
from esibook.periods import Month

NOV_2026 = Month(2026, 11)


def test_a_salary_below_the_region_i_minimum_is_raised_to_it():
    """Declared 4,000,000 in region I (minimum 5,310,000 from 2026-01-01): basis 5,310,000.
    14% = 743,400 · 8% = 424,800 · 3% = 159,300 · 0.5% = 26,550 · 1% = 53,100 (each side) · 3% = 159,300 ·
    1.5% = 79,650. Employer 1,141,650 + employee 557,550 = 1,699,200 (32% of 5,310,000)."""
    dues = employee_dues(4_000_000, NOV_2026, 1)
    assert (dues.salary_basis, dues.ui_basis) == (5_310_000, 5_310_000)
    assert dues.funds() == {
        "retirement_employer": 743_400,
        "retirement_employee": 424_800,
        "sickness_employer": 159_300,
        "oad_employer": 26_550,
        "ui_employer": 53_100,
        "ui_employee": 53_100,
        "hi_employer": 159_300,
        "hi_employee": 79_650,
    }
    assert (dues.employer_share, dues.employee_share, dues.total) == (1_141_650, 557_550, 1_699_200)


def test_a_middle_salary_pays_32_percent():
    """15,000,000 in region II: 2,100,000 + 450,000 + 75,000 + 150,000 + 450,000 = 3,225,000 for the employer,
    1,200,000 + 150,000 + 225,000 = 1,575,000 for the employee, 4,800,000 in all."""
    dues = employee_dues(15_000_000, NOV_2026, 2)
    assert dues.salary_basis == dues.ui_basis == 15_000_000
    assert (dues.employer_share, dues.employee_share, dues.total) == (3_225_000, 1_575_000, 4_800_000)


def test_above_the_cap_si_and_hi_stop_at_20_reference_levels_but_ui_does_not():
    """80,000,000 in region I, November 2026: SI/HI basis 20 × 2,530,000 = 50,600,000; UI basis stays 80,000,000
    (its cap is 20 × 5,310,000 = 106,200,000). 14% = 7,084,000 · 8% = 4,048,000 · 3% = 1,518,000 ·
    0.5% = 253,000 · UI 1% = 800,000 each · HI 3% = 1,518,000 · 1.5% = 759,000.
    Employer 11,173,000 + employee 5,607,000 = 16,780,000."""
    dues = employee_dues(80_000_000, NOV_2026, 1)
    assert (dues.salary_basis, dues.ui_basis) == (50_600_000, 80_000_000)
    assert (dues.retirement_employer, dues.ui_employee, dues.hi_employee) == (7_084_000, 800_000, 759_000)
    assert (dues.employer_share, dues.employee_share, dues.total) == (11_173_000, 5_607_000, 16_780_000)


def test_the_ui_cap_is_20_regional_minimum_wages_and_the_reference_level_is_looked_up_by_month():
    """120,000,000 in region I: UI basis 106,200,000 → 1,062,000 each side. In June 2026 the reference level was
    still 2,340,000, so the SI cap was 46,800,000."""
    assert employee_dues(120_000_000, NOV_2026, 1).ui_basis == 106_200_000
    assert employee_dues(120_000_000, NOV_2026, 1).ui_employer == 1_062_000
    june = employee_dues(120_000_000, Month(2026, 6), 1)
    assert june.salary_basis == 46_800_000 and june.parameters_version


def test_rounding_is_half_up_to_the_dong_and_the_reduced_oad_rate_applies():
    """7,777,777 × 0.5% = 38,888.885 → 38,889; with the reduced 0.3%: 23,333.331 → 23,333."""
    assert employee_dues(7_777_777, NOV_2026, 1).oad_employer == 38_889
    assert employee_dues(7_777_777, NOV_2026, 1, reduced_oad=True).oad_employer == 23_333


def test_voluntary_si_is_22_percent_between_the_poverty_line_and_the_cap():
    """3,000,000 × 22% = 660,000; 1,000,000 is raised to the 1,500,000 poverty line: 330,000."""
    assert voluntary_dues(3_000_000, NOV_2026).total == 660_000
    assert voluntary_dues(1_000_000, NOV_2026).total == 330_000


@given(st.integers(min_value=1, max_value=500_000_000), st.sampled_from([1, 2, 3, 4]))
def test_the_shares_always_add_up_to_the_total(salary, region):
    dues = employee_dues(salary, NOV_2026, region)
    assert sum(dues.funds().values()) == dues.total == dues.employer_share + dues.employee_share
    assert set(dues.funds()) == set(FUNDS)


def test_voluntary_si_state_support_and_a_payment_period():
    """Income 3,000,000 in November 2026: 22% = 660,000 a month. A near-poor household gets 40% of 22% of the
    1,500,000 poverty line = 40% × 330,000 = 132,000, so pays 528,000 a month, 3,168,000 for 6 months."""
    from esibook.contributions.dues import voluntary_payment

    payment = voluntary_payment(3_000_000, NOV_2026, "near_poor", 6)
    assert (payment.monthly_contribution, payment.monthly_state_support) == (660_000, 132_000)
    assert (payment.monthly_payable, payment.payable) == (528_000, 3_168_000)
    assert voluntary_payment(3_000_000, NOV_2026, "poor", 1).monthly_state_support == 165_000


def test_amounts_are_read_as_people_and_banks_write_them_and_nothing_is_guessed():
    import pytest

    from esibook.contributions.payments import parse_amount
    from esibook.errors import DomainError

    for text_, value in [("5000000", 5_000_000), ("5.000.000", 5_000_000), ("5,000,000", 5_000_000),
                         ("5000000.00", 5_000_000), ("5.000.000,00", 5_000_000), (" 750 ", 750)]:
        assert parse_amount(text_) == value, text_
    for bad in ["abc", "5000000.50", "5.00.000", "", "-3"]:
        with pytest.raises(DomainError) as refused:
            parse_amount(bad)
        assert refused.value.code == "payment.amount"
