"""As a resident would: register for voluntary SI, have it approved, pay 3 months on the development gateway, see
the months paid and the receipt; a forged notification for a second order changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.config import Settings
from esibook.dates import vietnam_today
from esibook.db import make_engine, session_factory
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.payments import signing
from esibook.payments.pricing import voluntary_months
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions.models import PopulationRecord
from support.signed_in import sign_in, sign_in_as

pytestmark = pytest.mark.browser

THIS_MONTH = Month.from_date(vietnam_today())


def shown(month: Month) -> str:
    return f"{month.month:02d}/{month.year}"


def a_resident_never_insured(url: str) -> str:
    with Session(make_engine(url)) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        return session.scalar(
            select(PopulationRecord.personal_id)
            .where(PopulationRecord.personal_id.not_in(insured))
            .order_by(PopulationRecord.personal_id)
            .offset(6)
            .limit(1)
        )


def register_and_approve(browser, site: str, personal_id: str):
    resident = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    sign_in_as(resident, site, personal_id, "/me/services")
    resident.locator("summary", has_text="Đăng ký tham gia BHXH tự nguyện").click()
    form = resident.locator("form[action='/me/services/voluntary_si']")
    form.locator("#income").fill("1500000")
    form.locator("#from_month").fill(str(THIS_MONTH))
    form.get_by_role("button", name="Gửi").click()
    code = resident.get_by_test_id("dossier-created").inner_text().split(":")[1].split("·")[0].strip()
    officer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(officer, site, "officer-civil", "/officer/queue")
    officer.get_by_role("link", name=code).click()
    officer.get_by_test_id("approve").click()
    officer.wait_for_url(f"{site}/officer/queue?*")
    officer.context.close()
    return resident


def test_a_resident_pays_three_months_and_a_forged_notification_changes_nothing(browser, site, site_data):
    url, data_dir, _ = site_data
    personal_id = a_resident_never_insured(url)
    page = register_and_approve(browser, site, personal_id)

    page.goto(f"{site}/me/payments")
    assert shown(THIS_MONTH) in page.get_by_test_id("due-months").inner_text(), "this month is due"
    assert page.get_by_test_id("next-month").inner_text() == shown(THIS_MONTH)
    expected = sum(p.payable for p in voluntary_months(1_500_000, "other", THIS_MONTH, 3, supported_before=0))
    page.get_by_test_id("term-3").check()
    page.get_by_test_id("pay-voluntary").click()
    page.wait_for_url(f"{site}/dev-gateway/pay?*")
    assert page.get_by_test_id("gateway-amount").inner_text() == f"{expected:,} ₫".replace(",", ".")
    assert personal_id not in page.url, "the gateway is told no personal data"
    page.get_by_test_id("gateway-pay").click()
    page.wait_for_url(f"{site}/me/payments/return?*")
    assert "Đã đóng" in page.get_by_test_id("return-result").inner_text()
    page.get_by_test_id("receipt-link").click()
    assert page.get_by_test_id("receipt-amount").inner_text() == f"{expected:,} ₫".replace(",", ".")
    order_code = page.get_by_test_id("receipt-order").inner_text()
    assert order_code.startswith("TT")

    page.goto(f"{site}/me/payments")
    paid = page.get_by_test_id("paid-months").inner_text()
    assert all(shown(m) in paid for m in Month.range(THIS_MONTH, THIS_MONTH + 2)), "the 3 months are paid"
    assert page.get_by_test_id("next-month").inner_text() == shown(THIS_MONTH + 3)
    assert page.get_by_test_id("due-months").inner_text() == "Hiện không có khoản nào đến hạn."
    assert deliver_pending(session_factory(make_engine(url)), SinkSender()) > 0, "the worker delivers the receipt"
    page.goto(f"{site}/me/messages")
    assert f"Biên lai thanh toán {order_code}" in page.content(), "the receipt came as a message"

    # A second order; someone forges the gateway's notification that it was paid.
    page.goto(f"{site}/me/payments")
    page.get_by_test_id("term-1").check()
    page.get_by_test_id("pay-voluntary").click()
    page.wait_for_url(f"{site}/dev-gateway/pay?*")
    second = dict(item.split("=", 1) for item in page.url.split("?", 1)[1].split("&"))["vnp_TxnRef"]
    amount = sum(p.payable for p in voluntary_months(1_500_000, "other", THIS_MONTH + 3, 1, supported_before=3))
    forged = signing.sign({
        "vnp_TmnCode": Settings().payment_merchant_code, "vnp_Amount": str(amount * 100), "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00", "vnp_TransactionNo": "66666666", "vnp_TxnRef": second,
        "vnp_PayDate": "20261202101010",
    }, "not the shared secret")
    answer = page.request.get(f"{site}/api/v1/payments/ipn", params=forged)
    assert answer.json() == {"RspCode": "97", "Message": "Invalid Checksum"}
    page.goto(f"{site}/me/payments")
    assert page.get_by_test_id("next-month").inner_text() == shown(THIS_MONTH + 3), "nothing more is paid"
    assert "đang chờ thanh toán" in page.get_by_test_id(f"order-{second}").inner_text()
    page.context.close()
