"""Medical visits end to end: clinics send visit summaries (XML 130 table XML1, or JSON) and only good records are
stored, once; a clinic sends only for itself; check-in tells valid or not from a real QR or a typed code, with the
benefit level and the initial-clinic rule; the citizen sees their visits; every look-up is in the person's log."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access.clients import register_client
from esibook.access.models import AccessLogEntry
from esibook.dates import vietnam_now, vietnam_today
from esibook.health.card import card_qr
from esibook.health.models import Clinic, HICoverage, MedicalVisit
from esibook.people.models import Person
from support.signed_in import system_bearer

TODAY = vietnam_today()


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, lambda personal_id, level=2: signed_bearer(personal_id, "Nhân viên", level)


@pytest.fixture(scope="module")
def clinic(world) -> dict:
    client, ids, bearer = world
    staff = ids["clinic"]
    return {"code": staff.grant[4], "headers": bearer(staff.personal_id)}


@pytest.fixture(scope="module")
def holders(signed, world) -> dict:
    """Card holders who are not demo identities: some valid today, some whose card has expired."""
    _, ids, _ = world
    demo = {i.personal_id for i in ids.values()}
    with Session(signed.engine) as session:
        rows = session.execute(
            select(Person, HICoverage)
            .join(HICoverage, HICoverage.person_id == Person.id)
            .where(Person.personal_id.is_not(None), Person.personal_id.not_in(demo), Person.authority == "civil")
            .order_by(Person.id)
        ).all()
    valid = [(p, c) for p, c in rows if c.valid_from <= TODAY - timedelta(days=40) and c.valid_to >= TODAY]
    expired = [(p, c) for p, c in rows if c.valid_to < TODAY]
    assert len(valid) >= 14 and expired, "the seed has cards valid today and expired cards"
    return {"valid": valid, "expired": expired}


def other_clinic(engine, *, level: str, not_code: str) -> str:
    with Session(engine) as session:
        return session.scalar(
            select(Clinic.code).where(Clinic.level == level, Clinic.code != not_code).order_by(Clinic.code).limit(1)
        )


def summary(ref: str, card: HICoverage, clinic: str, *, admitted: datetime, days: int = 2, **overrides) -> str:
    """One TONG_HOP (XML1) as a hospital information system writes it."""
    fields = {
        "MA_LK": ref,
        "STT": "1",
        "MA_BN": f"BN{ref}",
        "HO_TEN": "Nguyễn Văn Thử",
        "SO_CCCD": "",
        "NGAY_SINH": "199001010000",
        "GIOI_TINH": "1",
        "MA_THE_BHYT": card.card_code,
        "MA_DKBD": card.initial_clinic_code,
        "GT_THE_TU": f"{card.valid_from:%Y%m%d}",
        "GT_THE_DEN": f"{card.valid_to:%Y%m%d}",
        "MA_BENH_CHINH": "J18.9",
        "NGAY_VAO": f"{admitted:%Y%m%d%H%M}",
        "NGAY_RA": f"{admitted + timedelta(days=days):%Y%m%d%H%M}",
        "T_THUOC": "350000",
        "T_TONGCHI_BV": "1500000.00",
        "T_TONGCHI_BH": "1500000.00",
        "T_BNTT": "0",
        "T_BNCCT": "300000.00",
        "T_BHTT": "1200000.00",
        "T_NGUONKHAC": "0",
        "MA_LOAI_KCB": "03",
        "MA_CSKCB": clinic,
        **overrides,
    }
    return "<TONG_HOP>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()) + "</TONG_HOP>"


def envelope(clinic: str, summaries: list[str]) -> bytes:
    """The GIAMDINHHS envelope: each dossier's tables base64-encoded in FILEHOSO/NOIDUNGFILE."""

    def b64(xml: str) -> str:
        return base64.b64encode(f'<?xml version="1.0" encoding="utf-8"?>{xml}'.encode()).decode()

    hosos = "".join(
        "<HOSO>"
        f"<FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>{b64(s)}</NOIDUNGFILE></FILEHOSO>"
        f"<FILEHOSO><LOAIHOSO>XML2</LOAIHOSO><NOIDUNGFILE>{b64('<CHITIEU_CHITIET_THUOC/>')}</NOIDUNGFILE></FILEHOSO>"
        "</HOSO>"
        for s in summaries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>'
        f"{clinic}</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>{TODAY:%Y%m%d}</NGAYLAP>"
        f"<SOLUONGHOSO>{len(summaries)}</SOLUONGHOSO><DANHSACHHOSO>{hosos}</DANHSACHHOSO></THONGTINHOSO>"
        "<CHUKYDONVI/></GIAMDINHHS>"
    ).encode()


