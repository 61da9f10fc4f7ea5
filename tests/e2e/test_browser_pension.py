"""A pensioner on a phone: files the retirement claim (the worksheet goes with it), an officer approves it, and
the first month appears in the payment history, paid to the masked bank account; the pension page fits the phone
and passes axe."""

from __future__ import annotations

from datetime import date

import pytest
from test_browser_every_page import axe_source, check_page

from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.periods import Month
from integration.test_pensions import add_retiree
from support.signed_in import sign_in, sign_in_as

pytestmark = pytest.mark.browser


def test_a_pensioner_files_an_officer_approves_and_the_first_month_is_in_the_history(browser, site, site_data):
    url, _, _ = site_data
    _, personal_id = add_retiree(make_engine(url), serial=917_001, born=date(1963, 4, 20))
    phone = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
    page = browser.new_context(**phone).new_page()
    sign_in_as(page, site, personal_id, "/me/services")
    form = page.get_by_test_id("claim-pension")
    form.locator("summary").click()
    form.get_by_label("Ngân hàng", exact=True).select_option("BIDV")
    form.get_by_label("Số tài khoản").fill("2151 0000 998877")
    form.get_by_role("button", name="Gửi").click()
    created = page.get_by_test_id("dossier-created")
    code = created.locator("strong").inner_text()
    assert code.startswith("HS")

    officer = browser.new_context(**phone).new_page()
    sign_in(officer, site, "officer-civil", "/officer/queue")
    officer.get_by_role("link", name=code).click()
    filed = officer.get_by_test_id("filed").inner_text()
    assert "BIDV ••••8877" in filed, "the officer sees where it will be paid"
    assert "998877" not in filed, "the account number is masked on the dossier page too"
    officer.get_by_test_id("approve").click()
    officer.wait_for_url(f"{site}/officer/queue*")
    officer.context.close()

    page.goto(f"{site}/me/pension")
    month = Month.from_date(vietnam_today())
    row = page.get_by_test_id(f"payment-{month}")
    assert f"{month.month:02d}/{month.year}" in row.inner_text()
    assert "BIDV ••••8877" in row.inner_text() and "Đã chi trả" in row.inner_text()
    assert "998877" not in page.content(), "the account is masked"
    assert int(page.get_by_test_id("monthly-amount").get_attribute("data-value")) > 0
    assert int(page.get_by_test_id("lump-sum").get_attribute("data-value")) > 0, "38 years: 3 years above 35"
    page.get_by_test_id("change-method").locator("summary").click()
    assert check_page(page, axe_source()) == []
    page.get_by_test_id("change-method").get_by_label("Hình thức nhận lương hưu").select_option("cash")
    page.get_by_label("Bưu điện (nhận tiền mặt)").fill("Bưu điện Cầu Giấy")
    page.get_by_role("button", name="Lưu").click()
    assert "Bưu điện Cầu Giấy" in page.get_by_test_id("next-change").inner_text()
    assert f"{(month + 1).month:02d}/{(month + 1).year}" in page.get_by_test_id("next-change").inner_text()
    page.context.close()
