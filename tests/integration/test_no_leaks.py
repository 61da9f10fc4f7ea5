"""Step 6 findings, each reproduced as an attacker or a careless user would try it, and now refused."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import accesses_of
from esibook.access.models import RoleGrant, ShareLink
from esibook.app import create_app
from esibook.book.documents import document_digest
from esibook.book.models import BookVersion
from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.views.sharing import MAX_FAILED_PASSCODES
from support.signed_in import bearer, bearer_of

DOCS = Path(__file__).resolve().parents[2] / "docs" / "access.md"


@pytest.fixture(scope="module")
def signed_world(signed):
    """The signed database's officers and clinic staff (by their grants) and a civil card holder with a book."""
    app = create_app(signed.settings)
    client = TestClient(app, follow_redirects=False)
    with Session(signed.engine) as session:
        grants = session.scalars(select(RoleGrant).where(RoleGrant.revoked_at.is_(None))).all()
        people = {
            "officer-civil": next(g.personal_id for g in grants if g.role == "officer" and g.authority == "civil"),
            "clinic": next(g.personal_id for g in grants if g.role == "clinic"),
        }
        holder = session.scalar(
            select(Person)
            .join(HICoverage, HICoverage.person_id == Person.id)
            .where(
                Person.authority == "civil",
                Person.personal_id.not_in([g.personal_id for g in grants]),
                Person.id.in_(select(BookVersion.person_id)),
            )
            .order_by(Person.id)
            .limit(1)
        )
        session.expunge(holder)
    people["holder"] = holder.personal_id

    def headers(key: str, level: int = 2) -> dict:
        return bearer(signed.settings, people[key], key, level)

    return client, headers, holder, signed


def test_the_public_log_hands_out_hashes_never_books(signed_world):
    client, _, holder, _ = signed_world
    response = client.get("/api/v1/log/entries/0")
    assert response.status_code == 200
    assert set(response.json()) == {"leaf_index", "entry", "leaf_hash"}
    assert len(bytes.fromhex(response.json()["entry"])) == 24 + 32  # a type tag and a SHA-256, nothing else
    assert "eyJ" not in response.text  # no JWS
    bundle = client.get("/log/tile/entries/000").content or client.get("/log/tile/entries/000.p/1").content
    assert bundle and b"eyJ" not in bundle and holder.personal_id.encode() not in bundle
    assert client.get("/api/v1/log/entries/99999999").json()["error"]["code"] == "log.leaf_index"


def test_level_1_gets_no_repository_printout_or_inbox(signed_world):
    client, headers, _, _ = signed_world
    for url in ("/api/v1/me/repository", "/api/v1/me/repository/1/download", "/api/v1/me/inbox",
                "/api/v1/me/book/printout.pdf", "/api/v1/me/dossiers", "/api/v1/me/access-log"):
        response = client.get(url, headers=headers("holder", level=1))
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "access.level2_required", url


def test_a_suspended_card_is_not_valid_at_the_clinic_card_endpoint(signed_world):
    client, headers, holder, _ = signed_world
    officer = headers("officer-civil")
    suspended = client.post(
        f"/api/v1/officer/persons/{holder.id}/suspensions", headers=officer,
        json={"subject": "card", "reason": "reported stolen"},
    )
    assert suspended.status_code == 201
    try:
        card = client.get(f"/api/v1/clinic/cards/{holder.personal_id}", headers=headers("clinic")).json()
        assert card["valid"] is False and card["reason"]["code"] == "checkin.card_suspended"
    finally:
        client.delete(f"/api/v1/officer/persons/{holder.id}/suspensions/card", headers=officer)
    again = client.get(f"/api/v1/clinic/cards/{holder.personal_id}", headers=headers("clinic")).json()
    assert again["reason"] is None or again["reason"]["code"] != "checkin.card_suspended"


