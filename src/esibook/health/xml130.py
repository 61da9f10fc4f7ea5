"""Reading visit summaries from XML files in the Ministry of Health's format (Decision 130/QĐ-BYT, table XML1
"chỉ tiêu tổng hợp khám bệnh, chữa bệnh", root element ``TONG_HOP``).

Accepted shapes:

- the standard envelope ``GIAMDINHHS / THONGTINDONVI / MACSKCB`` and ``THONGTINHOSO / DANHSACHHOSO / HOSO /
  FILEHOSO (LOAIHOSO, NOIDUNGFILE)``, each ``NOIDUNGFILE`` the base64 of an inner XML document; only the
  ``XML1`` tables are read, the other tables (drugs, services, …) are skipped;
- a bare ``TONG_HOP``, or any root element holding several ``TONG_HOP``.

Parsing is safe: no DTD, no entities, no external references (defusedxml), and the size of the file, of each
inner document and the number of records are limited. A file that cannot be read at all is refused; a dossier
whose XML1 cannot be read is rejected on its own, the others go on.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from esibook.errors import DomainError
from esibook.health.visits import (
    Rejection,
    VisitRecord,
    first_card_code,
    parse_amount,
    parse_xml_time,
    reason,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_INNER_BYTES = 2 * 1024 * 1024
MAX_RECORDS = 5000
MAX_REF = 100


@dataclass
class XmlVisits:
    """What a file holds: the sending clinic (if the envelope names it) and each record, read or rejected."""

    clinic_code: str | None
    items: list[VisitRecord | Rejection] = field(default_factory=list)


def refuse(code: str, en: str, vi: str) -> DomainError:
    return DomainError(f"visits.{code}", en, vi, field="file")


def read_xml1(data: bytes) -> XmlVisits:
    """The visits in an XML 130 file; DomainError when the file itself is unusable."""
    if len(data) > MAX_BYTES:
        raise refuse("too_large", "the file is larger than 20 MB", "tệp lớn hơn 20 MB")
    if not data.strip():
        raise refuse("empty", "the file is empty", "tệp trống")
    root = _parse(data)
    name = _local(root.tag)
    if name == "GIAMDINHHS":
        found = XmlVisits(_text(_child(root, "THONGTINDONVI"), "MACSKCB") or None)
        hosos = [e for e in root.iter() if _local(e.tag) == "HOSO"]
        _check_count(len(hosos))
        found.items = [_from_hoso(hoso, index) for index, hoso in enumerate(hosos, start=1)]
        return found
    summaries = [root] if name == "TONG_HOP" else [e for e in root.iter() if _local(e.tag) == "TONG_HOP"]
    if not summaries:
        raise refuse(
            "structure",
            "no XML1 visit summary (GIAMDINHHS envelope or TONG_HOP) in this file",
            "tệp không có bảng XML1 (hồ sơ GIAMDINHHS hoặc TONG_HOP)",
        )
    _check_count(len(summaries))
    return XmlVisits(None, [record_from_summary(s, index) for index, s in enumerate(summaries, start=1)])


def _parse(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise refuse(
            "unsafe",
            "the XML declares a DTD or entities, which are not accepted",
            "tệp XML có khai báo DTD hoặc thực thể (entity), không được chấp nhận",
        ) from error
    except (ParseError, ValueError) as error:
        raise refuse("malformed", "the file is not well-formed XML", "tệp không phải XML hợp lệ") from error


def _check_count(count: int) -> None:
    if count > MAX_RECORDS:
        raise refuse("too_many", f"at most {MAX_RECORDS} visits per file", f"tối đa {MAX_RECORDS} hồ sơ mỗi tệp")


def _from_hoso(hoso: Element, index: int) -> VisitRecord | Rejection:
    """The XML1 summary inside one dossier (HOSO)."""
    contents = [
        _text(f, "NOIDUNGFILE") for f in hoso if _local(f.tag) == "FILEHOSO" and _text(f, "LOAIHOSO").upper() == "XML1"
    ]
    if not contents:
        return Rejection(
            index,
            None,
            [reason("xml1_missing", "this dossier (HOSO) has no XML1 table", "hồ sơ (HOSO) không có bảng XML1")],
        )
    summary = _inner_summary(contents[0])
    if summary is None:
        return Rejection(
            index,
            None,
            [
                reason(
                    "xml1_content",
                    "the XML1 content (NOIDUNGFILE) is not base64-encoded XML with a TONG_HOP",
                    "nội dung XML1 (NOIDUNGFILE) không phải XML mã hóa base64 có phần TONG_HOP",
                )
            ],
        )
    return record_from_summary(summary, index)


def _inner_summary(encoded: str) -> Element | None:
    if len(encoded) > MAX_INNER_BYTES * 4 // 3 + 4:
        return None
    try:
        inner = _parse(base64.b64decode("".join(encoded.split()), validate=True))
    except (binascii.Error, ValueError, DomainError):
        return None
    if _local(inner.tag) == "TONG_HOP":
        return inner
    return next((e for e in inner.iter() if _local(e.tag) == "TONG_HOP"), None)


def record_from_summary(summary: Element, index: int) -> VisitRecord | Rejection:
    """One TONG_HOP element as a record, or the reasons it cannot be read."""
    fields = {_local(child.tag): (child.text or "").strip() for child in summary}
    ref = fields.get("MA_LK", "")
    problems: list[DomainError] = []

    def read(parse, *args):
        try:
            return parse(*args)
        except DomainError as problem:
            problems.append(problem)
            return None

    read(_check_ref, ref)
    card = first_card_code(fields.get("MA_THE_BHYT"))
    if not card:
        problems.append(
            reason("missing", "MA_THE_BHYT (the HI card code) is missing", "thiếu MA_THE_BHYT", "card_code")
        )
    diagnosis = fields.get("MA_BENH_CHINH", "")
    if not diagnosis:
        problems.append(reason("missing", "MA_BENH_CHINH is missing", "thiếu MA_BENH_CHINH", "main_diagnosis"))
    admitted = read(parse_xml_time, fields.get("NGAY_VAO"), "NGAY_VAO")
    discharged = read(parse_xml_time, fields.get("NGAY_RA"), "NGAY_RA")
    total = read(parse_amount, fields.get("T_TONGCHI_BV") or fields.get("T_TONGCHI"), "total_cost", True)
    hi_paid = read(parse_amount, fields.get("T_BHTT"), "hi_paid")
    copay = read(parse_amount, fields.get("T_BNCCT"), "patient_paid")
    self_paid = read(parse_amount, fields.get("T_BNTT"), "patient_paid")
    other = read(parse_amount, fields.get("T_NGUONKHAC"), "other_paid")
    if problems:
        return Rejection(index, ref[:MAX_REF] or None, problems)
    return VisitRecord(
        index=index,
        visit_ref=ref,
        card_code=card,
        clinic_code=fields.get("MA_CSKCB") or None,
        admitted_at=admitted,
        discharged_at=discharged,
        main_diagnosis=diagnosis.upper(),
        total_cost=total,
        hi_paid=hi_paid,
        patient_paid=copay + self_paid,
        other_paid=other,
        personal_id=fields.get("SO_CCCD") or None,
    )


def _check_ref(ref: str) -> None:
    if not ref:
        raise reason("missing", "MA_LK (the visit reference) is missing", "thiếu MA_LK (mã liên kết)", "visit_ref")
    if len(ref) > MAX_REF:
        raise reason(
            "too_long", f"MA_LK is longer than {MAX_REF} characters", f"MA_LK dài quá {MAX_REF} ký tự", "visit_ref"
        )


def _local(tag) -> str:
    """The element name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(parent: Element, name: str) -> Element | None:
    return next((c for c in parent if _local(c.tag) == name), None)


def _text(parent: Element | None, name: str) -> str:
    found = _child(parent, name) if parent is not None else None
    return (found.text or "").strip() if found is not None else ""
