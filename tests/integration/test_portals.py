"""The national portals and the VNeID wallet (docs/portals.md): a registration approved reaches the stand-ins of
the National Public Service Portal, the Ministry of Finance system and the VNeID wallet once, even when the
worker dies after each system stored a push and before the push was marked done; a failed push is retried; each
push is in the person's access log; the deep link opens the version after sign-in."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import threading

import hypothesis
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from esibook import jobs, worker
from esibook.access.models import AccessLogEntry
from esibook.book.models import BookVersion
from esibook.config import Settings
from esibook.db import is_postgres, session_factory, transaction
from esibook.employers.models import Employer
from esibook.people.models import Person
from esibook.portals import messages
from esibook.portals import service as portals
from esibook.portals.adapters import LocalRepository, held_by
from esibook.portals.models import PortalHolding, PortalPush
from esibook.transactions.models import Dossier
from integration.test_dossiers import registration, uninsured

WALLET, PORTAL, FINANCE = "Ví giấy tờ VNeID", "Cổng Dịch vụ công quốc gia", "Bộ Tài chính"


def run_worker(signed, **env) -> subprocess.CompletedProcess:
    """``esibook worker --once`` in a process of its own, on the signed database and its keys."""
    return subprocess.run(
        [sys.executable, "-m", "esibook", "worker", "--once"],
        env={**os.environ, "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
             "ESIBOOK_DATA_DIR": str(signed.settings.data_dir), "ESIBOOK_JOBS_STALLED_SECONDS": "0", **env},
        capture_output=True, text=True, timeout=180,
    )


def pending_pushes(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).where(PortalPush.done_at.is_(None)))


def test_a_registration_approved_reaches_the_portals_and_the_wallet_once_after_worker_crashes(
    signed, signed_app, signed_identities, signed_bearer, tmp_path
):
    client, ids = signed_app, signed_identities
    assert run_worker(signed).returncode == 0, "what was pending before (the first issuance) is pushed first"
    assert pending_pushes(signed.engine) == 0
    rep, officer = ids["employer-rep"], ids["officer-civil"]
    [resident] = uninsured(signed.engine, 1)
    filed = client.post("/api/v1/dossiers", json=registration(rep.grant[3], [resident]),
                        headers={**signed_bearer(rep.personal_id), "idempotency-key": "portal-push-0001"})
    assert filed.status_code == 201, filed.text
    approved = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"},
                           headers=signed_bearer(officer.personal_id))
    assert approved.json()["status"] == "result_issued", approved.text

    crashes = tmp_path / "crashed"
    crashes.mkdir()
    runs = [run_worker(signed, ESIBOOK_TEST_CRASH_AFTER_PORTAL_STORE=str(crashes)) for _ in range(12)]
    codes = [run.returncode for run in runs]
    assert 17 in codes, "the worker died after a system had stored a push, before marking it done"
    assert codes[-1] == 0 and pending_pushes(signed.engine) == 0, codes
    # book (3 systems), card (3 systems), the employer's dossier result (the two portals): each died once
    assert len(list(crashes.iterdir())) == 8

    with Session(signed.engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == resident))
        version = session.scalar(select(BookVersion).where(BookVersion.person_id == person.id))
        employer = session.get(Employer, rep.grant[3])
        code = session.scalar(select(Dossier.code).where(Dossier.id == filed.json()["id"]))
        held = [(h.destination, h.document_type, h.version, json.loads(h.message))
                for h in held_by(session, f"person:{resident}")]
        results = [(h.destination, h.document_id) for h in held_by(session, f"organisation:{employer.tax_code}")
                   if h.document_id == f"dossier:{code}"]
        pushed = session.scalars(select(AccessLogEntry.accessor).where(
            AccessLogEntry.person_id == person.id, AccessLogEntry.purpose == portals.PURPOSE)).all()
    assert sorted((d, t, v) for d, t, v, _ in held) == [
        ("mof", "book_version", 1), ("mof", "hi_card", 1), ("ndpp", "book_version", 1), ("ndpp", "hi_card", 1),
        ("vneid", "book_version", 1), ("vneid", "hi_card", 1)], "each system holds the book and the card once"
    assert sorted(results) == [("mof", f"dossier:{code}"), ("ndpp", f"dossier:{code}")]
    book = next(m for d, t, _, m in held if (d, t) == ("vneid", "book_version"))
    assert book["sha256"] == hashlib.sha256(version.document.encode()).hexdigest()
    assert book["log"]["leaf_index"] == version.leaf_index and "document" not in book, "a reference, not the book"
    assert book["link"] == f"{signed.settings.base_url.rstrip('/')}/me/book?version=1"
    card = next(m for d, t, _, m in held if (d, t) == ("vneid", "hi_card"))
    assert client.post("/api/v1/verify", content=card["document"].encode()).json()["verdict"] == "valid"
    assert len(pushed) == 6, "one access-log entry per system and document, however many times it was pushed"
    assert sum(WALLET in a for a in pushed) == 2 and sum(PORTAL in a for a in pushed) == 2
    assert sum(FINANCE in a for a in pushed) == 2

    me = signed_bearer(resident)
    seen = client.get("/api/v1/me/access-log", headers=me).json()
    assert sum(e["purpose"] == portals.PURPOSE and e["accessor"] == WALLET for e in seen) == 2
    page = client.get("/me/access-log", headers=me).text
    assert WALLET in page and "Lưu vào kho dữ liệu điện tử và ví giấy tờ của bạn" in page
    opened = client.get("/me/book?version=1", headers=me)
    assert opened.status_code == 200 and 'data-testid="opened-version"' in opened.text
    anonymous = client.get("/me/book?version=1", follow_redirects=False)
    assert anonymous.headers["location"] == "/login?return_to=/me/book%3Fversion%3D1", "back to the version"


def card_facts(personal_id: str, seq: int = 1) -> dict:
    return {"personal_id": personal_id, "card_code": "DN4790123456789", "seq": seq, "valid_from": "2026-01-01",
            "valid_to": "2026-12-31", "qr": "VNHI1:X", "sha256": "0" * 64, "issued_at": "2026-12-02T05:00:00+00:00"}


def card_message(personal_id: str, seq: int = 1) -> dict:
    return messages.build(Settings(), "hi_card", card_facts(personal_id, seq))


def queue_card(engine, person_id: int = 7, personal_id: str = "079085000123", seq: int = 1) -> None:
    with Session(engine) as session, transaction(session):
        portals.enqueue(session, document_type="hi_card", key=f"card:{person_id}:{seq}",
                        items=[(person_id, card_facts(personal_id, seq))])


def work(engine, settings) -> None:
    """One in-process round (SQLite) or a procrastinate worker until its queue is empty (PostgreSQL)."""
    runtime = jobs.configure(engine, settings)
    if not is_postgres(engine):
        worker.run_round(runtime, None)
        return
    # in a thread of its own, as a worker (and away from any event loop of this process, e.g. a browser test's)
    thread = threading.Thread(target=lambda: asyncio.run(
        jobs.work(jobs.engine_app(engine, periodic=False), wait=False, name="t", signals=False)))
    thread.start()
    thread.join()


def test_a_failed_push_is_retried_and_the_card_held_and_logged_once(empty_engine, tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path)
    queue_card(empty_engine)
    queue_card(empty_engine)  # the same card queued twice is one push per system
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(PortalPush)) == 3
    monkeypatch.setenv("ESIBOOK_TEST_PORTALS_DOWN", "vneid")
    work(empty_engine, settings)
    with Session(empty_engine) as session:
        down = session.scalar(select(PortalPush).where(PortalPush.destination == "vneid"))
        assert down.done_at is None and down.attempts == 1 and down.last_error == "ConnectionError"
        assert {h.destination for h in held_by(session, "person:079085000123")} == {"ndpp", "mof"}
    if is_postgres(empty_engine):
        with empty_engine.begin() as connection:  # procrastinate scheduled the retry; its time has come
            assert connection.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' "
                                           "AND task_name = 'portals.push'")).scalar() == 1
            connection.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'"))
    monkeypatch.delenv("ESIBOOK_TEST_PORTALS_DOWN")
    work(empty_engine, settings)
    work(empty_engine, settings)
    with Session(empty_engine) as session:
        assert {h.destination for h in held_by(session, "person:079085000123")} == {"ndpp", "mof", "vneid"}
        assert session.scalar(select(func.count()).where(PortalPush.done_at.is_(None))) == 0
        logged = session.scalars(select(AccessLogEntry.accessor).where(AccessLogEntry.person_id == 7)).all()
    assert sorted(logged) == sorted(
        ["Kho dữ liệu điện tử trên Cổng Dịch vụ công quốc gia", WALLET,
         "Kho dữ liệu điện tử trên Hệ thống thông tin giải quyết TTHC của Bộ Tài chính"])


def test_a_stand_in_keeps_one_copy_per_document_and_version(empty_engine):
    system = LocalRepository("vneid", session_factory(empty_engine))
    first, renewed = card_message("079085000123"), card_message("079085000123", seq=2)
    assert system.receive([first]) == 1
    assert system.receive([first]) == 0, "pushed again (a retry): nothing new"
    assert system.receive([first, renewed]) == 1, "a renewed card is a new version"
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(PortalHolding)) == 2


def test_an_organisation_gets_no_wallet_push(empty_engine):
    message = {"holder": messages.organisation("0101234567"), "dossier_code": "D-1", "procedure_vi": "Đăng ký",
               "procedure_en": "Registration", "decided_at": "2026-12-02T05:00:00+00:00", "sha256": "1" * 64,
               "link_path": "/employer/1/repository"}
    with Session(empty_engine) as session, transaction(session):
        assert portals.enqueue(session, document_type="dossier_result", key="result:1", items=[(None, message)]) == 2
    with Session(empty_engine) as session:
        assert set(session.scalars(select(PortalPush.destination))) == {"ndpp", "mof"}


def test_the_development_page_shows_what_each_stand_in_holds(signed, signed_app):
    LocalRepository("vneid", session_factory(signed.engine)).receive([card_message("079085000999")])
    page = signed_app.get("/demo/portals")
    assert page.status_code == 200 and 'data-testid="held-vneid"' in page.text
    assert "hi-card:DN47*********89" in page.text and "079085000999" not in page.text, "personal IDs masked"


def test_the_command_lists_what_a_stand_in_holds(signed):
    LocalRepository("mof", session_factory(signed.engine)).receive([card_message("079085000888")])
    listed = subprocess.run(
        [sys.executable, "-m", "esibook", "portals", "held", "--system", "mof"],
        env={**os.environ, "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
             "ESIBOOK_DATA_DIR": str(signed.settings.data_dir)},
        capture_output=True, text=True, timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "person:0790******88  hi_card  hi-card:DN47*********89  v1" in listed.stdout
    assert "079085000888" not in listed.stdout and "vneid:" not in listed.stdout


def test_a_rolled_back_issue_pushes_nothing(empty_engine):
    try:
        with Session(empty_engine) as session, transaction(session):
            portals.enqueue(session, document_type="hi_card", key="card:9:1", items=[(9, card_facts("079085000777"))])
            raise RuntimeError("the approval failed after its card was queued")
    except RuntimeError:
        pass
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(PortalPush)) == 0
    if is_postgres(empty_engine):
        with empty_engine.connect() as connection:
            assert connection.execute(text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'portals.push'")).scalar() == 0


def test_a_renewed_card_reaches_the_wallet_as_its_next_version(signed, signed_app, signed_identities, signed_bearer):
    from esibook.health.models import Clinic, HICoverage

    client, citizen = signed_app, signed_identities["citizen-l2"]
    with Session(signed.engine) as session:
        person_id = session.scalar(select(Person.id).where(Person.personal_id == citizen.personal_id))
        card = session.scalar(select(HICoverage).where(HICoverage.person_id == person_id)
                              .order_by(HICoverage.seq.desc()).limit(1))
        clinic = session.scalar(select(Clinic.code).where(
            Clinic.code.like(f"{card.province_code}%"), Clinic.code != card.initial_clinic_code,
            Clinic.accepts_initial_registration.is_(True)).limit(1))
    filed = client.post("/api/v1/dossiers", json={"procedure": "reissue_hi_card", "form": {
        "initial_clinic_code": clinic, "reason": "Gần nhà hơn"}},
        headers={**signed_bearer(citizen.personal_id), "idempotency-key": "portal-card-renew-1"})
    assert filed.status_code == 201, filed.text
    approved = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"},
                           headers=signed_bearer(signed_identities["officer-civil"].personal_id))
    assert approved.json()["status"] == "result_issued", approved.text
    work(signed.engine, signed.settings)
    with Session(signed.engine) as session:
        cards = [(h.version, json.loads(h.message)) for h in held_by(session, f"person:{citizen.personal_id}")
                 if h.destination == "vneid" and h.document_id == f"hi-card:{card.card_code}"]
    renewed = [m for v, m in cards if v == card.seq + 1]
    assert len(renewed) == 1 and renewed[0]["supersedes"] == card.seq
    shown = client.post("/api/v1/verify", content=renewed[0]["document"].encode()).json()
    assert shown["verdict"] == "valid" and shown["shows"]["initial_clinic_code"] == clinic


@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(pushes=st.lists(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), max_size=6), max_size=5))
def test_whatever_is_pushed_and_repeated_a_stand_in_holds_each_document_version_once(empty_engine, pushes):
    """Batches of cards (card n, span seq), with repeats inside and across batches, as retries deliver them."""
    with empty_engine.begin() as connection:
        connection.execute(PortalHolding.__table__.delete())
    system = LocalRepository("ndpp", session_factory(empty_engine))

    def card(n: int, seq: int) -> dict:
        return messages.build(Settings(), "hi_card", {**card_facts(f"07908500{n:04d}", seq),
                                                      "card_code": f"DN47901234{n:05d}"})

    stored = sum(system.receive([card(n, seq) for n, seq in batch]) for batch in pushes)
    distinct = {(n, seq) for batch in pushes for n, seq in batch}
    with Session(empty_engine) as session:
        held = set(session.execute(select(PortalHolding.document_id, PortalHolding.version)).all())
    assert held == {(f"hi-card:DN47901234{n:05d}", seq) for n, seq in distinct}
    assert stored == len(distinct), "each document version counted as new once"
