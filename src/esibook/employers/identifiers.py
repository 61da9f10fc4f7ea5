"""Employer identifiers: the unit code (mã đơn vị) and the tax code (mã số thuế, MST).

**Unit code.** In esibook a unit code is 2 upper-case letters, the prefix of the managing SI agency, then 5
digits: ``TA00123`` (7 characters).

**Tax code.** 10 digits, the 10th a check digit over the first nine; a branch (chi nhánh, đơn vị phụ thuộc)
adds a 3-digit suffix 001–999, written ``0101234567-001``. The check digit is the commonly published one:
weights 31, 29, 23, 19, 17, 13, 7, 5, 3 on digits 1–9, check = 10 − (sum mod 11); when sum mod 11 is 0 the
result is 10, so no tax code can start with those nine digits. Checked against real codes: 0100109106
(Viettel: weighted sum 114, 114 mod 11 = 4, check 6) and, from the list of published codes in python-stdnum's
``vn.mst`` tests, 0100233488, 0100112437, 0314409058(-002), 2000102580 (check digit 0), 0101245486 and
8463763902; the same algorithm rejects 0100233480.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from esibook.errors import InvalidIdentifier

# --- unit code (mã đơn vị) ----------------------------------------------------------------------------------

UNIT_PREFIX_LENGTH, UNIT_NUMBER_DIGITS = 2, 5
UNIT_CODE_LENGTH = UNIT_PREFIX_LENGTH + UNIT_NUMBER_DIGITS
UNIT_NUMBER_MAX = 10**UNIT_NUMBER_DIGITS - 1


def parse_unit_code(value: str) -> str:
    """Read a unit code such as ``TA00123`` (upper-cased; surrounding spaces dropped)."""
    code = str(value).strip().upper()
    if len(code) != UNIT_CODE_LENGTH:
        raise _unit_error(
            f"the unit code must have {UNIT_CODE_LENGTH} characters (2 letters + 5 digits); '{code}' has {len(code)}",
            f"mã đơn vị phải có {UNIT_CODE_LENGTH} ký tự (2 chữ cái + 5 chữ số); '{code}' có {len(code)} ký tự",
        )
    for position, char in enumerate(code, start=1):
        _check_unit_char(position, char)
    return code


def make_unit_code(prefix: str, number: int) -> str:
    """Write a unit code from the agency prefix and the number 0–99999: ``("TA", 123)`` -> ``"TA00123"``."""
    if not 0 <= number <= UNIT_NUMBER_MAX:
        raise _unit_error(
            f"the number of a unit code must be 0–{UNIT_NUMBER_MAX}; got {number}",
            f"số thứ tự của mã đơn vị phải từ 0 đến {UNIT_NUMBER_MAX}; nhận {number}",
        )
    return parse_unit_code(f"{prefix}{number:05d}")


def _check_unit_char(position: int, char: str) -> None:
    if position <= UNIT_PREFIX_LENGTH and not ("A" <= char <= "Z"):
        raise _unit_error(
            f"character {position} of the unit code ('{char}') must be a letter A–Z (the agency prefix)",
            f"ký tự thứ {position} của mã đơn vị ('{char}') phải là chữ cái A–Z (tiền tố cơ quan quản lý)",
        )
    if position > UNIT_PREFIX_LENGTH and not ("0" <= char <= "9"):
        raise _unit_error(
            f"character {position} of the unit code ('{char}') must be a digit",
            f"ký tự thứ {position} của mã đơn vị ('{char}') phải là chữ số",
        )


def _unit_error(message_en: str, message_vi: str) -> InvalidIdentifier:
    return InvalidIdentifier("unit_code.format", message_en, message_vi, field="unit_code")


# --- tax code (mã số thuế) ----------------------------------------------------------------------------------

TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
PREFIX9_MAX = 999_999_999
_TAX_CODE = re.compile(r"(\d{10})(?:-?(\d{3}))?", re.ASCII)


@dataclass(frozen=True)
class TaxCode:
    """A parsed tax code: the 10-digit base and, for a branch, its 3-digit suffix."""

    base10: str
    branch: str | None
    normalized: str

    @property
    def is_branch(self) -> bool:
        return self.branch is not None

    def __str__(self) -> str:
        return self.normalized


def tax_check_digit(prefix9: str) -> int | None:
    """The check digit (digit 10) for nine digits, or ``None`` when those nine digits have none."""
    total = sum(weight * int(digit) for weight, digit in zip(TAX_WEIGHTS, prefix9, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def make_tax_code(prefix9: int) -> str | None:
    """The 10-digit tax code starting with ``prefix9`` (0–999999999), or ``None`` if it has no check digit."""
    if not 0 <= prefix9 <= PREFIX9_MAX:
        raise InvalidIdentifier(
            "tax_code.format",
            f"digits 1–9 of a tax code must be 0–{PREFIX9_MAX}; got {prefix9}",
            f"chữ số thứ 1–9 của mã số thuế phải từ 0 đến {PREFIX9_MAX}; nhận {prefix9}",
            field="tax_code",
        )
    digits = f"{prefix9:09d}"
    check = tax_check_digit(digits)
    return None if check is None else f"{digits}{check}"


def parse_tax_code(value: str) -> TaxCode:
    """Read ``0101234567``, ``0101234567-001`` or ``0101234567001``; check the check digit and branch."""
    text = str(value).strip()
    match = _TAX_CODE.fullmatch(text)
    if match is None:
        _reject_tax_format(text)
    base10, branch = match[1], match[2]
    _check_tax_check_digit(base10)
    if branch == "000":
        raise InvalidIdentifier(
            "tax_code.branch",
            f"the branch suffix of the tax code ({branch}) must be 001–999",
            f"phần mã chi nhánh của mã số thuế ({branch}) phải từ 001 đến 999",
            field="tax_code",
        )
    normalized = base10 if branch is None else f"{base10}-{branch}"
    return TaxCode(base10=base10, branch=branch, normalized=normalized)


def _check_tax_check_digit(base10: str) -> None:
    expected = tax_check_digit(base10[:9])
    if expected is None:
        raise InvalidIdentifier(
            "tax_code.check_digit",
            f"digits 1–9 of the tax code ({base10[:9]}) have no valid check digit, so no tax code starts with them",
            f"chữ số thứ 1–9 của mã số thuế ({base10[:9]}) không có chữ số kiểm tra hợp lệ, nên không mã số "
            "thuế nào bắt đầu như vậy",
            field="tax_code",
        )
    if int(base10[9]) != expected:
        raise InvalidIdentifier(
            "tax_code.check_digit",
            f"digit 10 of the tax code ({base10[9]}) is not the check digit of digits 1–9; it should be {expected}",
            f"chữ số thứ 10 của mã số thuế ({base10[9]}) không phải chữ số kiểm tra của chữ số thứ 1–9; "
            f"phải là {expected}",
            field="tax_code",
        )


def _reject_tax_format(text: str) -> NoReturn:
    """Say what is wrong with a tax code that is not 10 digits, 13 digits or 10 digits-3 digits."""
    base, _, branch = text.partition("-")
    digits = len(base) + len(branch)
    parts = (("the tax code", "mã số thuế", base), ("the branch suffix", "mã chi nhánh", branch))
    for part_en, part_vi, part in parts:
        for position, char in enumerate(part, start=1):
            if not ("0" <= char <= "9"):
                raise InvalidIdentifier(
                    "tax_code.format",
                    f"character {position} of {part_en} ('{char}') is not a digit",
                    f"ký tự thứ {position} của {part_vi} ('{char}') không phải chữ số",
                    field="tax_code",
                )
    raise InvalidIdentifier(
        "tax_code.format",
        f"the tax code '{text}' has {digits} digits; it must have 10, or 13 for a branch (written 0101234567-001)",
        f"mã số thuế '{text}' có {digits} chữ số; phải có 10 chữ số, hoặc 13 đối với chi nhánh (viết 0101234567-001)",
        field="tax_code",
    )