def send_xml(client, headers, data: bytes, clinic_code: str | None = None):
    params = {"clinic_code": clinic_code} if clinic_code else {}
    return client.post(
        "/api/v1/clinic/visits/xml",
        content=data,
        params=params,
        headers={**headers, "content-type": "application/xml"},
    )


def stored(engine, clinic_code: str) -> int:
    with Session(engine) as session:
        return session.scalar(
            select(func.count()).select_from(MedicalVisit).where(MedicalVisit.clinic_code == clinic_code)
        )


def codes_by_ref(report: dict) -> dict[str, set[str]]:
    return {r["visit_ref"]: {reason["code"] for reason in r["reasons"]} for r in report["rejected"]}


def a_week_ago() -> datetime:
    return datetime.combine(TODAY - timedelta(days=7), datetime.min.time()).replace(hour=8, minute=30)


def test_an_xml1_file_stores_the_good_visits_and_reports_each_bad_one(signed, world, clinic, holders):
    client, _, _ = world
    (p1, c1), (p2, c2), (_, c3), (_, c4), (_, c5) = holders["valid"][:5]
    here, when = clinic["code"], a_week_ago()
    unknown_card = c1.card_code[:5] + ("0000000000" if c1.card_code[5:] != "0000000000" else "1111111111")
    summaries = [
        summary("XML-GOOD-1", c1, here, admitted=when, SO_CCCD=p1.personal_id),
        summary("XML-GOOD-2", c2, here, admitted=when - timedelta(days=3), days=0, T_BNCCT="0", T_BNTT="300000"),
        summary("XML-NOCARD", c3, here, admitted=when, MA_THE_BHYT=unknown_card),
        summary("XML-OLDCARD", c3, here, admitted=datetime.combine(c3.valid_from - timedelta(days=30), when.time())),
        summary("XML-NOCLINIC", c4, "01999", admitted=when),
        summary("XML-SUM", c5, here, admitted=when, T_BHTT="1250000"),
        summary("XML-BACKWARDS", c5, here, admitted=when, days=-1),
    ]
    data = envelope(here, summaries)
    before = stored(signed.engine, here)

    first = send_xml(client, clinic["headers"], data)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["received"], report["accepted"], report["duplicates"]) == (7, 2, 0)
    assert codes_by_ref(report) == {
        "XML-NOCARD": {"visit.unknown_card"},
        "XML-OLDCARD": {"visit.card_not_valid"},
        "XML-NOCLINIC": {"visit.unknown_clinic"},
        "XML-SUM": {"visit.amounts"},
        "XML-BACKWARDS": {"visit.dates"},
    }
    assert [r["index"] for r in report["rejected"]] == [3, 4, 5, 6, 7], "each bad record is found by its position"
    rejection = report["rejected"][0]
    assert rejection["message"] and all(r["message_vi"] and r["message_en"] for r in rejection["reasons"])
    assert stored(signed.engine, here) == before + 2

    again = send_xml(client, clinic["headers"], data).json()
    assert (again["accepted"], again["duplicates"], len(again["rejected"])) == (0, 2, 5)
    assert stored(signed.engine, here) == before + 2, "the same file twice stores nothing new"

    with Session(signed.engine) as session:
        visit = session.scalars(select(MedicalVisit).where(MedicalVisit.visit_ref == "XML-GOOD-2")).one()
        logged = session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.person_id == p1.id, AccessLogEntry.accessor_kind == "clinic")
        ).all()
    assert (visit.person_id, visit.total_cost, visit.hi_paid, visit.patient_paid, visit.other_paid) == (
        p2.id,
        1_500_000,
        1_200_000,
        300_000,
        0,
    )
    assert (visit.source, visit.main_diagnosis, visit.admitted_at) == ("xml1", "J18.9", when - timedelta(days=3))
    assert logged and {e.purpose for e in logged} == {"KCB"} and here in logged[0].accessor


