"""Every API route tried as every role and authority: allowed, or refused with nothing leaked.

Tokens are minted the way the API mints them after sign-in (ES256, esibook's key); the demo identities and
their grants are those of the development identity provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.clients import register_client
from esibook.access.principal import Identity
from esibook.access.tokens import issue_person_token
from esibook.app import create_app
from esibook.config import Settings
from esibook.contributions.models import ParticipationPeriod
from esibook.people.models import Person

ROLES = [
    "anonymous",
    "citizen-l2",
    "citizen-l1",
    "guardian",
    "citizen-defence",
    "employer-rep",
    "officer-civil",
    "officer-defence",
    "officer-security",
    "clinic",
    "system",
]


@dataclass
class World:
    client: TestClient
    tokens: dict[str, str | None]
    ids: dict[str, object]
    names: dict[str, str]


@pytest.fixture(scope="module")
def world(seeded_engine, demo_identities, tmp_path_factory) -> World:
    settings = Settings(
        database_url=seeded_engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path_factory.mktemp("authz"),
        env="test",
    )
    tokens: dict[str, str | None] = {"anonymous": None}
    for key, identity in demo_identities.items():
        tokens[key] = issue_person_token(
            settings, Identity(f"sub-{key}", identity.personal_id, identity.name, identity.level)
        )
    with Session(seeded_engine) as session:
        client_id, secret = register_client(
            session,
            name="Test hospital HIS",
            groups="1,5",
            purposes="KCB,TINDUNG",
            client_id=f"authz-{seeded_engine.dialect.name}",
        )
    app_client = TestClient(create_app(settings))
    token = app_client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).json()["access_token"]
    tokens["system"] = token
    ids, names = _targets(seeded_engine, demo_identities)
    ids.update(_consents(app_client, tokens, ids["me_pid"]))
    return World(app_client, tokens, ids, names)


def _consents(client: TestClient, tokens: dict, personal_id: str) -> dict:
    """Three requests of the system to the level-2 citizen: two left pending, one approved."""
    system = {"authorization": f"Bearer {tokens['system']}"}
    made = [
        client.post("/api/v1/exchange/consents", json=_consent_body(personal_id), headers=system).json()["id"]
        for _ in range(3)
    ]
    client.post(f"/api/v1/me/consents/{made[2]}/approve", headers={"authorization": f"Bearer {tokens['citizen-l2']}"})
    return {"consent_pending": made[0], "consent_to_refuse": made[1], "consent_approved": made[2]}


def _consent_body(personal_id: str) -> dict:
    return {"personal_id": personal_id, "groups": [1], "purpose": "TINDUNG", "reason": "Thẩm định tín dụng", "days": 30}


def _targets(engine, identities) -> tuple[dict, dict]:
    with Session(engine) as session:

        def person(personal_id):
            return session.scalar(select(Person).where(Person.personal_id == personal_id))

        me = person(identities["citizen-l2"].personal_id)
        child = session.scalar(select(Person).where(Person.representative_id == identities["guardian"].personal_id))
        defence = person(identities["citizen-defence"].personal_id)
        employer_id = identities["employer-rep"].grant[3]
        employee = session.scalar(
            select(Person)
            .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .where(ParticipationPeriod.employer_id == employer_id, ParticipationPeriod.to_month.is_(None))
            .limit(1)
        )
        stranger = session.scalar(
            select(Person)
            .where(
                Person.authority == "civil",
                Person.id.not_in([me.id, child.id, employee.id]),
                Person.representative_id.is_distinct_from(identities["guardian"].personal_id),
                ~Person.id.in_(
                    select(ParticipationPeriod.person_id).where(ParticipationPeriod.employer_id == employer_id)
                ),
                Person.personal_id.is_not(None),
            )
            .order_by(Person.id.desc())
            .limit(1)
        )
        other_employer = session.scalar(
            select(ParticipationPeriod.employer_id)
            .where(ParticipationPeriod.employer_id.not_in([employer_id, 0]))
            .limit(1)
        )
    ids = {
        "me": me.id,
        "me_pid": me.personal_id,
        "child": child.id,
        "defence": defence.id,
        "defence_pid": defence.personal_id,
        "employer": employer_id,
        "employee": employee.id,
        "stranger": stranger.id,
        "stranger_pid": stranger.personal_id,
        "other_employer": other_employer,
    }
    names = {
        "child": child.full_name,
        "defence": defence.full_name,
        "stranger": stranger.full_name,
        "employee": employee.full_name,
    }
    return ids, names


def expect(default: int, **overrides: int) -> dict[str, int]:
    table = {role: default for role in ROLES}
    table["anonymous"] = 401
    table.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return table


PERSONS_OK = dict(
    citizen_l2=200,
    citizen_l1=200,
    guardian=200,
    citizen_defence=200,
    employer_rep=200,
    officer_civil=200,
    officer_defence=200,
    officer_security=200,
    clinic=200,
)

#: Answering a consent request: only its person, at level 2; anyone else's is "not found".
ANSWERS = dict(citizen_l2=200, citizen_l1=403, system=403)

ROUTES = [
    ("GET", "/healthz", {role: 200 for role in ROLES}, None),
    ("GET", "/api/v1/me", expect(403, **PERSONS_OK), None),
    ("GET", "/api/v1/me/dependants", expect(403, **PERSONS_OK), None),
    ("GET", "/api/v1/me/share-links", expect(403, **PERSONS_OK), None),
    ("GET", "/api/v1/me/access-log", expect(403, **PERSONS_OK), None),
    ("GET", "/api/v1/me/dependants/{child}", expect(404, guardian=200, system=403), "child"),
    (
        "GET",
        "/api/v1/officer/persons?q=nguyen",
        expect(403, officer_civil=200, officer_defence=200, officer_security=200),
        None,
    ),
    (
        "GET",
        "/api/v1/officer/persons/{stranger}?purpose=TTHC",
        expect(403, officer_civil=200, officer_defence=404, officer_security=404),
        "stranger",
    ),
    (
        "GET",
        "/api/v1/officer/persons/{defence}?purpose=TTHC",
        expect(403, officer_civil=404, officer_defence=200, officer_security=404),
        "defence",
    ),
    ("GET", "/api/v1/employers/{employer}/employees", expect(403, employer_rep=200), None),
    ("GET", "/api/v1/employers/{employer}/employees/{employee}", expect(403, employer_rep=200), None),
    ("GET", "/api/v1/employers/{employer}/employees/{stranger}", expect(403, employer_rep=404), "stranger"),
    ("GET", "/api/v1/employers/{other_employer}/employees", expect(403), None),
    ("GET", "/api/v1/clinic/cards/{me_pid}", expect(403, clinic=200), None),
    ("GET", "/api/v1/exchange/persons/{stranger_pid}/groups/5?purpose=KCB", expect(403, system=200), None),
    ("GET", "/api/v1/exchange/persons/{stranger_pid}/groups/4?purpose=KCB", expect(403), "stranger"),
    ("GET", "/api/v1/exchange/persons/{defence_pid}/groups/5?purpose=KCB", expect(403, system=404), "defence"),
    ("GET", "/api/v1/officer/queue", expect(403, officer_civil=200, officer_defence=200, officer_security=200), None),
    ("GET", "/api/v1/me/repository", expect(403, **PERSONS_OK), None),
    ("GET", "/api/v1/me/estimates", expect(403, **{**PERSONS_OK, "citizen_l1": 403}), None),
    ("GET", "/api/v1/me/visits", expect(403, **{**PERSONS_OK, "citizen_l1": 403}), None),
    ("GET", "/arrears", {role: 200 for role in ROLES}, None),
    ("GET", "/api/v1/employers/{employer}/repository", expect(403, employer_rep=200), None),
    # allowed for the civil officer; this database has no book issued yet, so the answer is a 400 "book.none"
    ("GET", "/api/v1/officer/persons/{stranger}/printout.pdf", expect(404, officer_civil=400), "stranger"),
    (
        "POST",
        "/api/v1/me/share-links",
        expect(
            403,
            citizen_l2=201,
            guardian=201,
            citizen_defence=201,
            employer_rep=201,
            officer_civil=201,
            officer_defence=201,
            officer_security=201,
            clinic=201,
        ),
        None,
    ),
    ("GET", "/api/v1/me/consents", expect(403, **{**PERSONS_OK, "citizen_l1": 403}), None),
    ("POST", "/api/v1/exchange/consents", expect(403, system=202), None),
    ("GET", "/api/v1/exchange/consents/{consent_pending}", expect(403, system=200), None),
    ("POST", "/api/v1/me/consents/{consent_pending}/approve", expect(404, **ANSWERS), None),
    ("POST", "/api/v1/me/consents/{consent_to_refuse}/refuse", expect(404, **ANSWERS), None),
    ("POST", "/api/v1/me/consents/{consent_approved}/revoke", expect(404, **ANSWERS), None),
]


@pytest.mark.parametrize("method, path, expected, protected", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_every_route_as_every_role(world, method, path, expected, protected):
    url = path.format(**world.ids)
    outcomes = {}
    for role in ROLES:
        token = world.tokens[role]
        headers = {"authorization": f"Bearer {token}"} if token else {}
        body = _post_body(path, world.ids) if method == "POST" else None
        response = world.client.request(method, url, headers=headers, json=body)
        outcomes[role] = response.status_code
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message_vi"] and error["message_en"], (role, url)
            if protected:
                assert world.names[protected] not in response.text, f"{role} saw a name through {url}"
    assert outcomes == expected


def _post_body(path: str, ids: dict) -> dict:
    if path == "/api/v1/exchange/consents":
        return _consent_body(ids["stranger_pid"])
    return {"extract": "hi_card_valid", "days": 3}


def test_level_1_sees_status_but_no_data_group(world):
    body = world.client.get("/api/v1/me", headers={"authorization": f"Bearer {world.tokens['citizen-l1']}"}).json()
    record = body["record"]
    assert record["groups"] == {} and record["upgrade"] == "level2_required"
    assert set(record["status"]) == {"hi_card_valid", "hi_card_valid_until", "participating_now"}
    full = world.client.get("/api/v1/me", headers={"authorization": f"Bearer {world.tokens['citizen-l2']}"}).json()
    assert sorted(full["record"]["groups"]) == ["1", "2", "3", "4", "5", "6", "7"]


def test_classified_details_stay_inside_their_authority(world):
    own = world.client.get("/api/v1/me", headers={"authorization": f"Bearer {world.tokens['citizen-defence']}"})
    periods = own.json()["record"]["groups"]["4"]["participation"]
    assert periods and all(
        p["unit"] == "[redacted]" and p["rank"] == "[redacted]" for p in periods if p["authority"] == "defence"
    )
    officer = world.client.get(
        f"/api/v1/officer/persons/{world.ids['defence']}?purpose=GDBHXH",
        headers={"authorization": f"Bearer {world.tokens['officer-defence']}"},
    )
    units = [p["unit"] for p in officer.json()["groups"]["4"]["participation"] if p["authority"] == "defence"]
    assert units and all(u and u != "[redacted]" for u in units)


def test_an_officer_search_never_returns_another_authoritys_person(world):
    headers = {"authorization": f"Bearer {world.tokens['officer-civil']}"}
    pid = world.ids["defence_pid"]
    assert world.client.get(f"/api/v1/officer/persons?q={pid}", headers=headers).json() == []
    defence = {"authorization": f"Bearer {world.tokens['officer-defence']}"}
    assert [m["id"] for m in world.client.get(f"/api/v1/officer/persons?q={pid}", headers=defence).json()] == [
        world.ids["defence"]
    ]


def test_a_forged_or_expired_bearer_token_is_refused(world):
    token = world.tokens["citizen-l2"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = world.client.get("/api/v1/me", headers={"authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "access.token_invalid"
