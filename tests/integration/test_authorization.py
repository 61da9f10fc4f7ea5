"""Every route the application serves, tried as every role and authority: allowed, or refused with nothing leaked.

The routes are not listed by hand: they are read from the running application (``served_routes``), so a new route
without a declared audience, or without a row in :data:`AUDIENCE_OF`, fails this suite. Tokens are minted the
way the API mints them after sign-in (ES256, esibook's key); the demo identities and their grants are those of the
development identity provider. On PostgreSQL the application connects as the owner of the tables (row-level
security does not apply to it), so every refusal here is the application's own policy.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.clients import register_client
from esibook.access.routing import AudienceRoute, OnLoop, audience_of
from esibook.app import create_app, served_routes
from esibook.config import Settings
from esibook.contributions.models import ParticipationPeriod
from esibook.people.models import Person
from support import signed_in

LEVEL1_ROLES = ["citizen-l1", "officer-civil-l1", "employer-rep-l1", "clinic-l1"]
ROLES = [
    "anonymous",
    "citizen-l2",
    "guardian",
    "citizen-defence",
    "employer-rep",
    "officer-civil",
    "officer-defence",
    "officer-security",
    "clinic",
    "system",
    *LEVEL1_ROLES,
]
OFFICERS = {"officer-civil", "officer-defence", "officer-security"}
LEVEL2_PERSONS = {"citizen-l2", "guardian", "citizen-defence", "employer-rep", "clinic", *OFFICERS}
EVERYONE = set(ROLES)

#: Who is inside each audience; everyone else must be refused.
MEMBERS: dict[str, set[str]] = {
    "public": EVERYONE,
    "share_link": EVERYONE,
    "development": EVERYONE,
    "person": LEVEL2_PERSONS | set(LEVEL1_ROLES),
    "citizen": LEVEL2_PERSONS,
    "officer": OFFICERS,
    "employer": {"employer-rep"},
    "clinic": {"clinic"},
    "clinic_or_system": {"clinic", "system"},
    "system": {"system"},
}

#: The audience every route declares: the route × role matrix, one row a route.
AUDIENCE_OF: dict[str, str] = {
    "GET /": "public",
    "GET /identifiers": "public",
    "GET /healthz": "public",
    "POST /api/v1/identifiers/check": "public",
    "GET /api/v1/me": "person",
    "POST /api/v1/me/token": "person",
    "GET /api/v1/me/access-log": "citizen",
    "GET /api/v1/me/dependants": "citizen",
    "GET /api/v1/me/dependants/{person_id}": "citizen",
    "POST /api/v1/me/share-links": "citizen",
    "GET /api/v1/me/share-links": "citizen",
    "DELETE /api/v1/me/share-links/{link_id}": "citizen",
    "POST /api/v1/shared/{token}": "share_link",
    "GET /api/v1/officer/persons": "officer",
    "GET /api/v1/officer/persons/{person_id}": "officer",
    "GET /api/v1/employers/{employer_id}/employees": "employer",
    "GET /api/v1/employers/{employer_id}/employees/{person_id}": "employer",
    "GET /api/v1/clinic/cards/{personal_id}": "clinic",
    "GET /api/v1/exchange/persons/{personal_id}/groups/{group}": "system",
    "POST /api/v1/exchange/consents": "system",
    "GET /api/v1/exchange/consents/{consent_id}": "system",
    "GET /api/v1/me/consents": "citizen",
    "POST /api/v1/me/consents/{consent_id}/approve": "citizen",
    "POST /api/v1/me/consents/{consent_id}/refuse": "citizen",
    "POST /api/v1/me/consents/{consent_id}/revoke": "citizen",
    "GET /me/consents": "citizen",
    "POST /me/consents/{consent_id}/approve": "citizen",
    "POST /me/consents/{consent_id}/refuse": "citizen",
    "POST /me/consents/{consent_id}/revoke": "citizen",
    "POST /oauth/token": "public",
    "GET /login": "public",
    "GET /auth/login": "public",
    "GET /auth/callback": "public",
    "POST /auth/logout": "public",
    "GET /me": "person",
    "GET /me/data": "citizen",
    "GET /me/messages": "citizen",
    "GET /me/access-log": "citizen",
    "GET /me/shares": "citizen",
    "POST /me/shares": "citizen",
    "POST /me/shares/{link_id}/revoke": "citizen",
    "GET /s/{token}": "share_link",
    "POST /s/{token}": "share_link",
    "GET /officer/search": "officer",
    "GET /officer/persons/{person_id}": "officer",
    "GET /api/v1/me/book": "citizen",
    "GET /api/v1/me/book/versions": "citizen",
    "GET /api/v1/me/book.pdf": "citizen",
    "GET /api/v1/me/book/printout.pdf": "citizen",
    "GET /api/v1/officer/persons/{person_id}/printout.pdf": "officer",
    "GET /api/v1/me/card/qr": "citizen",
    "GET /api/v1/log/checkpoint": "public",
    "GET /api/v1/log/proof/inclusion": "public",
    "GET /api/v1/log/proof/consistency": "public",
    "GET /api/v1/log/entries/{leaf_index}": "public",
    "GET /log/checkpoint": "public",
    "GET /log/key": "public",
    "GET /log/tile/entries/{index:path}": "public",
    "GET /log/tile/{level}/{index:path}": "public",
    "POST /api/v1/officer/persons/{person_id}/suspensions": "officer",
    "DELETE /api/v1/officer/persons/{person_id}/suspensions/{subject}": "officer",
    "POST /api/v1/verify": "public",
    "GET /.well-known/esibook/trust-list.jws": "public",
    "GET /.well-known/esibook/root.pem": "public",
    "GET /.well-known/esibook/status-list.jws": "public",
    "GET /me/book": "citizen",
    "GET /me/card": "citizen",
    "GET /me/card.svg": "citizen",
    "POST /officer/persons/{person_id}/suspend": "officer",
    "POST /officer/persons/{person_id}/restore": "officer",
    "GET /me/card/one-time.svg": "citizen",
    "GET /me/family/{person_id}/card": "citizen",
    "GET /me/family/{person_id}/card.svg": "citizen",
    "GET /me/family/{person_id}/card/one-time.svg": "citizen",
    "GET /sw.js": "public",
    "GET /manifest.webmanifest": "public",
    "GET /verify": "public",
    "POST /verify": "public",
    "GET /api/v1/me/estimates": "citizen",
    "GET /me/estimator": "citizen",
    "GET /api/v1/procedures": "public",
    "POST /api/v1/dossiers": "citizen",
    "POST /api/v1/employers/{employer_id}/registrations/upload": "employer",
    "GET /api/v1/dossiers/{dossier_id}": "citizen",
    "GET /api/v1/dossiers/{dossier_id}/attachments/{seq}": "citizen",
    "POST /api/v1/dossiers/{dossier_id}/actions": "citizen",
    "POST /api/v1/dossiers/{dossier_id}/resubmit": "citizen",
    "GET /api/v1/officer/queue": "officer",
    "GET /api/v1/me/dossiers": "citizen",
    "GET /api/v1/me/repository": "citizen",
    "GET /api/v1/employers/{employer_id}/repository": "employer",
    "GET /api/v1/me/repository/{document_id}/download": "citizen",
    "GET /api/v1/employers/{employer_id}/repository/{document_id}/download": "employer",
    "GET /api/v1/me/inbox": "citizen",
    "POST /api/v1/officer/persons/{person_id}/conversions": "officer",
    "GET /employer/{employer_id}/employees": "employer",
    "POST /employer/{employer_id}/register": "employer",
    "POST /employer/{employer_id}/register/confirm": "employer",
    "GET /employer/{employer_id}/list-template.csv": "employer",
    "GET /employer/{employer_id}/list-template.xlsx": "employer",
    "POST /employer/{employer_id}/leavers": "employer",
    "POST /employer/{employer_id}/adjust": "employer",
    "POST /employer/{employer_id}/claims": "employer",
    "POST /employer/{employer_id}/claims/{procedure_code}": "employer",
    "POST /officer/persons/{person_id}/transfer": "officer",
    "GET /me/services": "citizen",
    "POST /me/services/{procedure_code}": "citizen",
    "POST /me/dossiers/{dossier_id}/resubmit": "citizen",
    "GET /officer/queue": "officer",
    "GET /officer/dossiers/{dossier_id}": "officer",
    "POST /officer/dossiers/{dossier_id}/act": "officer",
    "GET /me/repository": "citizen",
    "GET /employer/{employer_id}/repository": "employer",
    "GET /demo/mailbox": "development",
    "GET /demo/portals": "development",
    "POST /api/v1/clinic/visits": "clinic_or_system",
    "POST /api/v1/clinic/visits/xml": "clinic_or_system",
    "POST /api/v1/clinic/check-in": "clinic_or_system",
    "GET /api/v1/me/visits": "citizen",
    "GET /clinic/check-in": "clinic",
    "POST /clinic/check-in": "clinic",
    "GET /clinic/visits": "clinic",
    "POST /clinic/visits": "clinic",
    "GET /me/visits": "citizen",
    "GET /arrears": "public",
    "GET /me/contributions": "citizen",
    "GET /employer/{employer_id}/dues": "employer",
    "GET /officer/payments": "officer",
    "POST /officer/payments": "officer",
    "POST /officer/payments/statement": "officer",
    "GET /officer/parameters": "officer",
    "GET /officer/clinics/register": "officer",
    "POST /api/v1/officer/clinics/register/previews": "officer",
    "POST /api/v1/officer/clinics/register/imports": "officer",
    "POST /officer/clinics/register": "officer",
    "POST /officer/clinics/register/confirm": "officer",
    "GET /officer/pension-payouts": "officer",
    "GET /officer/pension-payouts/file": "officer",
    "GET /officer/persons/{person_id}/benefits": "officer",
    "POST /officer/persons/{person_id}/benefits/stop": "officer",
    "GET /api/v1/officer/persons/{person_id}/benefits-in-payment": "officer",
    "POST /api/v1/officer/persons/{person_id}/benefit-stops": "officer",
    "POST /api/v1/officer/persons/{person_id}/death": "officer",
    "POST /officer/persons/{person_id}/death": "officer",
    "GET /api/v1/payments/ipn": "public",
    "GET /api/v1/me/payments": "citizen",
    "POST /api/v1/me/payments/orders": "citizen",
    "GET /me/payments": "citizen",
    "POST /me/payments": "citizen",
    "GET /me/payments/return": "citizen",
    "GET /me/payments/receipt": "citizen",
    "GET /officer/payments/reconciliation": "officer",
    "GET /dev-gateway/pay": "development",
    "POST /dev-gateway/pay": "development",
    "GET /dev-idp/.well-known/openid-configuration": "development",
    "GET /dev-idp/jwks": "development",
    "GET /dev-idp/authorize": "development",
    "POST /dev-idp/authorize": "development",
    "POST /dev-idp/token": "development",
    "GET /api/v1/lookups/clinics": "public",
    "GET /api/v1/lookups/offices": "public",
    "POST /api/v1/lookups/si-code": "public",
    "GET /lookups": "public",
    "GET /lookups/clinics": "public",
    "GET /lookups/offices": "public",
    "GET /lookups/si-code": "public",
    "POST /lookups/si-code": "public",
    "GET /api/v1/me/reminders": "citizen",
    "GET /api/v1/me/reminders/preferences": "citizen",
    "PUT /api/v1/me/reminders/preferences": "citizen",
    "GET /me/reminders": "citizen",
    "GET /me/reminders/settings": "citizen",
    "POST /me/reminders/settings": "citizen",
    "GET /api/v1/me/pension": "citizen",
    "GET /api/v1/me/benefit-payouts": "citizen",
    "POST /api/v1/me/benefit-payouts/{person_id}/{seq}": "citizen",
    "GET /api/v1/me/monthly-benefits": "citizen",
    "POST /api/v1/me/monthly-benefits/{person_id}/{seq}/payment-method": "citizen",
    "GET /me/benefit-payments": "citizen",
    "POST /me/monthly-benefits/{person_id}/{seq}/payment-method": "citizen",
    "POST /api/v1/me/pension/payment-method": "citizen",
    "GET /me/pension": "citizen",
    "POST /me/benefit-payouts/{person_id}/{seq}": "citizen",
    "POST /me/pension/payment-method": "citizen",
    "GET /api/v1/me/authorisations": "citizen",
    "POST /api/v1/me/authorisations": "citizen",
    "POST /api/v1/me/authorisations/{authorisation_id}/revoke": "citizen",
    "POST /api/v1/me/authorisations/{authorisation_id}/dossiers": "citizen",
    "GET /me/authorisations": "citizen",
    "POST /me/authorisations": "citizen",
    "POST /me/authorisations/{authorisation_id}/revoke": "citizen",
    "GET /me/authorisations/{authorisation_id}/act": "citizen",
    "POST /me/authorisations/{authorisation_id}/file/{procedure_code}": "citizen",
    "GET /me/family": "citizen",
    "GET /api/v1/me/dependants/{person_id}/card/qr": "citizen",
    "GET /api/v1/me/authorisations/{authorisation_id}/benefits": "citizen",
}


@dataclass
class World:
    client: TestClient
    routes: list[tuple[str, str, str]]
    """(method, path template, audience key) of every served route."""
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
        tokens[key] = signed_in.token(settings, identity.personal_id, identity.name, identity.level)
    for key in ("officer-civil", "employer-rep", "clinic"):
        identity = demo_identities[key]
        tokens[f"{key}-l1"] = signed_in.token(settings, identity.personal_id, identity.name, 1)
    with Session(seeded_engine) as session:
        client_id, secret = register_client(
            session,
            name="Test hospital HIS",
            groups="1,5",
            purposes="KCB,TINDUNG",
            client_id=f"authz-{seeded_engine.dialect.name}",
        )
    app = create_app(settings)
    app_client = TestClient(app, follow_redirects=False)
    token = app_client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).json()["access_token"]
    tokens["system"] = token
    routes = []
    for route in served_routes(app):
        audience = audience_of(route.dependant)
        for method in sorted(route.methods):
            routes.append((method, route.path, audience.key if audience else None))
    ids, names = _targets(seeded_engine, demo_identities)
    ids.update(_consents(app_client, tokens, ids["me_pid"]))
    return World(app_client, routes, tokens, ids, names)


def _consents(client: TestClient, tokens: dict, personal_id: str) -> dict:
    """Three requests of the system to the level-2 citizen: two left pending, one approved."""
    system = {"authorization": f"Bearer {tokens['system']}"}
    body = {"personal_id": personal_id, "groups": [1], "purpose": "TINDUNG", "reason": "Thẩm định tín dụng", "days": 30}
    made = [client.post("/api/v1/exchange/consents", json=body, headers=system).json()["id"] for _ in range(3)]
    client.post(f"/api/v1/me/consents/{made[2]}/approve", headers={"authorization": f"Bearer {tokens['citizen-l2']}"})
    return {"consent_pending": made[0], "consent_to_refuse": made[1], "consent_approved": made[2]}


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
        current = select(ParticipationPeriod.person_id).where(
            ParticipationPeriod.employer_id == employer_id, ParticipationPeriod.to_month.is_(None)
        )
        former = session.scalar(
            select(ParticipationPeriod.person_id)
            .where(
                ParticipationPeriod.employer_id == employer_id,
                ParticipationPeriod.to_month.is_not(None),
                ParticipationPeriod.person_id.not_in(current),
            )
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
                Person.personal_id.not_in([i.personal_id for i in identities.values()]),
            )
            .order_by(Person.id.desc())
            .limit(1)
        )
        other_employer = session.scalar(
            select(ParticipationPeriod.employer_id)
            .where(ParticipationPeriod.employer_id.not_in([employer_id, 0]))
            .limit(1)
        )
        officer = person(identities["officer-civil"].personal_id)
        former_name = session.get(Person, former).full_name if former else None
    ids = {
        "me": me.id,
        "me_pid": me.personal_id,
        "child": child.id,
        "defence": defence.id,
        "defence_pid": defence.personal_id,
        "employer": employer_id,
        "employee": employee.id,
        "former_employee": former,
        "stranger": stranger.id,
        "stranger_pid": stranger.personal_id,
        "other_employer": other_employer,
        "officer_civil": officer.id,
    }
    names = {
        "child": child.full_name,
        "defence": defence.full_name,
        "stranger": stranger.full_name,
        "employee": employee.full_name,
        "former_employee": former_name,
    }
    return ids, names


#: What fills each path parameter when a route is tried generically.
def _fill(world: World, path: str, person: str = "stranger", employer: str = "employer") -> str:
    values = {
        "person_id": world.ids[person],
        "employer_id": world.ids[employer],
        "dossier_id": 1,
        "seq": 1,
        "document_id": 1,
        "link_id": 1,
        "token": "not-a-real-share-link-token",
        "personal_id": world.ids["stranger_pid"],
        "group": 5,
        "leaf_index": 0,
        "subject": "card",
        "procedure_code": "voluntary_si",
        "consent_id": world.ids["consent_pending"],
        "level": 0,
        "index": "000",
        "authorisation_id": 1,
    }
    return re.sub(r"\{(\w+)(?::path)?\}", lambda m: str(values[m.group(1)]), path)


def _call(world: World, role: str, method: str, url: str):
    token = world.tokens[role]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return world.client.request(method, url, headers=headers)


def _is_page(path: str) -> bool:
    return not (path.startswith("/api/") or path.startswith("/oauth/") or path.startswith("/.well-known/"))


def _assert_refused(world: World, role: str, method: str, path: str, response, protected=("stranger",)) -> None:
    where = f"{role} {method} {path}"
    if role == "anonymous":
        if _is_page(path):
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), where
        else:
            assert response.status_code == 401, where
    else:
        assert response.status_code in (403, 404), (where, response.status_code)
    if response.status_code >= 400 and not _is_page(path):
        error = response.json()["error"]
        assert error["code"] and error["message_vi"] and error["message_en"], where
    for key in protected:
        assert world.names[key] not in response.text, f"{where} showed a protected name"


# --- the matrix ------------------------------------------------------------------------------------------------


def test_every_served_route_declares_an_audience_listed_here(world):
    served = {f"{m} {p}": a for m, p, a in world.routes}
    assert all(a is not None for a in served.values()), [r for r, a in served.items() if a is None]
    assert served == AUDIENCE_OF, "a route was added, removed or changed audience: update AUDIENCE_OF"


def test_no_route_runs_on_the_event_loop(world):
    """Every served route is a ``def``, which FastAPI runs in its threadpool: a route's synchronous database work
    never blocks the event loop (bodies and forms are read by ``async`` dependencies). The one exception is the
    book read on PostgreSQL, whose audience is ``OnLoop``: it awaits its reads on the loop's own connections."""
    on_the_loop = [
        f"{','.join(sorted(route.methods))} {route.path}"
        for route in served_routes(world.client.app)
        if inspect.iscoroutinefunction(route.endpoint) and not _on_loop(route)
    ]
    assert on_the_loop == []
    postgres = world.client.app.state.engine.dialect.name == "postgresql"
    assert [r.path for r in served_routes(world.client.app) if _on_loop(r)] == (["/api/v1/me/book"] if postgres
                                                                                 else [])


