"""The development OpenID Provider: a stand-in for VNeID in the embedded demo and in tests.

Authorization code flow with PKCE (S256 only), ES256-signed ID tokens carrying ``acr`` (the assurance level) and
the personal ID number. It is mounted only when ``Settings.dev_idp_enabled`` (never in production).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from fastapi import Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.demo import DemoIdentity, demo_identities
from esibook.access.keys import public_jwks, signing_key
from esibook.access.models import DevIdpCode
from esibook.access.routing import Router
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.transactions.population import LocalPopulationRegistry
from esibook.web.deps import db_session
from esibook.web.pages import render

router = Router(prefix="/dev-idp", include_in_schema=False)
CODE_SECONDS = 60
ID_TOKEN_MINUTES = 5


def idp_key(request: Request):
    return signing_key(request.app.state.settings.data_dir, "dev-idp")


def issuer(request: Request) -> str:
    return request.app.state.settings.resolved_oidc_issuer()


def oauth_error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


@router.get("/.well-known/openid-configuration", dependencies=[Depends(policy.DEVELOPMENT)])
def discovery(request: Request) -> dict:
    base, settings = issuer(request), request.app.state.settings
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "jwks_uri": f"{base}/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"],
        "grant_types_supported": ["authorization_code"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "acr_values_supported": [settings.oidc_acr_level1, settings.oidc_acr_level2],
        "claims_supported": ["sub", "name", "acr", "nonce", settings.oidc_personal_id_claim],
    }


@router.get("/jwks", dependencies=[Depends(policy.DEVELOPMENT)])
def jwks(request: Request) -> dict:
    return public_jwks(idp_key(request))


def _check_authorization_request(
    request: Request,
    client_id: str,
    redirect_uri: str,
    response_type: str,
    code_challenge: str,
    code_challenge_method: str,
) -> None:
    settings = request.app.state.settings
    expected_redirect = f"{settings.base_url.rstrip('/')}/auth/callback"
    problems = [
        (client_id != settings.oidc_client_id, "unknown client_id"),
        (redirect_uri != expected_redirect, "redirect_uri is not registered for this client"),
        (response_type != "code", "only response_type=code is supported"),
        (not code_challenge or code_challenge_method != "S256", "PKCE with S256 is required"),
    ]
    for failed, message in problems:
        if failed:
            raise DomainError("dev_idp.bad_request", message, message)


@router.get("/authorize", dependencies=[Depends(policy.DEVELOPMENT)])
def authorize_page(
    request: Request,
    client_id: str = "",
    redirect_uri: str = "",
    response_type: str = "",
    state: str = "",
    nonce: str = "",
    code_challenge: str = "",
    code_challenge_method: str = "",
    acr_values: str = "",
    session: Session = Depends(db_session),
):
    _check_authorization_request(request, client_id, redirect_uri, response_type, code_challenge, code_challenge_method)
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge,
    }
    return render(request, "dev_idp_authorize.html", {"identities": demo_identities(session), "params": params})


@router.post("/authorize", dependencies=[Depends(policy.DEVELOPMENT)])
def authorize_choice(
    request: Request,
    client_id: str = Form(),
    redirect_uri: str = Form(),
    code_challenge: str = Form(),
    identity: str = Form(""),
    pid: str = Form(""),
    state: str = Form(""),
    nonce: str = Form(""),
    session: Session = Depends(db_session),
):
    _check_authorization_request(request, client_id, redirect_uri, "code", code_challenge, "S256")
    identity = identity or (f"pid:{pid.strip()}" if pid.strip() else "")
    code = secrets.token_urlsafe(32)
    with transaction(session):
        if _identity(session, identity) is None:
            raise DomainError("dev_idp.identity", "unknown demo identity, or no such personal ID number",
                              "danh tính thử nghiệm hoặc số định danh không có")
        session.add(
            DevIdpCode(
                code=code,
                client_id=client_id,
                redirect_uri=redirect_uri,
                code_challenge=code_challenge,
                nonce=nonce,
                identity=identity,
            )
        )
    return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=303)


def _client_credentials(request: Request, client_id: str, client_secret: str) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


@router.post("/token", dependencies=[Depends(policy.DEVELOPMENT)])
def token(
    request: Request,
    grant_type: str = Form(""),
    code: str = Form(""),
    redirect_uri: str = Form(""),
    code_verifier: str = Form(""),
    client_id: str = Form(""),
    client_secret: str = Form(""),
    session: Session = Depends(db_session),
):
    settings = request.app.state.settings
    client_id, client_secret = _client_credentials(request, client_id, client_secret)
    if client_id != settings.oidc_client_id or not hmac.compare_digest(
        client_secret, settings.resolved_oidc_client_secret()
    ):
        return oauth_error("invalid_client", "client authentication failed", 401)
    if grant_type != "authorization_code":
        return oauth_error("unsupported_grant_type", "only authorization_code")
    with transaction(session):
        issued = session.get(DevIdpCode, code, with_for_update=True)
        now = datetime.now(UTC)
        if issued is None or issued.used_at is not None:
            return oauth_error("invalid_grant", "unknown or already used code")
        issued.used_at = now
        if now - issued.created_at > timedelta(seconds=CODE_SECONDS) or issued.redirect_uri != redirect_uri:
            return oauth_error("invalid_grant", "code expired or redirect_uri differs")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=").decode()
        if not hmac.compare_digest(challenge, issued.code_challenge):
            return oauth_error("invalid_grant", "PKCE verification failed")
        identity = _identity(session, issued.identity)
    if identity is None:
        return oauth_error("invalid_grant", "identity no longer exists")
    return {
        "access_token": secrets.token_urlsafe(32),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token(request, identity, issued.nonce),
    }


def _identity(session: Session, key: str) -> DemoIdentity | None:
    """A demo identity by key, or anyone in the population database as ``pid:<personal ID number>`` (level 2)."""
    if key.startswith("pid:"):
        resident = LocalPopulationRegistry(session).find(key[4:].strip())
        if resident is None:
            return None
        return DemoIdentity(key, "Người dân", "Citizen", resident.personal_id, resident.full_name, 2)
    return next((i for i in demo_identities(session) if i.key == key), None)


def id_token(request: Request, identity, nonce: str) -> str:
    settings = request.app.state.settings
    key = idp_key(request)
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": issuer(request),
        "sub": f"vneid-{hashlib.sha256(identity.personal_id.encode()).hexdigest()[:24]}",
        "aud": settings.oidc_client_id,
        "iat": now,
        "exp": now + ID_TOKEN_MINUTES * 60,
        "auth_time": now,
        "nonce": nonce,
        "name": identity.name,
        settings.oidc_personal_id_claim: identity.personal_id,
        "acr": settings.oidc_acr_level2 if identity.level == 2 else settings.oidc_acr_level1,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)
