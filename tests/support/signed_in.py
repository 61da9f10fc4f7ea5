"""Signing in, for the tests: one place for the bearer tokens and signed-in clients every test file needs.

- :func:`token` / :func:`bearer`: a person signed in with VNeID at a level, as the API's bearer token (what
  ``POST /api/v1/me/token`` issues) and as the ``Authorization`` header carrying it;
- :func:`bearer_of`: the same for a demo identity of the development provider, at its own level;
- :func:`system_bearer`: a connected system's token from ``POST /oauth/token`` (client credentials);
- :func:`sign_in`, :func:`sign_in_as`: a browser page signed in through the development identity provider, as a
  demo identity or as anyone in the population database.

The fixtures built on these (``signed_app``, ``signed_identities``, ``signed_bearer``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

from esibook.access.principal import Identity
from esibook.access.tokens import issue_person_token


def token(settings, personal_id: str, name: str = "x", level: int = 2, *, subject: str | None = None) -> str:
    """A person's bearer token, signed with this installation's key (``settings.data_dir``)."""
    return issue_person_token(settings, Identity(subject or f"s-{personal_id}", personal_id, name, level))


def bearer(settings, personal_id: str, name: str = "x", level: int = 2) -> dict[str, str]:
    """The ``Authorization`` header of a person signed in at ``level``."""
    return {"authorization": f"Bearer {token(settings, personal_id, name, level)}"}


def bearer_of(settings, identity, level: int | None = None) -> dict[str, str]:
    """The header of a demo identity (``access.demo.DemoIdentity``), at its own level unless ``level`` says."""
    return bearer(settings, identity.personal_id, identity.name, identity.level if level is None else level)


def system_bearer(client, client_id: str, secret: str) -> dict[str, str]:
    """A connected system's header: its client credentials exchanged at ``POST /oauth/token`` (``client`` is a
    ``TestClient`` or an ``httpx.Client`` with a base URL)."""
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


def sign_in(page, site: str, identity: str, return_to: str = "/me") -> None:
    """Sign a browser page in as a demo identity (its key, e.g. ``citizen-l2``) and wait for ``return_to``."""
    page.goto(f"{site}/login?return_to={return_to}")
    page.get_by_test_id("login-vneid").click()
    page.get_by_test_id(f"identity-{identity}").click()
    page.wait_for_url(f"{site}{return_to}*")


def sign_in_as(page, site: str, personal_id: str, return_to: str = "/me") -> None:
    """Sign a browser page in as anyone in the population database (VNeID level 2), by personal ID number."""
    page.goto(f"{site}/login?return_to={return_to}")
    page.get_by_test_id("login-vneid").click()
    page.locator("#pid").fill(personal_id)
    page.get_by_test_id("identity-pid").click()
    page.wait_for_url(f"{site}{return_to}*")
