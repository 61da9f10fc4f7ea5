"""The 15-character HI card code (mã thẻ BHYT, Decision 1351/QĐ-BHXH)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.errors import InvalidIdentifier
from esibook.health.identifiers import (
    BENEFICIARY_GROUPS,
    BENEFIT_LEVELS,
    HI_PROVINCES,
    make_hi_card_code,
    parse_hi_card_code,
)
from esibook.people.identifiers import PROVINCES

groups = st.sampled_from(sorted(BENEFICIARY_GROUPS))
levels = st.integers(1, 5)
hi_provinces = st.sampled_from(sorted(HI_PROVINCES))
si_codes = st.text(alphabet="0123456789", min_size=10, max_size=10)

REQUIRED_GROUPS = (
    "DN HX CH NN TK HC XK HT TB NO CT XB TN CS XN MS HD TE CC CK CB KC HN DT DK XD BT TS TC TQ TA TY HG LS "
    "PV CN HS SV GB GD QN CA CY"
).split()


def rejection(value) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_hi_card_code(value)
    assert caught.value.field == "hi_card_code"
    return caught.value


# --- tables -------------------------------------------------------------------------------------------------


def test_groups_cover_decision_1351():
    assert set(REQUIRED_GROUPS) <= set(BENEFICIARY_GROUPS)
    assert BENEFICIARY_GROUPS["DN"] == ("Người lao động trong doanh nghiệp", "Employee of an enterprise")
    assert BENEFICIARY_GROUPS["TE"][0] == "Trẻ em dưới 6 tuổi"
    assert BENEFICIARY_GROUPS["GD"][0] == "Người tham gia BHYT theo hộ gia đình"
    assert BENEFICIARY_GROUPS["HT"][0].startswith("Người hưởng lương hưu, trợ cấp mất sức lao động")
    for code, (vi, en) in BENEFICIARY_GROUPS.items():
        assert len(code) == 2 and code.isupper() and vi and en


def test_benefit_levels():
    assert sorted(BENEFIT_LEVELS) == [1, 2, 3, 4, 5]
    assert "95%" in BENEFIT_LEVELS[3][0] and "95%" in BENEFIT_LEVELS[3][1]
    assert "80%" in BENEFIT_LEVELS[4][1]


def test_hi_provinces_are_the_last_two_digits():
    assert len(HI_PROVINCES) == len(PROVINCES) == 63
    assert HI_PROVINCES["01"] == "Hà Nội"
    assert HI_PROVINCES["79"] == "Hồ Chí Minh"
    assert all(HI_PROVINCES[code[1:]] == name for code, name in PROVINCES.items())


# --- examples -----------------------------------------------------------------------------------------------


def test_parse_reads_every_part():
    card = parse_hi_card_code(" dn4797912345678 ")
    assert card.code == "DN4797912345678"
    assert card.group == "DN"
    assert card.group_name_vi == "Người lao động trong doanh nghiệp"
    assert card.group_name_en == "Employee of an enterprise"
    assert card.benefit_level == 4
    assert card.province_code == "79"
    assert card.province_name == "Hồ Chí Minh"
    assert card.si_code == "7912345678"


def test_make_example():
    assert make_hi_card_code("TE", 1, "01", "0112345678") == "TE1010112345678"


@pytest.mark.parametrize("value", ["DN479791234567", "DN47979123456789", ""])
def test_wrong_length(value):
    error = rejection(value)
    assert error.code == "hi_card.format"
    assert "15 characters" in error.message_en
    assert "15 ký tự" in error.message_vi


def test_unknown_group_is_named():
    error = rejection("ZZ4797912345678")
    assert error.code == "hi_card.group"
    assert "characters 1–2 of the HI card code (ZZ)" in error.message_en
    assert "ký tự thứ 1–2 của mã thẻ BHYT (ZZ)" in error.message_vi


@pytest.mark.parametrize("level", ["0", "6", "9", "A"])
def test_benefit_level_outside_1_to_5(level):
    error = rejection(f"DN{level}797912345678")
    assert error.code == "hi_card.benefit_level"
    assert f"character 3 of the HI card code ({level})" in error.message_en
    assert f"ký tự thứ 3 của mã thẻ BHYT ({level})" in error.message_vi


@pytest.mark.parametrize("province", ["00", "03", "97", "AB"])
def test_unknown_province(province):
    error = rejection(f"DN4{province}7912345678")
    assert error.code == "hi_card.province"
    assert f"characters 4–5 of the HI card code ({province})" in error.message_en
    assert f"ký tự thứ 4–5 của mã thẻ BHYT ({province})" in error.message_vi


def test_si_code_not_digits():
    error = rejection("DN479791234567X")
    assert error.code == "hi_card.si_code"
    assert "characters 6–15 of the HI card code (791234567X)" in error.message_en
    assert "mã số BHXH" in error.message_vi


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (("XX", 4, "79", "7912345678"), "hi_card.group"),
        (("DN", 6, "79", "7912345678"), "hi_card.benefit_level"),
        (("DN", 4, "99", "7912345678"), "hi_card.province"),
        (("DN", 4, "79", "791234567"), "hi_card.si_code"),
    ],
)
def test_make_checks_each_part(parts, code):
    with pytest.raises(InvalidIdentifier) as caught:
        make_hi_card_code(*parts)
    assert caught.value.code == code


# --- properties ---------------------------------------------------------------------------------------------


@given(groups, levels, hi_provinces, si_codes)
def test_make_then_parse_round_trips(group, level, province, si_code):
    code = make_hi_card_code(group, level, province, si_code)
    card = parse_hi_card_code(code)
    assert len(code) == 15
    assert (card.group, card.benefit_level) == (group, level)
    assert (card.province_code, card.si_code) == (province, si_code)
    assert (card.group_name_vi, card.group_name_en) == BENEFICIARY_GROUPS[group]
    assert parse_hi_card_code(code.lower()) == card


@given(groups, levels, hi_provinces, si_codes, st.integers(0, 14), st.characters(codec="ascii"))
def test_any_single_change_is_caught_or_still_valid(group, level, province, si_code, index, char):
    code = make_hi_card_code(group, level, province, si_code)
    changed = code[:index] + char + code[index + 1 :]
    try:
        card = parse_hi_card_code(changed)
    except InvalidIdentifier as error:
        parts = {0: "group", 1: "group", 2: "benefit_level", 3: "province", 4: "province"}
        part = parts.get(index, "si_code")
        assert error.code in {f"hi_card.{part}", "hi_card.format"}
    else:
        assert card.code == changed.strip().upper()
