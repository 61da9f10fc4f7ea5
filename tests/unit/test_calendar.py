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


def test_a_receipt_counts_working_days_from_the_day_it_was_filed_in_vietnam():
    """Filed at 00:47 on Wednesday 02/12 in Hà Nội (still Tuesday 01/12 in UTC): five working days is 09/12."""
    from datetime import UTC, datetime

    from esibook.transactions.calendar import due_date

    assert due_date(datetime(2026, 12, 1, 17, 47, tzinfo=UTC), 5) == date(2026, 12, 9)
    # 23:30 on Friday 04/12 in Vietnam is 16:30 UTC the same Friday: the count starts on Monday 07/12.
    assert due_date(datetime(2026, 12, 4, 16, 30, tzinfo=UTC), 1) == date(2026, 12, 7)
    # 06:59 on Saturday 05/12 in Vietnam is still Friday 23:59 in UTC: filed on Saturday, counted from Monday.
    assert due_date(datetime(2026, 12, 4, 23, 59, tzinfo=UTC), 1) == date(2026, 12, 7)


def test_vietnam_today_is_vietnams_date_whatever_the_servers_zone():
    from datetime import UTC, datetime

    from esibook.dates import in_vietnam, vietnam_day

    assert vietnam_day(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)
    assert vietnam_day(datetime(2026, 12, 31, 16, 59)) == date(2026, 12, 31)  # naive: UTC, as the database returns it
    assert in_vietnam(datetime(2026, 6, 1, 0, 0, tzinfo=UTC)).hour == 7


def test_no_code_or_test_takes_the_machines_date():
    """Days are Vietnam's (``vietnam_today``): between 17:00 and 24:00 UTC the machine's date is still yesterday in
    Hà Nội, so a test that took ``date.today()`` would offer the server a date already past."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    machine_date = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\bdatetime\.today\(\)")
    found = [f"{path.relative_to(root)}:{number}"
             for folder in ("src", "tests", "benchmarks", "scripts")
             for path in (root / folder).rglob("*.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if machine_date.search(line) and path.name != "test_calendar.py"]
    assert found == []
