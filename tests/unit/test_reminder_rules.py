"""When each reminder is due, with hand-picked dates (esibook.reminders.rules)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from esibook.periods import Month
from esibook.reminders import rules
from esibook.reminders.rules import VoluntaryDue, card_ending, needs_info_due, owed_months, voluntary_due

# --- HI card ending ---------------------------------------------------------------------------------------------


def test_a_card_ending_in_30_days_is_reminded_and_one_ending_in_31_is_not_yet():
    valid_to = date(2026, 12, 31)
    assert card_ending(valid_to, date(2026, 12, 1), covered_until=valid_to)  # 30 days before: the first day
    assert not card_ending(valid_to, date(2026, 11, 30), covered_until=valid_to)  # 31 days before
    assert card_ending(valid_to, date(2026, 12, 31), covered_until=valid_to)  # its last day
    assert not card_ending(valid_to, date(2027, 1, 1), covered_until=valid_to)  # ended: nothing to remind


def test_a_card_already_continued_by_a_later_one_is_not_reminded():
    assert not card_ending(date(2026, 12, 31), date(2026, 12, 10), covered_until=date(2027, 12, 31))
    assert card_ending(date(2026, 12, 31), date(2026, 12, 10), covered_until=None)


def test_a_household_card_is_its_own_kind():
    assert rules.card_kind("GD") == rules.HOUSEHOLD_HI
    assert rules.card_kind("DN") == rules.HI_CARD


# --- voluntary SI due -------------------------------------------------------------------------------------------


def test_a_quarterly_registration_reminds_of_the_next_quarter_a_week_before_it_begins():
    # registered from 2026-10, every 3 months, October–December paid: the next period is January–March 2027
    start, paid = Month(2026, 10), Month(2026, 12)
    assert voluntary_due(start, 3, paid, date(2026, 12, 24)) is None  # 8 days before 1 January
    due = voluntary_due(start, 3, paid, date(2026, 12, 25))  # 7 days before
    assert due == VoluntaryDue(Month(2027, 1), 3, date(2027, 1, 31))
    assert due.subject_key == "2027-01:3"
    assert voluntary_due(start, 3, paid, date(2027, 3, 31)) == due  # still unpaid on the period's last day
    assert voluntary_due(start, 3, paid, date(2027, 4, 1)) is None  # the period is over: late months show in the book


def test_a_period_partly_paid_is_still_the_one_due():
    # every 6 months from 2026-07: July–September paid, so July–December is still the period to complete
    due = voluntary_due(Month(2026, 7), 6, Month(2026, 9), date(2026, 10, 5))
    assert due == VoluntaryDue(Month(2026, 7), 6, date(2026, 7, 31))


def test_nothing_paid_yet_reminds_of_the_first_month():
    due = voluntary_due(Month(2027, 1), 1, None, date(2026, 12, 28))
    assert due == VoluntaryDue(Month(2027, 1), 1, date(2027, 1, 31))


def test_paid_in_advance_reminds_of_nothing():
    # monthly from 2026-01, paid through 2027-06: on 2026-12-20 the next month to pay (2027-07) is far off
    assert voluntary_due(Month(2026, 1), 1, Month(2027, 6), date(2026, 12, 20)) is None


def test_an_ended_registration_reminds_of_nothing_after_its_last_month_and_a_short_last_period():
    assert voluntary_due(Month(2026, 1), 3, Month(2026, 12), date(2026, 12, 28), to_month=Month(2026, 12)) is None
    due = voluntary_due(Month(2026, 1), 12, Month(2026, 12), date(2026, 12, 28), to_month=Month(2027, 2))
    assert due == VoluntaryDue(Month(2027, 1), 2, date(2027, 1, 31))


def test_an_unknown_term_counts_as_monthly():
    assert voluntary_due(Month(2026, 12), 5, None, date(2026, 12, 3)).months == 1


# --- unpaid months at the employer ------------------------------------------------------------------------------


def test_a_month_is_owed_once_its_due_date_has_passed():
    # November 2026 is due by 31 December 2026
    months = [Month(2026, 10), Month(2026, 11)]
    assert owed_months(months, date(2026, 12, 31)) == [Month(2026, 10)]
    assert owed_months(months, date(2027, 1, 1)) == [Month(2026, 10), Month(2026, 11)]
    assert rules.employer_subject_key(7, [Month(2026, 10), Month(2026, 11)]) == "7:2026-11"


def test_nothing_is_owed_before_the_first_due_date():
    assert owed_months([Month(2026, 11)], date(2026, 12, 15)) == []


# --- dossier needing more information ---------------------------------------------------------------------------


def test_a_request_for_more_information_is_reminded_three_days_after():
    assert not needs_info_due(date(2026, 12, 1), date(2026, 12, 3))
    assert needs_info_due(date(2026, 12, 1), date(2026, 12, 4))


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=-60, max_value=60),
)
def test_a_card_is_reminded_exactly_in_the_30_days_up_to_its_end(valid_to, offset):
    as_of = valid_to - timedelta(days=offset)
    assert card_ending(valid_to, as_of, covered_until=None) == (0 <= offset <= rules.CARD_LEAD_DAYS)


@given(
    st.integers(min_value=2000, max_value=2080),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(rules.TERMS),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=-20, max_value=400),
)
def test_the_period_due_always_holds_the_first_unpaid_month(year, month, term, paid_count, day_offset):
    start = Month(year, month)
    last_paid = start + (paid_count - 1) if paid_count else None
    as_of = start.first_day() + timedelta(days=day_offset)
    due = voluntary_due(start, term, last_paid, as_of)
    next_unpaid = start + paid_count
    if due is not None:
        assert due.first_month <= next_unpaid < due.first_month + term
        assert (due.first_month - start) % term == 0
        assert due.first_month.first_day() - timedelta(days=rules.VOLUNTARY_LEAD_DAYS) <= as_of


def test_an_employees_card_is_renewed_by_the_employer_and_a_pensioners_by_the_agency():
    """Every employee's card ends on 31 December: the employer renews it, so only someone who left is reminded."""
    valid_to, as_of = date(2026, 12, 31), date(2026, 12, 1)
    assert not card_ending(valid_to, as_of, covered_until=valid_to, group="DN", employed=True)
    assert card_ending(valid_to, as_of, covered_until=valid_to, group="DN", employed=False)
    assert not card_ending(valid_to, as_of, covered_until=valid_to, group="HT")
    assert card_ending(valid_to, as_of, covered_until=valid_to, group="TE")  # a child turning 6 needs new cover
