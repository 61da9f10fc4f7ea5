"""Months: reading, writing, days and arithmetic."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.errors import InvalidIdentifier
from esibook.periods import Month

months = st.builds(Month, st.integers(1900, 2200), st.integers(1, 12))
shifts = st.integers(-1200, 1200)


# --- examples -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-01", "01/2026", "202601", "  2026-01 "])
def test_parse_accepts_the_three_forms(text):
    assert Month.parse(text) == Month(2026, 1)


def test_written_forms():
    month = Month(2026, 1)
    assert str(month) == "2026-01"
    assert month.as_int() == 202601
    assert Month.from_int(202601) == month
    assert Month.from_date(date(2026, 1, 31)) == month


def test_days():
    assert Month(2026, 1).first_day() == date(2026, 1, 1)
    assert Month(2026, 1).last_day() == date(2026, 1, 31)
    assert Month(2024, 2).last_day() == date(2024, 2, 29)
    assert Month(2025, 2).last_day() == date(2025, 2, 28)


def test_arithmetic_examples():
    assert Month(2026, 1) + 1 == Month(2026, 2)
    assert 12 + Month(2026, 1) == Month(2027, 1)
    assert Month(2026, 1) - 1 == Month(2025, 12)
    assert Month(2026, 3) - Month(2025, 12) == 3
    assert list(Month.range(Month(2025, 11), Month(2026, 2))) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert list(Month.range(Month(2026, 2), Month(2026, 1))) == []


def test_months_are_ordered_and_hashable():
    assert Month(2025, 12) < Month(2026, 1) < Month(2026, 2)
    assert len({Month(2026, 1), Month.parse("01/2026"), Month.from_int(202601)}) == 1


@pytest.mark.parametrize("text", ["2026/01", "Jan 2026", "2026-1", "", "20261", "2026-01-01", "1/2026x"])
def test_bad_shapes_are_month_format(text):
    with pytest.raises(InvalidIdentifier) as caught:
        Month.parse(text)
    assert caught.value.code == "month.format"
    assert "YYYY-MM" in caught.value.message_en
    assert "không đúng dạng" in caught.value.message_vi


@pytest.mark.parametrize("text", ["2026-13", "13/2026", "202600", "00/2026"])
def test_month_number_out_of_range(text):
    with pytest.raises(InvalidIdentifier) as caught:
        Month.parse(text)
    assert caught.value.code == "month.range"
    assert "month number" in caught.value.message_en
    assert "số tháng" in caught.value.message_vi


def test_year_zero_is_month_range():
    with pytest.raises(InvalidIdentifier) as caught:
        Month.parse("0000-05")
    assert caught.value.code == "month.range"
    assert "year 0" in caught.value.message_en
    assert "năm 0" in caught.value.message_vi


@pytest.mark.parametrize("value", [202613, 202600, 99])
def test_from_int_rejects_bad_months(value):
    with pytest.raises(InvalidIdentifier) as caught:
        Month.from_int(value)
    assert caught.value.code == "month.range"


def test_constructor_rejects_bad_month():
    with pytest.raises(InvalidIdentifier) as caught:
        Month(2026, 0)
    assert caught.value.code == "month.range"


def test_field_is_reported():
    with pytest.raises(InvalidIdentifier) as caught:
        Month.parse("x", field="period_from")
    assert caught.value.field == "period_from"


# --- laws ---------------------------------------------------------------------------------------------------


@given(months)
def test_every_written_form_reads_back(month):
    assert Month.parse(str(month)) == month
    assert Month.parse(f"{month.month:02d}/{month.year}") == month
    assert Month.parse(str(month.as_int())) == month
    assert Month.from_int(month.as_int()) == month


@given(months, shifts)
def test_adding_then_subtracting_is_identity(month, k):
    assert (month + k) - k == month
    assert (month + k) - month == k
    assert k + month == month + k


@given(months, shifts, shifts)
def test_addition_is_associative(month, a, b):
    assert (month + a) + b == month + (a + b)


@given(months, months)
def test_difference_agrees_with_order(a, b):
    assert (a < b) == (b - a > 0)
    assert (a == b) == (b - a == 0)
    assert a - b == -(b - a)
    assert a + (b - a) == b


@given(months, st.integers(0, 48))
def test_range_is_inclusive_and_consecutive(start, length):
    end = start + length
    got = list(Month.range(start, end))
    assert len(got) == end - start + 1
    assert got[0] == start and got[-1] == end
    assert all(later - earlier == 1 for earlier, later in zip(got, got[1:], strict=False))


@given(months)
def test_days_bound_the_month(month):
    assert Month.from_date(month.first_day()) == month
    assert Month.from_date(month.last_day()) == month
    assert Month.from_date(month.last_day() + timedelta(days=1)) == month + 1
    assert Month.from_date(month.first_day() - timedelta(days=1)) == month - 1


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_a_day_falls_in_its_month(day):
    month = Month.from_date(day)
    assert month.first_day() <= day <= month.last_day()
