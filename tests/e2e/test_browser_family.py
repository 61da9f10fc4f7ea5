"""Acting for family and for someone who authorised you, on a phone: a parent shows a child's card from "My
family"; a person authorises the demo citizen, who files a sickness claim for them; the person revokes, and the
citizen's next attempt is refused with a clear message. Each use is in the grantor's access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page

from esibook.access.models import Authorisation
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.health.models import HICoverage
from esibook.health.service import latest_card
from esibook.people.models import Person
from esibook.periods import Month
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def test_a_parent_shows_a_childs_card_from_my_family(phone, site, site_data, identities):
    with Session(make_engine(site_data[0])) as session:
        child = session.scalar(select(Person).where(Person.representative_id == identities["guardian"].personal_id,
                                                    Person.id.in_(select(HICoverage.person_id))).limit(1))
        card_code = latest_card(session, child.id).card_code
    sign_in(phone, site, "guardian", "/me/family")
    assert child.full_name in phone.get_by_test_id(f"dependant-{child.id}").inner_text()
    assert check_page(phone, axe_source()) == []
    phone.get_by_test_id(f"show-card-{child.id}").click()
    phone.wait_for_url(f"**/me/family/{child.id}/card")
    assert phone.get_by_test_id("card-code").inner_text() == card_code
    assert phone.get_by_test_id("card-qr").locator("svg").is_visible()


def _leave_month(site_data, personal_id: str) -> str:
    with Session(make_engine(site_data[0])) as session:
        last = session.scalar(
            select(ParticipationPeriod.to_month)
            .join(Person, Person.id == ParticipationPeriod.person_id)
            .where(Person.personal_id == personal_id, ParticipationPeriod.participant_type == "employee",
                   ParticipationPeriod.to_month.is_not(None))
            .order_by(ParticipationPeriod.to_month.desc())
            .limit(1)
        )
    return str(Month.from_int(last))


def test_an_authorised_person_files_a_sickness_claim_then_the_grantor_revokes(browser, site, site_data,
                                                                               identities):
    grantor, agent = identities["grantor"], identities["citizen-l2"]
    contexts = [browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True) for _ in range(2)]
    mine, theirs = (c.new_page() for c in contexts)
    try:
        sign_in(mine, site, "grantor", "/me/authorisations")
        mine.locator("#agent_personal_id").fill(agent.personal_id)
        mine.get_by_test_id("scope-claim_sickness_own").check()
        mine.locator("#valid_until").fill((vietnam_today() + timedelta(days=60)).isoformat())
        mine.get_by_test_id("authorise-form").locator("button[type=submit]").click()
        mine.wait_for_url("**/me/authorisations")
        with Session(make_engine(site_data[0])) as session:
            grant_id = session.scalar(select(Authorisation.id).order_by(Authorisation.id.desc()).limit(1))
        assert agent.name in mine.get_by_test_id(f"given-{grant_id}").inner_text()
        assert mine.get_by_test_id(f"state-{grant_id}").inner_text() == "Còn hiệu lực"
        assert check_page(mine, axe_source()) == []

        sign_in(theirs, site, "citizen-l2", "/me/authorisations")
        assert grantor.name in theirs.get_by_test_id(f"received-{grant_id}").inner_text()
        theirs.get_by_test_id(f"act-{grant_id}").click()
        theirs.wait_for_url(f"**/me/authorisations/{grant_id}/act")
        form = theirs.get_by_test_id("act-form-claim_sickness_own")
        form.locator("[name=leave_month]").fill(_leave_month(site_data, grantor.personal_id))
        form.locator("[name=days]").fill("3")
        form.locator("button[type=submit]").click()
        assert theirs.get_by_test_id("filed").is_visible(), theirs.inner_text("main")
        code = theirs.get_by_test_id("filed").locator("strong").inner_text()
        assert check_page(theirs, axe_source()) == []

        mine.goto(f"{site}/me/authorisations")
        assert code in mine.get_by_test_id(f"given-{grant_id}").inner_text(), "the grantor sees what was filed"
        mine.get_by_test_id(f"revoke-{grant_id}").click()
        mine.wait_for_url("**/me/authorisations")
        assert mine.get_by_test_id(f"state-{grant_id}").inner_text() == "Đã thu hồi"

        form = theirs.get_by_test_id("act-form-claim_sickness_own")  # the page still open from before
        form.locator("[name=leave_month]").fill(_leave_month(site_data, grantor.personal_id))
        form.locator("[name=days]").fill("2")
        with theirs.expect_response(lambda r: r.request.method == "POST") as answer:
            form.locator("button[type=submit]").click()
        assert answer.value.status == 403
        error = theirs.get_by_test_id("filing-error").inner_text()
        assert "đã thu hồi giấy ủy quyền" in error
        assert not theirs.get_by_test_id("act-form-claim_sickness_own").count(), "no form once it is revoked"

        mine.goto(f"{site}/me/access-log")
        log = mine.inner_text("main")
        assert f"Người được ủy quyền: {agent.name}" in log, "each use is in the grantor's access log"
    finally:
        for context in contexts:
            context.close()
