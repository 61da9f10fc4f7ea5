"""Receipts in Vietnam's time: a dossier filed at 23:30 on a Friday in Hà Nội is due the right working day, and the
person's pages show the dates one way per language (31/12/2026 in Vietnamese, 2026-12-31 in English)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.principal import Identity, person_principal
from esibook.config import Settings
from esibook.dates import VIETNAM
from esibook.db import make_engine, session_factory
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.transactions.models import RepositoryDocument
from esibook.transactions.service import submit
from esibook.trust import jws
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def file_printout(site_data, identity, at: datetime):
    url, data_dir, _ = site_data
    with Session(make_engine(url)) as session:
        who = Identity(f"sub-{identity.personal_id}", identity.personal_id, identity.name, 2)
        caller = person_principal(session, who)
        dossier = submit(
            session,
            Settings(data_dir=data_dir, database_url=url),
            caller,
            procedure_code="request_printout",
            form={"delivery": "pickup", "copies": 1},
            idempotency_key=f"vn-time-{uuid.uuid4()}",
            now=at,
        ).dossier
        receipt = session.scalars(
            select(RepositoryDocument).where(
                RepositoryDocument.dossier_id == dossier.id, RepositoryDocument.doc_type == "receipt"
            )
        ).one()
        return dossier.code, dossier.due_on, jws.parts(receipt.document)[1]


def test_a_receipt_filed_at_23_30_on_a_friday_in_vietnam_is_due_three_working_days_later(
    browser, site, site_data, identities
):
    citizen = identities["citizen-l2"]
    # Friday 04/12/2026, 23:30 in Hà Nội (16:30 UTC): three working days are Mon 07, Tue 08, Wed 09/12.
    friday, friday_due, receipt = file_printout(site_data, citizen, datetime(2026, 12, 4, 23, 30, tzinfo=VIETNAM))
    assert friday_due == date(2026, 12, 9)
    assert receipt["received_at"] == "2026-12-04T23:30:00+07:00" and receipt["due_on"] == "2026-12-09"
    assert friday.startswith("HS20261204-")
    # Wednesday 02/12, 00:47 in Hà Nội is still Tuesday 01/12 in UTC: counted from Wednesday, due Monday 07/12.
    early, early_due, _ = file_printout(site_data, citizen, datetime(2026, 12, 2, 0, 47, tzinfo=VIETNAM))
    assert early_due == date(2026, 12, 7) and early.startswith("HS20261202-")

    deliver_pending(session_factory(make_engine(site_data[0])), SinkSender())  # the worker's round
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    sign_in(page, site, "citizen-l2", "/me/services")
    filed = page.get_by_test_id("my-dossiers").inner_text()
    assert f"{friday} · Đã nộp · hạn 09/12/2026" in filed and f"{early} · Đã nộp · hạn 07/12/2026" in filed
    page.goto(f"{site}/me/messages")
    inbox = page.get_by_test_id("inbox").inner_text()
    assert "đã được tiếp nhận lúc 23:30 04/12/2026. Hẹn trả kết quả: 09/12/2026." in inbox
    page.goto(f"{site}/me/services?lang=en")
    assert f"{friday} · Submitted · due 2026-12-09" in page.get_by_test_id("my-dossiers").inner_text()
    page.goto(f"{site}/me/services?lang=vi")
    page.context.close()