def _on_loop(route) -> bool:
    return any(isinstance(d.call, OnLoop) for d in route.dependant.dependencies)


def test_every_read_decides_its_audience_in_its_own_thread(world):
    """Every route is an ``AudienceRoute`` (a router made with FastAPI's plain ``APIRouter`` would not be), and
    every read that declares a signed-in audience decides it in the route's thread (access/routing.py): one
    threadpool hand-off a read. The matrix tests below show the decisions are the same."""
    routes = served_routes(world.client.app)
    assert [r.path for r in routes if not isinstance(r, AudienceRoute)] == []
    reads = [r for r in routes if r.methods <= {"GET", "HEAD"} and audience_of(r.dependant).admits is not None]
    not_decided = [r.path for r in reads if r.decided_audience is None and not _on_loop(r)]
    assert len(reads) >= 80 and not_decided == [], not_decided


def test_every_role_outside_a_routes_audience_is_refused(world):
    """All roles × all routes: outside the audience, a refusal that names no one; inside, never a server error."""
    for method, path, audience in world.routes:
        url = _fill(world, path)
        for role in ROLES:
            response = _call(world, role, method, url)
            if role in MEMBERS[audience]:
                assert response.status_code < 500, (role, method, path, response.text[:200])
            else:
                _assert_refused(world, role, method, path, response)


