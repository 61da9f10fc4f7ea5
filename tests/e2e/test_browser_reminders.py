"""A citizen's reminders on a phone: the household HI cards of the grown children they bought them for end in ten
days (an employee's own card is renewed by the employer, so it is not the one reminded), the reminder shows in the
header's unread count and in the history; they choose which reminders they want, in Vietnamese and in English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from esibook.db import make_engine, session_factory
from esibook.health.models import HICoverage
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.people.models import HouseholdMember, Person
from esibook.reminders import service
from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def card_reminded(site_data, personal_id: str) -> str:
    """The day's batch for the household of the person (its head), on the day ten days before the members' household
    (GD) cards end; returns that end day."""
    sessions = session_factory(make_engine(site_data[0]))
    with sessions() as session:
        person_id = session.scalar(select(Person.id).where(Person.personal_id == personal_id))
        household = session.scalar(select(HouseholdMember.household_id).where(HouseholdMember.person_id == person_id))
        members = list(session.scalars(select(HouseholdMember.person_id).where(
            HouseholdMember.household_id == household)))
        ends = session.scalar(select(func.max(HICoverage.valid_to)).where(
            HICoverage.person_id.in_(members), HICoverage.beneficiary_group == "GD"))
    with sessions() as session:
        assert service.send_batch(session, ends - timedelta(days=10), min(members), max(members)) >= 1
    deliver_pending(sessions, SinkSender())
    return ends.strftime("%d/%m/%Y")


def test_a_citizen_sees_a_reminder_and_chooses_their_reminders_on_a_phone(phone, site, site_data, identities):
    ends = card_reminded(site_data, identities["citizen-l2"].personal_id)
    sign_in(phone, site, "citizen-l2", "/me?lang=vi")
    badge = phone.get_by_test_id("unread-badge")
    assert badge.is_visible() and int(badge.inner_text()) >= 1

    phone.goto(f"{site}/me/reminders?lang=vi")
    card = phone.get_by_test_id("reminder").filter(has_text="Thẻ BHYT hộ gia đình của tôi sắp hết hạn").first
    assert ends in card.inner_text()
    assert phone.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth")

    phone.goto(f"{site}/me/messages")
    phone.goto(f"{site}/me")
    assert phone.get_by_test_id("unread-badge").count() == 0, "read: the count is gone"

    phone.goto(f"{site}/me/reminders?lang=en")
    assert phone.get_by_test_id("reminder").filter(has_text="My household HI card is ending").count() >= 1
    phone.get_by_test_id("reminder-settings-link").click()
    phone.wait_for_url(f"{site}/me/reminders/settings")
    assert phone.get_by_test_id("kind-employer_unpaid").is_checked(), "every kind by default"
    phone.get_by_test_id("kind-employer_unpaid").uncheck()
    phone.get_by_test_id("channel-email").uncheck()
    phone.get_by_test_id("save-reminders").click()
    phone.wait_for_url(f"{site}/me/reminders/settings?saved=1")
    assert phone.get_by_test_id("saved").inner_text() == "Your choice is saved."
    assert not phone.get_by_test_id("kind-employer_unpaid").is_checked()
    assert phone.get_by_test_id("kind-hi_card_expiring").is_checked()
    assert not phone.get_by_test_id("channel-email").is_checked()
    assert phone.get_by_test_id("channel-inapp").is_checked()
    phone.goto(f"{site}/me/reminders/settings?lang=vi")
    assert "Nhắc tôi khi" in phone.get_by_test_id("reminder-settings").inner_text()
    assert phone.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth")
