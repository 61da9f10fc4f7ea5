"""A person paid an unemployment allowance on a phone: the months begun are held because no way of payment was
named, the page says so (in Vietnamese), fits a 360 px screen and passes axe; naming a bank account there shows it
from next month."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page

from esibook.benefits import claims
from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.people.models import Person
from esibook.periods import Month
from integration.test_pensions import add_retiree
from support.signed_in import sign_in_as

pytestmark = pytest.mark.browser


def test_held_months_of_unemployment_then_a_way_named_on_a_phone(browser, site, site_data):
    url, _, _ = site_data
    engine = make_engine(url)
    person_id, personal_id = add_retiree(engine, serial=929_101, born=date(1989, 5, 5), years=5, first=Month(2016, 1))
    now = Month.from_date(vietnam_today())
    form = {"regime": "unemployment", "termination_month": str(now - 2), "months": 3, "amount": 4_500_000,
            "total": 13_500_000}
    with Session(engine) as session, session.begin():
        claims.approve_own_claim(session, session.get(Person, person_id), form)
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    sign_in_as(page, site, personal_id, "/me/benefit-payments")
    assert "Trợ cấp thất nghiệp" in page.get_by_test_id("monthly-benefit-unemployment").inner_text()
    held = page.get_by_test_id("monthly-held").inner_text()
    assert f"{(now - 1).month:02d}/{(now - 1).year}" in held and f"{now.month:02d}/{now.year}" in held
    line = page.get_by_test_id(f"line-unemployment-{now}").inner_text()
    assert "Tạm giữ" in line and "Chưa chỉ định nơi nhận tiền" in line
    page.get_by_test_id("change-way").locator("summary").click()
    way = page.get_by_test_id("change-way")
    way.get_by_label("Hình thức nhận").select_option("bank")
    way.get_by_label("Ngân hàng", exact=True).select_option("BIDV")
    way.get_by_label("Số tài khoản").fill("2151 0000 998877")
    way.get_by_role("button", name="Lưu").click()
    assert page.get_by_test_id("monthly-changed").is_visible()
    assert "BIDV ••••8877" in page.get_by_test_id("next-change").inner_text()
    assert "998877" not in page.content(), "the account is masked"
    page.get_by_test_id("change-way").locator("summary").click()
    assert check_page(page, axe_source()) == [], "fits a 360 px screen, passes axe"
    page.context.close()