def test_level_1_signs_in_but_sees_no_personal_data_in_any_role(world):
    """Officer, employer and clinic grants count only at level 2; a level-1 citizen has status only."""
    for method, path, audience in world.routes:
        if audience not in ("citizen", "officer", "employer", "clinic", "clinic_or_system"):
            continue
        for role in LEVEL1_ROLES:
            response = _call(world, role, method, _fill(world, path))
            assert response.status_code == 403, (role, method, path)
            if not _is_page(path):
                assert response.json()["error"]["code"] == "access.level2_required", (role, path)


def test_an_officer_of_another_authority_finds_no_person_route_open(world):
    """Every officer route about a person, tried on a civil person by the defence and security officers."""
    person_routes = [(m, p) for m, p, a in world.routes if a == "officer" and "{person_id}" in p]
    assert len(person_routes) >= 8
    for method, path in person_routes:
        url = _fill(world, path, person="stranger")
        for role in ("officer-defence", "officer-security"):
            response = _with_valid_input(world, role, method, url)
            assert response.status_code == 404, (role, method, path, response.status_code)
            assert world.names["stranger"] not in response.text


def test_an_officer_never_acts_on_their_own_record(world):
    """The conflict-of-interest rule of dossiers reaches every action on a person: suspend, restore, convert,
    print, view, transfer."""
    own = [(m, p) for m, p, a in world.routes if a == "officer" and "{person_id}" in p]
    for method, path in own:
        url = _fill(world, path, person="officer_civil")
        response = _with_valid_input(world, "officer-civil", method, url)
        assert response.status_code == 403, (method, path, response.status_code)
        if not _is_page(path):
            assert response.json()["error"]["code"] == "access.own_case", path


