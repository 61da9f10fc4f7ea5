"""As a citizen would, on a phone: open "What would I get?" from the menu and read the one-time withdrawal worksheet,
whose figures are recomputed here from the database rows of their book."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_login import no_horizontal_scroll

from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.people.models import Person
from integration.test_estimator import counted_months, expected_one_time
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def vnd(amount: int) -> str:
    """An amount as the Vietnamese page writes it: 1.234.567 ₫."""
    return f"{amount:,} ₫".replace(",", ".")


def test_a_citizen_reads_the_one_time_withdrawal_worksheet_computed_from_their_book(phone, site, site_data, identities):
    url, _, _ = site_data
    sign_in(phone, site, "citizen-l2", "/me")
    phone.locator("#menu summary").click()
    phone.locator('nav a[href="/me/estimator"]').click()
    phone.wait_for_url(f"{site}/me/estimator")

    today = vietnam_today()
    with Session(make_engine(url)) as session:
        person = session.scalar(select(Person).where(Person.personal_id == identities["citizen-l2"].personal_id))
        months = counted_months(session, person.id, today)
        amount = expected_one_time(session, person.id, today)

    assert phone.get_by_test_id("months-counted").inner_text() == str(len(months))
    section = phone.get_by_test_id("estimate-one_time")
    assert section.get_by_test_id("result-one_time").inner_text() == vnd(amount)
    section.get_by_test_id("worksheet-one_time").locator("summary").click()
    total = section.get_by_test_id("step-months_total")
    assert total.is_visible()
    assert total.get_by_test_id("value").inner_text() == f"{len(months)} tháng"
    assert section.get_by_test_id("step-amount").get_by_test_id("value").inner_text() == vnd(amount)
    assert "Điều 70" in section.inner_text(), "the rule shows its legal source"
    for key in ("pension", "unemployment", "sickness"):
        assert phone.get_by_test_id(f"estimate-{key}").is_visible()
    assert no_horizontal_scroll(phone)

    phone.get_by_test_id("lang-switch").click()
    assert phone.get_by_test_id("estimate-one_time").locator("h2").inner_text() == "One-time withdrawal"
    assert phone.get_by_test_id("result-one_time").inner_text() == f"{amount:,} ₫"
