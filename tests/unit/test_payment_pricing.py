"""What an order costs, per term, with hand-worked figures (parameters of contributions/parameters.json)."""

from __future__ import annotations

from datetime import date

import pytest

from esibook.errors import DomainError
from esibook.payments.pricing import (
    check_ahead,
    household_amounts,
    missing_years_months,
    price_missing_years,
    voluntary_months,
)
from esibook.periods import Month


def test_three_months_across_the_2027_poverty_line_are_each_priced_with_their_own_month():
    # 2026-12: 22% of 1,500,000 = 330,000, less 20% of it (other participants) = 66,000 -> 264,000.
    # 2027-01 and -02: the floor is 2,200,000: 22% = 484,000, less 20% = 96,800 -> 387,200 each.
    priced = voluntary_months(1_500_000, "other", Month(2026, 12), 3, supported_before=0)
    assert [(p.contribution, p.support, p.payable) for p in priced] == [
        (330_000, 66_000, 264_000),
        (484_000, 96_800, 387_200),
        (484_000, 96_800, 387_200),
    ]
    assert sum(p.payable for p in priced) == 1_038_400


def test_a_year_for_a_poor_household_member():
    # 22% of 3,000,000 = 660,000; support 50% of 22% of 1,500,000 = 165,000; 495,000 × 12 = 5,940,000.
    priced = voluntary_months(3_000_000, "poor", Month(2026, 1), 12, supported_before=0)
    assert {p.payable for p in priced} == {495_000}
    assert sum(p.payable for p in priced) == 5_940_000


def test_monthly_payment():
    priced = voluntary_months(1_500_000, "other", Month(2026, 11), 1, supported_before=0)
    assert [p.payable for p in priced] == [264_000]


def test_the_120_month_limit_runs_out_inside_an_order():
    # 119 months supported before: the first month keeps the support, the next two are paid in full.
    priced = voluntary_months(1_500_000, "other", Month(2026, 12), 3, supported_before=119)
    assert [p.payable for p in priced] == [264_000, 484_000, 484_000]


def test_five_years_in_advance_is_sixty_months():
    priced = voluntary_months(2_200_000, "other", Month(2027, 1), 60, supported_before=0)
    assert len(priced) == 60 and priced[-1].month == Month(2031, 12)
    assert sum(p.payable for p in priced) == 60 * 387_200


@pytest.mark.parametrize("months", [0, 2, 5, 13, 61])
def test_a_term_the_law_does_not_know_is_refused(months):
    with pytest.raises(DomainError) as refused:
        voluntary_months(1_500_000, "other", Month(2026, 12), months, supported_before=0)
    assert refused.value.code == "payments.term"


def test_more_than_sixty_months_ahead_is_refused():
    check_ahead(Month(2027, 1), 60, Month(2026, 12))
    with pytest.raises(DomainError) as refused:
        check_ahead(Month(2027, 2), 60, Month(2026, 12))
    assert refused.value.code == "payments.too_far_ahead"


def test_household_members_pay_by_their_place_in_the_list():
    # Reference level 2,530,000 from 2026-07: 4.5% = 113,850; the 2nd 70% = 79,695; the 3rd 60% = 68,310.
    rows = household_amounts([Month(2026, 12)] * 3, 3)
    assert [(r["monthly"], r["amount"]) for r in rows] == [(113_850, 341_550), (79_695, 239_085), (68_310, 204_930)]
    assert sum(r["amount"] for r in rows) == 785_565
    with pytest.raises(DomainError):
        household_amounts([Month(2026, 12)], 1)


def refused(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_the_missing_years_at_retirement_age_are_the_months_to_fifteen_years_at_most_five_years():
    # From 2025-07-01 (Law 41/2024 Art. 36(2)(e)): a pension needs 15 years = 180 months; at most 60 may be missing.
    # 12 years 6 months contributed = 150 months: 180 - 150 = 30 months missing, allowed.
    assert missing_years_months(150, at_retirement_age=True, on=date(2026, 12, 2)) == 30
    # 120 months: 180 - 120 = 60, exactly the limit, allowed.
    assert missing_years_months(120, at_retirement_age=True, on=date(2026, 12, 2)) == 60
    # 119 months: 180 - 119 = 61 > 60: refused.
    assert refused(lambda: missing_years_months(119, at_retirement_age=True, on=date(2026, 12, 2))) == (
        "payments.missing_years_too_many")
    # 180 months: nothing missing.
    assert refused(lambda: missing_years_months(180, at_retirement_age=True, on=date(2026, 12, 2))) == (
        "payments.missing_years_none")
    # Before the retirement age: not allowed, whatever is missing.
    assert refused(lambda: missing_years_months(150, at_retirement_age=False, on=date(2026, 12, 2))) == (
        "payments.missing_years_not_retired")


def test_before_july_2025_the_missing_years_were_up_to_ten_to_reach_twenty_years():
    # Decree 134/2015 Art. 9(1)(e): 20 years = 240 months, at most 120 missing. 150 months: 240 - 150 = 90, allowed;
    # 119 months: 240 - 119 = 121 > 120, refused.
    assert missing_years_months(150, at_retirement_age=True, on=date(2025, 6, 30)) == 90
    assert refused(lambda: missing_years_months(119, at_retirement_age=True, on=date(2025, 6, 30))) == (
        "payments.missing_years_too_many")


def test_paying_once_for_the_missing_years_is_refused_unpriced_rather_than_guessed():
    assert refused(lambda: price_missing_years(30)) == "payments.missing_years_unpriced"