def _with_valid_input(world: World, role: str, method: str, url: str):
    """A request whose input is valid, so that only the person decides the answer (input is checked first)."""
    headers = {"authorization": f"Bearer {world.tokens[role]}"}
    if method == "GET":
        return world.client.get(url + "?purpose=TTHC", headers=headers)
    if url.endswith("/suspensions"):
        return world.client.post(url, headers=headers, json={"subject": "card", "reason": "a suspected forgery"})
    if url.endswith("/conversions"):
        return world.client.post(
            url, headers=headers, data={"title": "A paper"}, files={"file": ("a.png", PNG, "image/png")}
        )
    if url.endswith("/benefit-stops"):
        return world.client.post(url, headers=headers, json={"last_month": "2026-12", "reason": "not_eligible"})
    if url.endswith("/benefits/stop"):
        return world.client.post(url, headers=headers, data={"last_month": "2026-12", "reason": "not_eligible"})
    if url.endswith("/death") and "/api/" in url:
        return world.client.post(url, headers=headers, json={"died_on": "2026-11-30"})
    if url.endswith("/death"):
        return world.client.post(url, headers=headers, data={"died_on": "2026-11-30"})
    if url.endswith("/transfer"):
        form = {"to_authority": "defence", "reason": "enlisted", "idempotency_key": f"authz-{role}-{url}"}
        return world.client.post(url, headers=headers, data=form)
    return world.client.request(method, url, headers=headers, data={"subject": "card", "reason": "a forgery"})


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_an_employer_is_refused_on_every_route_of_another_employer(world):
    for method, path, audience in world.routes:
        if audience != "employer":
            continue
        response = _call(world, "employer-rep", method, _fill(world, path, employer="other_employer"))
        assert response.status_code == 403, (method, path)