def test_a_bare_list_of_tong_hop_is_imported_from_the_command_line(signed, clinic, holders):
    (_, card), (_, other) = holders["valid"][5:7]
    here = clinic["code"]
    data = (
        "<DANHSACH>"
        + summary("CLI-GOOD-1", card, here, admitted=a_week_ago())
        + summary("CLI-NEGATIVE", other, here, admitted=a_week_ago(), T_NGUONKHAC="-5", T_BHTT="1200005")
        + "</DANHSACH>"
    ).encode()
    path = signed.settings.data_dir / "visits-cli.xml"
    path.write_bytes(data)
    env = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(signed.settings.data_dir),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "esibook", "visits", "import", *args], capture_output=True, text=True, env=env
        )

    done = run(str(path), "--clinic", here)
    assert done.returncode == 1, done.stderr
    assert "2 received, 1 stored, 0 already stored, 1 rejected" in done.stdout
    assert "#2 CLI-NEGATIVE: visit.negative_amount" in done.stdout
    assert "1 already stored" in run(str(path), "--clinic", here).stdout

    unknown = run(str(path), "--clinic", "01999")
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "visits.clinic_unknown" in unknown.stderr
    path.write_bytes(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><TONG_HOP>&a;</TONG_HOP>')
    unsafe = run(str(path), "--clinic", here)
    assert unsafe.returncode == 2 and "visits.unsafe" in unsafe.stderr


def visit_json(ref: str, card: HICoverage, **overrides) -> dict:
    admitted = a_week_ago()
    return {
        "visit_ref": ref,
        "card_code": card.card_code,
        "admitted_at": admitted.isoformat(),
        "discharged_at": (admitted + timedelta(hours=2)).isoformat(),
        "main_diagnosis": "K29.7",
        "total_cost": 250_000,
        "hi_paid": 200_000,
        "patient_paid": 50_000,
        **overrides,
    }


@pytest.fixture(scope="module")
def his(signed, world) -> dict:
    """A hospital information system connected with client credentials (group 5, purpose KCB)."""
    client, _, _ = world
    with Session(signed.engine) as session:
        client_id, secret = register_client(
            session, name="HIS Bệnh viện thử nghiệm", groups="1,5", purposes="KCB", client_id="test-visits-his"
        )
    return system_bearer(client, client_id, secret)


def test_the_json_api_for_clinic_staff_and_for_a_connected_system(signed, world, clinic, holders, his):
    client, _, _ = world
    (_, card), (_, other) = holders["valid"][7:9]
    body = {
        "visits": [
            visit_json("JSON-GOOD-1", card),
            visit_json("JSON-DIAG", card, main_diagnosis="flu"),
            visit_json("JSON-FUTURE", other,
                       discharged_at=(vietnam_now() + timedelta(days=5)).replace(tzinfo=None).isoformat()),
        ]
    }
    sent = client.post("/api/v1/clinic/visits", json=body, headers=clinic["headers"])
    assert sent.status_code == 200, sent.text
    report = sent.json()
    assert (report["clinic_code"], report["accepted"], report["source"]) == (clinic["code"], 1, "json")
    assert codes_by_ref(report) == {"JSON-DIAG": {"visit.diagnosis"}, "JSON-FUTURE": {"visit.future"}}

    district = other_clinic(signed.engine, level="district", not_code=clinic["code"])
    by_system = client.post(
        "/api/v1/clinic/visits",
        json={"clinic_code": district, "visits": [visit_json("JSON-HIS-1", other, total_cost="250000.40")]},
        headers=his,
    )
    assert by_system.status_code == 200, by_system.text
    assert by_system.json()["accepted"] == 1
    missing_clinic = client.post("/api/v1/clinic/visits", json={"visits": [visit_json("X", card)]}, headers=his)
    assert missing_clinic.status_code == 400 and missing_clinic.json()["error"]["code"] == "visits.clinic_unknown"
    malformed = client.post("/api/v1/clinic/visits", json={"visits": [{"visit_ref": "X"}]}, headers=clinic["headers"])
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "request.invalid"


def test_a_clinic_sends_only_for_itself(signed, world, clinic, holders, his):
    client, ids, bearer = world
    (_, card) = holders["valid"][9]
    elsewhere = other_clinic(signed.engine, level="district", not_code=clinic["code"])
    before = stored(signed.engine, elsewhere)

    named = client.post(
        "/api/v1/clinic/visits",
        json={"clinic_code": elsewhere, "visits": [visit_json("OTHER-1", card)]},
        headers=clinic["headers"],
    )
    assert named.status_code == 403 and named.json()["error"]["code"] == "access.clinic_not_granted"
    in_envelope = send_xml(
        client, clinic["headers"], envelope(elsewhere, [summary("OTHER-2", card, elsewhere, admitted=a_week_ago())])
    )
    assert in_envelope.status_code == 403
    in_record = client.post(
        "/api/v1/clinic/visits",
        json={"visits": [visit_json("OTHER-3", card, clinic_code=elsewhere)]},
        headers=clinic["headers"],
    )
    assert codes_by_ref(in_record.json()) == {"OTHER-3": {"visit.other_clinic"}}
    citizen = client.post(
        "/api/v1/clinic/visits",
        json={"visits": [visit_json("OTHER-4", card)]},
        headers=bearer(ids["citizen-l2"].personal_id),
    )
    assert citizen.status_code == 403 and citizen.json()["error"]["code"] == "access.clinic_only"
    assert stored(signed.engine, elsewhere) == before


def check(client, headers, **body):
    response = client.post("/api/v1/clinic/check-in", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_check_in_from_a_real_qr_and_from_a_typed_code(signed, world, clinic, holders):
    client, _, _ = world
    person, card = holders["valid"][10]
    with Session(signed.engine) as session:
        qr = card_qr(session, signed.settings, person).payload
        one_time = card_qr(session, signed.settings, person, one_time=True).payload

    scanned = check(client, clinic["headers"], qr=qr)
    assert scanned["valid"] is True and scanned["source"] == "qr" and scanned["qr"]["verdict"] == "valid"
    assert scanned["person"]["full_name"] == person.full_name
    assert scanned["card"]["card_code"] == card.card_code
    assert scanned["card"]["benefit_level"] == card.benefit_level and scanned["card"]["benefit_percent"] in (
        80,
        95,
        100,
    )
    at_initial = card.initial_clinic_code == clinic["code"]
    assert scanned["at_initial_clinic"] is at_initial
    assert scanned["initial_clinic_rule"]["code"] == ("initial" if at_initial else "provincial")
    assert scanned["initial_clinic_rule"]["message_vi"] and scanned["initial_clinic_rule"]["message_en"]
    assert check(client, clinic["headers"], qr=one_time)["valid"] is True

    by_id = check(client, clinic["headers"], code=person.personal_id)
    by_card = check(client, clinic["headers"], code=card.card_code.lower())
    assert by_id["valid"] and by_card["valid"] and by_id["source"] == "personal_id" and by_card["source"] == "card_code"

    payload = qr[len("VNHI1:") :]
    forged = check(client, clinic["headers"], qr="VNHI1:" + payload[:-3] + ("AAA" if payload[-3:] != "AAA" else "BBB"))
    assert forged["valid"] is False and forged["reason"]["code"] == "checkin.qr_not_genuine"
    assert forged["person"] is None, "nothing is looked up from a QR that does not verify"
    with Session(signed.engine) as session:
        expired_qr = card_qr(session, signed.settings, person, one_time=True, now=1_000_000_000).payload
    stale = check(client, clinic["headers"], qr=expired_qr)
    assert stale["valid"] is False and stale["reason"]["code"] == "checkin.qr_expired"

    with Session(signed.engine) as session:
        logged = session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.person_id == person.id, AccessLogEntry.channel == "clinic")
        ).all()
    assert len(logged) >= 4 and all(e.groups == "5" and e.purpose == "KCB" for e in logged)


