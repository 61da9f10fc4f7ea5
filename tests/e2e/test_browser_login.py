"""Signing in with the (development) national identity in a real browser, on a phone."""

from __future__ import annotations

import pytest

from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth")


def test_level_2_citizen_logs_in_and_sees_their_data_groups(phone, site, identities):
    sign_in(phone, site, "citizen-l2")
    assert phone.get_by_test_id("person-name").inner_text() == identities["citizen-l2"].name
    phone.get_by_test_id("my-data").click()
    for group in range(1, 8):
        assert phone.get_by_test_id(f"group-{group}").is_visible()
    phone.get_by_test_id("group-5").locator("summary").click()
    assert "DN" in phone.get_by_test_id("group-5").inner_text() or "HC" in phone.get_by_test_id("group-5").inner_text()
    assert no_horizontal_scroll(phone)
    phone.locator("#menu summary").click()
    assert phone.get_by_test_id("who").inner_text() == identities["citizen-l2"].name, "the menu names who is in"
    phone.get_by_test_id("logout").click()
    phone.wait_for_url(f"{site}/")
    assert phone.get_by_test_id("login-link").is_visible()


def test_level_1_citizen_sees_only_status_and_how_to_upgrade(phone, site):
    sign_in(phone, site, "citizen-l1")
    assert phone.get_by_test_id("status").is_visible()
    assert phone.get_by_test_id("upgrade").is_visible()
    assert phone.locator("[data-testid^=group-]").count() == 0


def test_an_officer_finds_a_person_without_accents_and_the_person_sees_it(browser, site, identities):
    officer = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    sign_in(officer, site, "officer-civil", "/officer/search")
    citizen = identities["citizen-l2"]
    surname = citizen.name.split(" ")[0]
    from esibook.people.names import fold_name

    officer.get_by_label("Tên hoặc số").fill(fold_name(citizen.name))
    officer.get_by_role("button", name="Tìm kiếm").click()
    officer.get_by_role("link", name=citizen.name).first.click()
    assert officer.locator("h1").inner_text().startswith(surname)
    officer.context.close()

    person = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    sign_in(person, site, "citizen-l2", "/me/access-log")
    log = person.get_by_test_id("access-log").inner_text()
    assert identities["officer-civil"].name in log
    person.context.close()
