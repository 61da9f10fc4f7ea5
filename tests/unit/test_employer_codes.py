"""Employer identifiers: the unit code (mã đơn vị) and the tax code (mã số thuế)."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.employers.identifiers import (
    make_tax_code,
    make_unit_code,
    parse_tax_code,
    parse_unit_code,
    tax_check_digit,
)
from esibook.errors import InvalidIdentifier

prefixes = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2)
unit_numbers = st.integers(0, 99_999)
prefix9s = st.integers(0, 999_999_999)
branches = st.integers(1, 999)

#: Real tax codes: Viettel's, and published codes listed in python-stdnum's vn.mst tests.
PUBLISHED_TAX_CODES = [
    "0100109106",
    "0100233488",
    "0100112437",
    "0101245486",
    "0314409058-002",
    "0312687878-001",
    "2000102580",
    "2000102580-005",
    "1300440846-008",
    "3700635642",
    "5900705097",
    "8463763902",
]


def unit_rejection(value) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_unit_code(value)
    assert caught.value.code == "unit_code.format"
    assert caught.value.field == "unit_code"
    return caught.value


def tax_rejection(value) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_tax_code(value)
    assert caught.value.field == "tax_code"
    return caught.value


# --- unit code ----------------------------------------------------------------------------------------------


def test_unit_code_examples():
    assert parse_unit_code("TA00123") == "TA00123"
    assert parse_unit_code(" ta00123 ") == "TA00123"
    assert make_unit_code("TA", 123) == "TA00123"


@pytest.mark.parametrize("value", ["TA0012", "TA001234", ""])
def test_unit_code_length(value):
    error = unit_rejection(value)
    assert "7 characters" in error.message_en
    assert "7 ký tự" in error.message_vi


@pytest.mark.parametrize(
    ("value", "position", "char", "want"),
    [
        ("1A00123", 1, "1", "letter"),
        ("T-00123", 2, "-", "letter"),
        ("TAX0123", 3, "X", "digit"),
        ("TA0012Z", 7, "Z", "digit"),
    ],
)
def test_unit_code_names_the_wrong_position(value, position, char, want):
    error = unit_rejection(value)
    assert f"character {position} of the unit code ('{char}') must be a {want}" in error.message_en
    assert f"ký tự thứ {position} của mã đơn vị ('{char}')" in error.message_vi


def test_make_unit_code_rejects_bad_parts():
    with pytest.raises(InvalidIdentifier) as caught:
        make_unit_code("TA", 100_000)
    assert caught.value.code == "unit_code.format"
    with pytest.raises(InvalidIdentifier) as caught:
        make_unit_code("T1", 5)
    assert "character 2" in caught.value.message_en


@given(prefixes, unit_numbers)
def test_unit_code_round_trips(prefix, number):
    code = make_unit_code(prefix, number)
    assert parse_unit_code(code) == code
    assert parse_unit_code(code.lower()) == code
    assert (code[:2], int(code[2:])) == (prefix, number)


# --- tax code: examples -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", PUBLISHED_TAX_CODES)
def test_published_tax_codes_are_valid(value):
    assert parse_tax_code(value).normalized == value


def test_viettel_check_digit_by_hand():
    # 0*31 + 1*29 + 0*23 + 0*19 + 1*17 + 0*13 + 9*7 + 1*5 + 0*3 = 114; 114 mod 11 = 4; 10 - 4 = 6
    assert tax_check_digit("010010910") == 6
    assert make_tax_code(10010910) == "0100109106"


def test_tax_code_parts():
    head = parse_tax_code("0100109106")
    assert (head.base10, head.branch, head.normalized) == ("0100109106", None, "0100109106")
    assert not head.is_branch
    branch = parse_tax_code(" 0314409058002 ")
    assert (branch.base10, branch.branch, branch.normalized) == ("0314409058", "002", "0314409058-002")
    assert branch.is_branch
    assert parse_tax_code("0314409058-002") == branch


def test_wrong_check_digit_says_what_it_should_be():
    error = tax_rejection("0100233480")
    assert error.code == "tax_code.check_digit"
    assert "digit 10 of the tax code (0)" in error.message_en
    assert "it should be 8" in error.message_en
    assert "chữ số thứ 10 của mã số thuế (0)" in error.message_vi
    assert "phải là 8" in error.message_vi


def test_prefix_without_check_digit():
    prefix = next(p for p in range(10_000) if make_tax_code(p) is None)
    error = tax_rejection(f"{prefix:09d}0")
    assert error.code == "tax_code.check_digit"
    assert f"digits 1–9 of the tax code ({prefix:09d}) have no valid check digit" in error.message_en
    assert f"chữ số thứ 1–9 của mã số thuế ({prefix:09d})" in error.message_vi


def test_branch_000_is_rejected():
    error = tax_rejection("0314409058-000")
    assert error.code == "tax_code.branch"
    assert "branch suffix of the tax code (000)" in error.message_en
    assert "mã chi nhánh của mã số thuế (000)" in error.message_vi


@pytest.mark.parametrize(
    ("value", "fragment_en", "fragment_vi"),
    [
        ("01001091", "has 8 digits", "có 8 chữ số"),
        ("01001091060", "has 11 digits", "có 11 chữ số"),
        ("0100109106-01", "has 12 digits", "có 12 chữ số"),
        ("01001O9106", "character 6 of the tax code ('O')", "ký tự thứ 6 của mã số thuế ('O')"),
        ("0100109106-0A1", "character 2 of the branch suffix ('A')", "ký tự thứ 2 của mã chi nhánh ('A')"),
        ("", "has 0 digits", "có 0 chữ số"),
    ],
)
def test_tax_code_format(value, fragment_en, fragment_vi):
    error = tax_rejection(value)
    assert error.code == "tax_code.format"
    assert fragment_en in error.message_en
    assert fragment_vi in error.message_vi


def test_make_tax_code_rejects_out_of_range_prefix():
    with pytest.raises(InvalidIdentifier) as caught:
        make_tax_code(1_000_000_000)
    assert caught.value.code == "tax_code.format"


# --- tax code: properties -----------------------------------------------------------------------------------


@given(prefix9s)
def test_made_tax_codes_parse(prefix9):
    code = make_tax_code(prefix9)
    if code is None:
        for digit in range(10):
            assert tax_rejection(f"{prefix9:09d}{digit}").code == "tax_code.check_digit"
    else:
        assert code[:9] == f"{prefix9:09d}"
        assert parse_tax_code(code).normalized == code


@given(prefix9s, branches)
def test_branch_codes_round_trip(prefix9, branch):
    code = make_tax_code(prefix9)
    if code is None:
        return
    parsed = parse_tax_code(f"{code}-{branch:03d}")
    assert (parsed.base10, parsed.branch) == (code, f"{branch:03d}")
    assert parse_tax_code(f"{code}{branch:03d}") == parsed


@given(prefix9s, st.integers(1, 9))
def test_a_wrong_check_digit_is_always_rejected(prefix9, shift):
    code = make_tax_code(prefix9)
    if code is None:
        return
    wrong = code[:9] + str((int(code[9]) + shift) % 10)
    error = tax_rejection(wrong)
    assert error.code == "tax_code.check_digit"
    assert f"it should be {code[9]}" in error.message_en


@given(prefix9s, st.integers(0, 8), st.integers(1, 9))
def test_a_single_changed_digit_in_1_to_9_is_always_rejected(prefix9, index, shift):
    # no weight is a multiple of 11 and a digit changes by at most 9, so the weighted sum changes mod 11
    code = make_tax_code(prefix9)
    if code is None:
        return
    changed = code[:index] + str((int(code[index]) + shift) % 10) + code[index + 1 :]
    assert tax_rejection(changed).code == "tax_code.check_digit"
