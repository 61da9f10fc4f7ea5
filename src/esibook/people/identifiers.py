"""The personal identification number (số định danh cá nhân, printed on the CCCD card) and the legacy SI code.

The 12-digit number has no check digit. Its parts (Decree 137/2015/ND-CP, Circular 07/2016/TT-BCA):

- digits 1–3: the province where the birth was registered (mã tỉnh nơi đăng ký khai sinh),
  see :data:`PROVINCES`;
- digit 4: century of birth and sex: 1900s male 0 / female 1, 2000s 2 / 3, 2100s 4 / 5, 2200s 6 / 7;
- digits 5–6: the last two digits of the year of birth;
- digits 7–12: a random serial.

Since 1 Aug 2025 the personal identification number is also the SI code; the 10-digit SI code
(mã số BHXH cũ) is kept where a person already has one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from esibook.errors import InvalidIdentifier

#: Birth-registration province codes of Circular 07/2016/TT-BCA (63 provinces, before the 2025 mergers).
PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

FIRST_CENTURY, LAST_CENTURY = 1900, 2200
SERIAL_MAX = 999_999


class Sex(StrEnum):
    """Giới tính."""

    MALE = "male"
    FEMALE = "female"

    @property
    def vi(self) -> str:
        return "nam" if self is Sex.MALE else "nữ"

    @classmethod
    def parse(cls, value: Sex | str) -> Sex:
        """``Sex``, ``"male"``/``"female"``, ``"m"``/``"f"`` or Vietnamese ``"nam"``/``"nữ"``."""
        text = unicodedata.normalize("NFC", str(value)).strip().lower()
        found = _SEX_WORDS.get(text)
        if found is None:
            raise InvalidIdentifier(
                "sex.value",
                f"sex '{value}' is not one of male, female",
                f"giới tính '{value}' không phải nam hoặc nữ",
                field="sex",
            )
        return found


_SEX_WORDS = {
    "male": Sex.MALE,
    "m": Sex.MALE,
    "nam": Sex.MALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "nữ": Sex.FEMALE,
    "nu": Sex.FEMALE,
}


@dataclass(frozen=True)
class PersonalId:
    """A parsed personal identification number (số định danh cá nhân)."""

    number: str
    province_code: str
    province_name: str
    century: int
    sex: Sex
    birth_year_2digits: int
    serial: int

    @property
    def birth_year(self) -> int:
        return self.century + self.birth_year_2digits

    @property
    def masked(self) -> str:
        return mask_personal_id(self.number)

    def __str__(self) -> str:
        return self.number


# --- digit 4: century and sex -------------------------------------------------------------------------------


def century_sex_digit(year: int, sex: Sex | str) -> int:
    """Digit 4 for a birth year and sex: 1900s male 0 / female 1, 2000s 2 / 3, 2100s 4 / 5, 2200s 6 / 7."""
    century = year // 100 * 100
    if not FIRST_CENTURY <= century <= LAST_CENTURY:
        raise InvalidIdentifier(
            "personal_id.century_sex",
            f"birth year {year} cannot be written in digit 4 of a personal ID number (only 1900–2299)",
            f"năm sinh {year} không thể ghi vào chữ số thứ 4 của số định danh cá nhân (chỉ 1900–2299)",
            field="date_of_birth",
        )
    return (century - FIRST_CENTURY) // 50 + (1 if Sex.parse(sex) is Sex.FEMALE else 0)


def _decode_century_sex(digit: int) -> tuple[int, Sex]:
    return FIRST_CENTURY + digit // 2 * 100, Sex.FEMALE if digit % 2 else Sex.MALE


def _century_en(century: int) -> str:
    return f"the {century}s"


def _century_vi(century: int) -> str:
    return f"thế kỷ {century // 100 + 1}"


# --- parsing ------------------------------------------------------------------------------------------------


def parse_personal_id(value: str, *, date_of_birth: date | None = None, sex: Sex | str | None = None) -> PersonalId:
    """Read a 12-digit personal identification number.

    With ``date_of_birth`` and/or ``sex``, also check that digits 4–6 agree with them.
    """
    number = str(value).strip()
    _check_format(number)
    province = _check_province(number[:3])
    digit4 = _check_century_sex_digit(number[3])
    century, id_sex = _decode_century_sex(digit4)
    if date_of_birth is not None or sex is not None:
        person_sex = Sex.parse(sex) if sex is not None else None
        _check_against_person(number, century, id_sex, date_of_birth, person_sex)
    return PersonalId(
        number=number,
        province_code=number[:3],
        province_name=province,
        century=century,
        sex=id_sex,
        birth_year_2digits=int(number[4:6]),
        serial=int(number[6:]),
    )


def _check_format(number: str) -> None:
    if len(number) != 12:
        raise InvalidIdentifier(
            "personal_id.format",
            f"the personal ID number must have 12 digits; '{number}' has {len(number)} characters",
            f"số định danh cá nhân phải có 12 chữ số; '{number}' có {len(number)} ký tự",
            field="personal_id",
        )
    for position, char in enumerate(number, start=1):
        if not ("0" <= char <= "9"):
            raise InvalidIdentifier(
                "personal_id.format",
                f"character {position} of the personal ID number ('{char}') is not a digit",
                f"ký tự thứ {position} của số định danh cá nhân ('{char}') không phải chữ số",
                field="personal_id",
            )


def _check_province(code: str) -> str:
    if code not in PROVINCES:
        raise InvalidIdentifier(
            "personal_id.province",
            f"digits 1–3 of the personal ID number ({code}) are not a birth-registration province code",
            f"chữ số thứ 1–3 của số định danh cá nhân ({code}) không phải mã tỉnh nơi đăng ký khai sinh",
            field="personal_id",
        )
    return PROVINCES[code]


def _check_century_sex_digit(char: str) -> int:
    digit = int(char)
    if digit > 7:
        raise InvalidIdentifier(
            "personal_id.century_sex",
            f"digit 4 of the personal ID number ({digit}) must be 0–7 (century of birth and sex)",
            f"chữ số thứ 4 của số định danh cá nhân ({digit}) phải từ 0 đến 7 (thế kỷ sinh và giới tính)",
            field="personal_id",
        )
    return digit


def _check_against_person(number: str, century: int, id_sex: Sex, date_of_birth: date | None, sex: Sex | None) -> None:
    wrong_sex = sex is not None and sex is not id_sex
    wrong_century = date_of_birth is not None and date_of_birth.year // 100 * 100 != century
    if wrong_sex or wrong_century:
        _reject_sex_century(
            number[3], century, id_sex, date_of_birth if wrong_century else None, sex if wrong_sex else None
        )
    if date_of_birth is not None and number[4:6] != f"{date_of_birth.year % 100:02d}":
        raise InvalidIdentifier(
            "personal_id.birth_year_mismatch",
            f"digits 5–6 of the personal ID number ({number[4:6]}) must be the last two digits of the year "
            f"of birth {date_of_birth.year} ({date_of_birth.year % 100:02d})",
            f"chữ số thứ 5–6 của số định danh cá nhân ({number[4:6]}) phải là hai số cuối của năm sinh "
            f"{date_of_birth.year} ({date_of_birth.year % 100:02d})",
            field="personal_id",
        )


def _reject_sex_century(digit: str, century: int, id_sex: Sex, date_of_birth: date | None, sex: Sex | None) -> None:
    """Say what digit 4 claims and which of sex / century of birth disagrees with the person."""
    person_en, person_vi = [], []
    if sex is not None:
        person_en.append(f"is {sex.value}")
        person_vi.append(f"là {sex.vi}")
    if date_of_birth is not None:
        year = date_of_birth.year
        person_en.append(f"was born in {year} ({_century_en(year // 100 * 100)})")
        person_vi.append(f"sinh năm {year} ({_century_vi(year // 100 * 100)})")
    raise InvalidIdentifier(
        "personal_id.sex_century_mismatch",
        f"digit 4 of the personal ID number ({digit}) says {id_sex.value}, born in {_century_en(century)}; "
        f"the person {' and '.join(person_en)}",
        f"chữ số thứ 4 của số định danh cá nhân ({digit}) cho biết {id_sex.vi}, sinh {_century_vi(century)}; "
        f"người này {' và '.join(person_vi)}",
        field="personal_id",
    )


# --- making and masking -------------------------------------------------------------------------------------


def make_personal_id(province_code: str, date_of_birth: date, sex: Sex | str, serial: int) -> str:
    """Write a person's personal ID number: the inverse of :func:`parse_personal_id`, for generated data."""
    _check_province(province_code)
    if not 0 <= serial <= SERIAL_MAX:
        raise InvalidIdentifier(
            "personal_id.serial",
            f"the serial (digits 7–12 of the personal ID number) must be 0–{SERIAL_MAX}; got {serial}",
            f"số thứ tự (chữ số thứ 7–12 của số định danh cá nhân) phải từ 0 đến {SERIAL_MAX}; nhận {serial}",
            field="serial",
        )
    year = date_of_birth.year
    return f"{province_code}{century_sex_digit(year, sex)}{year % 100:02d}{serial:06d}"


def mask_personal_id(value: str) -> str:
    """Hide the middle of an ID number for logs: ``079123456723`` -> ``0791******23``. Never raises."""
    text = str(value).strip()
    if len(text) <= 6:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]


# --- the legacy 10-digit SI code ----------------------------------------------------------------------------


def parse_legacy_si_code(value: str) -> str:
    """The 10-digit SI code (mã số BHXH cũ), issued before the personal ID number became the SI code."""
    code = str(value).strip()
    if len(code) != 10:
        raise InvalidIdentifier(
            "si_code.format",
            f"the SI code must have 10 digits; '{code}' has {len(code)} characters",
            f"mã số BHXH phải có 10 chữ số; '{code}' có {len(code)} ký tự",
            field="si_code",
        )
    for position, char in enumerate(code, start=1):
        if not ("0" <= char <= "9"):
            raise InvalidIdentifier(
                "si_code.format",
                f"character {position} of the SI code ('{char}') is not a digit",
                f"ký tự thứ {position} của mã số BHXH ('{char}') không phải chữ số",
                field="si_code",
            )
    return code
