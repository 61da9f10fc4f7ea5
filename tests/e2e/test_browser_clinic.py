"""A clinic on a phone: check a patient in from the card's QR, send the visit as an XML 130 file; the citizen then
finds the visit in their medical history."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_login import no_horizontal_scroll

from esibook.config import Settings
from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.health.card import card_qr
from esibook.health.models import Clinic
from esibook.health.service import latest_card
from esibook.people.models import Person
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def xml1(ref: str, card_code: str, clinic: str, admitted: datetime) -> bytes:
    discharged = admitted + timedelta(hours=3)
    return (
        '<?xml version="1.0" encoding="utf-8"?><TONG_HOP>'
        f"<MA_LK>{ref}</MA_LK><MA_THE_BHYT>{card_code}</MA_THE_BHYT><MA_CSKCB>{clinic}</MA_CSKCB>"
        f"<NGAY_VAO>{admitted:%Y%m%d%H%M}</NGAY_VAO><NGAY_RA>{discharged:%Y%m%d%H%M}</NGAY_RA>"
        "<MA_BENH_CHINH>J06.9</MA_BENH_CHINH><T_TONGCHI_BV>185000</T_TONGCHI_BV><T_BHTT>148000</T_BHTT>"
        "<T_BNCCT>37000</T_BNCCT><T_BNTT>0</T_BNTT><T_NGUONKHAC>0</T_NGUONKHAC></TONG_HOP>"
    ).encode()


def test_a_clinic_checks_in_on_a_phone_and_the_citizen_sees_the_visit(
    browser, phone, site, site_data, identities, tmp_path
):
    url, data_dir, _ = site_data
    citizen = identities["citizen-l2"]
    clinic_code = identities["clinic"].grant[4]
    with Session(make_engine(url)) as session:
        person = session.scalar(select(Person).where(Person.personal_id == citizen.personal_id))
        card = latest_card(session, person.id)
        qr = card_qr(session, Settings(data_dir=data_dir), person, one_time=True).payload
        clinic_name = session.scalar(select(Clinic.name).where(Clinic.code == clinic_code))

    sign_in(phone, site, "clinic", "/clinic/check-in?lang=en")
    phone.get_by_label("QR code text").fill(qr)
    phone.get_by_test_id("checkin-submit").click()
    assert phone.get_by_test_id("checkin-verdict").inner_text() == "Valid"
    assert phone.get_by_test_id("checkin-person").inner_text().startswith(citizen.name)
    assert f"{card.benefit_level} ·" in phone.get_by_test_id("checkin-benefit").inner_text()
    assert phone.get_by_test_id("checkin-rule").inner_text()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "check-in.png"), full_page=True)

    phone.get_by_label("or a personal ID number or HI card code").fill("12345")
    phone.get_by_test_id("checkin-submit").click()
    assert "12-digit personal ID number" in phone.get_by_test_id("checkin-error").inner_text()

    day = max(card.valid_from, vietnam_today() - timedelta(days=2))
    phone.goto(f"{site}/clinic/visits")
    phone.get_by_test_id("visits-file").set_input_files(
        {
            "name": "xml1.xml",
            "mimeType": "application/xml",
            "buffer": xml1("E2E-1", card.card_code, clinic_code, datetime.combine(day, datetime.min.time())),
        }
    )
    phone.get_by_test_id("visits-send").click()
    assert phone.get_by_test_id("visits-accepted").inner_text() == "1"
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "send-visits.png"), full_page=True)

    person_page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    sign_in(person_page, site, "citizen-l2", "/me/visits?lang=en")
    visits = person_page.get_by_test_id("visits").inner_text()
    assert clinic_name in visits and "J06.9" in visits and "185,000" in visits
    person_page.screenshot(path=str(tmp_path / "my-visits.png"), full_page=True)
    person_page.context.close()
