"""The contribution history on a 360 × 740 phone: month cards by year, unpaid months first with the employer and
what to do, totals per fund, months as 11/2026 and amounts as 41.000.000 ₫."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_login import no_horizontal_scroll

from esibook.contributions.models import ContributionLine
from esibook.db import make_engine
from esibook.employers.models import Employer
from esibook.people.models import Person
from esibook.periods import Month
from support.signed_in import sign_in, sign_in_as

pytestmark = pytest.mark.browser
VND = re.compile(r"^\d{1,3}(\.\d{3})* ₫$")


def test_each_month_card_shows_month_employer_salary_and_status_on_a_phone(phone, site):
    sign_in(phone, site, "citizen-l2", "/me/contributions")
    card = phone.get_by_test_id("timeline").first.locator("li").first
    for part in ("m", "e", "a", "s"):
        box = card.locator(f".{part}").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{part} is on the screen"
    assert re.fullmatch(r"\d{2}/\d{4}", card.locator(".m").inner_text()), "months read 11/2026"
    assert VND.match(card.locator(".a").inner_text()), "amounts read 41.000.000 ₫"
    totals = phone.get_by_test_id("fund-totals").locator("dd")
    assert totals.count() == 6 and all(VND.match(t) for t in totals.all_inner_texts())
    assert phone.get_by_test_id("salary-chart").locator("text").count() >= 4, "the chart has a labelled scale"
    assert no_horizontal_scroll(phone)


def test_unpaid_months_come_first_with_the_employer_and_what_to_do(phone, site, site_data):
    with Session(make_engine(site_data[0])) as session:
        person, line, employer = session.execute(
            select(Person, ContributionLine, Employer)
            .join(ContributionLine, ContributionLine.person_id == Person.id)
            .join(Employer, Employer.id == ContributionLine.employer_id)
            .where(ContributionLine.status == "unpaid", Person.personal_id.is_not(None), Person.authority == "civil")
            .order_by(Person.id)
            .limit(1)
        ).one()
        month = Month.from_int(line.month)
    sign_in_as(phone, site, person.personal_id, "/me/contributions")
    alert = phone.get_by_test_id("unpaid-alert")
    first_year = phone.locator("[data-testid^=year-]").first
    assert alert.bounding_box()["y"] < first_year.bounding_box()["y"], "unpaid months come before the history"
    unpaid = alert.get_by_test_id(f"unpaid-{month}")
    assert f"{month.month:02d}/{month.year}" in unpaid.inner_text()
    assert employer.name in unpaid.inner_text()
    assert "1900 9068" in alert.inner_text(), "the person is told what they can do"
    assert no_horizontal_scroll(phone)
