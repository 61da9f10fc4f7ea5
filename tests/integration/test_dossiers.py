"""Electronic transactions: a registration from submission to the e-book in each employee's repository, with
idempotent submission, specific refusals that store nothing, a signed receipt, and notifications delivered once."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.db import session_factory
from esibook.notify.models import DeliveredMessage, OutboxMessage
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.people.models import Person
from esibook.transactions.models import Dossier, PopulationRecord
from esibook.trust.verify import Verdict


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def uninsured(engine, count: int) -> list[str]:
    """Residents the population database knows, never insured and named in no dossier yet (an earlier test may
    have filed one still open). When the seed's run out, new residents are added to the population database, each
    like a seeded one (same name, province, birth year and sex, so the same kind of personal ID), born another
    day, under an unused number."""
    with Session(engine) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        filed = " ".join(session.scalars(select(Dossier.form)))
        residents = list(session.scalars(select(PopulationRecord).where(PopulationRecord.personal_id.not_in(insured))
                                         .order_by(PopulationRecord.personal_id)))
        found = [r.personal_id for r in residents if r.personal_id not in filed][:count]
        known = set(session.scalars(select(PopulationRecord.personal_id)))
        template = residents[0] if residents else session.scalars(select(PopulationRecord)).first()
        serial = 900000
        while len(found) < count:
            serial += 1
            personal_id = template.personal_id[:6] + f"{serial:06d}"
            if personal_id in known or personal_id in filed:
                continue
            born = date(template.date_of_birth.year, 1 + serial % 12, 1 + serial % 28)
            session.add(PopulationRecord(**{
                column.key: getattr(template, column.key) for column in PopulationRecord.__table__.columns
            } | {"personal_id": personal_id, "date_of_birth": born}))
            known.add(personal_id)
            found.append(personal_id)
        session.commit()
    return found


def registration(employer_id: int, personal_ids: list[str], salary: int = 7_000_000) -> dict:
    return {
        "procedure": "register_employees",
        "employer_id": employer_id,
        "form": {
            "employees": [
                {"personal_id": p, "job_title": "Công nhân may", "salary": salary, "from_month": "2026-11"}
                for p in personal_ids
            ]
        },
    }


def dossier_count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def test_register_two_employees_from_submission_to_their_repositories(signed, world):
    client, ids, bearer = world
    rep, officer = ids["employer-rep"], ids["officer-civil"]
    employer_id = rep.grant[3]
    people = uninsured(signed.engine, 2)
    headers = {**bearer(rep.personal_id), "idempotency-key": "register-two-0001"}

    first = client.post("/api/v1/dossiers", json=registration(employer_id, people), headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/dossiers", json=registration(employer_id, people), headers=headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"], "one key, one dossier"
    dossier = first.json()
    assert [e["full_name"] for e in dossier["form"]["employees"]], "names come from the population database"

    receipts = [
        d
        for d in client.get(f"/api/v1/employers/{employer_id}/repository", headers=bearer(rep.personal_id)).json()
        if d["type"] == "receipt"
    ]
    assert any(dossier["code"] in r["title"] for r in receipts)
    verdict = client.post("/api/v1/verify", content=receipts[0]["document"].encode()).json()
    assert verdict["verdict"] == Verdict.VALID and verdict["shows"]["due_on"] == dossier["due_on"]

    queue = client.get("/api/v1/officer/queue", headers=bearer(officer.personal_id)).json()
    assert dossier["id"] in [d["id"] for d in queue]
    approved = client.post(
        f"/api/v1/dossiers/{dossier['id']}/actions", json={"action": "approve"}, headers=bearer(officer.personal_id)
    )
    assert approved.status_code == 200 and approved.json()["status"] == "result_issued"

    for personal_id in people:
        documents = {d["type"] for d in client.get("/api/v1/me/repository", headers=bearer(personal_id)).json()}
        assert {"ebook", "hi_card"} <= documents
        card = client.get("/api/v1/me/card/qr", headers=bearer(personal_id)).json()["payload"]
        assert client.post("/api/v1/verify", content=card.encode()).json()["verdict"] == "valid"
    employer_docs = {
        d["type"]
        for d in client.get(f"/api/v1/employers/{employer_id}/repository", headers=bearer(rep.personal_id)).json()
    }
    assert {"receipt", "decision"} <= employer_docs


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda body: body["form"]["employees"][0].update(salary=1_000_000), "dossier.salary_below_minimum"),
        (lambda body: body["form"]["employees"][0].update(personal_id="001999000000"), "personal_id.century_sex"),
        (lambda body: body["form"]["employees"][0].update(personal_id="001205999999"), "dossier.not_in_population_db"),
        (lambda body: body["form"]["employees"][0].update(from_month="2026-13"), "month.range"),
    ],
)
def test_bad_registrations_get_a_specific_refusal_and_store_nothing(signed, world, change, code):
    client, ids, bearer = world
    rep = ids["employer-rep"]
    body = registration(rep.grant[3], uninsured(signed.engine, 1))
    change(body)
    before = dossier_count(signed.engine)
    response = client.post(
        "/api/v1/dossiers", json=body, headers={**bearer(rep.personal_id), "idempotency-key": f"bad-{code}"}
    )
    assert response.status_code in (400, 422) and response.json()["error"]["code"] == code
    assert "dòng 1" in response.json()["error"]["message_vi"]
    assert dossier_count(signed.engine) == before


def test_only_the_employers_representative_may_file_and_only_an_approver_may_approve(signed, world):
    client, ids, bearer = world
    rep = ids["employer-rep"]
    body = registration(rep.grant[3], uninsured(signed.engine, 1))
    stranger = client.post(
        "/api/v1/dossiers",
        json=body,
        headers={**bearer(ids["citizen-l2"].personal_id), "idempotency-key": "not-mine-001"},
    )
    assert stranger.status_code == 403
    filed = client.post(
        "/api/v1/dossiers", json=body, headers={**bearer(rep.personal_id), "idempotency-key": "lifecycle-01"}
    ).json()
    other = client.post(
        f"/api/v1/dossiers/{filed['id']}/actions",
        json={"action": "approve"},
        headers=bearer(ids["officer-defence"].personal_id),
    )
    assert other.status_code == 404, "another authority's officer does not see it"
    no_note = client.post(
        f"/api/v1/dossiers/{filed['id']}/actions",
        json={"action": "request_info"},
        headers=bearer(ids["officer-civil"].personal_id),
    )
    assert no_note.json()["error"]["code"] == "dossier.note"
    asked = client.post(
        f"/api/v1/dossiers/{filed['id']}/actions",
        json={"action": "request_info", "note": "Bổ sung hợp đồng lao động"},
        headers=bearer(ids["officer-civil"].personal_id),
    )
    assert asked.json()["status"] == "needs_info"
    withdrawn = client.post(
        f"/api/v1/dossiers/{filed['id']}/actions", json={"action": "withdraw"}, headers=bearer(rep.personal_id)
    )
    assert withdrawn.json()["status"] == "withdrawn"
    late = client.post(
        f"/api/v1/dossiers/{filed['id']}/actions",
        json={"action": "approve"},
        headers=bearer(ids["officer-civil"].personal_id),
    )
    assert late.json()["error"]["code"] == "dossier.state"


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("list.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "upload.type"),
        ("list.xlsx", b"PK\x03\x04 not really a zip", "upload.type"),
        ("list.csv", b"so_dinh_danh,chuc_danh\n001,abc\n", "upload.columns"),
        ("big.csv", b"a" * (3 * 1024 * 1024), "upload.too_large"),
        ("bomb.xlsx", None, "upload.bomb"),
    ],
)
def test_uploads_that_are_not_what_they_claim_are_refused_and_nothing_stored(signed, world, name, content, code):
    client, ids, bearer = world
    rep = ids["employer-rep"]
    before = dossier_count(signed.engine)
    response = client.post(
        f"/api/v1/employers/{rep.grant[3]}/registrations/upload",
        files={"file": (name, content if content is not None else _bomb())},
        data={"idempotency_key": f"upload-{code}"},
        headers=bearer(rep.personal_id),
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert dossier_count(signed.engine) == before


def test_csv_and_xlsx_lists_are_read_by_content(signed, world):
    client, ids, bearer = world
    rep = ids["employer-rep"]
    first, second = uninsured(signed.engine, 2)
    csv_body = f'so_dinh_danh,chuc_danh,muc_luong,tu_thang\n{first},Thợ may,"7.500.000",2026-11\n'.encode()
    from_csv = client.post(
        f"/api/v1/employers/{rep.grant[3]}/registrations/upload",
        files={"file": ("danh-sach.txt", csv_body)},
        data={"idempotency_key": "csv-upload-1"},
        headers=bearer(rep.personal_id),
    )
    assert from_csv.status_code == 201 and from_csv.json()["form"]["employees"][0]["salary"] == 7_500_000
    workbook = _xlsx([["Số định danh", "Chức danh", "Mức lương", "Từ tháng"], [second, "Kế toán", 9000000, "2026-11"]])
    from_xlsx = client.post(
        f"/api/v1/employers/{rep.grant[3]}/registrations/upload",
        files={"file": ("list.bin", workbook)},
        data={"idempotency_key": "xlsx-upload-1"},
        headers=bearer(rep.personal_id),
    )
    assert from_xlsx.status_code == 201 and from_xlsx.json()["form"]["employees"][0]["personal_id"] == second


def test_a_worker_killed_before_sending_delivers_each_message_exactly_once_after_restart(signed):
    with Session(signed.engine) as session:
        pending = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
    assert pending > 0, "the approvals above left messages to send"
    env = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(signed.settings.data_dir),
    }
    worker = [sys.executable, "-m", "esibook", "worker", "--once"]
    crashed = subprocess.run(worker, env={**env, "ESIBOOK_TEST_CRASH_BEFORE_SEND": "1"}, capture_output=True)
    assert crashed.returncode == 17
    with Session(signed.engine) as session:
        assert session.scalar(select(func.count()).select_from(DeliveredMessage)) == 0
    restarted = subprocess.run(worker, env=env, capture_output=True, text=True)
    assert restarted.returncode == 0 and f"{pending} messages delivered" in restarted.stdout
    assert deliver_pending(session_factory(signed.engine), SinkSender()) == 0, "nothing is sent twice"
    with signed.engine.connect() as connection:
        # each message sent is delivered once, and none is delivered without being marked sent (two messages may
        # share a subject: an agent authorised twice by the same person is told twice)
        delivered = connection.execute(text("SELECT count(*) FROM delivered_messages")).scalar()
        sent = connection.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")).scalar()
        emails = connection.execute(text("SELECT count(*) FROM delivered_messages WHERE channel = 'email'")).scalar()
    assert delivered == sent and emails > 0


@pytest.mark.parametrize("typed", ["7,000,000", "7.000.000", "7 000 000 đ"])
def test_the_registration_form_takes_an_amount_as_people_write_it(signed, world, typed):
    """The form answered "invalid literal for int()" (or a salary of 0) to 7,000,000, which the upload accepted."""
    client, ids, bearer = world
    employer_id = ids["employer-rep"].grant[3]
    with Session(signed.engine) as session:
        forms = " ".join(session.scalars(select(Dossier.form)))
        working_here = select(ParticipationPeriod.person_id).where(
            ParticipationPeriod.employer_id == employer_id, ParticipationPeriod.to_month.is_(None)
        )
        adults = session.scalars(
            select(Person.personal_id)
            .where(Person.personal_id.is_not(None), Person.id.not_in(working_here), Person.authority == "civil")
            .where(Person.date_of_birth < date(2000, 1, 1))
            .order_by(Person.id)
        ).all()
    person = next(p for p in adults if p not in forms)  # not employed here, in no dossier yet
    before = dossier_count(signed.engine)
    page = client.post(
        f"/employer/{employer_id}/register",
        headers=bearer(ids["employer-rep"].personal_id),
        data={"idempotency_key": f"typed-{typed}", "personal_id": person, "job_title": "Thợ may",
              "salary": typed, "from_month": "2026-11"},
    )
    assert page.status_code in (200, 201), page.text[:300]
    assert dossier_count(signed.engine) == before + 1
    with Session(signed.engine) as session:
        filed = session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()
        assert '"salary": 7000000' in filed.form or '"salary":7000000' in filed.form
