"""An employer's representative, on a phone: lands on the unit's page after signing in, downloads the list template
(Vietnamese headings), fills it, sees every row checked (names from the population database, each row's problem)
before filing, files, and the receipt names who was filed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page

from esibook.db import make_engine
from esibook.people.models import Person
from esibook.transactions.models import Dossier, PopulationRecord

pytestmark = pytest.mark.browser


def residents_not_insured(url: str, count: int) -> list[tuple[str, str]]:
    """Residents the population database knows, never insured, in no dossier yet; the two highest ID numbers are
    left to the every-page test, which registers them."""
    with Session(make_engine(url)) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        forms = " ".join(session.scalars(select(Dossier.form)))
        residents = session.execute(
            select(PopulationRecord.personal_id, PopulationRecord.full_name)
            .where(PopulationRecord.personal_id.not_in(insured))
            .order_by(PopulationRecord.personal_id)
        ).all()
        free = [(r.personal_id, r.full_name) for r in residents[:-2] if r.personal_id not in forms]
    assert len(free) >= count, "the demo data holds residents who can be registered"
    return free[:count]


def test_an_employer_files_from_the_vietnamese_template_after_a_preview(browser, site, site_data, identities, tmp_path):
    employer_id = identities["employer-rep"].grant[3]
    (first, first_name), (second, second_name) = residents_not_insured(site_data[0], 2)
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    page.goto(f"{site}/login")
    page.get_by_test_id("login-vneid").click()
    page.get_by_test_id("identity-employer-rep").click()
    page.wait_for_url(f"{site}/employer/{employer_id}/employees")  # the unit's page, not the personal one

    with page.expect_download() as download:
        page.get_by_test_id("template-csv").click()
    template = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert template.splitlines()[0].startswith("Số định danh cá nhân,Chức danh nghề,Mức lương (đồng),Từ tháng")

    with_a_mistake = tmp_path / "bao-tang-loi.csv"
    with_a_mistake.write_text(
        template + f'{first},Công nhân may,"7,200,000",11/2026,,\n' + "079000000001,Thợ cắt,7.200.000,11/2026,,\n",
        encoding="utf-8",
    )
    page.get_by_label("Danh sách lao động").set_input_files(str(with_a_mistake))
    page.get_by_test_id("upload-list").click()
    rows = page.get_by_test_id("preview-row")
    assert rows.count() == 2
    assert first_name in rows.nth(0).inner_text() and "7.200.000 ₫" in rows.nth(0).inner_text()
    assert "không có trong cơ sở dữ liệu quốc gia về dân cư" in rows.nth(1).get_by_test_id("row-check").inner_text()
    assert page.get_by_test_id("confirm-list").count() == 0, "a list with a bad row cannot be filed"
    assert check_page(page, axe_source()) == [], "the preview fits the phone and passes axe-core"

    page.get_by_role("link", name="Quay lại: tải lên tệp khác").click()
    corrected = tmp_path / "bao-tang.csv"
    corrected.write_text(
        template + f"{first},Công nhân may,\"7,200,000\",11/2026,,\n{second},Thợ cắt,7200000,2026-11,,\n",
        encoding="utf-8",
    )
    page.get_by_label("Danh sách lao động").set_input_files(str(corrected))
    page.get_by_test_id("upload-list").click()
    assert "sẵn sàng nộp: 2" in page.get_by_test_id("preview-summary").inner_text()
    page.get_by_test_id("confirm-list").click()
    receipt = page.get_by_test_id("dossier-created").inner_text()
    assert receipt.startswith("Đã tiếp nhận hồ sơ: HS")
    assert check_page(page, axe_source()) == [], "the receipt fits the phone and passes axe-core"
    filed = page.get_by_test_id("filed-people").inner_text()
    assert first_name in filed and second_name in filed and "7.200.000 ₫" in filed and "11/2026" in filed
    page.context.close()


def test_the_xlsx_template_has_vietnamese_headings_and_reads_back(browser, site, identities):
    from io import BytesIO

    from openpyxl import load_workbook

    page = browser.new_context().new_page()
    page.goto(f"{site}/login?return_to=/employer/{identities['employer-rep'].grant[3]}/list-template.xlsx")
    page.get_by_test_id("login-vneid").click()
    with page.expect_download() as download:
        page.get_by_test_id("identity-employer-rep").click()
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    headings = ["Số định danh cá nhân", "Chức danh nghề", "Mức lương (đồng)", "Từ tháng (MM/YYYY)"]
    assert [c.value for c in sheet[1]][:4] == headings
    page.context.close()
