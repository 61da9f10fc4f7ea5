"""Working days skip weekends and public holidays (dated data)."""

from __future__ import annotations

from datetime import date

from esibook.transactions.calendar import add_working_days, is_working_day


def test_a_friday_filing_with_five_working_days_is_due_the_next_friday():
    assert add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)


def test_tet_2026_is_skipped():
    assert not is_working_day(date(2026, 2, 17))
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_national_day_and_weekend_are_skipped():
    assert add_working_days(date(2026, 8, 28), 2) == date(2026, 9, 3)  # Mon 31/8, then Thu 3/9