def test_check_in_says_not_valid_for_an_expired_or_unknown_card(signed, world, clinic, holders):
    client, _, _ = world
    person, card = holders["expired"][0]
    expired = check(client, clinic["headers"], code=card.card_code)
    assert expired["valid"] is False and expired["reason"]["code"] == "checkin.card_expired"
    assert expired["card"]["valid_to"] == card.valid_to.isoformat() and expired["person"]["full_name"]
    with Session(signed.engine) as session:
        qr = card_qr(session, signed.settings, person).payload
    assert check(client, clinic["headers"], qr=qr)["reason"]["code"] == "checkin.card_expired"

    unknown = check(client, clinic["headers"], code=card.card_code[:5] + "0000000001")
    assert unknown["valid"] is False and unknown["reason"]["code"] == "checkin.unknown_card"
    assert unknown["card"] is None and unknown["person"] is None
    bad = client.post("/api/v1/clinic/check-in", json={"code": "12345"}, headers=clinic["headers"])
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "checkin.code"
    both = client.post("/api/v1/clinic/check-in", json={}, headers=clinic["headers"])
    assert both.status_code == 400 and both.json()["error"]["code"] == "checkin.input"


def test_the_initial_clinic_rule_depends_on_where_the_person_checks_in(signed, world, holders, his):
    client, ids, bearer = world
    _, card = holders["valid"][11]
    at_home = check(client, his, code=card.card_code, clinic_code=card.initial_clinic_code)
    assert at_home["at_initial_clinic"] is True and at_home["initial_clinic_rule"]["code"] == "initial"
    commune = other_clinic(signed.engine, level="commune", not_code=card.initial_clinic_code)
    assert check(client, his, code=card.card_code, clinic_code=commune)["initial_clinic_rule"]["code"] == "primary_care"
    nowhere = check(client, his, code=card.card_code)
    assert nowhere["at_initial_clinic"] is None and nowhere["initial_clinic_rule"]["code"] == "not_checked"
    citizen = client.post(
        "/api/v1/clinic/check-in", json={"code": card.card_code}, headers=bearer(ids["citizen-l2"].personal_id)
    )
    assert citizen.status_code == 403


