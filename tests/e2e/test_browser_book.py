"""A citizen's book and HI card on a phone, and a clinic checking the card on the public verifier page."""

from __future__ import annotations

import re

import pytest

from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def test_my_book_shows_months_and_the_pdf_downloads_signed(phone, site):
    sign_in(phone, site, "citizen-l2", "/me/book")
    months = phone.get_by_test_id("months").locator("li")
    assert months.count() >= 6
    with phone.expect_download() as download:
        phone.get_by_test_id("download-pdf").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf


@pytest.mark.parametrize(
    ("lang", "data_file", "now"),
    [("vi", "Tải bản dữ liệu (JSON)", "nay"), ("en", "Download the data file (JSON)", "now")],
)
def test_the_book_writes_months_as_people_do_and_names_its_data_file(phone, site, lang, data_file, now):
    """Months as 10/2026 (both languages), never 2026-10; the demo citizen's periods back to the 1990s, the paper
    years marked; the data file is a named download, not a bare "JSON" link."""
    sign_in(phone, site, "citizen-l2", f"/me/book?lang={lang}")
    months = phone.get_by_test_id("months").locator(".m").all_inner_texts()
    assert len(months) >= 100 and all(re.fullmatch(r"\d{2}/\d{4}", m) for m in months), months[:5]
    assert months[0] == "10/2026" and months[-1] == "01/2016", "newest first, from the first priced month"
    periods = phone.get_by_test_id("periods").locator("li").all_inner_texts()
    assert re.match(rf"\d{{2}}/\d{{4}} – {now}", periods[0]), "the current job first, open"
    assert re.match(r"\d{2}/19\d{2} – \d{2}/\d{4}", periods[-1]), "the first job, in the 1990s"
    assert phone.get_by_test_id("from-paper").count() >= 3, "the years converted from the paper book"
    main = phone.inner_text("main")
    assert not re.search(r"(?<![\w-])\d{4}-\d{2}(?![\w-])", main), "no month written 2026-10"
    links = phone.get_by_test_id("versions").locator("a").all_inner_texts()
    assert "JSON" not in links and data_file in links
    with phone.expect_download() as download:
        phone.get_by_test_id("data-file").first.click()
    assert download.value.suggested_filename.endswith(".json")
    if lang == "vi":
        assert "cấp sổ" in phone.get_by_test_id("versions").inner_text() and "issued" not in main


def test_the_card_qr_checks_valid_on_the_verifier_page(browser, site):
    citizen = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(citizen, site, "citizen-l2", "/me/card")
    assert citizen.get_by_test_id("card-qr").locator("svg").count() == 1
    payload = citizen.request.get(f"{site}/api/v1/me/card/qr?one_time=true").json()["payload"]
    citizen.context.close()

    clinic = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    clinic.goto(f"{site}/verify")
    clinic.get_by_label("Nội dung mã QR hoặc tài liệu ký số").fill(payload)
    clinic.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert clinic.get_by_test_id("verdict-word").inner_text() == "Hợp lệ"
    clinic.get_by_label("Nội dung mã QR hoặc tài liệu ký số").fill(payload[:-4] + "ABCD")
    clinic.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert clinic.get_by_test_id("verdict-word").inner_text() != "Hợp lệ"
    clinic.context.close()


def test_the_card_image_has_the_card_code_and_a_qr(phone, site):
    sign_in(phone, site, "citizen-l2", "/me/card")
    code = phone.get_by_test_id("card-code").inner_text()
    image = phone.request.get(f"{site}/me/card.svg")
    assert image.headers["content-type"].startswith("image/svg+xml")
    svg = image.text()
    assert code in svg and "THẺ BẢO HIỂM Y TẾ" in svg and svg.count("<svg") == 2


def test_an_approving_officer_suspends_a_card_and_the_clinic_sees_it(browser, site, identities):
    citizen = browser.new_context().new_page()
    sign_in(citizen, site, "citizen-l2", "/me")
    person_id = citizen.request.get(f"{site}/api/v1/me").json()["record"]["person_id"]
    payload = citizen.request.get(f"{site}/api/v1/me/card/qr").json()["payload"]
    citizen.context.close()

    officer = browser.new_context().new_page()
    sign_in(officer, site, "officer-civil", f"/officer/persons/{person_id}?purpose=GDBHXH")
    officer.get_by_label("Thẻ BHYT: lý do tạm dừng (gian lận, giả mạo)").fill("Thẻ bị sử dụng sai mục đích")
    officer.get_by_test_id("suspension").locator("form").nth(1).get_by_role("button").click()
    assert "Đang bị tạm dừng" in officer.get_by_test_id("suspension").inner_text()

    clinic = browser.new_context().new_page()
    clinic.goto(f"{site}/verify")
    clinic.get_by_label("Nội dung mã QR hoặc tài liệu ký số").fill(payload)
    clinic.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert clinic.get_by_test_id("verdict-word").inner_text() == "Đang bị tạm dừng"
    clinic.context.close()

    officer.get_by_test_id("suspension").get_by_role("button", name="Khôi phục").click()
    assert "Khôi phục" not in officer.get_by_test_id("suspension").inner_text()
    officer.context.close()
