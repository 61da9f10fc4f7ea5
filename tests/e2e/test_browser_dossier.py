"""As a new user would: an employer registers two new employees from an uploaded list, an officer approves, each
employee finds the signed e-book and HI card in their repository, the employer the receipt, and the demo mailbox
the email."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.db import make_engine, session_factory
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.people.models import Person
from esibook.transactions.models import PopulationRecord
from support.signed_in import sign_in, sign_in_as

pytestmark = pytest.mark.browser


def test_register_two_employees_from_a_list_through_to_their_repositories(
    browser, site, site_data, identities, tmp_path
):
    url, _, _ = site_data
    engine = make_engine(url)
    with Session(engine) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        newcomers = list(
            session.scalars(
                select(PopulationRecord.personal_id)
                .where(PopulationRecord.personal_id.not_in(insured))
                .order_by(PopulationRecord.personal_id)
                .limit(2)
            )
        )
    employer_id = identities["employer-rep"].grant[3]
    listing = tmp_path / "bao-tang.csv"
    listing.write_text(
        "so_dinh_danh,chuc_danh,muc_luong,tu_thang\n"
        + "".join(f"{p},Công nhân may,7.200.000,2026-11\n" for p in newcomers),
        encoding="utf-8",
    )

    employer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(employer, site, "employer-rep", f"/employer/{employer_id}/employees")
    employer.get_by_label("Danh sách lao động").set_input_files(str(listing))
    employer.get_by_test_id("upload-list").click()
    employer.get_by_test_id("confirm-list").click()
    created = employer.get_by_test_id("dossier-created").inner_text()
    code = created.split(":")[1].split("·")[0].strip()
    assert code.startswith("HS")

    officer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(officer, site, "officer-civil", "/officer/queue")
    officer.get_by_role("link", name=code).click()
    for personal_id in newcomers:
        assert personal_id in officer.content(), "the officer sees what was filed"
    officer.get_by_test_id("approve").click()
    officer.wait_for_url(f"{site}/officer/queue?*")
    assert officer.get_by_test_id("done-banner").inner_text().startswith(f"{code}: Đã duyệt"), "a banner says so"
    officer.context.close()

    for personal_id in newcomers:
        person = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
        sign_in_as(person, site, personal_id, "/me/repository")
        assert person.get_by_test_id("doc-ebook").count() == 1
        assert person.get_by_test_id("doc-hi_card").count() == 1
        person.get_by_test_id("doc-ebook").get_by_role("button").click()
        assert person.get_by_test_id("verdict-word").inner_text() == "Hợp lệ"
        person.context.close()

    employer.goto(f"{site}/employer/{employer_id}/repository")
    assert code in employer.get_by_test_id("doc-receipt").first.inner_text()
    assert employer.get_by_test_id("doc-decision").count() >= 1
    employer.context.close()

    assert deliver_pending(session_factory(engine), SinkSender()) > 0, "the worker delivers what the approval queued"
    mailbox = browser.new_context().new_page()
    mailbox.goto(f"{site}/demo/mailbox")
    assert f"Đã tiếp nhận hồ sơ {code}" in mailbox.get_by_test_id("mailbox").inner_text()
    assert f"Đã có kết quả hồ sơ {code}" in mailbox.get_by_test_id("mailbox").inner_text()
    mailbox.context.close()


def test_a_resident_files_voluntary_si_online_and_gets_a_receipt(browser, site, site_data):
    engine = make_engine(site_data[0])
    with Session(engine) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        resident = session.scalar(
            select(PopulationRecord.personal_id)
            .where(PopulationRecord.personal_id.not_in(insured))
            .order_by(PopulationRecord.personal_id.desc())
            .limit(1)
        )
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in_as(page, site, resident, "/me/services")
    page.get_by_text("Đăng ký tham gia BHXH tự nguyện").click()
    page.get_by_label("Mức thu nhập tháng lựa chọn (đồng)").fill("2500000")
    page.get_by_label("Từ tháng (YYYY-MM)").first.fill("2026-12")
    page.locator("form[action='/me/services/voluntary_si'] button").click()
    assert page.get_by_test_id("dossier-created").inner_text().startswith("Đã tiếp nhận hồ sơ")
    assert page.get_by_test_id("my-dossiers").locator("li").count() == 1
    page.context.close()
