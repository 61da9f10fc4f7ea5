"""Importing the national register of HI clinics: all or nothing, idempotent, clinics left out kept (their visits
still show) but no longer taking initial registrations; the public lookup names the register's date and source."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.audit.models import AuditRecord
from esibook.config import Settings
from esibook.db import transaction
from esibook.health.clinic_import import import_register
from esibook.health.models import Clinic, ClinicRegisterImport, MedicalVisit
from esibook.health.visit_service import visits_of
from support.clinic_register import csv_bytes, replaced, sample_rows, without, xlsx_bytes

AS_OF = date(2026, 11, 1)
SOURCE = "BHXH Việt Nam, danh mục cơ sở KCB BHYT (mẫu)"


def load(engine, data: bytes, **options):
    with Session(engine) as session:
        return import_register(session, data, as_of=options.pop("as_of", AS_OF), source=SOURCE, actor="test",
                               **options)


def clinics(engine) -> dict[str, Clinic]:
    with Session(engine) as session:
        return {c.code: c for c in session.scalars(select(Clinic))}


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def client(empty_engine, tmp_path):
    app = create_app(Settings(database_url=empty_engine.url.render_as_string(hide_password=False),
                              data_dir=tmp_path, env="test"))
    yield TestClient(app, follow_redirects=False)
    app.state.engine.dispose()


def test_a_good_register_is_stored_and_found_with_accents_or_without(empty_engine, client):
    data = xlsx_bytes(sample_rows())
    report = load(empty_engine, data)
    assert (report.written, report.rows, report.added, report.rejected) == (True, 12, 12, [])
    for query in ("Bạch Mai", "bach mai", "BACH MAI"):
        body = client.get("/api/v1/lookups/clinics", params={"q": query}).json()
        assert [c["code"] for c in body["items"]] == ["01801"], query
    item = body["items"][0]
    assert (item["level"], item["province"], item["accepts_initial_registration"], item["in_register"]) == (
        "central", "Hà Nội", False, True)
    assert body["register"]["as_of"] == "2026-11-01" and body["register"]["source"] == SOURCE
    page = client.get("/lookups/clinics", params={"q": "cho ray", "lang": "en"}).text
    assert "Chợ Rẫy" in page and "National register of HI clinics as of" in page and SOURCE in page
    vietnamese = client.get("/lookups/clinics", params={"q": "cho ray", "lang": "vi"}).text
    assert "Danh mục cơ sở KCB BHYT tại ngày" in vietnamese
    with Session(empty_engine) as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "clinics.register_imported")).one()
    details = json.loads(record.details)
    assert details["sha256"] == hashlib.sha256(data).hexdigest() and details["added"] == 12
    assert record.target == "clinics:register"


def test_without_an_import_the_lookup_says_the_list_is_not_the_register(client):
    assert client.get("/api/v1/lookups/clinics").json()["register"] is None
    assert "clinic-register" in client.get("/lookups/clinics").text


def test_importing_the_same_register_again_changes_nothing(empty_engine):
    data = csv_bytes(sample_rows(), bom=True)
    load(empty_engine, data)
    before = {code: (c.id, c.name, c.name_key, c.level) for code, c in clinics(empty_engine).items()}
    again = load(empty_engine, data)
    assert (again.added, again.updated, again.unchanged, again.withdrawn) == (0, 0, 12, 0)
    assert {code: (c.id, c.name, c.name_key, c.level) for code, c in clinics(empty_engine).items()} == before
    assert count(empty_engine, ClinicRegisterImport) == 2


def test_a_changed_row_is_updated_by_its_code(empty_engine):
    load(empty_engine, csv_bytes(sample_rows()))
    renamed = replaced(sample_rows(), "48801", 2, "Bệnh viện Đa khoa Đà Nẵng")
    report = load(empty_engine, csv_bytes(renamed))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 11)
    assert clinics(empty_engine)["48801"].name_key == "benh vien da khoa da nang"


def test_one_bad_row_writes_nothing_and_names_its_line(empty_engine):
    rows = replaced(sample_rows(), "79804", 1, "798O4")
    report = load(empty_engine, csv_bytes(rows))
    assert not report.written and [(r.line, r.reason) for r in report.rejected] == [
        (12, "the code '798O4' is not 5 digits")]
    assert count(empty_engine, Clinic) == count(empty_engine, ClinicRegisterImport) == 0
    assert count(empty_engine, AuditRecord) == 0


def test_a_dry_run_counts_and_writes_nothing(empty_engine):
    report = load(empty_engine, csv_bytes(sample_rows()), dry_run=True)
    assert (report.written, report.added) == (False, 12)
    assert count(empty_engine, Clinic) == 0


def test_a_clinic_left_out_of_a_newer_register_is_kept_with_its_visits(empty_engine, client):
    load(empty_engine, csv_bytes(sample_rows()))
    with Session(empty_engine) as session, transaction(session):
        session.add(MedicalVisit(
            person_id=1, id=1, clinic_code="79803", visit_ref="LK-1", card_code="GD4797900000001",
            admitted_at=datetime(2026, 10, 5, 8), discharged_at=datetime(2026, 10, 5, 11), main_diagnosis="J06",
            total_cost=300_000, hi_paid=240_000, patient_paid=60_000, other_paid=0, source="json", sent_by="test"))
    newer = load(empty_engine, csv_bytes(without(sample_rows(), "79803")), as_of=date(2026, 12, 1))
    assert (newer.rows, newer.withdrawn) == (11, 1)
    left = clinics(empty_engine)["79803"]
    assert (left.in_register, left.accepts_initial_registration) == (False, False)
    with Session(empty_engine) as session:
        assert visits_of(session, 1)[0]["clinic"]["name"] == "Trung tâm Y tế Quận 1"
    initial = client.get("/api/v1/lookups/clinics", params={"province": "079", "initial": "true"}).json()
    assert "79803" not in [c["code"] for c in initial["items"]] and initial["register"]["as_of"] == "2026-12-01"
    listed = client.get("/api/v1/lookups/clinics", params={"q": "79803"}).json()["items"]
    assert listed[0]["in_register"] is False
    assert load(empty_engine, csv_bytes(without(sample_rows(), "79803"))).withdrawn == 0
    assert load(empty_engine, csv_bytes(sample_rows())).updated == 1
    assert clinics(empty_engine)["79803"].accepts_initial_registration is True


# --- the command ------------------------------------------------------------------------------------------------


def run(engine, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ESIBOOK_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "esibook", "clinics", "import", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_the_command_imports_refuses_bad_rows_and_unusable_files(empty_engine, tmp_path):
    good, bad, junk = tmp_path / "register.xlsx", tmp_path / "bad.csv", tmp_path / "junk.csv"
    good.write_bytes(xlsx_bytes(sample_rows()))
    bad.write_bytes(csv_bytes(replaced(sample_rows(), "01805", 4, "Bộ")))
    junk.write_bytes(b"hello,world\n1,2\n")
    refused = run(empty_engine, str(bad))
    assert refused.returncode == 1 and "line 8: unknown level 'Bộ'" in refused.stdout
    assert refused.stderr.strip() == "error: 1 rows rejected; nothing was imported"
    assert count(empty_engine, Clinic) == 0
    unusable = run(empty_engine, str(junk))
    assert unusable.returncode == 2 and len(unusable.stderr.strip().splitlines()) == 1
    assert "clinics.register.unusable" in unusable.stderr
    bad_date = run(empty_engine, str(good), "--as-of", "1 Nov")
    assert bad_date.returncode == 2 and "--as-of must be YYYY-MM-DD" in bad_date.stderr
    imported = run(empty_engine, str(good), "--as-of", "2026-11-01", "--source", "BHXH Việt Nam")
    assert imported.returncode == 0, imported.stderr
    assert "12 clinics in the register as of 2026-11-01: 12 added" in imported.stdout
    assert count(empty_engine, Clinic) == 12
