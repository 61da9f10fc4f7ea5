"""Back pay of a pension (truy lĩnh) worked by hand: the months from the first month of pension to the run's month
not yet paid are paid in that run, one line a month, the lump sum with the first month; a month paid is never paid
again; and the pensioner's HI card (HT), renewed by the run before it ends."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from esibook.benefits.payouts import PayoutLine, card_renewal, lines_due
from esibook.periods import Month


def test_a_pension_from_september_approved_in_december_is_paid_four_lines_in_the_december_run():
    """First month 2026-09, nothing paid; the run for 2026-12 pays 09, 10, 11 as back pay and 12 as the month.
    Monthly 6,000,000; lump sum 15,000,000 with the first month.
    Back pay = 3 × 6,000,000 = 18,000,000; with December 4 × 6,000,000 = 24,000,000; + 15,000,000 = 39,000,000."""
    lines = lines_due(Month(2026, 9), Month(2026, 12), set(), monthly=6_000_000, lump_sum=15_000_000)
    assert lines == [
        PayoutLine(Month(2026, 9), 6_000_000, 15_000_000, True),
        PayoutLine(Month(2026, 10), 6_000_000, 0, True),
        PayoutLine(Month(2026, 11), 6_000_000, 0, True),
        PayoutLine(Month(2026, 12), 6_000_000, 0, False),
    ]
    assert sum(line.amount for line in lines if line.back_pay) == 18_000_000
    assert sum(line.amount + line.lump_sum for line in lines) == 39_000_000


def test_back_pay_across_a_year_skips_the_months_already_paid():
    """First month 2026-11; 2026-11 was paid, 2026-12 was held (not paid). The run for 2027-01 pays 2026-12 as back
    pay and 2027-01: 2 × 5,200,000 = 10,400,000; the lump sum went with November, not again."""
    lines = lines_due(Month(2026, 11), Month(2027, 1), {Month(2026, 11)}, monthly=5_200_000, lump_sum=9_000_000)
    assert [(str(line.month), line.back_pay, line.lump_sum) for line in lines] == [
        ("2026-12", True, 0), ("2027-01", False, 0)]
    assert sum(line.amount for line in lines) == 10_400_000


def test_a_run_before_the_first_month_pays_nothing():
    assert lines_due(Month(2027, 3), Month(2027, 2), set(), monthly=5_000_000, lump_sum=0) == []


@given(st.integers(0, 40), st.integers(0, 40), st.sets(st.integers(0, 40)))
def test_two_runs_never_pay_a_month_twice(first_index, run_index, paid_before):
    """Whatever was paid before, a month is paid in at most one run: the second run finds what the first paid."""
    first, run = Month(2025, 1) + first_index, Month(2025, 1) + run_index
    settled = {Month(2025, 1) + i for i in paid_before}
    once = lines_due(first, run, settled, monthly=1, lump_sum=0)
    again = lines_due(first, run, settled | {line.month for line in once}, monthly=1, lump_sum=0)
    assert again == [] and not {line.month for line in once} & settled
    assert all(first <= line.month <= run for line in once)


def test_the_pensioners_card_is_renewed_across_the_year_before_it_ends():
    """Card valid 2026-01-01 to 2026-12-31. The November run: the card is valid through the end of December (the
    month after November): nothing yet. The December run: the card ends before 31/01/2027 (the end of January), so
    the next card runs from 01/01/2027 for 12 months, to 31/12/2027: no day without a card."""
    assert card_renewal(date(2026, 12, 31), Month(2026, 11), 12) is None
    assert card_renewal(date(2026, 12, 31), Month(2026, 12), 12) == (date(2027, 1, 1), date(2027, 12, 31))
    assert card_renewal(date(2027, 12, 31), Month(2026, 12), 12) is None, "the December run again: none"


def test_a_lapsed_or_missing_card_starts_with_the_runs_month():
    """Card ended 31/08/2026; run for 2026-10: a card from 01/10/2026 to 30/09/2027 (12 months)."""
    assert card_renewal(date(2026, 8, 31), Month(2026, 10), 12) == (date(2026, 10, 1), date(2027, 9, 30))
    assert card_renewal(None, Month(2027, 2), 12) == (date(2027, 2, 1), date(2028, 1, 31))
