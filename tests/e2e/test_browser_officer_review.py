"""An officer reviews a registration on a phone: the filed rows as cards with Vietnamese labels, a person already
registered for SI with another employer flagged at the top, Reject apart from the other actions, and a banner
after the decision; the queue filters by procedure and due date."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page

from esibook.access.principal import Identity, person_principal
from esibook.config import Settings
from esibook.contributions.models import ParticipationPeriod
from esibook.db import make_engine
from esibook.employers.models import Employer
from esibook.people.models import Person
from esibook.transactions.models import Dossier
from esibook.transactions.service import register_employees
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def file_a_registration_of_someone_employed_elsewhere(site_data, identities) -> tuple[str, str, str]:
    """The demo employer files for a person whose open period with another employer covers 11/2026; the dossier's
    code, the person's name and the other employer's unit code."""
    url, data_dir, _ = site_data
    employer_id = identities["employer-rep"].grant[3]
    known = {identity.personal_id for identity in identities.values()}
    with Session(make_engine(url)) as session:
        forms = " ".join(session.scalars(select(Dossier.form)))
        employer = session.get(Employer, employer_id)
        candidates = session.execute(
            select(Person.personal_id, Person.full_name, Employer.unit_code)
            .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .join(Employer, Employer.id == ParticipationPeriod.employer_id)
            .where(
                ParticipationPeriod.to_month.is_(None),
                ParticipationPeriod.from_month <= 202611,
                ParticipationPeriod.employer_id != employer_id,
                Employer.authority == employer.authority,
                Person.authority == employer.authority,
                Person.personal_id.is_not(None),
            )
            .order_by(Person.id)
        ).all()
        person = next(c for c in candidates if c.personal_id not in known and c.personal_id not in forms)
        filer = person_principal(session, Identity("sub-rep", identities["employer-rep"].personal_id, "Người nộp", 2))
        dossier = register_employees(
            session,
            Settings(data_dir=data_dir, database_url=url),
            filer,
            employer_id=employer_id,
            employees=[{"personal_id": person.personal_id, "job_title": "Kế toán", "salary": 9_800_000,
                        "from_month": "2026-11"}],
            idempotency_key=f"review-{uuid.uuid4()}",
        ).dossier
        return dossier.code, person.full_name, person.unit_code


def test_an_officer_sees_a_person_already_registered_elsewhere_flagged(browser, site, site_data, identities):
    code, name, other_unit = file_a_registration_of_someone_employed_elsewhere(site_data, identities)
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    sign_in(page, site, "officer-civil", "/officer/queue")
    page.get_by_label("Thủ tục").select_option("register_employees")
    page.get_by_role("button", name="Lọc").click()
    page.get_by_role("link", name=code).click()

    flagged = page.get_by_test_id("registration-conflicts")
    assert flagged.bounding_box()["y"] < page.get_by_test_id("filed").bounding_box()["y"], "conflicts come first"
    assert name in flagged.inner_text() and other_unit in flagged.inner_text()
    assert page.get_by_test_id("conflict-elsewhere").count() == 1

    row = page.get_by_test_id("filed-employees").locator("tbody tr").first
    for label in ("Họ và tên", "Chức danh", "Tiền lương", "Từ tháng"):
        assert label in row.inner_text(), f"the row card labels {label}"
    assert "9.800.000 ₫" in row.inner_text() and "11/2026" in row.inner_text()
    assert row.inner_text().index("Họ và tên") < row.inner_text().index("Tiền lương"), "who first, then the job"
    filed = page.get_by_test_id("filed").inner_text()
    for raw in ("employees", "from_month", "salary", "job_title"):
        assert raw not in filed, f"no raw field name {raw}"
    reject, approve = page.get_by_test_id("reject"), page.get_by_test_id("approve")
    assert reject.evaluate("e => getComputedStyle(e).color") != approve.evaluate("e => getComputedStyle(e).color")
    assert reject.bounding_box()["y"] > page.get_by_test_id("request-info").bounding_box()["y"], "Reject stands apart"
    assert check_page(page, axe_source()) == []

    page.get_by_label("Ghi chú (bắt buộc khi yêu cầu bổ sung hoặc từ chối)").fill(
        "Người này đang tham gia tại đơn vị khác: đề nghị xác nhận"
    )
    page.get_by_test_id("request-info").click()
    page.wait_for_url(f"{site}/officer/queue*")
    assert page.get_by_test_id("done-banner").inner_text().startswith(f"{code}: Đã trả lại")
    assert check_page(page, axe_source()) == []
    page.context.close()


def test_the_queue_filters_by_due_date_and_works_from_the_keyboard(browser, site, site_data, identities):
    code, _, _ = file_a_registration_of_someone_employed_elsewhere(site_data, identities)
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, site, "officer-civil", "/officer/queue")
    assert page.get_by_role("link", name=code).count() == 1
    page.get_by_label("Hạn").select_option("today")
    page.get_by_role("button", name="Lọc").click()
    assert "due=today" in page.url
    assert page.get_by_role("link", name=code).count() == 0, "filed today, due in 5 working days"
    page.get_by_label("Hạn").select_option("overdue")
    page.get_by_role("button", name="Lọc").click()
    assert page.locator("a.queue-link").count() == 0, "nothing filed in this demo is overdue yet"
    page.goto(f"{site}/officer/queue")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.className") == "queue-link", "j moves to the first dossier"
    page.keyboard.press("j")
    page.keyboard.press("k")
    first = page.locator("a.queue-link").first.inner_text()
    assert page.evaluate("document.activeElement.textContent") == first, "k moves back up"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/officer/dossiers/*")
    page.context.close()
