"""Where a person sees their initial clinic or the clinics of their visits, they read names and addresses, not
5-digit facility codes: the HI card page, the saved card image, My data and My medical visits."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_login import sign_in

from esibook.db import make_engine
from esibook.health.models import Clinic, MedicalVisit
from esibook.health.service import latest_card
from esibook.people.models import Person

pytestmark = pytest.mark.browser


def citizen_clinics(site_data, identities) -> tuple[str, Clinic, dict[str, Clinic]]:
    """The citizen's card code, initial clinic, and the clinics of their visits by code."""
    with Session(make_engine(site_data[0])) as session:
        person = session.scalar(select(Person).where(Person.personal_id == identities["citizen-l2"].personal_id))
        card = latest_card(session, person.id)
        initial = session.scalar(select(Clinic).where(Clinic.code == card.initial_clinic_code))
        codes = set(session.scalars(select(MedicalVisit.clinic_code).where(MedicalVisit.person_id == person.id)))
        visited = {c.code: c for c in session.scalars(select(Clinic).where(Clinic.code.in_(codes)))}
        session.expunge_all()
    return card.card_code, initial, visited


def test_the_card_page_and_image_name_the_initial_clinic(phone, site, site_data, identities):
    _, clinic, _ = citizen_clinics(site_data, identities)
    sign_in(phone, site, "citizen-l2", "/me/card")
    shown = phone.get_by_test_id("initial-clinic").inner_text()
    assert clinic.name in shown and clinic.address in shown
    assert clinic.code not in shown, "the name, not the facility code"
    svg = phone.request.get(f"{site}/me/card.svg").text()
    assert escape(clinic.name[:24]) in svg, "the saved card names the clinic too"


def test_my_data_names_the_initial_clinic_with_its_address(phone, site, site_data, identities):
    _, clinic, _ = citizen_clinics(site_data, identities)
    sign_in(phone, site, "citizen-l2", "/me/data")
    group = phone.get_by_test_id("group-5")
    group.locator("summary").click()
    text = group.inner_text()
    assert clinic.name in text and clinic.address in text


def test_my_visits_name_each_clinic_and_its_address(phone, site, site_data, identities):
    _, _, visited = citizen_clinics(site_data, identities)
    sign_in(phone, site, "citizen-l2", "/me/visits")
    visits = phone.get_by_test_id("visit")
    assert visits.count() >= 3, "the demo citizen's visits, as the clinics reported them"
    headings = visits.locator("h3").all_inner_texts()
    assert not any(re.fullmatch(r"\d{5}", h) for h in headings)
    assert set(headings) <= {c.name for c in visited.values()}
    addresses = phone.get_by_test_id("visit-clinic-address").all_inner_texts()
    assert len(addresses) == visits.count() and set(addresses) <= {c.address for c in visited.values()}