def test_the_clinic_check_in_page_works_with_a_form(signed, world, clinic, holders):
    client, _, _ = world
    _, card = holders["valid"][10]
    page = client.get("/clinic/check-in?lang=en", headers=clinic["headers"])
    assert page.status_code == 200 and 'name="qr"' in page.text and 'name="code"' in page.text
    shown = client.post("/clinic/check-in?lang=en", data={"code": card.card_code}, headers=clinic["headers"])
    assert shown.status_code == 200 and 'data-testid="checkin-verdict">Valid<' in shown.text
    assert card.card_code in shown.text
    wrong = client.post("/clinic/check-in?lang=en", data={"code": "abc"}, headers=clinic["headers"])
    assert wrong.status_code == 422 and 'data-testid="checkin-error"' in wrong.text


def test_the_send_visits_page_takes_an_xml_file(signed, world, clinic, holders):
    client, _, _ = world
    _, card = holders["valid"][12]
    data = envelope(clinic["code"], [summary("PAGE-1", card, clinic["code"], admitted=a_week_ago(), T_BHTT="1")])
    page = client.post(
        "/clinic/visits?lang=en", files={"file": ("xml130.xml", data, "application/xml")}, headers=clinic["headers"]
    )
    assert page.status_code == 200 and 'data-testid="visits-rejections"' in page.text
    assert "visit.amounts" in page.text and "PAGE-1" in page.text
    broken = client.post(
        "/clinic/visits?lang=en", files={"file": ("x.xml", b"<TONG_HOP>", "application/xml")}, headers=clinic["headers"]
    )
    assert broken.status_code == 400 and "not well-formed XML" in broken.text


def test_the_citizen_sees_their_visits_newest_first(signed, world, clinic, holders):
    client, _, bearer = world
    person, card = holders["valid"][13]
    older, newer = a_week_ago() - timedelta(days=20), a_week_ago()
    sent = client.post(
        "/api/v1/clinic/visits",
        json={
            "visits": [
                visit_json("MINE-OLD", card, admitted_at=older.isoformat(), discharged_at=older.isoformat()),
                visit_json(
                    "MINE-NEW",
                    card,
                    main_diagnosis="I10",
                    admitted_at=newer.isoformat(),
                    discharged_at=(newer + timedelta(days=1)).isoformat(),
                ),
            ]
        },
        headers=clinic["headers"],
    )
    assert sent.json()["accepted"] == 2, sent.text

    mine = client.get("/api/v1/me/visits", headers=bearer(person.personal_id))
    assert mine.status_code == 200
    visits = mine.json()
    assert [v["visit_ref"] for v in visits] == ["MINE-NEW", "MINE-OLD"]
    newest = visits[0]
    with Session(signed.engine) as session:
        named = session.scalar(select(Clinic).where(Clinic.code == clinic["code"]))
    assert newest["clinic"] == {"code": clinic["code"], "name": named.name, "address": named.address}
    assert (newest["main_diagnosis"], newest["total_cost"], newest["hi_paid"], newest["patient_paid"]) == (
        "I10",
        250_000,
        200_000,
        50_000,
    )
    assert newest["admitted_at"] == newer.isoformat(timespec="minutes")
    assert newest["diagnosis_chapter"]["en"] == "Diseases of the circulatory system"

    page = client.get("/me/visits?lang=vi", headers=bearer(person.personal_id))
    assert page.status_code == 200 and named.name in page.text and named.address in page.text and "I10" in page.text
    assert "250.000" in page.text
    level_1 = client.get("/api/v1/me/visits", headers=bearer(person.personal_id, level=1))
    assert level_1.status_code == 403 and level_1.json()["error"]["code"] == "access.level2_required"
    assert client.get("/api/v1/me/visits", headers=clinic["headers"]).json() == [], "staff have no visits of their own"
