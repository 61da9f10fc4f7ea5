"""One parser for every amount a person types."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.money import MAX_VND, parse_vnd


@pytest.mark.parametrize(
    "text",
    ["5310000", "5.310.000", "5,310,000", "5 310 000", "5310000.0", "5310000.00", "5.310.000 đ", "5,310,000 VND",
     "5.310.000₫", " 5310000 ", "5\u00a0310\u00a0000 đồng"],
)
def test_the_usual_ways_of_writing_an_amount(text):
    assert parse_vnd(text) == 5_310_000


@pytest.mark.parametrize(
    "text",
    ["", "abc", "-5000", "5.310,000", "5,31", "5.3", "53.10.000", "5310000.5", "²", "٥٣١٠", "1.2.3", "5,310.000",
     "1" * 20, None, True],
)
def test_anything_else_is_refused_not_guessed(text):
    assert parse_vnd(text) is None


def test_small_groups_and_plain_numbers():
    assert parse_vnd("999") == 999 and parse_vnd("1.000") == 1000 and parse_vnd("0") == 0
    assert parse_vnd(42) == 42 and parse_vnd(MAX_VND + 1) is None
    assert parse_vnd("1,000.00") == 1000 and parse_vnd("1.000,00") == 1000 and parse_vnd("5.310.00") is None


@given(st.integers(min_value=0, max_value=MAX_VND))
def test_every_amount_read_back_from_its_vietnamese_and_english_spelling(amount):
    assert parse_vnd(f"{amount:,}") == amount
    assert parse_vnd(f"{amount:,}".replace(",", ".")) == amount
    assert parse_vnd(str(amount)) == amount
