"""The officer's upload of the national register of HI clinics: a preview (the dry run: counts or line-numbered
rejects, in the page's language) that writes no clinic, then the confirmation that imports exactly the previewed
bytes, once; refused to officers without the reference_data permission and to other authorities' officers."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access.models import RoleGrant
from esibook.app import create_app
from esibook.audit.models import AuditRecord
from esibook.config import Settings
from esibook.db import transaction
from esibook.health.models import Clinic, ClinicRegisterImport, ClinicRegisterUpload
from support import signed_in
from support.clinic_register import csv_bytes, replaced, sample_rows, xlsx_bytes

MANAGER, REVIEWER, DEFENCE = "079090001234", "079090001235", "079090001236"
SOURCE = "BHXH Việt Nam, danh mục cơ sở KCB BHYT (mẫu)"


@pytest.fixture
def site(empty_engine, tmp_path):
    settings = Settings(database_url=empty_engine.url.render_as_string(hide_password=False), data_dir=tmp_path,
                        env="test")
    with Session(empty_engine) as session, transaction(session):
        session.add_all([
            RoleGrant(personal_id=MANAGER, role="officer", authority="civil", permissions="reviewer,reference_data"),
            RoleGrant(personal_id=REVIEWER, role="officer", authority="civil", permissions="reviewer,approver"),
            RoleGrant(personal_id=DEFENCE, role="officer", authority="defence", permissions="reference_data"),
        ])
    app = create_app(settings)
    client = TestClient(app, follow_redirects=False)
    yield client, {pid: signed_in.bearer(settings, pid, "Cán bộ") for pid in (MANAGER, REVIEWER, DEFENCE)}
    app.state.engine.dispose()


def preview(client, headers, data: bytes, *, name="danh-muc.xlsx", as_of="2026-11-01", lang="en"):
    return client.post(f"/officer/clinics/register?lang={lang}", headers=headers,
                       files={"file": (name, data)}, data={"as_of": as_of, "source": SOURCE})


def confirm_fields(page: str) -> dict:
    upload_id = re.search(r'name="upload_id" value="(\d+)"', page).group(1)
    sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    return {"upload_id": upload_id, "sha256": sha256}


def audited(engine, action: str) -> list[AuditRecord]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)
                                    .order_by(AuditRecord.seq)))


def shown_code(page: str) -> str | None:
    """The error code a refused page shows (beside the message)."""
    found = re.search(r'data-testid="error-code">[^<]*<code lang="en">([^<]+)</code>', page)
    return found.group(1) if found else None


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_preview_then_confirm_puts_the_clinics_in_the_register_once(site, empty_engine):
    client, headers = site
    data = xlsx_bytes(sample_rows())
    shown = preview(client, headers[MANAGER], data)
    assert shown.status_code == 200, shown.text
    assert 'data-testid="register-added">12<' in shown.text and "Import this register" in shown.text
    assert count(empty_engine, Clinic) == 0, "a preview writes no clinic"
    fields = confirm_fields(shown.text)
    [previewed] = audited(empty_engine, "clinics.register_previewed")
    assert MANAGER not in previewed.actor and MANAGER not in previewed.details, "no personal data in the record"
    assert previewed.target == "clinics:register" and {k: json.loads(previewed.details)[k] for k in (
        "added", "rejected", "sha256", "upload_id", "as_of", "source")} == {
        "added": 12, "rejected": 0, "sha256": fields["sha256"], "upload_id": int(fields["upload_id"]),
        "as_of": "2026-11-01", "source": SOURCE}, "the preview is audited as the import is"
    done = client.post("/officer/clinics/register/confirm", headers=headers[MANAGER], data=fields)
    assert done.status_code == 303 and done.headers["location"].startswith("/officer/clinics/register?imported=")
    page = client.get(done.headers["location"] + "&lang=en", headers=headers[MANAGER])
    assert page.status_code == 200 and "The register was imported." in page.text
    with Session(empty_engine) as session:
        codes = set(session.scalars(select(Clinic.code).where(Clinic.in_register)))
        imported = session.scalars(select(ClinicRegisterImport)).one()
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "clinics.register_imported")).one()
        upload = session.scalars(select(ClinicRegisterUpload)).one()
    assert "01801" in codes and len(codes) == 12
    assert (imported.as_of, imported.source, imported.sha256) == (date(2026, 11, 1), SOURCE, fields["sha256"])
    assert MANAGER not in record.actor and MANAGER not in record.details and record.target == "clinics:register"
    assert json.loads(record.details)["sha256"] == fields["sha256"]
    assert upload.import_id == imported.id and upload.data == b"", "the bytes are dropped once imported"
    # a double submit imports once
    again = client.post("/officer/clinics/register/confirm", headers=headers[MANAGER], data=fields)
    assert again.status_code == 303 and "again=true" in again.headers["location"]
    assert count(empty_engine, ClinicRegisterImport) == 1
    body = client.get("/api/v1/lookups/clinics", params={"q": "bach mai"}).json()
    assert body["register"]["source"] == SOURCE


def test_a_file_other_than_the_previewed_one_is_refused_at_confirm(site, empty_engine):
    client, headers = site
    fields = confirm_fields(preview(client, headers[MANAGER], csv_bytes(sample_rows()), name="a.csv").text)
    changed = {**fields, "sha256": "0" * 64}
    refused = client.post("/officer/clinics/register/confirm?lang=en", headers=headers[MANAGER], data=changed)
    assert refused.status_code == 409 and "This is not the file that was previewed" in refused.text
    assert shown_code(refused.text) == "clinics.register.changed" and "Error code" in refused.text
    assert count(empty_engine, Clinic) == 0 and count(empty_engine, ClinicRegisterImport) == 0


def test_a_preview_overtaken_by_another_import_is_refused(site, empty_engine):
    client, headers = site
    first = confirm_fields(preview(client, headers[MANAGER], csv_bytes(sample_rows()), name="a.csv").text)
    rows = replaced(sample_rows(), "01801", 2, "Bệnh viện Bạch Mai (cơ sở 2)")
    second = confirm_fields(preview(client, headers[MANAGER], csv_bytes(rows), name="b.csv").text)
    assert client.post("/officer/clinics/register/confirm", headers=headers[MANAGER], data=second).status_code == 303
    stale = client.post("/officer/clinics/register/confirm?lang=vi", headers=headers[MANAGER], data=first)
    assert stale.status_code == 409 and count(empty_engine, ClinicRegisterImport) == 1
    assert shown_code(stale.text) == "clinics.register.stale" and "Mã lỗi" in stale.text, "the code, in Vietnamese"
    with Session(empty_engine) as session:
        assert session.scalar(select(Clinic.name).where(Clinic.code == "01801")) == "Bệnh viện Bạch Mai (cơ sở 2)"


def test_rejected_rows_are_listed_by_line_in_the_page_language_and_cannot_be_confirmed(site, empty_engine):
    client, headers = site
    rows = replaced(sample_rows(), "01801", 1, "798O4")
    english = preview(client, headers[MANAGER], csv_bytes(rows), name="bad.csv", lang="en")
    assert english.status_code == 200 and "is not 5 digits" in english.text
    assert 'name="upload_id"' not in english.text
    vietnamese = preview(client, headers[MANAGER], csv_bytes(rows), name="bad.csv", lang="vi")
    assert "không phải 5 chữ số" in vietnamese.text and "dòng bị từ chối" in vietnamese.text
    assert count(empty_engine, ClinicRegisterUpload) == 0 and count(empty_engine, Clinic) == 0
    assert [(json.loads(r.details)["rejected"], json.loads(r.details)["upload_id"])
            for r in audited(empty_engine, "clinics.register_previewed")] == [(1, None), (1, None)], (
        "a preview with rejected rows is audited too, with no upload kept")


def test_an_unusable_file_or_a_future_date_is_a_400_on_the_page(site):
    client, headers = site
    unusable = preview(client, headers[MANAGER], b"hello,world\n1,2\n", name="x.csv")
    assert unusable.status_code == 400 and "cannot be used" in unusable.text
    assert (shown_code(unusable.text) or "").startswith("clinics.register."), "the page shows the code"
    future = preview(client, headers[MANAGER], csv_bytes(sample_rows()), as_of="2999-01-01")
    assert future.status_code == 400 and "not in the future" in future.text
    assert shown_code(future.text) == "clinics.register.as_of"


@pytest.mark.parametrize("officer, why", [(REVIEWER, "needs the reference_data permission"),
                                          (DEFENCE, "is kept by Vietnam Social Security's officers")])
def test_an_officer_without_the_permission_or_of_another_authority_is_refused(site, empty_engine, officer, why):
    client, headers = site
    assert client.get("/officer/clinics/register", headers=headers[officer]).status_code == 403
    refused = preview(client, headers[officer], csv_bytes(sample_rows()), name="a.csv")
    assert refused.status_code == 403 and why in refused.text.replace("&#39;", "'")
    code = {REVIEWER: "access.reference_data_permission", DEFENCE: "access.reference_data_authority"}[officer]
    assert shown_code(refused.text) == code, "the general error page shows the code too"
    vi = client.get("/officer/clinics/register?lang=vi", headers=headers[officer])
    assert vi.status_code == 403 and shown_code(vi.text) == code and "Mã lỗi" in vi.text
    fields = confirm_fields(preview(client, headers[MANAGER], csv_bytes(sample_rows()), name="a.csv").text)
    taken = client.post("/officer/clinics/register/confirm", headers=headers[officer], data=fields)
    assert taken.status_code == 403 and count(empty_engine, Clinic) == 0
    assert count(empty_engine, ClinicRegisterUpload) == 1


def test_the_menu_names_the_page_only_for_an_officer_who_may_use_it(site):
    client, headers = site
    assert 'href="/officer/clinics/register"' in client.get("/officer/queue", headers=headers[MANAGER]).text
    assert 'href="/officer/clinics/register"' not in client.get("/officer/queue", headers=headers[REVIEWER]).text


def test_the_api_previews_then_imports_once_and_refuses_with_codes(site, empty_engine):
    client, headers = site
    data = xlsx_bytes(sample_rows())
    api = "/api/v1/officer/clinics/register"
    shown = client.post(f"{api}/previews", params={"as_of": "2026-11-01", "source": SOURCE}, content=data,
                        headers=headers[MANAGER])
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["added"], body["rejected_count"], body["as_of"]) == (12, 0, "2026-11-01") and body["upload_id"]
    assert count(empty_engine, Clinic) == 0
    wrong = client.post(f"{api}/imports", json={"upload_id": body["upload_id"], "sha256": "f" * 64},
                        headers=headers[MANAGER])
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "clinics.register.changed"
    fields = {"upload_id": body["upload_id"], "sha256": body["sha256"]}
    first = client.post(f"{api}/imports", json=fields, headers=headers[MANAGER])
    second = client.post(f"{api}/imports", json=fields, headers=headers[MANAGER])
    assert first.status_code == second.status_code == 200
    assert (first.json()["already_imported"], second.json()["already_imported"]) == (False, True)
    assert first.json()["import_id"] == second.json()["import_id"] and count(empty_engine, ClinicRegisterImport) == 1
    assert count(empty_engine, Clinic) == 12
    for officer, code in ((REVIEWER, "access.reference_data_permission"), (DEFENCE, "access.reference_data_authority")):
        refused = client.post(f"{api}/previews", content=data, headers=headers[officer])
        assert refused.status_code == 403 and refused.json()["error"]["code"] == code
        taken = client.post(f"{api}/imports", json=fields, headers=headers[officer])
        assert taken.status_code == 403 and taken.json()["error"]["code"] == code
    rejected = client.post(f"{api}/previews", content=csv_bytes(replaced(sample_rows(), "01801", 1, "798O4")),
                           headers=headers[MANAGER]).json()
    assert rejected["upload_id"] is None and rejected["rejected"][0]["message_vi"].endswith("không phải 5 chữ số")


def test_an_upload_left_unconfirmed_for_a_day_is_deleted_by_a_later_preview(site, empty_engine):
    client, headers = site
    fields = confirm_fields(preview(client, headers[MANAGER], csv_bytes(sample_rows()), name="a.csv").text)
    with Session(empty_engine) as session, transaction(session):
        upload = session.get(ClinicRegisterUpload, int(fields["upload_id"]))
        upload.uploaded_at = upload.uploaded_at - timedelta(days=2)
    other = replaced(sample_rows(), "01801", 2, "Bệnh viện Bạch Mai (cơ sở 2)")
    preview(client, headers[MANAGER], csv_bytes(other), name="b.csv")
    assert count(empty_engine, ClinicRegisterUpload) == 1
    gone = client.post("/officer/clinics/register/confirm", headers=headers[MANAGER], data=fields)
    # gone (404), or, where SQLite gave the new upload the old one's id, not the previewed file (409)
    assert gone.status_code in (404, 409) and count(empty_engine, Clinic) == 0
