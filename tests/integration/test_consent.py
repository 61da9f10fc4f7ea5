"""Consent for purposes that need it (credit): a bank asks, the person answers in the app, reads follow the answer
at once, and the person sees every read made under a consent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import consent as consent_service
from esibook.access.clients import register_client
from esibook.access.principal import Identity
from esibook.access.sessions import SESSION_COOKIE, open_session
from esibook.app import create_app
from esibook.audit.models import AuditRecord
from esibook.columns import utcnow
from esibook.config import Settings
from esibook.notify.models import OutboxMessage
from esibook.people.models import Person
from support.signed_in import bearer_of, system_bearer

REASON = "Thẩm định hồ sơ vay mua nhà số HD-2026-0042: xác minh thu nhập đóng BHXH 12 tháng gần nhất."


@pytest.fixture(scope="module")
def app(seeded_engine, demo_identities, tmp_path_factory):
    settings = Settings(
        database_url=seeded_engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path_factory.mktemp("consent"),
        env="test",
    )
    return settings, TestClient(create_app(settings))


@pytest.fixture(scope="module")
def people(app, demo_identities):
    settings, _ = app
    me = demo_identities["citizen-l2"]
    return {
        "pid": me.personal_id,
        "me": bearer_of(settings, me, 2),
        "me_l1": bearer_of(settings, me, 1),
        "other": bearer_of(settings, demo_identities["guardian"], 2),
        "defence": bearer_of(settings, demo_identities["citizen-defence"], 2),
        "defence_pid": demo_identities["citizen-defence"].personal_id,
    }


def bank(app, engine, suffix: str, *, groups: str = "1,4", purposes: str = "KCB,TINDUNG") -> dict:
    """A connected system of its own for each test, so no consent of another test can answer for it."""
    _, client = app
    with Session(engine) as session:
        client_id, secret = register_client(
            session,
            name=f"Ngân hàng thử nghiệm {suffix}",
            groups=groups,
            purposes=purposes,
            client_id=f"bank-{suffix}-{engine.dialect.name}",
        )
    return system_bearer(client, client_id, secret)


def ask(client, system, pid, *, groups=(4,), purpose="TINDUNG", days=90, reason=REASON):
    body = {"personal_id": pid, "groups": list(groups), "purpose": purpose, "reason": reason, "days": days}
    return client.post("/api/v1/exchange/consents", json=body, headers=system)


def read(client, system, pid, group=4, purpose="TINDUNG"):
    return client.get(f"/api/v1/exchange/persons/{pid}/groups/{group}", params={"purpose": purpose}, headers=system)


def answer(client, headers, consent_id, action):
    return client.post(f"/api/v1/me/consents/{consent_id}/{action}", headers=headers)


def poll(client, system, consent_id) -> str:
    return client.get(f"/api/v1/exchange/consents/{consent_id}", headers=system).json()["status"]


def log_of(client, people, accessor: str) -> list[dict]:
    return [e for e in client.get("/api/v1/me/access-log", headers=people["me"]).json() if e["accessor"] == accessor]


def test_a_credit_read_without_consent_is_refused_and_in_the_persons_log(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "none")
    refused = read(client, system, people["pid"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "access.consent_required"
    assert "participation" not in refused.text
    entries = log_of(client, people, "Ngân hàng thử nghiệm none")
    assert [(e["outcome"], e["purpose"], e["consent_id"]) for e in entries] == [("refused", "TINDUNG", None)]


def test_approved_request_lets_the_bank_read_and_each_read_names_the_consent(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "yes")
    filed = ask(client, system, people["pid"], days=30)
    assert filed.status_code == 202
    body = filed.json()
    assert body["status"] == "pending" and body["groups"] == [4] and body["expires_at"] is None
    with Session(seeded_engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == people["pid"]))
    assert person.full_name not in filed.text and people["pid"] not in filed.text

    mine = [c for c in client.get("/api/v1/me/consents", headers=people["me"]).json() if c["id"] == body["id"]]
    assert [(c["system"], c["groups"], c["purpose"], c["reason"], c["days"], c["status"]) for c in mine] == [
        ("Ngân hàng thử nghiệm yes", [4], "TINDUNG", REASON, 30, "pending")
    ]
    with Session(seeded_engine) as session:
        notices = session.execute(
            select(OutboxMessage.recipient, OutboxMessage.body).where(
                OutboxMessage.dedupe_key == f"consent:{body['id']}:inapp"
            )
        ).all()
    assert [n.recipient for n in notices] == [f"person:{person.id}"], "the person is told a request arrived"
    assert "Bảo hiểm xã hội" in notices[0].body and REASON not in notices[0].body

    assert read(client, system, people["pid"]).status_code == 403, "pending is not approved"
    approved = answer(client, people["me"], body["id"], "approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert poll(client, system, body["id"]) == "approved"

    allowed = read(client, system, people["pid"])
    assert allowed.status_code == 200 and "participation" in allowed.json()["data"]
    entries = log_of(client, people, "Ngân hàng thử nghiệm yes")
    assert [(e["outcome"], e["consent_id"]) for e in entries] == [("allowed", body["id"]), ("refused", None)]

    with Session(seeded_engine) as session:
        record = session.scalar(
            select(AuditRecord).where(
                AuditRecord.action == "consent.approved", AuditRecord.target == f"consent:{body['id']}"
            )
        )
    assert record is not None and people["pid"] not in record.actor + record.target + record.details


def test_a_refused_request_keeps_the_read_refused(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "no")
    consent_id = ask(client, system, people["pid"]).json()["id"]
    assert answer(client, people["me"], consent_id, "refuse").json()["status"] == "refused"
    assert poll(client, system, consent_id) == "refused"
    assert read(client, system, people["pid"]).json()["error"]["code"] == "access.consent_required"
    late = answer(client, people["me"], consent_id, "approve")
    assert late.status_code == 409 and late.json()["error"]["code"] == "consent.not_pending"
    assert read(client, system, people["pid"]).status_code == 403


def test_revoking_stops_reads_at_once(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "revoke")
    consent_id = ask(client, system, people["pid"]).json()["id"]
    answer(client, people["me"], consent_id, "approve")
    assert read(client, system, people["pid"]).status_code == 200
    assert answer(client, people["me"], consent_id, "revoke").json()["status"] == "revoked"
    assert read(client, system, people["pid"]).json()["error"]["code"] == "access.consent_required"
    assert poll(client, system, consent_id) == "revoked"


def test_an_expired_consent_refuses_the_read(app, people, seeded_engine, monkeypatch):
    _, client = app
    system = bank(app, seeded_engine, "expiry")
    consent_id = ask(client, system, people["pid"], days=7).json()["id"]
    answer(client, people["me"], consent_id, "approve")
    assert read(client, system, people["pid"]).status_code == 200
    later = utcnow() + timedelta(days=8)
    monkeypatch.setattr(consent_service, "utcnow", lambda: later)
    assert read(client, system, people["pid"]).json()["error"]["code"] == "access.consent_required"
    assert poll(client, system, consent_id) == "expired"
    statuses = {c["id"]: c["status"] for c in client.get("/api/v1/me/consents", headers=people["me"]).json()}
    assert statuses[consent_id] == "expired"


def test_an_unanswered_request_lapses_and_can_no_longer_be_approved(app, people, seeded_engine, monkeypatch):
    _, client = app
    system = bank(app, seeded_engine, "lapse")
    consent_id = ask(client, system, people["pid"]).json()["id"]
    later = utcnow() + timedelta(days=consent_service.ANSWER_DAYS + 1)
    monkeypatch.setattr(consent_service, "utcnow", lambda: later)
    assert poll(client, system, consent_id) == "expired"
    assert answer(client, people["me"], consent_id, "approve").status_code == 409


def test_a_group_the_consent_does_not_cover_is_refused(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "cover")
    consent_id = ask(client, system, people["pid"], groups=[4]).json()["id"]
    answer(client, people["me"], consent_id, "approve")
    assert read(client, system, people["pid"], group=4).status_code == 200
    outside = read(client, system, people["pid"], group=1)
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "access.consent_required"


def test_another_person_can_neither_see_nor_answer_someone_elses_request(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "other")
    consent_id = ask(client, system, people["pid"]).json()["id"]
    for action in ("approve", "refuse", "revoke"):
        response = answer(client, people["other"], consent_id, action)
        assert response.status_code == 404 and response.json()["error"]["code"] == "consent.not_found"
    assert consent_id not in [c["id"] for c in client.get("/api/v1/me/consents", headers=people["other"]).json()]
    assert poll(client, system, consent_id) == "pending"
    assert read(client, system, people["pid"]).status_code == 403


def test_level_1_can_neither_list_nor_answer(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "level1")
    consent_id = ask(client, system, people["pid"]).json()["id"]
    listed = client.get("/api/v1/me/consents", headers=people["me_l1"])
    assert listed.status_code == 403 and listed.json()["error"]["code"] == "access.level2_required"
    approved = answer(client, people["me_l1"], consent_id, "approve")
    assert approved.status_code == 403 and approved.json()["error"]["code"] == "access.level2_required"
    assert poll(client, system, consent_id) == "pending"


def test_a_purpose_without_consent_is_unaffected(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "kcb")
    allowed = read(client, system, people["pid"], group=1, purpose="KCB")
    assert allowed.status_code == 200
    assert [(e["outcome"], e["consent_id"]) for e in log_of(client, people, "Ngân hàng thử nghiệm kcb")] == [
        ("allowed", None)
    ]
    needless = ask(client, system, people["pid"], purpose="KCB")
    assert needless.status_code == 400 and needless.json()["error"]["code"] == "consent.not_needed"


def test_a_request_for_nobody_or_for_another_authority_looks_like_any_other(app, people, seeded_engine):
    _, client = app
    system = bank(app, seeded_engine, "reach")
    nobody = "001099999999"
    with Session(seeded_engine) as session:
        assert session.scalar(select(Person.id).where(Person.personal_id == nobody)) is None
    answers = [ask(client, system, pid) for pid in (people["pid"], nobody, people["defence_pid"])]
    assert [a.status_code for a in answers] == [202, 202, 202]
    shapes = [{k: v for k, v in a.json().items() if k not in ("id", "requested_at", "answer_by")} for a in answers]
    assert shapes[0] == shapes[1] == shapes[2]
    defence_ids = [c["id"] for c in client.get("/api/v1/me/consents", headers=people["defence"]).json()]
    assert answers[2].json()["id"] not in defence_ids, "a civil bank cannot reach a service member"
    assert [poll(client, system, a.json()["id"]) for a in answers] == ["pending"] * 3
    stranger = bank(app, seeded_engine, "reach2")
    assert client.get(f"/api/v1/exchange/consents/{answers[0].json()['id']}", headers=stranger).status_code == 404


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"days": 400}, 422, "request.invalid"),
        ({"days": 0}, 422, "request.invalid"),
        ({"reason": ""}, 422, "request.invalid"),
        ({"reason": "   "}, 400, "consent.reason"),
        ({"groups": [5]}, 403, "access.group_not_granted"),
        ({"groups": [9]}, 400, "access.group_unknown"),
        ({"purpose": "TOAAN"}, 403, "access.purpose_not_granted"),
        ({"purpose": "XYZ"}, 400, "access.purpose_unknown"),
        ({"personal_id": "12345"}, 422, "personal_id.format"),
    ],
)
def test_bad_requests_are_refused_with_a_reason_and_leave_nothing(app, people, seeded_engine, change, status, code):
    _, client = app
    system = bank(app, seeded_engine, f"bad-{code.replace('.', '-').replace('_', '-')}-{len(str(change))}")
    body = {"personal_id": people["pid"], "groups": [4], "purpose": "TINDUNG", "reason": REASON, "days": 90, **change}
    before = len(client.get("/api/v1/me/consents", headers=people["me"]).json())
    response = client.post("/api/v1/exchange/consents", json=body, headers=system)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert len(client.get("/api/v1/me/consents", headers=people["me"]).json()) == before


def test_only_a_connected_system_files_requests(app, people):
    _, client = app
    response = ask(client, people["me"], people["pid"])
    assert response.status_code == 403 and response.json()["error"]["code"] == "access.system_only"


def test_the_page_shows_who_asks_and_answers_with_the_csrf_token(app, people, seeded_engine, demo_identities):
    _, api = app
    system = bank(app, seeded_engine, "page")
    consent_id = ask(api, system, people["pid"], reason="<script>alert(1)</script> vay tiêu dùng").json()["id"]
    me = demo_identities["citizen-l2"]
    with Session(seeded_engine) as session, session.begin():
        cookie = open_session(session, Identity("sub-page", me.personal_id, me.name, 2), 1)
    browser = TestClient(app[1].app)  # a browser of its own on the same application
    browser.cookies.set(SESSION_COOKIE, cookie)

    page = browser.get("/me/consents?lang=en")
    card = re.search(rf'<li id="consent-{consent_id}".*?</li>', page.text, re.S).group(0)
    assert "Ngân hàng thử nghiệm page" in card and "Social insurance" in card and "Credit assessment" in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card and "<script>alert" not in page.text
    assert 'href="/me/consents"' in browser.get("/me").text, "the citizen's menu leads to the page"

    assert browser.post(f"/me/consents/{consent_id}/approve").status_code == 403, "no CSRF token, no answer"
    assert poll(api, system, consent_id) == "pending"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = browser.post(f"/me/consents/{consent_id}/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and poll(api, system, consent_id) == "approved"
    assert read(api, system, people["pid"]).status_code == 200

    log = browser.get("/me/access-log?lang=en").text
    assert f"under your consent #{consent_id}" in log
    decisions = re.search(r'data-testid="consent-decisions">.*?</table>', log, re.S).group(0)
    assert "Ngân hàng thử nghiệm page" in decisions and f"#{consent_id}" in decisions

    assert "<h1>Yêu cầu đồng ý</h1>" in browser.get("/me/consents?lang=vi").text


def test_level_1_page_says_how_to_answer(app, seeded_engine, demo_identities):
    me = demo_identities["citizen-l2"]
    with Session(seeded_engine) as session, session.begin():
        cookie = open_session(session, Identity("sub-page-l1", me.personal_id, me.name, 1), 1)
    browser = TestClient(app[1].app)  # a browser of its own on the same application
    browser.cookies.set(SESSION_COOKIE, cookie)
    response = browser.get("/me/consents?lang=en")
    assert response.status_code == 403 and "level 2" in response.text and "consent-approve" not in response.text
