"""A bank asks for consent; the citizen answers on a phone, and the bank's read then appears in the access log."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from esibook.access.clients import register_client
from esibook.db import make_engine
from support.signed_in import sign_in, system_bearer

pytestmark = pytest.mark.browser


def test_the_citizen_approves_a_banks_request_on_a_phone(phone, site, site_data, identities):
    with Session(make_engine(site_data[0])) as session:
        client_id, secret = register_client(
            session, name="Ngân hàng Điện thoại", groups="1,4", purposes="TINDUNG", client_id="bank-phone"
        )
    with httpx.Client(base_url=site) as web:
        bank = system_bearer(web, client_id, secret)
    pid = identities["citizen-l2"].personal_id
    filed = httpx.post(
        f"{site}/api/v1/exchange/consents",
        json={"personal_id": pid, "groups": [4], "purpose": "TINDUNG", "reason": "Hồ sơ vay số 42", "days": 60},
        headers=bank,
    ).json()

    sign_in(phone, site, "citizen-l2", "/me/consents")
    card = phone.get_by_test_id(f"consent-{filed['id']}")
    assert "Ngân hàng Điện thoại" in card.inner_text() and "Hồ sơ vay số 42" in card.inner_text()
    assert phone.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth")
    phone.get_by_test_id(f"consent-approve-{filed['id']}").click()
    phone.wait_for_url(f"{site}/me/consents")
    assert phone.get_by_test_id("consents-approved").is_visible()

    read = httpx.get(f"{site}/api/v1/exchange/persons/{pid}/groups/4", params={"purpose": "TINDUNG"}, headers=bank)
    assert read.status_code == 200
    phone.goto(f"{site}/me/access-log")
    assert phone.get_by_test_id("under-consent").first.is_visible()
    assert "Ngân hàng Điện thoại" in phone.get_by_test_id("consent-decisions").inner_text()
