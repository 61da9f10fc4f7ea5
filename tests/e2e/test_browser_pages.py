"""Pages as a citizen on a cheap phone sees them, in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth")


def persons_in(site_data) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from esibook.db import make_engine
    from esibook.people.models import Person

    with Session(make_engine(site_data[0])) as session:
        return session.scalar(select(func.count()).select_from(Person))


def test_home_on_a_phone_in_vietnamese_then_english(phone, site, site_data, tmp_path):
    phone.goto(site + "/")
    assert phone.locator("h1").inner_text() == "Sổ bảo hiểm xã hội của bạn, trực tuyến"
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert no_horizontal_scroll(phone)
    assert phone.get_by_test_id("stat-persons").inner_text() == f"{persons_in(site_data):,}".replace(",", ".")
    phone.screenshot(path=str(tmp_path / "home-vi.png"), full_page=True)

    phone.get_by_test_id("lang-switch").click()
    phone.wait_for_url("**lang=en")
    assert phone.locator("h1").inner_text() == "Your social insurance book, online"
    phone.goto(site + "/")
    assert phone.locator("html").get_attribute("lang") == "en", "the language choice is remembered"
    phone.get_by_test_id("lang-switch").click()
    assert phone.locator("h1").inner_text() == "Sổ bảo hiểm xã hội của bạn, trực tuyến"


def test_identifier_checker_says_which_digit_is_wrong(phone, site):
    phone.goto(site + "/identifiers?lang=en")
    phone.get_by_label("Number or code").fill("001190012345")
    phone.get_by_label("Date of birth (for a personal ID number)").fill("1990-05-01")
    phone.get_by_label("Sex (for a personal ID number)").select_option("male")
    phone.get_by_role("button", name="Check").click()
    verdict = phone.get_by_test_id("verdict")
    assert "Not valid" in verdict.inner_text()
    assert "digit 4" in verdict.inner_text() and "female" in verdict.inner_text()
    assert no_horizontal_scroll(phone)

    phone.get_by_label("Sex (for a personal ID number)").select_option("female")
    phone.get_by_role("button", name="Check").click()
    assert "Valid" in phone.get_by_test_id("verdict").inner_text()
    assert "001 Hà Nội" in phone.get_by_test_id("verdict").inner_text()
    phone.goto(site + "/?lang=vi")
