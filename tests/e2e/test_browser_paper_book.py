"""As a citizen and an officer would: the citizen files "Add periods from an old paper book" with a photo of it;
the officer reviews the photo beside the dossier, enters the period read from it and approves; the citizen's book
shows the period marked as converted from paper, and the converted scan is in their repository."""

from __future__ import annotations

import pytest
import segno
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.db import make_engine
from esibook.employers.models import Employer
from esibook.people.models import Person
from esibook.periods import Month
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def test_a_paper_book_photo_is_reviewed_side_by_side_and_its_period_enters_the_book(
    browser, site, site_data, identities, tmp_path
):
    url, _, _ = site_data
    citizen = identities["citizen-l2"]
    with Session(make_engine(url)) as session:
        person_id = session.scalar(select(Person.id).where(Person.personal_id == citizen.personal_id))
        first = session.scalar(
            select(func.min(ParticipationPeriod.from_month)).where(ParticipationPeriod.person_id == person_id)
        )
        unit = session.scalar(select(Employer.unit_code).order_by(Employer.id).limit(1))
    end = Month.from_int(first) - 25
    photo = tmp_path / "so-bhxh-giay.png"
    segno.make(f"SO BHXH GIAY {unit} {end - 5} {end}").save(str(photo), kind="png", scale=12)

    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, site, "citizen-l2", "/me/services")
    page.get_by_test_id("paper-book-form").locator("summary").click()
    page.locator("#book_number").fill("0101234567")
    page.locator("#paper_scan").set_input_files(str(photo))
    page.get_by_test_id("paper-book-form").get_by_role("button", name="Gửi").click()
    code = page.get_by_test_id("dossier-created").locator("strong").inner_text()

    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(officer, site, "officer-civil", "/officer/queue")
    officer.get_by_role("link", name=code).click()
    scan = officer.get_by_test_id("attachments").locator("img.scan")
    scan.wait_for()
    assert officer.evaluate("(img) => img.complete && img.naturalWidth > 0", scan.element_handle()), "the photo shows"
    review, attachments = officer.get_by_test_id("review").bounding_box(), scan.bounding_box()
    assert attachments["x"] > review["x"] + review["width"] - 1, "on a wide screen the photo is beside the form"
    officer.locator('input[name="periods-0-unit_code"]').fill(unit)
    officer.locator('input[name="periods-0-from_month"]').fill(str(end - 5))
    officer.locator('input[name="periods-0-to_month"]').fill(str(end))
    officer.locator('input[name="periods-0-salary"]').fill("1.850.000")
    officer.locator('input[name="periods-0-job_title"]').fill("Thợ tiện")
    officer.get_by_test_id("approve").click()
    officer.wait_for_url(f"{site}/officer/queue?*")
    officer.context.close()

    page.goto(f"{site}/me/book")
    period = page.get_by_test_id(f"period-{end - 5}")
    assert "Thợ tiện" in period.inner_text() and period.get_by_test_id("from-paper").is_visible()
    page.goto(f"{site}/me/repository")
    assert page.get_by_test_id("doc-converted").count() >= 1
    page.get_by_test_id("doc-converted").first.get_by_role("button").click()
    assert page.get_by_test_id("verdict-word").inner_text() == "Hợp lệ"
    page.context.close()
