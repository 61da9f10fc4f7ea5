"""Signing in through a real OpenID Connect flow against the development provider, over HTTP."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from esibook.access.keys import signing_key
from esibook.access.oidc import LoginError, provider_metadata, validate_id_token
from esibook.config import Settings


def start_sign_in(base: str, identity: str) -> tuple[httpx.Client, str]:
    """Start a sign-in and pick an identity at the provider; returns the client and the callback URL (with code
    and state) the provider sends the browser to, not yet followed."""
    client = httpx.Client(base_url=base)
    authorize = client.get("/auth/login?return_to=/me").headers["location"]
    assert authorize.startswith(f"{base}/dev-idp/authorize?") and "code_challenge_method=S256" in authorize
    assert "nonce=" in authorize and "state=" in authorize
    picker = client.get(authorize)
    form = re.search(
        rf'<form method="post" action="/dev-idp/authorize">(.*?identity-{identity}".*?)</form>', picker.text, re.S
    )
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1).split("<li>")[-1]))
    return client, client.post("/dev-idp/authorize", data=fields).headers["location"]


def sign_in(base: str, identity: str) -> tuple[httpx.Client, str]:
    """Walk the whole flow as a browser would; returns the signed-in client and the callback URL used."""
    client, callback = start_sign_in(base, identity)
    landed = client.get(callback)
    assert landed.status_code == 303 and landed.headers["location"] == "/me", landed.text[:500]
    return client, callback


def test_level_2_citizen_sees_all_seven_groups(live_server, demo_identities):
    client, _ = sign_in(live_server, "citizen-l2")
    home = client.get("/me").text
    assert demo_identities["citizen-l2"].name in home and 'data-testid="tile-card"' in home
    page = client.get("/me/data").text
    for group in range(1, 8):
        assert f'data-testid="group-{group}"' in page
    assert 'data-testid="upgrade"' not in page


def test_level_1_citizen_sees_status_and_how_to_upgrade(live_server):
    client, _ = sign_in(live_server, "citizen-l1")
    page = client.get("/me?lang=en").text
    assert 'data-testid="status"' in page and 'data-testid="upgrade"' in page
    assert 'data-testid="group-' not in page
    client.get("/?lang=vi")


def test_a_replayed_callback_is_refused(live_server):
    _, callback = sign_in(live_server, "citizen-l2")
    replay = httpx.get(callback, headers={"cookie": "lang=en"})
    assert replay.status_code == 401
    assert "this sign-in response was already used" in replay.text


def test_the_login_cookie_is_httponly_lax_and_cleared_after_the_callback(live_server):
    client = httpx.Client(base_url=live_server)
    started = client.get("/auth/login?return_to=/me")
    cookie = next(v for k, v in started.headers.multi_items() if k == "set-cookie" and "esibook_login=" in v)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/auth" in cookie
    client, callback = start_sign_in(live_server, "citizen-l2")
    landed = client.get(callback)
    assert landed.status_code == 303
    assert client.cookies.get("esibook_login", path="/auth") is None, "the login cookie is cleared"


def test_an_attackers_callback_link_does_not_sign_in_another_browser(live_server, demo_identities):
    """Login CSRF: the attacker starts a sign-in as themselves and sends the victim the provider's callback URL."""
    _, attackers_link = start_sign_in(live_server, "officer-civil")
    victim = httpx.Client(base_url=live_server, cookies={"lang": "en"})
    refused = victim.get(attackers_link)
    assert refused.status_code == 401
    assert "started in another browser" in refused.text
    assert "esibook_session" not in victim.cookies, "no session was opened"
    assert victim.get("/me").status_code == 303, "the victim is not signed in"
    assert demo_identities["officer-civil"].name not in victim.get("/").text


def test_a_callback_without_the_login_cookie_is_refused_and_the_code_is_burnt(live_server):
    starter, link = start_sign_in(live_server, "citizen-l2")
    stranger = httpx.get(link, headers={"cookie": "lang=en"})
    assert stranger.status_code == 401 and "started in another browser" in stranger.text
    afterwards = starter.get(link)
    assert afterwards.status_code == 401, "a link shown to someone else no longer works, even where it started"


def test_logging_out_revokes_the_api_token_at_once(live_server, demo_identities):
    client, _ = sign_in(live_server, "citizen-l2")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/me").text).group(1)
    token = client.post("/api/v1/me/token", headers={"x-csrf-token": csrf}).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    assert httpx.get(f"{live_server}/api/v1/me", headers=bearer).status_code == 200
    assert client.post("/auth/logout", data={"csrf_token": csrf}).status_code == 303
    after = httpx.get(f"{live_server}/api/v1/me", headers=bearer)
    assert after.status_code == 401 and after.json()["error"]["code"] == "access.session_ended"


def test_an_unknown_state_is_refused(live_server):
    response = httpx.get(f"{live_server}/auth/callback?state=made-up&code=abc", headers={"cookie": "lang=en"})
    assert response.status_code == 401 and "unknown state" in response.text


def test_logout_needs_the_csrf_token_and_ends_the_session(live_server):
    client, _ = sign_in(live_server, "citizen-l2")
    assert client.post("/auth/logout").status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/me").text).group(1)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/me").status_code == 303, "signed out: /me sends to the login page"


