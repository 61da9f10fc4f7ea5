"""Security headers on pages, API answers and errors: a Content-Security-Policy without inline script, no framing,
no sniffing, no referrer, the camera only where a QR is scanned, nothing personal cached, HSTS in production."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from esibook.app import create_app
from esibook.config import Settings
from support import signed_in


@pytest.fixture(scope="module")
def site(signed):
    app = create_app(signed.settings)

    @app.get("/boom", include_in_schema=False)
    def boom():
        raise RuntimeError("a bug")

    yield TestClient(app, raise_server_exceptions=False)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def bearer(signed, site) -> dict:
    """A citizen with a book and a card, as the API's bearer token (pages accept it too)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from esibook.health.models import HICoverage
    from esibook.people.models import Person

    with Session(signed.engine) as session:
        person = session.scalar(select(Person).join(HICoverage, HICoverage.person_id == Person.id).limit(1))
        return signed_in.bearer(signed.settings, person.personal_id, person.full_name)


def directives(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in (part.strip() for part in policy.split(";")) if d}


def assert_common(response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    permissions = response.headers["permissions-policy"]
    assert "microphone=()" in permissions and "geolocation=()" in permissions and "payment=()" in permissions
    assert "strict-transport-security" not in response.headers, "HSTS only in production"
    policy = directives(response)
    assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"])
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]


def test_a_personal_page_carries_every_header(site, bearer):
    page = site.get("/me", headers=bearer)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert_common(page)
    policy = directives(page)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert "camera=()" in page.headers["permissions-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_an_api_answer_carries_every_header(site, bearer):
    answer = site.get("/api/v1/me", headers=bearer)
    assert answer.status_code == 200
    assert_common(answer)
    assert directives(answer) == {"default-src": "'none'", "frame-ancestors": "'none'"}
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path, status, kind",
    [
        ("/no-such-page", 404, "text/html"),
        ("/api/v1/me", 401, "application/json"),
        ("/api/v1/no-such-route", 404, "application/json"),
        ("/boom", 500, "text/html"),
    ],
)
def test_error_answers_carry_every_header(site, path, status, kind):
    response = site.get(path)
    assert response.status_code == status and response.headers["content-type"].startswith(kind)
    assert_common(response)
    assert directives(response)["frame-ancestors"] == "'none'"
    assert response.headers["cache-control"] == "no-store"


def test_only_the_qr_scanning_pages_may_use_the_camera(site, bearer):
    assert "camera=(self)" in site.get("/verify").headers["permissions-policy"]
    assert "camera=()" in site.get("/").headers["permissions-policy"]
    assert "camera=()" in site.get("/me/card", headers=bearer).headers["permissions-policy"]


def test_public_files_may_be_cached_personal_ones_not(site, bearer):
    for public in ("/static/style.css", "/static/menu.js", "/.well-known/esibook/trust-list.jws"):
        response = site.get(public)
        assert response.status_code == 200 and "no-store" not in response.headers.get("cache-control", ""), public
    card = site.get("/me/card.svg", headers=bearer)
    assert card.status_code == 200 and card.headers["cache-control"] == "no-store"
    assert directives(card)["frame-ancestors"] == "'self'", "files may be shown inside esibook's own pages only"


def test_the_pages_scripts_are_files_the_policy_allows(site, bearer):
    """With script-src 'self', an inline script would silently not run: every script is a file under /static."""
    scripts = {"/": "/static/menu.js", "/verify": "/static/scan.js", "/me/card": "/static/card.js"}
    for path, script in scripts.items():
        html = site.get(path, headers=bearer).text
        assert f'<script src="{script}"></script>' in html, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and not re.search(r"\son[a-z]+=", html), path
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', html):
            assert src.startswith("/static/") and site.get(src).status_code == 200


def test_the_api_documentation_allows_its_own_inline_script_by_hash(site):
    docs = site.get("/docs")
    policy = directives(docs)
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.S)
    assert inline, "Swagger UI starts from an inline script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"] and policy["frame-ancestors"] == "'none'"


def test_production_adds_hsts(tmp_path):
    settings = Settings(
        env="production",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/p.db",
        base_url="https://esibook.example",
        oidc_issuer="https://vneid.example/oidc",
        oidc_client_secret="from-the-vault",
    )
    response = TestClient(create_app(settings)).get("/static/style.css")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
