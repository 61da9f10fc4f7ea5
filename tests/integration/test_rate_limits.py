"""Rate limits where a guesser knocks: the OAuth token endpoint, sign-in, and opening share links. Past the limit
the answer is 429 with Retry-After, the usual error JSON for the API and a page for the pages."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from esibook.access.clients import register_client
from esibook.app import create_app
from esibook.config import Settings
from support.signed_in import bearer_of

OTHER_ADDRESS = ("192.0.2.10", 40000)  # a documentation address: only a label in the ASGI scope, no traffic


@pytest.fixture
def make_app(seeded_engine, demo_identities, tmp_path):
    """An application on the seeded database with the given (low) rate limits."""

    apps = []

    def make(**limits) -> tuple[Settings, object]:
        settings = Settings(
            database_url=seeded_engine.url.render_as_string(hide_password=False),
            data_dir=tmp_path,
            env="test",
            **limits,
        )
        apps.append(create_app(settings))
        return settings, apps[-1]

    yield make
    for app in apps:
        app.state.engine.dispose()


def assert_limited(response, *, json_body: bool) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    if json_body:
        error = response.json()["error"]
        assert error["code"] == "rate.limited"
        assert error["message_vi"].startswith("Quá nhiều lần thử") and error["message_en"].startswith("Too many")
    else:
        assert response.headers["content-type"].startswith("text/html") and "Quá nhiều lần thử" in response.text


def new_client(engine, suffix: str) -> tuple[str, str]:
    with Session(engine) as session:
        return register_client(
            session, name="Rate test", groups="1", purposes="KCB", client_id=f"rate-{suffix}-{engine.dialect.name}"
        )


def token_request(client: TestClient, client_id: str, secret: str):
    return client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )


def test_the_token_endpoint_limits_each_client_id(make_app, seeded_engine):
    _, app = make_app(rate_limit_token_client="3/minute")
    client_id, secret = new_client(seeded_engine, uuid.uuid4().hex[:8])
    client = TestClient(app)
    assert token_request(client, client_id, secret).status_code == 200
    assert token_request(client, client_id, "wrong").status_code == 401
    assert token_request(client, client_id, "wrong").status_code == 401
    assert_limited(token_request(client, client_id, secret), json_body=True)
    from_elsewhere = TestClient(app, client=OTHER_ADDRESS)
    assert_limited(token_request(from_elsewhere, client_id, secret), json_body=True)  # per id, whatever the address
    assert token_request(client, "another-id", "x").status_code == 401, "other ids are not held up"


def test_the_token_endpoint_limits_each_address(make_app):
    _, app = make_app(rate_limit_token_ip="4/minute")
    client = TestClient(app)
    for n in range(4):
        assert token_request(client, f"guess-{n}", "x").status_code == 401
    assert_limited(token_request(client, "guess-4", "x"), json_body=True)
    assert token_request(TestClient(app, client=OTHER_ADDRESS), "guess-5", "x").status_code == 401


def test_sign_in_is_limited_per_address(seeded_engine, demo_identities, tmp_path, serve):
    url = seeded_engine.url.render_as_string(hide_password=False)
    with serve(url, tmp_path, rate_limit_login_ip="3/minute") as base:
        for _ in range(3):
            assert httpx.get(f"{base}/auth/login").status_code == 303
        assert_limited(httpx.get(f"{base}/auth/login"), json_body=False)
        for _ in range(3):
            assert httpx.get(f"{base}/auth/callback?state=guess&code=x").status_code == 401
        assert_limited(httpx.get(f"{base}/auth/callback?state=guess&code=x"), json_body=False)


@pytest.fixture
def share_link(make_app, demo_identities):
    """A function: an app with these limits and a fresh share link on it; returns (client, token, passcode)."""

    def make(**limits):
        settings, app = make_app(**limits)
        identity = demo_identities["citizen-l2"]
        client = TestClient(app)
        created = client.post(
            "/api/v1/me/share-links",
            json={"extract": "hi_card_valid", "days": 1},
            headers=bearer_of(settings, identity, 2),
        ).json()
        return app, client, created["url"].rsplit("/", 1)[1], created["passcode"]

    return make


def test_opening_a_share_link_is_limited_per_link_on_the_page_and_the_api(share_link):
    app, client, token, passcode = share_link(rate_limit_share_token="3/minute")
    assert client.post(f"/s/{token}", data={"passcode": passcode}).status_code == 200
    assert client.post(f"/api/v1/shared/{token}", json={"passcode": passcode}).status_code == 200
    assert client.post(f"/s/{token}", data={"passcode": "000000"}).status_code in (400, 404)
    assert_limited(client.post(f"/s/{token}", data={"passcode": passcode}), json_body=False)
    elsewhere = TestClient(app, client=OTHER_ADDRESS)
    assert_limited(elsewhere.post(f"/api/v1/shared/{token}", json={"passcode": passcode}), json_body=True)


def test_opening_share_links_is_limited_per_address(share_link):
    app, client, token, passcode = share_link(rate_limit_share_ip="3/minute")
    for n in range(3):
        assert client.post(f"/s/guessed-token-{n}", data={"passcode": "123456"}).status_code == 404
    assert_limited(client.post(f"/s/{token}", data={"passcode": passcode}), json_body=False)
    assert_limited(client.post(f"/api/v1/shared/{token}", json={"passcode": passcode}), json_body=True)
    assert TestClient(app, client=OTHER_ADDRESS).post(f"/s/{token}", data={"passcode": passcode}).status_code == 200


def test_a_malformed_limit_is_refused_at_start():
    with pytest.raises(ValueError, match="rate limit"):
        Settings(rate_limit_login_ip="lots")


def test_two_server_processes_count_one_limit(seeded_engine, demo_identities, tmp_path):
    """``esibook serve --workers 2`` (as production serves, one process per core): the sign-in limit
    holds for the server, not once per process, whichever process each new connection reaches."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ESIBOOK_DATABASE_URL": seeded_engine.url.render_as_string(hide_password=False),
           "ESIBOOK_DATA_DIR": str(tmp_path), "ESIBOOK_ENV": "test", "ESIBOOK_RATE_LIMIT_LOGIN_IP": "4/minute"}
    server = subprocess.Popen([sys.executable, "-m", "esibook", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        answers = [httpx.get(f"{base}/auth/login").status_code for _ in range(10)]  # each a new connection
        assert answers[:4] == [303] * 4 and set(answers[4:]) == {429}, answers
        assert (tmp_path / "rate-limits.sqlite").exists()
    finally:  # the whole process group: no worker process may outlive the test holding connections
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
