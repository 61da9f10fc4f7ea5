"""The pension at retirement worked by hand: the rate, the lump sum above 35 (men) / 30 (women) years (Law 41/2024
Art. 68), the lowest pension (the reference level, Art. 66), the first month of pension, and where it is paid."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_benefit_rules import FLAT, months

from esibook.benefits.long_term import lump_sum_of, pension
from esibook.benefits.payouts import (
    change_takes_effect,
    first_pension_month,
    mask_account,
    parse_payment_method,
)
from esibook.benefits.rules import arithmetic_errors
from esibook.errors import DomainError
from esibook.periods import Month


def test_a_man_with_38_years_gets_75_percent_and_a_lump_sum_of_3_half_months():
    """456 months (38 years) at 10,000,000, no adjustment: average 10,000,000.
    Rate = 45 + 2 × (38 − 20) = 81% → at most 75%. Pension = 10,000,000 × 75% = 7,500,000 a month.
    Years above 35: 38 − 35 = 3. Lump sum = 0.5 × 10,000,000 × 3 = 15,000,000."""
    sheet = pension(months("1988-01", 456, 10_000_000), sex="male", date_of_birth=date(1964, 1, 5),
                    retire_month=Month(2026, 2), table=FLAT)
    assert arithmetic_errors(sheet) == []
    assert sheet.value("rate") == 81 and sheet.value("rate_capped") == 75
    assert sheet.result == 7_500_000
    assert sheet.value("lump_sum_years") == 3
    assert lump_sum_of(sheet) == 15_000_000
    assert "Điều 68" in " ".join(r.source for r in sheet.rules)


def test_a_woman_with_32_years_6_months_gets_a_lump_sum_of_2_5_half_months():
    """390 months = 32 years + 6 leftover months → 32.5 years. Rate 45 + 2 × 17.5 = 80% → 75%:
    8,000,000 × 75% = 6,000,000. Years above 30: 2.5. Lump sum = 0.5 × 8,000,000 × 2.5 = 10,000,000."""
    sheet = pension(months("1993-07", 390, 8_000_000), sex="female", date_of_birth=date(1969, 1, 5),
                    retire_month=Month(2026, 1), table=FLAT)
    assert arithmetic_errors(sheet) == []
    assert sheet.result == 6_000_000
    assert lump_sum_of(sheet) == 10_000_000


def test_no_lump_sum_at_35_years_or_less():
    """A man with exactly 35 years: 45 + 2 × 15 = 75%, no year above 35, no lump sum."""
    sheet = pension(months("1990-01", 420, 9_000_000), sex="male", date_of_birth=date(1964, 1, 5),
                    retire_month=Month(2026, 2), table=FLAT)
    assert sheet.result == 6_750_000 and lump_sum_of(sheet) == 0 and not sheet.has("lump_sum")


def test_the_lowest_pension_is_the_reference_level():
    """A man with 20 years at 2,000,000: 45% → 900,000, below the reference level of 2026-08 (2,530,000):
    the pension paid is max(900,000; 2,530,000) = 2,530,000."""
    sheet = pension(months("2006-08", 240, 2_000_000), sex="male", date_of_birth=date(1964, 1, 5),
                    retire_month=Month(2026, 8), table=FLAT)
    assert arithmetic_errors(sheet) == []
    assert sheet.value("pension") == 900_000
    assert sheet.value("minimum_pension") == 2_530_000
    assert sheet.result == 2_530_000


def test_a_voluntary_only_career_has_no_minimum():
    sheet = pension(months("2006-08", 240, 2_000_000, kind="voluntary"), sex="male", date_of_birth=date(1964, 1, 5),
                    retire_month=Month(2026, 8), table=FLAT)
    assert sheet.result == 900_000 and not sheet.has("minimum_pension")


def test_the_first_month_of_pension():
    """Age reached 2026-03, last contribution 2026-05, filed 2026-07: the first month is 2026-07 (no back pay);
    filed before the age is reached: the month after it."""
    assert first_pension_month(Month(2026, 3), Month(2026, 5), Month(2026, 7)) == Month(2026, 7)
    assert first_pension_month(Month(2026, 9), Month(2026, 5), Month(2026, 7)) == Month(2026, 10)
    assert first_pension_month(Month(2026, 3), Month(2026, 8), Month(2026, 7)) == Month(2026, 9)


def test_a_change_of_payment_method_takes_effect_the_next_month():
    assert change_takes_effect(Month(2026, 12), Month(2026, 1)) == Month(2027, 1)
    assert change_takes_effect(Month(2026, 12), Month(2027, 3)) == Month(2027, 3)


def test_a_bank_account_is_checked_and_shown_masked():
    chosen = parse_payment_method("bank", "vcb", "0071 0012-3456 789")
    assert chosen.account_number == "007100123456789"
    assert chosen.shown() == "Vietcombank ••••6789"
    assert mask_account("123456") == "••••3456"
    cash = parse_payment_method("cash", post_office="  Bưu điện   Hoàn Kiếm ")
    assert cash.shown() == "Bưu điện Hoàn Kiếm"


@pytest.mark.parametrize(
    ("method", "bank", "account", "office", "code"),
    [
        ("bank", "NOPE", "12345678", None, "pension.bank"),
        ("bank", "VCB", "12ab5678", None, "pension.account_number"),
        ("bank", "VCB", "12345", None, "pension.account_number"),
        ("cash", None, None, "ab", "pension.post_office"),
        ("cheque", None, None, None, "pension.method"),
    ],
)
def test_a_bad_payment_method_is_refused_with_its_field(method, bank, account, office, code):
    with pytest.raises(DomainError) as refused:
        parse_payment_method(method, bank, account, office)
    assert refused.value.code == code


@given(st.text(max_size=40), st.text(max_size=40))
def test_any_typed_account_is_either_refused_or_all_digits(bank, account):
    try:
        chosen = parse_payment_method("bank", bank, account)
    except DomainError:
        return
    assert chosen.account_number.isdigit() and 6 <= len(chosen.account_number) <= 19
    assert chosen.shown().endswith("••••" + chosen.account_number[-4:])
    assert chosen.account_number not in chosen.shown()