# --- chosen outcomes inside the audience ---------------------------------------------------------------------

OUTCOMES = [
    ("GET", "/api/v1/me/dependants/{child}", {"guardian": 200, "citizen-l2": 404, "officer-civil": 404}, "child"),
    # the guardian is let in; this database has no signing keys yet, so the card's QR answers 400 "keys.not_…"
    ("GET", "/me/family/{child}/card", {"guardian": 400, "citizen-l2": 404, "officer-civil": 404}, "child"),
    ("GET", "/api/v1/officer/persons/{stranger}?purpose=TTHC", {"officer-civil": 200}, "stranger"),
    (
        "GET",
        "/api/v1/officer/persons/{defence}?purpose=TTHC",
        {"officer-civil": 404, "officer-defence": 200},
        "defence",
    ),
    ("GET", "/api/v1/employers/{employer}/employees", {"employer-rep": 200}, None),
    ("GET", "/api/v1/employers/{employer}/employees/{employee}", {"employer-rep": 200}, None),
    ("GET", "/api/v1/employers/{employer}/employees/{stranger}", {"employer-rep": 404}, "stranger"),
    ("GET", "/api/v1/employers/{employer}/employees/{former_employee}", {"employer-rep": 404}, "former_employee"),
    ("GET", "/api/v1/clinic/cards/{me_pid}", {"clinic": 200}, None),
    ("GET", "/api/v1/exchange/persons/{stranger_pid}/groups/5?purpose=KCB", {"system": 200}, None),
    ("GET", "/api/v1/exchange/persons/{stranger_pid}/groups/4?purpose=KCB", {"system": 403}, "stranger"),
    ("GET", "/api/v1/exchange/persons/{defence_pid}/groups/5?purpose=KCB", {"system": 404}, "defence"),
    ("GET", "/api/v1/me/repository", {"citizen-l2": 200, "officer-civil": 200}, None),
    ("GET", "/api/v1/me/estimates", {"citizen-l2": 200}, None),
    ("GET", "/api/v1/me/pension", {"citizen-l2": 200}, None),
    ("GET", "/api/v1/me/monthly-benefits", {"citizen-l2": 200}, None),
    # allowed for the civil officer; this database has no book issued yet, so the answer is a 400 "book.none"
    ("GET", "/api/v1/officer/persons/{stranger}/printout.pdf", {"officer-civil": 400}, "stranger"),
    ("GET", "/arrears", {"anonymous": 200}, None),
    ("GET", "/api/v1/exchange/consents/{consent_pending}", {"system": 200}, None),
    ("POST", "/api/v1/me/consents/{consent_pending}/approve", {"officer-civil": 404, "guardian": 404}, None),
    ("POST", "/api/v1/me/consents/{consent_to_refuse}/refuse", {"citizen-l2": 200}, None),
    ("POST", "/api/v1/me/consents/{consent_approved}/revoke", {"citizen-l2": 200}, None),
]


