"""Medical visits as clinics report them, and the checks each one passes before it is stored (kiểm tra dữ liệu
khám chữa bệnh BHYT). Pure functions: the facts they need (known clinics, card validity spans, visits already
stored) are loaded in bulk by :mod:`esibook.health.visit_service`.

Every problem is a :class:`~esibook.errors.DomainError` with a reason code and a Vietnamese and English message;
a record with any problem is rejected, the others are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.health.icd10 import normalize_icd10
from esibook.params import is_ascii_number

#: Sums may differ by at most this much (hospital software rounds each line to the đồng).
TOLERANCE = Decimal(1)
MAX_AMOUNT = Decimal(10) ** 13
#: (English, Vietnamese) labels of the amounts, with the XML1 field each comes from.
AMOUNT_LABELS = {
    "total_cost": ("total cost (T_TONGCHI_BV)", "tổng chi phí (T_TONGCHI_BV)"),
    "hi_paid": ("HI-paid (T_BHTT)", "quỹ BHYT thanh toán (T_BHTT)"),
    "patient_paid": ("patient-paid (T_BNCCT + T_BNTT)", "người bệnh trả (T_BNCCT + T_BNTT)"),
    "other_paid": ("other sources (T_NGUONKHAC)", "nguồn khác (T_NGUONKHAC)"),
}


@dataclass(frozen=True)
class VisitRecord:
    """One visit summary, read from XML1 or JSON, not yet checked."""

    index: int
    """1-based position in the file or list, so the sender can find it."""
    visit_ref: str
    card_code: str
    clinic_code: str | None
    admitted_at: datetime
    discharged_at: datetime
    main_diagnosis: str
    total_cost: Decimal
    hi_paid: Decimal
    patient_paid: Decimal
    other_paid: Decimal
    personal_id: str | None = None

    def amounts(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in AMOUNT_LABELS}


@dataclass(frozen=True)
class Rejection:
    """A record that was not stored, with every reason found."""

    index: int
    visit_ref: str | None
    reasons: list[DomainError]

    def as_dict(self, lang: str = "vi") -> dict:
        return {
            "index": self.index,
            "visit_ref": self.visit_ref,
            "code": self.reasons[0].code,
            "message": self.reasons[0].message(lang),
            "reasons": [reason.as_dict(lang) for reason in self.reasons],
        }


@dataclass(frozen=True)
class CardSpan:
    """One validity span of an HI card (from ``hi_coverages``)."""

    person_id: int
    valid_from: date
    valid_to: date
    authority: str


@dataclass
class Facts:
    """What the checks need to know about the database, loaded once per submission."""

    clinics: set[str] = field(default_factory=set)
    spans: dict[str, list[CardSpan]] = field(default_factory=dict)
    personal_ids: dict[int, str | None] = field(default_factory=dict)
    stored: set[tuple[str, str]] = field(default_factory=set)
    latest_day: date = field(default_factory=lambda: vietnam_today() + timedelta(days=1))
    """No visit may end after this day (today, with a day's margin for Vietnam's time zone)."""

    def holder(self, card_code: str) -> int | None:
        spans = self.spans.get(card_code)
        return spans[0].person_id if spans else None


def reason(code: str, en: str, vi: str, field_name: str | None = None) -> DomainError:
    return DomainError(f"visit.{code}", en, vi, field=field_name)


def clinic_of(record: VisitRecord, sender_clinic: str) -> str:
    return record.clinic_code or sender_clinic


def check_visit(record: VisitRecord, *, sender_clinic: str, facts: Facts) -> list[DomainError]:
    """Every problem of one record (empty when it may be stored)."""
    return [
        *_clinic_problems(clinic_of(record, sender_clinic), sender_clinic, facts),
        *_card_problems(record, facts),
        *_date_problems(record, facts.latest_day),
        *_diagnosis_problems(record),
        *_amount_problems(record),
    ]


def _clinic_problems(clinic: str, sender_clinic: str, facts: Facts) -> list[DomainError]:
    if clinic not in facts.clinics:
        return [
            reason(
                "unknown_clinic",
                f"clinic code {clinic} (MA_CSKCB) is not a known health facility",
                f"mã cơ sở khám chữa bệnh {clinic} (MA_CSKCB) không có trong danh mục",
                "clinic_code",
            )
        ]
    if clinic != sender_clinic:
        return [
            reason(
                "other_clinic",
                f"this visit is at clinic {clinic}, but the file is sent for clinic {sender_clinic}; "
                "a clinic sends only its own visits",
                f"lượt khám thuộc cơ sở {clinic} nhưng tệp được gửi cho cơ sở {sender_clinic}; "
                "mỗi cơ sở chỉ gửi lượt khám của mình",
                "clinic_code",
            )
        ]
    return []


def _card_problems(record: VisitRecord, facts: Facts) -> list[DomainError]:
    spans = facts.spans.get(record.card_code)
    if not spans:
        return [
            reason(
                "unknown_card",
                f"no HI card {record.card_code} (MA_THE_BHYT) is known",
                f"không có thẻ BHYT {record.card_code} (MA_THE_BHYT)",
                "card_code",
            )
        ]
    problems = []
    day = record.admitted_at.date()
    if not any(span.valid_from <= day <= span.valid_to for span in spans):
        problems.append(
            reason(
                "card_not_valid",
                f"the HI card {record.card_code} was not valid on the day of admission, {day:%d/%m/%Y}",
                f"thẻ BHYT {record.card_code} không có giá trị sử dụng vào ngày vào viện {day:%d/%m/%Y}",
                "card_code",
            )
        )
    holder = facts.personal_ids.get(spans[0].person_id)
    if record.personal_id and holder and record.personal_id != holder:
        problems.append(
            reason(
                "card_holder",
                "the personal ID number (SO_CCCD) is not that of the card holder",
                "số định danh cá nhân (SO_CCCD) không phải của chủ thẻ BHYT",
                "personal_id",
            )
        )
    return problems


def _date_problems(record: VisitRecord, latest_day: date) -> list[DomainError]:
    if record.discharged_at.date() > latest_day:
        return [
            reason(
                "future",
                "the discharge (NGAY_RA) is in the future; send a visit after the patient leaves",
                "ngày ra (NGAY_RA) ở tương lai; chỉ gửi lượt khám sau khi người bệnh ra viện",
                "discharged_at",
            )
        ]
    if record.discharged_at < record.admitted_at:
        return [
            reason(
                "dates",
                "the discharge (NGAY_RA) is before the admission (NGAY_VAO)",
                "ngày ra (NGAY_RA) trước ngày vào (NGAY_VAO)",
                "discharged_at",
            )
        ]
    return []


def _diagnosis_problems(record: VisitRecord) -> list[DomainError]:
    if normalize_icd10(record.main_diagnosis) is None:
        return [
            reason(
                "diagnosis",
                f"'{record.main_diagnosis[:20]}' (MA_BENH_CHINH) is not an ICD-10 code",
                f"'{record.main_diagnosis[:20]}' (MA_BENH_CHINH) không phải mã bệnh ICD-10",
                "main_diagnosis",
            )
        ]
    return []


def _amount_problems(record: VisitRecord) -> list[DomainError]:
    amounts = record.amounts()
    huge = [name for name, value in amounts.items() if abs(value) >= MAX_AMOUNT]
    if huge:
        return [
            reason("amount_format", f"{AMOUNT_LABELS[n][0]} is too large", f"{AMOUNT_LABELS[n][1]} quá lớn", n)
            for n in huge
        ]
    negative = [name for name, value in amounts.items() if value < 0]
    if negative:
        return [
            reason("negative_amount", f"{AMOUNT_LABELS[n][0]} is negative", f"{AMOUNT_LABELS[n][1]} là số âm", n)
            for n in negative
        ]
    parts = record.hi_paid + record.patient_paid + record.other_paid
    if abs(record.total_cost - parts) > TOLERANCE:
        return [
            reason(
                "amounts",
                f"the total cost {_en(record.total_cost)} is not HI-paid {_en(record.hi_paid)} + patient-paid "
                f"{_en(record.patient_paid)} + other sources {_en(record.other_paid)} = {_en(parts)}",
                f"tổng chi phí {_vi(record.total_cost)} không bằng quỹ BHYT trả {_vi(record.hi_paid)} + người bệnh "
                f"trả {_vi(record.patient_paid)} + nguồn khác {_vi(record.other_paid)} = {_vi(parts)}",
                "total_cost",
            )
        ]
    return []


def _en(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def _vi(value: Decimal) -> str:
    return _en(value).translate(str.maketrans(",.", ".,"))


# --- reading fields (shared by the XML and JSON readers) -------------------------------------------------------


def parse_amount(text: str | None, name: str, required: bool = False) -> Decimal:
    """An amount in đồng as XML 130 writes it (``150000``, ``150000.50``); empty is 0 unless required."""
    label_en, label_vi = AMOUNT_LABELS[name]
    if text is None or not str(text).strip():
        if required:
            raise reason("missing", f"the {label_en} is missing", f"thiếu {label_vi}", name)
        return Decimal(0)
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise reason(
            "amount_format",
            f"the {label_en} '{str(text)[:20]}' is not an amount in đồng",
            f"{label_vi} '{str(text)[:20]}' không phải số tiền",
            name,
        )
    return value


def whole_dong(value: Decimal) -> int:
    """Money is stored in whole đồng, rounded half up."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_xml_time(text: str | None, tag: str) -> datetime:
    """A date and time written ``yyyyMMddHHmm`` (or a date ``yyyyMMdd``), local time."""
    value = (text or "").strip()
    if not value:
        raise reason("missing", f"{tag} is missing", f"thiếu {tag}", tag.lower())
    layouts = {12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S", 8: "%Y%m%d"}
    try:
        if is_ascii_number(value) and len(value) in layouts:
            return datetime.strptime(value, layouts[len(value)])
    except ValueError:
        pass
    raise reason(
        "date_format",
        f"{tag} '{value[:20]}' is not a date and time written yyyyMMddHHmm",
        f"{tag} '{value[:20]}' không đúng định dạng ngày giờ yyyyMMddHHmm",
        tag.lower(),
    )


def first_card_code(text: str | None) -> str:
    """MA_THE_BHYT may list several cards (separated by ';') when the card changed during the stay: the first is
    the one used at admission."""
    return (text or "").split(";")[0].strip().upper()
