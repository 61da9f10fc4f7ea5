"""The checks of a reported visit and the XML 130 reader, without a database."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal

import pytest

from esibook.errors import DomainError
from esibook.health.icd10 import chapter_of, normalize_icd10
from esibook.health.models import Clinic, HICoverage
from esibook.health.visits import CardSpan, Facts, Rejection, VisitRecord, check_visit, parse_xml_time, whole_dong
from esibook.health.xml130 import read_xml1
from esibook.views.checkin import initial_clinic_rule

CARD = "DN4790123456789"
FACTS = Facts(
    clinics={"79001", "79002"},
    spans={CARD: [CardSpan(7, date(2026, 1, 1), date(2026, 12, 31), "civil")]},
    personal_ids={7: "079090001234"},
    latest_day=date(2026, 11, 26),
)


def visit(**changes) -> VisitRecord:
    fields = {
        "index": 1,
        "visit_ref": "LK1",
        "card_code": CARD,
        "clinic_code": "79001",
        "admitted_at": datetime(2026, 11, 2, 8, 30),
        "discharged_at": datetime(2026, 11, 4, 10, 0),
        "main_diagnosis": "J18.9",
        "total_cost": Decimal("1500000"),
        "hi_paid": Decimal("1200000"),
        "patient_paid": Decimal("300000"),
        "other_paid": Decimal("0"),
        "personal_id": "079090001234",
    }
    return VisitRecord(**{**fields, **changes})


def codes(record: VisitRecord, sender: str = "79001") -> list[str]:
    return [problem.code for problem in check_visit(record, sender_clinic=sender, facts=FACTS)]


def test_a_good_visit_has_no_problem():
    assert codes(visit()) == []
    assert codes(visit(clinic_code=None)) == [], "a record without MA_CSKCB is the sender's"
    assert codes(visit(total_cost=Decimal("1500000.80"))) == [], "rounding under one đồng is accepted"


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"card_code": "DN4790000000000"}, ["visit.unknown_card"]),
        ({"admitted_at": datetime(2025, 12, 31, 23, 0)}, ["visit.card_not_valid"]),
        ({"personal_id": "079090009999"}, ["visit.card_holder"]),
        ({"clinic_code": "01999"}, ["visit.unknown_clinic"]),
        ({"clinic_code": "79002"}, ["visit.other_clinic"]),
        ({"discharged_at": datetime(2026, 11, 1)}, ["visit.dates"]),
        ({"discharged_at": datetime(2026, 12, 1)}, ["visit.future"]),
        ({"main_diagnosis": "viêm phổi"}, ["visit.diagnosis"]),
        ({"hi_paid": Decimal("1250000")}, ["visit.amounts"]),
        ({"other_paid": Decimal("-1"), "hi_paid": Decimal("1200001")}, ["visit.negative_amount"]),
        ({"total_cost": Decimal("1e20"), "hi_paid": Decimal("1e20")}, ["visit.amount_format", "visit.amount_format"]),
        (
            {"card_code": "XX", "main_diagnosis": "?", "hi_paid": Decimal(0)},
            ["visit.unknown_card", "visit.diagnosis", "visit.amounts"],
        ),
    ],
)
def test_each_problem_has_its_reason_code(changes, expected):
    assert codes(visit(**changes)) == expected


def test_reasons_are_bilingual_and_name_the_field():
    [problem] = check_visit(visit(hi_paid=Decimal("1250000")), sender_clinic="79001", facts=FACTS)
    assert problem.field == "total_cost"
    assert "1,500,000" in problem.message_en and "1.500.000" in problem.message_vi


def test_dates_amounts_and_codes_are_read_as_the_standard_writes_them():
    assert parse_xml_time("202611020830", "NGAY_VAO") == datetime(2026, 11, 2, 8, 30)
    assert parse_xml_time("20261102", "NGAY_VAO") == datetime(2026, 11, 2)
    with pytest.raises(DomainError) as bad:
        parse_xml_time("2026-11-02", "NGAY_VAO")
    assert bad.value.code == "visit.date_format"
    assert whole_dong(Decimal("1500.50")) == 1501
    assert normalize_icd10(" j18.9 ") == "J18.9" and normalize_icd10("J189") == "J189" and normalize_icd10("18") is None
    assert chapter_of("S72.0")[1] == "Injury and poisoning" and chapter_of("D55")[1].startswith("Diseases of the blood")


def tong_hop(ref: str, **fields) -> str:
    values = {
        "MA_LK": ref,
        "MA_THE_BHYT": f"{CARD};HT3790123456789",
        "NGAY_VAO": "202611020830",
        "NGAY_RA": "202611041000",
        "MA_BENH_CHINH": "J18.9",
        "T_TONGCHI": "1500000",
        "T_BHTT": "1200000",
        "T_BNCCT": "200000",
        "T_BNTT": "100000",
        **fields,
    }
    return "<TONG_HOP>" + "".join(f"<{k}>{v}</{k}>" for k, v in values.items()) + "</TONG_HOP>"


def test_the_envelope_a_bare_summary_and_a_list_are_read():
    inner = base64.b64encode(tong_hop("LK1").encode()).decode()
    wrapped = (
        '<GIAMDINHHS xmlns="urn:x"><THONGTINDONVI><MACSKCB>79001</MACSKCB></THONGTINDONVI><THONGTINHOSO>'
        f"<DANHSACHHOSO><HOSO><FILEHOSO><LOAIHOSO>xml1</LOAIHOSO><NOIDUNGFILE>\n{inner}\n</NOIDUNGFILE></FILEHOSO>"
        "</HOSO><HOSO><FILEHOSO><LOAIHOSO>XML2</LOAIHOSO><NOIDUNGFILE>PGEvPg==</NOIDUNGFILE></FILEHOSO></HOSO>"
        "<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>not base64!</NOIDUNGFILE></FILEHOSO></HOSO>"
        "</DANHSACHHOSO></THONGTINHOSO></GIAMDINHHS>"
    ).encode()
    found = read_xml1(wrapped)
    assert found.clinic_code == "79001"
    first, second, third = found.items
    assert isinstance(first, VisitRecord) and first.card_code == CARD and first.patient_paid == Decimal(300000)
    assert isinstance(second, Rejection) and second.reasons[0].code == "visit.xml1_missing"
    assert isinstance(third, Rejection) and third.reasons[0].code == "visit.xml1_content"

    assert read_xml1(tong_hop("LK2").encode()).items[0].visit_ref == "LK2"
    listed = read_xml1(f"<DS>{tong_hop('LK3')}{tong_hop('', NGAY_RA='x', T_TONGCHI='')}</DS>".encode()).items
    assert isinstance(listed[0], VisitRecord)
    assert [r.code for r in listed[1].reasons] == ["visit.missing", "visit.date_format", "visit.missing"]


@pytest.mark.parametrize(
    "data, code",
    [
        (b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><TONG_HOP>&b;</TONG_HOP>', "visits.unsafe"),
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><TONG_HOP>&e;</TONG_HOP>', "visits.unsafe"),
        (b"<TONG_HOP><MA_LK>1</TONG_HOP>", "visits.malformed"),
        (b"<HOSO/>", "visits.structure"),
        (b"   ", "visits.empty"),
        (b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>", "visits.too_large"),
    ],
)
def test_an_unusable_file_is_refused_whole(data, code):
    with pytest.raises(DomainError) as refused:
        read_xml1(data)
    assert refused.value.code == code


def card(initial: str = "79001", level: int = 4) -> HICoverage:
    return HICoverage(card_code=CARD, benefit_level=level, initial_clinic_code=initial)


@pytest.mark.parametrize(
    "clinic_level, code, words",
    [
        ("district", "primary_care", "full benefit level applies anywhere"),
        ("commune", "primary_care", "full benefit level applies anywhere"),
        ("province", "provincial", "inpatient treatment is covered at 80%"),
        ("central", "central", "at 40% of the benefit level (32%)"),
    ],
)
def test_the_initial_clinic_rule_is_said_plainly(clinic_level, code, words):
    here = Clinic(code="01001", level=clinic_level, name="x")
    rule = initial_clinic_rule(card(), here, "01001")
    assert rule["code"] == code and words in rule["message_en"] and "referral" in rule["message_en"]
    assert rule["message_vi"] != rule["message_en"]
    home = initial_clinic_rule(card(initial="01001", level=3), here, "01001")
    assert home["code"] == "initial" and "95%" in home["message_en"]
