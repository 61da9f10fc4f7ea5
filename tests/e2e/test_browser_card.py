"""The HI card page on a phone: the one-time QR first, the static QR below it labelled for use offline, the
benefit level in the page's language; the saved card image with the benefit level clear of the QR."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page

from esibook.db import make_engine
from esibook.health.card import level_text
from esibook.health.models import HICoverage
from esibook.health.service import latest_card
from esibook.people.models import Person
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def benefit_level(site_data, identities) -> int:
    engine = make_engine(site_data[0])
    with Session(engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == identities["citizen-l2"].personal_id))
        return latest_card(session, person.id).benefit_level


@pytest.mark.parametrize(
    ("lang", "offline_label"), [("vi", "Mã QR dùng khi không có mạng"), ("en", "QR for use offline")]
)
def test_the_one_time_qr_comes_first_and_the_offline_one_is_labelled(phone, site, site_data, identities, lang,
                                                                      offline_label):
    sign_in(phone, site, "citizen-l2", f"/me/card?lang={lang}")
    one_time = phone.get_by_test_id("card-qr")
    assert one_time.locator("svg").is_visible()
    offline = phone.get_by_test_id("offline-qr")
    assert offline_label in offline.locator("summary").inner_text()
    assert not phone.get_by_test_id("offline-card-qr").is_visible(), "the offline QR waits behind its label"
    offline.locator("summary").click()
    assert phone.get_by_test_id("offline-card-qr").locator("svg").is_visible()
    assert one_time.bounding_box()["y"] < phone.get_by_test_id("offline-card-qr").bounding_box()["y"]
    assert phone.locator("h1").count() == 1
    level = benefit_level(site_data, identities)
    shown = phone.get_by_test_id("hi-card").inner_text()
    assert level_text(level, lang) in shown, "the benefit level in the page's language"
    if lang == "en":
        assert level_text(level, "vi") not in phone.get_by_test_id("hi-card").inner_text()
    assert check_page(phone, axe_source()) == [], "with the offline QR open: fits the phone, passes axe"


def test_the_saved_card_image_keeps_the_benefit_level_clear_of_the_qr(phone, site, site_data, identities):
    sign_in(phone, site, "citizen-l2", "/me/card")
    phone.goto(f"{site}/me/card.svg")
    card = phone.locator("svg").first.bounding_box()
    qr = phone.locator("#qr svg").bounding_box()
    caption = phone.locator("#qr-caption").bounding_box()
    benefit = phone.locator("#benefit").bounding_box()
    assert "Mức hưởng" in phone.locator("#benefit").text_content()
    assert level_text(benefit_level(site_data, identities), "vi")[:40] in phone.locator("#benefit").text_content()
    for box in (qr, caption):
        assert benefit["y"] >= box["y"] + box["height"], "the benefit level runs below the QR and its caption"
    for box in (qr, caption, benefit):
        assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"], "inside the card"
        assert box["y"] + box["height"] <= card["y"] + card["height"]
    rows = phone.evaluate(
        "[...document.querySelectorAll('svg > text')].filter(t => !t.id && +t.getAttribute('y') > 100)"
        ".map(t => t.getBoundingClientRect().right)"
    )
    assert len(rows) >= 12 and max(rows) < qr["x"], "the holder's details stay left of the QR"
    assert "không có mạng" in phone.locator("#qr-caption").text_content(), "the image's QR is the one for offline use"


def test_a_parent_shows_their_childs_card_from_the_home_page(phone, site, site_data, identities):
    engine = make_engine(site_data[0])
    with Session(engine) as session:
        child = session.scalar(select(Person).where(Person.representative_id == identities["guardian"].personal_id,
                                                    Person.id.in_(select(HICoverage.person_id))).limit(1))
        card_code = latest_card(session, child.id).card_code
        stranger_id = session.scalar(select(Person.id).where(
            Person.representative_id.is_distinct_from(identities["guardian"].personal_id)).limit(1))
    sign_in(phone, site, "guardian", "/me/card")
    phone.goto(f"{site}/me")
    phone.get_by_test_id("family-card").first.click()
    phone.wait_for_url(f"**/me/family/{child.id}/card")
    assert child.full_name in phone.locator("h1").inner_text() or child.full_name in phone.inner_text("main")
    assert phone.get_by_test_id("card-code").inner_text() == card_code
    assert phone.get_by_test_id("card-qr").locator("svg").is_visible()
    renewed = phone.request.get(f"{site}/me/family/{child.id}/card/one-time.svg")
    assert renewed.ok and "no-store" in renewed.headers["cache-control"]
    assert check_page(phone, axe_source()) == []
    stranger = phone.request.get(f"{site}/me/family/{stranger_id}/card")
    assert stranger.status == 404, "only a person the parent represents"
