"""Data sharing by group (X-Road style) and consent links, each access visible to the person."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.clients import register_client
from esibook.app import create_app
from esibook.config import Settings
from esibook.people.models import Person
from support.signed_in import bearer_of, system_bearer


@pytest.fixture(scope="module")
def app(seeded_engine, demo_identities, tmp_path_factory):
    settings = Settings(
        database_url=seeded_engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path_factory.mktemp("sharing"),
        env="test",
    )
    return settings, TestClient(create_app(settings))


@pytest.fixture(scope="module")
def citizen(app, demo_identities):
    settings, _ = app
    identity = demo_identities["citizen-l2"]
    return identity, bearer_of(settings, identity, 2)


def system_token(client: TestClient, engine, *, groups: str, suffix: str) -> dict:
    with Session(engine) as session:
        client_id, secret = register_client(
            session,
            name=f"Bệnh viện thử nghiệm {suffix}",
            groups=groups,
            purposes="KCB",
            client_id=f"hospital-{suffix}-{engine.dialect.name}",
        )
    return system_bearer(client, client_id, secret)


def test_granted_group_is_read_other_group_refused_and_both_are_in_the_persons_log(app, citizen, seeded_engine):
    _, client = app
    identity, headers = citizen
    system = system_token(client, seeded_engine, groups="1,5", suffix="a")
    pid = identity.personal_id

    allowed = client.get(f"/api/v1/exchange/persons/{pid}/groups/5", params={"purpose": "KCB"}, headers=system)
    assert allowed.status_code == 200
    assert allowed.json()["data"]["cards"][0]["card_code"].endswith(_si_code(seeded_engine, pid))

    refused = client.get(f"/api/v1/exchange/persons/{pid}/groups/4", headers={**system, "x-purpose": "KCB"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "access.group_not_granted"
    assert "participation" not in refused.text

    log = client.get("/api/v1/me/access-log", headers=headers).json()
    mine = [e for e in log if e["accessor"] == "Bệnh viện thử nghiệm a"]
    assert [(e["groups"], e["outcome"], e["purpose"]) for e in mine] == [
        ([4], "refused", "KCB"),
        ([5], "allowed", "KCB"),
    ]


def test_a_purpose_is_required_and_must_be_granted(app, citizen, seeded_engine):
    _, client = app
    identity, _ = citizen
    system = system_token(client, seeded_engine, groups="5", suffix="b")
    url = f"/api/v1/exchange/persons/{identity.personal_id}/groups/5"
    assert client.get(url, headers=system).json()["error"]["code"] == "access.purpose_missing"
    not_granted = client.get(url, params={"purpose": "TOAAN"}, headers=system).json()
    assert not_granted["error"]["code"] == "access.purpose_not_granted"


def test_a_wrong_client_secret_gets_no_token(app):
    _, client = app
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "demo-hospital", "client_secret": "guess"},
    )
    assert response.status_code == 401


def test_a_share_link_opens_with_its_passcode_is_logged_and_can_be_revoked(app, citizen):
    _, client = app
    identity, headers = citizen
    created = client.post(
        "/api/v1/me/share-links", json={"extract": "insured_months", "parameter": 3, "days": 2}, headers=headers
    )
    assert created.status_code == 201
    token = created.json()["url"].rsplit("/", 1)[1]
    passcode = created.json()["passcode"]

    wrong = client.post(f"/api/v1/shared/{token}", json={"passcode": "000000" if passcode != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "share.passcode"
    opened = client.post(f"/api/v1/shared/{token}", json={"passcode": passcode})
    assert opened.status_code == 200
    assert opened.json()["full_name"] == identity.name and opened.json()["attested"] is True
    assert "personal_id" not in opened.text, "the extract says only what was chosen"

    log = client.get("/api/v1/me/access-log", headers=headers).json()
    assert any(e["accessor_kind"] == "share_link" and e["groups"] == [4] for e in log)

    link_id = created.json()["id"]
    assert client.delete(f"/api/v1/me/share-links/{link_id}", headers=headers).status_code == 204
    gone = client.post(f"/api/v1/shared/{token}", json={"passcode": passcode})
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "share.unavailable"


def test_five_wrong_passcodes_close_the_link(app, citizen):
    _, client = app
    _, headers = citizen
    created = client.post(
        "/api/v1/me/share-links", json={"extract": "hi_card_valid", "days": 1}, headers=headers
    ).json()
    token = created["url"].rsplit("/", 1)[1]
    wrong = "000000" if created["passcode"] != "000000" else "111111"
    for _ in range(5):
        client.post(f"/api/v1/shared/{token}", json={"passcode": wrong})
    assert client.post(f"/api/v1/shared/{token}", json={"passcode": created["passcode"]}).status_code == 404


@pytest.mark.parametrize(
    "body, code",
    [
        ({"extract": "insured_months", "days": 2}, "share.months"),
        ({"extract": "data_group", "parameter": 9, "days": 2}, "access.group_unknown"),
        ({"extract": "hi_card_valid", "days": 400}, "request.invalid"),
    ],
)
def test_bad_share_requests_are_refused_with_a_reason(app, citizen, body, code):
    _, client = app
    _, headers = citizen
    before = len(client.get("/api/v1/me/share-links", headers=headers).json())
    response = client.post("/api/v1/me/share-links", json=body, headers=headers)
    assert response.status_code in (400, 422) and response.json()["error"]["code"] == code
    assert len(client.get("/api/v1/me/share-links", headers=headers).json()) == before


def _si_code(engine, personal_id: str) -> str:
    with Session(engine) as session:
        return session.scalar(select(Person.si_code_legacy).where(Person.personal_id == personal_id))