@pytest.mark.parametrize("method, path, expected, protected", OUTCOMES, ids=[f"{m} {p}" for m, p, _, _ in OUTCOMES])
def test_chosen_outcomes_inside_the_audience(world, method, path, expected, protected):
    url = path.format(**world.ids)
    outcomes = {role: _call(world, role, method, url) for role in expected}
    assert {role: r.status_code for role, r in outcomes.items()} == expected
    for role, response in outcomes.items():
        if response.status_code >= 400 and protected:
            assert world.names[protected] not in response.text, f"{role} saw a name through {url}"


def test_level_1_sees_status_but_no_data_group(world):
    body = _call(world, "citizen-l1", "GET", "/api/v1/me").json()
    record = body["record"]
    assert record["groups"] == {} and record["upgrade"] == "level2_required"
    assert set(record["status"]) == {"hi_card_valid", "hi_card_valid_until", "participating_now"}
    assert body["principal"]["roles"] == ["citizen"]
    officer_l1 = _call(world, "officer-civil-l1", "GET", "/api/v1/me").json()
    assert officer_l1["principal"]["roles"] == ["citizen"] and officer_l1["principal"]["officer_authority"] is None
    full = _call(world, "citizen-l2", "GET", "/api/v1/me").json()
    assert sorted(full["record"]["groups"]) == ["1", "2", "3", "4", "5", "6", "7"]


