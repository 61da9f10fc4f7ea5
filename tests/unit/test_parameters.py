"""Dated parameters are looked up by the date that matters; shares round once, half up."""

from __future__ import annotations

import pytest

from esibook.contributions.parameters import current_parameters, share
from esibook.errors import DomainError
from esibook.periods import Month


@pytest.mark.parametrize(
    "month, reference, region_i",
    [
        (Month(2024, 6), 1_800_000, 4_680_000),
        (Month(2024, 7), 2_340_000, 4_960_000),
        (Month(2025, 12), 2_340_000, 4_960_000),
        (Month(2026, 1), 2_340_000, 5_310_000),
        (Month(2026, 7), 2_530_000, 5_310_000),
    ],
)
def test_reference_level_and_minimum_wage_change_on_their_effective_dates(month, reference, region_i):
    p = current_parameters().for_month(month)
    assert p.reference_level == reference
    assert p.regional_minimum_wage[1] == region_i
    assert p.si_cap == 20 * reference
    assert p.ui_cap[1] == 20 * region_i


@pytest.mark.parametrize(
    "month, reference, region_i, oad",
    [
        (Month(2016, 1), 1_150_000, 3_500_000, 100),
        (Month(2016, 5), 1_210_000, 3_500_000, 100),
        (Month(2017, 6), 1_210_000, 3_750_000, 50),
        (Month(2017, 7), 1_300_000, 3_750_000, 50),
        (Month(2018, 7), 1_390_000, 3_980_000, 50),
        (Month(2019, 7), 1_490_000, 4_180_000, 50),
    ],
)
def test_months_from_2016_are_priced_by_the_values_then_in_force(month, reference, region_i, oad):
    """Base salaries of Decrees 66/2013, 47/2016, 47/2017, 72/2018, 38/2019; minimum wages of Decrees 122/2015,
    153/2016, 141/2017, 157/2018; OAD 1% until Decree 44/2017 made it 0.5% from 2017-06-01."""
    p = current_parameters().for_month(month)
    assert (p.reference_level, p.regional_minimum_wage[1], p.rates.oad_employer) == (reference, region_i, oad)
    assert p.rates.retirement_employer == 1400 and p.rates.retirement_employee == 800
    assert p.voluntary_support_percent["poor"] == (0 if month < Month(2018, 1) else 30), "support from 2018"


def test_the_first_priced_month_is_when_the_2014_law_took_effect():
    assert current_parameters().first_month() == Month(2016, 1)
    with pytest.raises(DomainError):
        current_parameters().for_month(Month(2015, 12))


def test_2026_rates_total_21_5_and_10_5_percent():
    r = current_parameters().for_month(Month(2026, 1)).rates
    employer = r.retirement_employer + r.sickness_employer + r.oad_employer + r.ui_employer + r.hi_employer
    employee = r.retirement_employee + r.ui_employee + r.hi_employee
    assert (employer, employee) == (2150, 1050)
    assert r.oad_employer_reduced == 30 and r.voluntary_retirement == 2200


def test_employer_ui_was_zero_under_resolution_116():
    assert current_parameters().for_month(Month(2022, 3)).rates.ui_employer == 0
    assert current_parameters().for_month(Month(2022, 10)).rates.ui_employer == 100


def test_months_before_the_first_parameter_are_refused():
    with pytest.raises(DomainError) as error:
        current_parameters().for_month(Month(2010, 1))
    assert error.value.code == "parameters.before_first"


@pytest.mark.parametrize(
    "basis, bp, expected",
    [
        (5_310_000, 800, 424_800),
        (50_600_000, 1400, 7_084_000),
        (4_141_250, 150, 62_119),
        (3, 5000, 2),
        (1, 4999, 0),
    ],
)
def test_share_rounds_half_up_to_the_dong(basis, bp, expected):
    assert share(basis, bp) == expected


def test_every_month_the_seeder_accepts_has_parameters():
    parameters = current_parameters()
    for month in Month.range(parameters.first_month(), Month(2027, 12)):
        assert parameters.for_month(month).rural_poverty_line in (700_000, 1_500_000, 2_200_000)
