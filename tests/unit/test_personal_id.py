"""The 12-digit personal identification number (số định danh cá nhân) and the legacy 10-digit SI code."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.errors import InvalidIdentifier
from esibook.people.identifiers import (
    PROVINCES,
    Sex,
    make_personal_id,
    mask_personal_id,
    parse_legacy_si_code,
    parse_personal_id,
)

provinces = st.sampled_from(sorted(PROVINCES))
birth_dates = st.dates(date(1900, 1, 1), date(2299, 12, 31))
sexes = st.sampled_from(list(Sex))
serials = st.integers(0, 999_999)


def rejection(value, **person) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_personal_id(value, **person)
    return caught.value


# --- the table and the examples -----------------------------------------------------------------------------


def test_63_provinces():
    assert len(PROVINCES) == 63
    assert PROVINCES["001"] == "Hà Nội"
    assert PROVINCES["079"] == "Hồ Chí Minh"
    assert PROVINCES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCES)


def test_parse_reads_every_part():
    person = parse_personal_id(" 079185004567 ")
    assert person.number == "079185004567"
    assert person.province_code == "079"
    assert person.province_name == "Hồ Chí Minh"
    assert person.century == 1900
    assert person.sex is Sex.FEMALE
    assert person.birth_year_2digits == 85
    assert person.birth_year == 1985
    assert person.serial == 4567


def test_digit_4_table():
    assert [parse_personal_id(f"001{d}00000000").century for d in range(8)] == [
        1900,
        1900,
        2000,
        2000,
        2100,
        2100,
        2200,
        2200,
    ]
    assert [parse_personal_id(f"001{d}00000000").sex for d in range(8)] == [Sex.MALE, Sex.FEMALE] * 4


def test_make_personal_id_example():
    assert make_personal_id("001", date(2003, 7, 9), Sex.MALE, 123) == "001203000123"
    assert make_personal_id("079", date(1985, 3, 2), "female", 4567) == "079185004567"


def test_person_who_agrees_is_accepted():
    assert parse_personal_id("079185004567", date_of_birth=date(1985, 3, 2), sex="female").sex is Sex.FEMALE
    assert parse_personal_id("079185004567", sex="nữ").sex is Sex.FEMALE


# --- errors, each naming the part that is wrong -------------------------------------------------------------


def test_mission_example_digit_4_says_female_1900s_person_is_male():
    error = rejection("001185012345", date_of_birth=date(1985, 1, 1), sex=Sex.MALE)
    assert error.code == "personal_id.sex_century_mismatch"
    assert error.message_en == (
        "digit 4 of the personal ID number (1) says female, born in the 1900s; the person is male"
    )
    assert error.message_vi == (
        "chữ số thứ 4 của số định danh cá nhân (1) cho biết nữ, sinh thế kỷ 20; người này là nam"
    )
    assert error.field == "personal_id"


def test_century_mismatch_names_the_birth_year():
    error = rejection("001085012345", date_of_birth=date(2085, 1, 1), sex="male")
    assert error.code == "personal_id.sex_century_mismatch"
    assert "born in 2085 (the 2000s)" in error.message_en
    assert "is male" not in error.message_en
    assert "sinh năm 2085 (thế kỷ 21)" in error.message_vi


def test_both_sex_and_century_mismatch_are_named():
    error = rejection("001185012345", date_of_birth=date(2005, 1, 1), sex="male")
    assert error.code == "personal_id.sex_century_mismatch"
    assert "the person is male and was born in 2005" in error.message_en
    assert "người này là nam và sinh năm 2005" in error.message_vi


def test_sex_alone_is_checked():
    error = rejection("001185012345", sex="male")
    assert error.code == "personal_id.sex_century_mismatch"
    assert error.message_en.endswith("the person is male")


def test_birth_year_mismatch_names_digits_5_6():
    error = rejection("001184012345", date_of_birth=date(1985, 1, 1))
    assert error.code == "personal_id.birth_year_mismatch"
    assert "digits 5–6 of the personal ID number (84)" in error.message_en
    assert "1985 (85)" in error.message_en
    assert "chữ số thứ 5–6 của số định danh cá nhân (84)" in error.message_vi


@pytest.mark.parametrize("value", ["07918500456", "0791850045678", "", "0791 8500 4567"])
def test_wrong_length_is_format(value):
    error = rejection(value)
    assert error.code == "personal_id.format"
    assert "12 digits" in error.message_en
    assert "12 chữ số" in error.message_vi


def test_non_digit_is_format_and_names_the_position():
    error = rejection("0791850O4567")
    assert error.code == "personal_id.format"
    assert "character 8 of the personal ID number ('O')" in error.message_en
    assert "ký tự thứ 8 của số định danh cá nhân ('O')" in error.message_vi


@pytest.mark.parametrize("code", ["000", "003", "097", "999"])
def test_unknown_province_names_the_three_digits(code):
    error = rejection(f"{code}185004567")
    assert error.code == "personal_id.province"
    assert f"digits 1–3 of the personal ID number ({code})" in error.message_en
    assert f"chữ số thứ 1–3 của số định danh cá nhân ({code})" in error.message_vi


@pytest.mark.parametrize("digit", ["8", "9"])
def test_digit_4_out_of_range(digit):
    error = rejection(f"001{digit}85004567")
    assert error.code == "personal_id.century_sex"
    assert f"digit 4 of the personal ID number ({digit}) must be 0–7" in error.message_en
    assert f"chữ số thứ 4 của số định danh cá nhân ({digit}) phải từ 0 đến 7" in error.message_vi


def test_unknown_sex_is_rejected():
    error = rejection("001185012345", sex="other")
    assert error.code == "sex.value"
    assert error.field == "sex"


def test_make_rejects_bad_parts():
    with pytest.raises(InvalidIdentifier) as caught:
        make_personal_id("003", date(1990, 1, 1), "male", 1)
    assert caught.value.code == "personal_id.province"
    with pytest.raises(InvalidIdentifier) as caught:
        make_personal_id("001", date(1990, 1, 1), "male", 1_000_000)
    assert caught.value.code == "personal_id.serial"
    assert "digits 7–12" in caught.value.message_en
    with pytest.raises(InvalidIdentifier) as caught:
        make_personal_id("001", date(1899, 12, 31), "male", 1)
    assert caught.value.code == "personal_id.century_sex"
    assert "1899" in caught.value.message_en


def test_mask():
    assert mask_personal_id("079123456723") == "0791******23"
    assert mask_personal_id("12345") == "*****"


def test_legacy_si_code():
    assert parse_legacy_si_code(" 7912345678 ") == "7912345678"
    for value, fragment in [
        ("791234567", "10 digits"),
        ("79123456789", "10 digits"),
        ("79123A5678", "character 6 of the SI code ('A')"),
    ]:
        with pytest.raises(InvalidIdentifier) as caught:
            parse_legacy_si_code(value)
        assert caught.value.code == "si_code.format"
        assert fragment in caught.value.message_en
        assert "mã số BHXH" in caught.value.message_vi


# --- properties ---------------------------------------------------------------------------------------------


@given(provinces, birth_dates, sexes, serials)
def test_make_then_parse_round_trips(province, born, sex, serial):
    number = make_personal_id(province, born, sex, serial)
    person = parse_personal_id(number, date_of_birth=born, sex=sex)
    assert len(number) == 12 and number.isdigit()
    assert person.number == number
    assert person.province_code == province
    assert person.province_name == PROVINCES[province]
    assert person.century == born.year // 100 * 100
    assert person.birth_year == born.year
    assert person.sex is sex
    assert person.serial == serial
    assert mask_personal_id(number) == number[:4] + "******" + number[-2:]


@given(provinces, birth_dates, sexes, serials, st.sampled_from([3, 4, 5]))
def test_every_corruption_of_digits_4_to_6_is_rejected(province, born, sex, serial, index):
    number = make_personal_id(province, born, sex, serial)
    for digit in "0123456789":
        if digit == number[index]:
            continue
        corrupted = number[:index] + digit + number[index + 1 :]
        error = rejection(corrupted, date_of_birth=born, sex=sex)
        if index == 3:
            expected = "personal_id.century_sex" if digit in "89" else "personal_id.sex_century_mismatch"
            assert "digit 4" in error.message_en
        else:
            expected = "personal_id.birth_year_mismatch"
            assert "digits 5–6" in error.message_en
        assert error.code == expected, corrupted


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_12_digits_parse_or_fail_on_province_or_digit_4(number):
    try:
        person = parse_personal_id(number)
    except InvalidIdentifier as error:
        assert error.code in {"personal_id.province", "personal_id.century_sex"}
        assert number[:3] not in PROVINCES or number[3] in "89"
    else:
        assert person.number == number
