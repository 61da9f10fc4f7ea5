"""As a relative and an officer would: a citizen files the funeral grant for a deceased relative on the phone, with
the death certificate; the officer sees the worksheet and approves; the grant is settled in the deceased's book.
And an employer files a sick child's leave from the Employees page."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.benefits.models import BenefitSettlement
from esibook.contributions.models import ContributionLine
from esibook.contributions.parameters import current_parameters
from esibook.db import make_engine
from esibook.people.models import Person
from esibook.people.relatives import kinship
from esibook.transactions.models import Dossier
from integration.test_conversion_and_printout import scanned_pdf
from integration.test_other_claims import a_child_of
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def test_a_relative_files_the_funeral_grant_and_the_officer_approves_it(browser, site, site_data, identities, tmp_path):
    url, _, _ = site_data
    engine = make_engine(url)
    filer = identities["citizen-l2"]
    skip = {i.personal_id for i in identities.values()}
    with Session(engine) as session:
        me = session.scalar(select(Person).where(Person.personal_id == filer.personal_id))
        deceased = next(
            p for p in session.scalars(
                select(Person).where(Person.personal_id.is_not(None), Person.personal_id.not_in(skip),
                                     Person.authority == "civil", Person.father_id.is_(None))
                .order_by(Person.id.desc())
            ) if kinship(session, p, me) is None
        )
        session.expunge(deceased)
    certificate = tmp_path / "trich-luc-khai-tu.pdf"
    certificate.write_bytes(scanned_pdf())

    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, site, "citizen-l2", "/me/services")
    form = page.get_by_test_id("claim-funeral")
    form.locator("summary").click()
    page.locator("#fg_deceased").fill(deceased.personal_id)
    page.locator("#fg_relationship").select_option("sibling")
    page.locator("#fg_died_on").fill("2026-11-05")
    form.locator('input[name="occupational_death"]').check()
    page.locator("#fg_scan").set_input_files(str(certificate))
    page.locator("#fg_method").select_option("bank")
    page.locator("#fg_bank").select_option("BIDV")
    page.locator("#fg_account").fill("2101 4444 5678")
    form.get_by_role("button", name="Gửi").click()
    code = page.get_by_test_id("dossier-created").locator("strong").inner_text()

    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(officer, site, "officer-civil", "/officer/queue")
    officer.get_by_role("link", name=code).click()
    grant = 10 * current_parameters().in_force(current_parameters().reference_level, date(2026, 11, 5))
    review = officer.get_by_test_id("filed").inner_text()
    assert f"{grant:,}".replace(",", ".") in review, "the officer sees the grant the worksheet computes"
    assert "Lời khai của người nộp" in review, "a relationship the records do not show is checked on the scans"
    officer.get_by_test_id("approve").click()
    officer.wait_for_url(f"{site}/officer/queue?*")
    officer.context.close()
    with Session(engine) as session:
        settled = session.scalars(
            select(BenefitSettlement).where(
                BenefitSettlement.person_id == deceased.id, BenefitSettlement.regime == "funeral"
            )
        ).all()
    assert [(s.amount, s.related_person_id) for s in settled] == [(grant, me.id)]
    page.reload()
    payouts = page.get_by_test_id("benefit-payouts")
    assert "BIDV ••••5678" in payouts.get_by_test_id("paid-to").first.inner_text(), "paid to my account, masked"
    assert "21014444" not in page.content()
    page.context.close()


def test_an_employer_files_a_sick_childs_leave_from_the_employees_page(browser, site, site_data, identities):
    url, _, _ = site_data
    engine = make_engine(url)
    employer_id = identities["employer-rep"].grant[3]
    skip = {i.personal_id for i in identities.values()}
    with Session(engine) as session:
        worker = session.scalars(
            select(Person).join(ContributionLine, ContributionLine.person_id == Person.id)
            .where(ContributionLine.employer_id == employer_id, ContributionLine.month == 202605,
                   ContributionLine.status == "paid", Person.personal_id.not_in(skip))
            .order_by(Person.id)
        ).first()
        session.expunge(worker)
    child = a_child_of(engine, worker, date(2023, 1, 15), 77)
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, site, "employer-rep", f"/employer/{employer_id}/employees")
    form = page.get_by_test_id("sick-child-form")
    form.locator("summary").click()
    page.locator("#child_parent").fill(worker.personal_id)
    page.locator("#child_id").fill(child.personal_id)
    page.locator("#child_month").fill("2026-06")
    page.locator("#child_days").fill("3")
    page.locator("#ek_method").select_option("bank")  # paid to the employee's own account
    page.locator("#ek_account").fill("0123 456 789")
    form.get_by_role("button", name="Gửi").click()
    assert page.get_by_test_id("dossier-created").count() == 1, page.content()[:2000]
    page.context.close()
    with Session(engine) as session:
        filed = json.loads(session.scalars(select(Dossier.form).where(Dossier.procedure == "claim_sick_child")
                                           .order_by(Dossier.id.desc()).limit(1)).one())
    assert filed["payment"]["method"] == "bank" and filed["payment"]["agent_id"] is None
    assert filed["payment"]["account_number"] == "0123456789" and filed["paid_to"].endswith("6789")
