"""A card holder changes their initial clinic (đổi nơi đăng ký KCB ban đầu) by choosing it from a list of the
clinics of their card's province, filtered by typing part of the name without accents; and without JavaScript the
same list still works. The public clinic lookup finds a clinic typed without accents."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.health.models import Clinic, HICoverage
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.transactions.models import Dossier
from support.signed_in import sign_in_as

pytestmark = pytest.mark.browser


def _card_holders(url: str, identities: dict, count: int) -> list[tuple[Person, HICoverage, Clinic]]:
    """Civil persons (not demo identities) with a card valid today, and another clinic of their card's province."""
    taken = {i.personal_id for i in identities.values()}
    today = vietnam_today()
    found = []
    with Session(make_engine(url)) as session:
        rows = session.execute(
            select(Person, HICoverage)
            .join(HICoverage, HICoverage.person_id == Person.id)
            .where(Person.authority == "civil", Person.personal_id.is_not(None), HICoverage.valid_from <= today,
                   HICoverage.valid_to >= today)
            .order_by(Person.id.desc())
        ).all()
        for person, card in rows:
            if person.personal_id in taken or any(p.id == person.id for p, _, _ in found):
                continue
            other = session.scalar(
                select(Clinic).where(Clinic.province_code == f"0{card.province_code}",
                                     Clinic.accepts_initial_registration.is_(True),
                                     Clinic.code != card.initial_clinic_code, Clinic.level == "commune")
            )
            if other is not None:
                session.expunge_all()
                found.append((person, card, other))
            if len(found) == count:
                return found
    raise AssertionError("the seed has no card holders to try")


def _filed_reissue(url: str, person_id: int) -> dict:
    with Session(make_engine(url)) as session:
        dossier = session.scalars(
            select(Dossier).where(Dossier.person_id == person_id, Dossier.procedure == "reissue_hi_card")
            .order_by(Dossier.id.desc())
        ).first()
        return json.loads(dossier.form)


def _open_reissue(page, site: str) -> None:
    page.goto(f"{site}/me/services")
    page.locator("summary", has_text="đổi nơi đăng ký").click()


def test_choose_the_initial_clinic_from_a_filtered_list(browser, site, site_data, identities):
    url = site_data[0]
    (person, card, other), (second, second_card, second_other) = _card_holders(url, identities, 2)

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in_as(page, site, person.personal_id, "/me/services")
    _open_reissue(page, site)
    choice = page.locator("#initial_clinic_code")
    assert choice.locator("option").count() >= 3, "the card's province's clinics are listed"
    page.get_by_label("Lọc cơ sở khám chữa bệnh theo tên").fill(fold_name(other.name))  # typed without accents
    visible = choice.locator("option:not([hidden])")
    assert other.name in visible.all_inner_texts()[1], "the filter keeps the clinic typed without accents"
    assert choice.input_value() == other.code, "and chooses it"
    page.locator("#reissue_reason").fill("Chuyển nơi ở")
    page.locator("#reissue_reason").press("Enter")
    assert page.get_by_test_id("dossier-created").is_visible()
    filed = _filed_reissue(url, person.id)
    assert filed["to_clinic"] == other.code and filed["from_clinic"] == card.initial_clinic_code
    context.close()

    plain = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = plain.new_page()
    sign_in_as(page, site, second.personal_id, "/me/services")
    _open_reissue(page, site)
    assert page.get_by_label("Lọc cơ sở khám chữa bệnh theo tên").is_hidden(), "no filter without JavaScript"
    page.locator("#initial_clinic_code").select_option(second_other.code)
    page.locator("#reissue_reason").fill("Gần nhà hơn")
    page.locator("form[action='/me/services/reissue_hi_card'] button").click()
    assert page.get_by_test_id("dossier-created").count() == 1
    assert _filed_reissue(url, second.id)["to_clinic"] == second_other.code
    plain.close()


def test_the_public_clinic_lookup_finds_a_name_typed_without_accents(phone, site):
    phone.goto(f"{site}/lookups")
    phone.get_by_role("link", name="Cơ sở khám chữa bệnh").click()
    phone.get_by_label("Tên hoặc mã").fill("benh vien cho ray")
    phone.get_by_role("button", name="Tìm").click()
    first = phone.get_by_test_id("clinics").locator("li").first
    assert "Bệnh viện Chợ Rẫy" in first.inner_text() and "Tuyến trung ương" in first.inner_text()