class TestIdTokenChecks:
    """The relying party's own checks on ID tokens, with keys and metadata from the running provider."""

    @pytest.fixture
    def context(self, live_server, tmp_path_factory):
        settings = Settings(base_url=live_server, env="test", data_dir=tmp_path_factory.getbasetemp() / "unused")
        metadata = provider_metadata(settings)
        return settings, metadata

    def claims(self, metadata, **changes) -> dict:
        now = int(time.time())
        base = {
            "iss": metadata["issuer"],
            "sub": "s",
            "aud": "esibook-web",
            "iat": now,
            "exp": now + 300,
            "nonce": "n-1",
            "acr": "urn:vneid:loa:2",
            "personal_id": "001190012345",
        }
        return {**base, **changes}

    @pytest.fixture
    def provider_key(self, live_server, live_data_dir) -> ECKey:
        """The provider's real signing key, as published in its JWKS."""
        key = signing_key(live_data_dir, "dev-idp")
        assert httpx.get(f"{live_server}/dev-idp/jwks").json()["keys"][0]["kid"] == key.kid
        return key

    def check(self, context, token, nonce="n-1"):
        settings, metadata = context
        return validate_id_token(token, settings=settings, metadata=metadata, nonce=nonce)

    def test_a_token_signed_by_another_key_is_refused(self, context):
        stranger = ECKey.generate_key("P-256", private=True)
        stranger.ensure_kid()
        token = jwt.encode({"alg": "ES256", "kid": stranger.kid}, self.claims(context[1]), stranger)
        with pytest.raises(LoginError) as error:
            self.check(context, token)
        assert error.value.code == "login.id_token_signature"

    def test_a_token_claiming_the_providers_key_but_signed_by_another_is_refused(self, context, provider_key):
        forger = ECKey.generate_key("P-256", private=True)
        token = jwt.encode({"alg": "ES256", "kid": provider_key.kid}, self.claims(context[1]), forger)
        with pytest.raises(LoginError) as error:
            self.check(context, token)
        assert error.value.code == "login.id_token_signature"

    @pytest.mark.parametrize(
        "changes, code",
        [
            ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}, "login.id_token_expired"),
            ({"iss": "https://evil.example/idp"}, "login.id_token_issuer"),
            ({"aud": "another-app"}, "login.id_token_audience"),
            ({"nonce": "someone-elses"}, "login.id_token_nonce"),
        ],
    )
    def test_a_valid_signature_with_a_wrong_claim_is_refused(self, context, provider_key, changes, code):
        key = provider_key
        token = jwt.encode({"alg": "ES256", "kid": key.kid}, self.claims(context[1], **changes), key)
        with pytest.raises(LoginError) as error:
            self.check(context, token)
        assert error.value.code == code

    def test_the_right_token_passes(self, context, provider_key):
        key = provider_key
        token = jwt.encode({"alg": "ES256", "kid": key.kid}, self.claims(context[1]), key)
        assert self.check(context, token)["personal_id"] == "001190012345"


def test_a_signed_in_browser_can_get_an_api_token_with_its_csrf_token(live_server, demo_identities):
    client, _ = sign_in(live_server, "citizen-l2")
    assert client.post("/api/v1/me/token").status_code == 403, "no CSRF token, no API token"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/me").text).group(1)
    token = client.post("/api/v1/me/token", headers={"x-csrf-token": csrf}).json()["access_token"]
    me = httpx.get(f"{live_server}/api/v1/me", headers={"authorization": f"Bearer {token}"}).json()
    assert me["record"]["full_name"] == demo_identities["citizen-l2"].name


def test_sign_ins_are_in_the_audit_chain_and_it_verifies(live_server, seeded_engine):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from esibook.audit.models import AuditRecord
    from esibook.audit.service import verify

    sign_in(live_server, "officer-civil")
    with Session(seeded_engine) as session:
        actions = set(session.scalars(select(AuditRecord.action)))
        report = verify(session)
    assert "login" in actions
    assert report.intact


def test_anonymous_requests_never_write_to_the_audit_chain(live_server, seeded_engine):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from esibook.audit.models import AuditRecord

    def records() -> int:
        with Session(seeded_engine) as session:
            return session.scalar(select(func.count()).select_from(AuditRecord))

    before = records()
    refused = [
        httpx.get(f"{live_server}/auth/callback?error=access_denied"),
        httpx.get(f"{live_server}/auth/callback?error=079123456723"),
        httpx.get(f"{live_server}/auth/callback?state=not-ours&code=x"),
        httpx.post(f"{live_server}/oauth/token", data={"grant_type": "client_credentials", "client_id": "x",
                                                      "client_secret": "y"}),
        httpx.post(f"{live_server}/api/v1/shared/not-a-token", json={"passcode": "000000"}),
        httpx.get(f"{live_server}/api/v1/me"),
    ]
    assert [r.status_code for r in refused] == [401, 401, 401, 401, 404, 401]
    assert records() == before, "refused sign-ins and anonymous calls leave the audit chain as it was"


def test_production_never_serves_the_development_provider(tmp_path):
    from fastapi.testclient import TestClient

    from esibook.app import create_app

    settings = Settings(
        env="production",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/p.db",
        oidc_issuer="https://vneid.example/oidc",
        oidc_client_secret="from-the-vault",
    )
    client = TestClient(create_app(settings))
    assert client.get("/dev-idp/.well-known/openid-configuration").status_code == 404
    assert client.get("/dev-idp/jwks").status_code == 404
    assert not Settings(env="production", data_dir=tmp_path).dev_idp_enabled