def test_an_officers_printout_is_in_the_persons_access_log(signed_world):
    client, headers, holder, signed = signed_world
    with Session(signed.engine) as session:
        before = len(accesses_of(session, holder.id, limit=500))
    response = client.get(f"/api/v1/officer/persons/{holder.id}/printout.pdf", headers=headers("officer-civil"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    with Session(signed.engine) as session:
        entries = accesses_of(session, holder.id, limit=500)
    assert len(entries) == before + 1 and entries[0].accessor_kind == "officer"


def test_the_public_verify_page_names_no_holder(signed_world):
    client, _, holder, signed = signed_world
    with Session(signed.engine) as session:
        version = session.scalar(
            select(BookVersion).where(BookVersion.person_id == holder.id).order_by(BookVersion.version.desc())
        )
        book_id, number, document = version.book_id, version.version, version.document
    typed = client.get(f"/verify?book={book_id}&v={number}")
    assert typed.status_code == 200 and holder.full_name not in typed.text
    assert 'data-testid="lookup"' in typed.text and "issued" not in typed.text.split('data-testid="lookup"')[1][:200]
    scanned = client.get(f"/verify?book={book_id}&v={number}&d={document_digest(document)}")
    assert scanned.status_code == 200 and holder.full_name not in scanned.text
    assert "verdict good" in scanned.text or "verdict bad" in scanned.text


def test_the_public_lookups_hand_out_no_personal_data(signed_world):
    """Clinics and offices carry only what a directory shows; the SI-code lookup for a real holder answers with the
    masked code only: no name, no date, no personal ID number, not the full code."""
    client, _, holder, _ = signed_world
    clinic_keys = {"code", "name", "province_code", "province", "level", "address", "accepts_initial_registration",
                   "in_register"}
    for item in client.get("/api/v1/lookups/clinics", params={"per_page": 100}).json()["items"]:
        assert set(item) == clinic_keys
    office_keys = {"code", "kind", "name", "province_code", "province", "address", "phone", "opening_hours", "parent"}
    for item in client.get("/api/v1/lookups/offices", params={"per_page": 100}).json()["items"]:
        assert set(item) == office_keys
    assert holder.si_code_legacy, "seeded persons have an SI code"
    question = {"full_name": holder.full_name, "date_of_birth": holder.date_of_birth.isoformat(),
                "province": "0" + holder.si_code_legacy[:2]}
    response = client.post("/api/v1/lookups/si-code", json=question)
    assert response.status_code == 200
    assert set(response.json()) == {"masked_code", "message", "message_vi", "message_en"}
    for secret in (holder.si_code_legacy, holder.personal_id, holder.full_name, question["date_of_birth"]):
        assert secret not in response.text


def test_parallel_wrong_passcodes_are_counted_before_they_are_checked(
    live_server, live_data_dir, demo_identities, seeded_engine
):
    """30 wrong guesses at once: at most 5 are ever compared; then even the right passcode is refused."""
    from esibook.config import Settings

    settings = Settings(
        database_url=seeded_engine.url.render_as_string(hide_password=False), data_dir=live_data_dir, env="test",
        base_url=live_server,
    )
    identity = demo_identities["citizen-l2"]
    created = httpx.post(
        f"{live_server}/api/v1/me/share-links", headers=bearer_of(settings, identity, 2),
        json={"extract": "hi_card_valid", "days": 1},
    )
    assert created.status_code == 201, created.text
    link, passcode = created.json()["url"].rsplit("/", 1)[1], created.json()["passcode"]
    wrong = f"{(int(passcode) + 1) % 10**6:06d}"
    codes: list[str] = []

    def guess() -> None:
        answer = httpx.post(f"{live_server}/api/v1/shared/{link}", json={"passcode": wrong}, timeout=30)
        codes.append(answer.json()["error"]["code"])

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == 30 and codes.count("share.passcode") <= MAX_FAILED_PASSCODES
    with Session(seeded_engine) as session:
        stored = session.scalar(select(ShareLink).where(ShareLink.id == created.json()["id"]))
        assert stored.failed_passcodes == MAX_FAILED_PASSCODES, "the link is locked"
    right = httpx.post(f"{live_server}/api/v1/shared/{link}", json={"passcode": passcode})
    assert right.json()["error"]["code"] in ("share.unavailable", "rate.limited")


def test_the_access_page_carries_the_policy_table():
    text = DOCS.read_text()
    begin, end = "<!-- policy-rules:begin -->\n", "\n<!-- policy-rules:end -->"
    assert text[text.index(begin) + len(begin) : text.index(end)] == policy.rules_table()


def test_an_officer_reading_a_dossier_about_a_person_is_in_their_access_log(signed_world):
    client, headers, holder, signed = signed_world
    filed = client.post(
        "/api/v1/dossiers",
        json={"procedure": "request_printout", "form": {"delivery": "post", "copies": 1}},
        headers={**headers("holder"), "idempotency-key": "leaks-printout-0001"},
    )
    assert filed.status_code in (200, 201), filed.text
    with Session(signed.engine) as session:
        before = len(accesses_of(session, holder.id, limit=500))
    mine = client.get(f"/api/v1/dossiers/{filed.json()['id']}", headers=headers("holder"))
    assert mine.status_code == 200
    read = client.get(f"/api/v1/dossiers/{filed.json()['id']}", headers=headers("officer-civil"))
    assert read.status_code == 200
    with Session(signed.engine) as session:
        entries = accesses_of(session, holder.id, limit=500)
    assert len(entries) == before + 1 and entries[0].accessor_kind == "officer"


def test_a_server_error_logs_no_personal_id_nor_statement_parameters(signed, caplog):
    """The path of a failing request is masked in the log, and a failed statement's parameters are hidden."""
    from sqlalchemy import text as sql

    app = create_app(signed.settings)

    def broken(personal_id: str):
        with Session(app.state.engine) as session:
            session.execute(sql("SELECT no_such_column FROM persons WHERE personal_id = :p"), {"p": personal_id})

    app.add_api_route("/api/v1/broken/{personal_id}", broken, methods=["GET"])
    pid = "079123456723"
    with caplog.at_level("ERROR", logger="esibook.web"):
        response = TestClient(app, raise_server_exceptions=False).get(f"/api/v1/broken/{pid}")
    assert response.status_code == 500 and pid not in response.text
    assert caplog.records and "no_such_column" in caplog.text, "the error itself is logged"
    assert pid not in caplog.text and "0791******23" in caplog.text
