"""The citizen's home after login on a 360 × 740 phone: a compact header, tiles, the card's QR in 2 taps and the
signed book in 3, messages with an unread count, and the 7 data groups on their own page with names, not codes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.principal import Identity, person_principal
from esibook.config import Settings
from esibook.db import make_engine, session_factory
from esibook.health.models import Clinic
from esibook.health.service import latest_card
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.people.models import Person
from esibook.people.reference import ethnicity_name
from esibook.transactions.service import submit
from support.signed_in import sign_in

pytestmark = pytest.mark.browser

SCREEN = 740


class Taps:
    """Counts the taps a person makes, from the moment they land after login."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def on(self, test_id: str):
        self.count += 1
        self.page.get_by_test_id(test_id).click()


def test_the_header_is_compact_and_the_home_shows_tiles(phone, site):
    sign_in(phone, site, "citizen-l2")
    header = phone.locator("header.site").bounding_box()
    assert header["height"] <= 0.15 * SCREEN, f"the header takes {header['height'] / SCREEN:.0%} of the screen"
    for tile in ("card", "book", "contributions", "visits", "services", "messages"):
        assert phone.get_by_test_id(f"tile-{tile}").is_visible(), tile
    box = phone.get_by_test_id("tile-messages").bounding_box()
    assert box["y"] + box["height"] <= SCREEN, "all six tiles fit on the first screen"


def test_the_card_qr_in_two_taps_and_the_book_pdf_in_three(phone, site):
    sign_in(phone, site, "citizen-l2")
    taps = Taps(phone)
    taps.on("tile-card")
    assert phone.get_by_test_id("card-qr").locator("svg").is_visible()
    assert taps.count <= 2

    sign_in(phone, site, "citizen-l2")
    taps = Taps(phone)
    taps.on("tile-book")
    with phone.expect_download() as download:
        taps.on("download-pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert taps.count <= 3


def test_messages_show_an_unread_count_until_opened(phone, site, site_data, identities):
    url, data_dir, _ = site_data
    engine = make_engine(url)
    citizen = identities["citizen-l2"]
    with Session(engine) as session:
        caller = person_principal(session, Identity("sub-home", citizen.personal_id, citizen.name, 2))
        submit(
            session,
            Settings(data_dir=data_dir, database_url=url),
            caller,
            procedure_code="request_printout",
            form={"delivery": "electronic", "copies": 1},
            idempotency_key=f"home-{uuid.uuid4()}",
        )
    deliver_pending(session_factory(engine), SinkSender())

    sign_in(phone, site, "citizen-l2")
    unread = int(phone.get_by_test_id("unread").inner_text())
    assert unread >= 1
    phone.get_by_test_id("tile-messages").click()
    assert phone.get_by_test_id("message").count() >= unread
    assert "Mới" in phone.get_by_test_id("message").first.inner_text()
    phone.goto(f"{site}/me")
    assert phone.get_by_test_id("unread").count() == 0
    assert "không có tin mới" in phone.get_by_test_id("tile-messages").inner_text()


def test_the_data_groups_name_the_ethnicity_nationality_and_clinic(phone, site, site_data, identities):
    with Session(make_engine(site_data[0])) as session:
        person = session.scalar(select(Person).where(Person.personal_id == identities["citizen-l2"].personal_id))
        code = latest_card(session, person.id).initial_clinic_code
        clinic = session.scalar(select(Clinic).where(Clinic.code == code))
        ethnicity = ethnicity_name(person.ethnicity_code)
    sign_in(phone, site, "citizen-l2", "/me/data")
    basic = phone.get_by_test_id("group-1")

    def value_of(label: str) -> str:
        return basic.locator("dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()

    assert value_of("Dân tộc") == ethnicity, "the ethnic group's name, not its code"
    assert value_of("Quốc tịch") == "Việt Nam"
    health = phone.get_by_test_id("group-5")
    health.locator("summary").click()
    assert clinic.name in health.inner_text()
    if clinic.address:
        assert clinic.address in health.inner_text()