def test_classified_details_stay_inside_their_authority(world):
    own = _call(world, "citizen-defence", "GET", "/api/v1/me")
    periods = own.json()["record"]["groups"]["4"]["participation"]
    assert periods and all(
        p["unit"] == "[redacted]" and p["rank"] == "[redacted]" for p in periods if p["authority"] == "defence"
    )
    officer = _call(world, "officer-defence", "GET", f"/api/v1/officer/persons/{world.ids['defence']}?purpose=GDBHXH")
    units = [p["unit"] for p in officer.json()["groups"]["4"]["participation"] if p["authority"] == "defence"]
    assert units and all(u and u != "[redacted]" for u in units)


def test_an_officer_search_never_returns_another_authoritys_person(world):
    pid = world.ids["defence_pid"]
    assert _call(world, "officer-civil", "GET", f"/api/v1/officer/persons?q={pid}").json() == []
    found = _call(world, "officer-defence", "GET", f"/api/v1/officer/persons?q={pid}").json()
    assert [m["id"] for m in found] == [world.ids["defence"]]


def test_an_officer_name_search_stays_inside_the_authority(world):
    """By name too, on SQLite as on PostgreSQL connected as the owner (no row-level security helps here)."""
    name = world.names["defence"].split()[0]  # the family name: many persons of every authority share it
    civil = _call(world, "officer-civil", "GET", f"/api/v1/officer/persons?q={name}").json()
    assert civil and all(m["authority"] == "civil" for m in civil)
    assert world.ids["defence"] not in [m["id"] for m in civil]
    defence = _call(world, "officer-defence", "GET", f"/api/v1/officer/persons?q={world.names['defence']}").json()
    assert world.ids["defence"] in [m["id"] for m in defence]
    assert all(m["authority"] == "defence" for m in defence)


def test_the_clinic_card_check_is_the_check_in_rule(world):
    card = _call(world, "clinic", "GET", f"/api/v1/clinic/cards/{world.ids['me_pid']}").json()
    headers = {"authorization": f"Bearer {world.tokens['clinic']}"}
    check_in = world.client.post("/api/v1/clinic/check-in", headers=headers, json={"code": world.ids["me_pid"]})
    assert check_in.status_code == 200
    assert card["valid"] == check_in.json()["valid"] and card["card"] == check_in.json()["card"]


def test_the_public_log_publishes_hashes_only(world):
    response = _call(world, "anonymous", "GET", "/api/v1/log/entries/0")
    assert response.status_code in (200, 404)
    assert "document" not in response.text and "eyJ" not in response.text


def test_a_forged_or_expired_bearer_token_is_refused(world):
    token = world.tokens["citizen-l2"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = world.client.get("/api/v1/me", headers={"authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "access.token_invalid"
