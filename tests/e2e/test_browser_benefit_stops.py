"""An approving officer stops an unemployment allowance on a phone: the person's benefits page (from the officer's
page of the person) lists it with the last month paid; a last month already past is refused in Vietnamese with its
code; a month not yet paid stops it; the page says so, has no stop form left, fits 360 px and passes axe. The
person then reads the last month and why on their own page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page
from test_browser_login import no_horizontal_scroll

from esibook.benefits import claims
from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.people.models import Person
from esibook.periods import Month
from support.retirees import add_retiree
from support.signed_in import sign_in, sign_in_as

pytestmark = pytest.mark.browser


def test_an_officer_stops_an_unemployment_allowance_on_a_phone(browser, phone, site, site_data):
    url, _, _ = site_data
    engine = make_engine(url)
    person_id, personal_id = add_retiree(engine, serial=931_101, born=date(1992, 2, 2), years=5, first=Month(2018, 1))
    now = Month.from_date(vietnam_today())
    form = {"regime": "unemployment", "termination_month": str(now - 1), "months": 3, "amount": 4_200_000,
            "total": 12_600_000, "payment": {"method": "cash", "post_office": "Bưu điện Cầu Giấy"}}
    with Session(engine) as session, session.begin():
        claims.approve_own_claim(session, session.get(Person, person_id), form)

    sign_in(phone, site, "officer-civil", f"/officer/persons/{person_id}")
    phone.get_by_test_id("benefits-link").click()
    section = phone.locator('[data-testid^="benefit-unemployment-"]')
    assert "Trợ cấp thất nghiệp" in section.inner_text()
    assert section.get_by_test_id("last-paid").inner_text() == f"{now.month:02d}/{now.year}"
    section.locator("summary").click()
    section.get_by_label("Tháng cuối được chi trả (YYYY-MM)").fill(str(now - 1))
    section.get_by_label("Lý do").select_option("employed")
    section.get_by_role("button", name="Dừng hưởng").click()
    error = phone.get_by_test_id("stop-error").inner_text()
    assert f"tháng cuối phải từ tháng {now}" in error, "it names the first month that can be the last, in Vietnamese"
    assert phone.get_by_test_id("error-code").inner_text() == "Mã lỗi: benefits.stop_paid"

    section = phone.locator('[data-testid^="benefit-unemployment-"]')
    section.locator("summary").click()
    section.get_by_label("Tháng cuối được chi trả (YYYY-MM)").fill(str(now))
    section.get_by_label("Lý do").select_option("employed")
    section.get_by_role("button", name="Dừng hưởng").click()
    assert phone.get_by_test_id("stop-done").is_visible()
    assert "đã có việc làm" in phone.get_by_test_id("stopped").inner_text()
    assert phone.locator('[data-testid^="stop-unemployment-"]').count() == 0, "no stop form once stopped"
    assert no_horizontal_scroll(phone)
    assert check_page(phone, axe_source()) == [], "fits a 360 px screen, passes axe"

    mine = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    sign_in_as(mine, site, personal_id, "/me/benefit-payments")
    assert "đã có việc làm" in mine.get_by_test_id("stopped").inner_text()
    mine.context.close()
