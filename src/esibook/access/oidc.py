"""Signing in with the national identity (VNeID) as an OpenID Connect relying party.

Authorization code flow with PKCE (S256), state and nonce; discovery; ID token signature, issuer, audience,
expiry and nonce checks. The assurance level comes from the returned ``acr`` claim, which esibook checks itself:
``acr_values`` in the request is only a wish. State, nonce and verifier live server-side in ``login_attempts``,
each used once, so a replayed callback is refused. Each attempt is bound to the browser that started it (a random
value in the login cookie, its SHA-256 on the attempt), so a callback link from someone else's attempt cannot sign
this browser in as them (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import BadSignatureError, DecodeError, InvalidKeyIdError, JoseError, MissingKeyError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from esibook.access.models import LoginAttempt
from esibook.access.principal import Identity
from esibook.config import Settings
from esibook.db import transaction
from esibook.errors import DomainError, InvalidIdentifier
from esibook.people.identifiers import parse_personal_id

ATTEMPT_MINUTES = 10
CLOCK_SKEW_SECONDS = 60
ALLOWED_ALGORITHMS = ["ES256", "RS256", "PS256"]
METADATA_TTL_SECONDS = 300
LOGIN_COOKIE = "esibook_login"
LOGIN_COOKIE_PATH = "/auth"
_BROWSER_KEY = re.compile(r"[A-Za-z0-9_-]{43}")


class LoginError(DomainError):
    status = 401


def login_error(code: str, en: str, vi: str) -> LoginError:
    return LoginError(f"login.{code}", en, vi)


@dataclass
class _Cached:
    value: dict
    fetched: float


_cache: dict[str, _Cached] = {}


def _get_json(url: str, *, fresh: bool = False) -> dict:
    cached = _cache.get(url)
    if cached and not fresh and time.monotonic() - cached.fetched < METADATA_TTL_SECONDS:
        return cached.value
    try:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        value = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise login_error(
            "provider_unreachable",
            f"the identity provider did not answer: {error}",
            "nhà cung cấp định danh không phản hồi",
        ) from error
    _cache[url] = _Cached(value, time.monotonic())
    return value


def provider_metadata(settings: Settings) -> dict:
    issuer = settings.resolved_oidc_issuer().rstrip("/")
    metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise login_error(
            "provider_issuer",
            "the identity provider's discovery document names another issuer",
            "tài liệu khám phá của nhà cung cấp định danh ghi bên phát hành khác",
        )
    return metadata


def redirect_uri(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}/auth/callback"


def browser_key(current: str | None) -> str:
    """The random value of the login cookie: the browser's current one (several tabs may sign in at once), or a
    new one."""
    return current if current and _BROWSER_KEY.fullmatch(current) else secrets.token_urlsafe(32)


def _browser_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_login(session: Session, settings: Settings, return_to: str = "/", *, browser: str) -> str:
    """Record a new attempt, bound to the browser's login cookie value, and return the provider's authorization
    URL to send the browser to."""
    metadata = provider_metadata(settings)
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    with transaction(session):
        session.add(
            LoginAttempt(
                state=state,
                nonce=nonce,
                code_verifier=verifier,
                return_to=_safe(return_to),
                browser_hash=_browser_hash(browser),
            )
        )
    return prepare_grant_uri(
        metadata["authorization_endpoint"],
        client_id=settings.oidc_client_id,
        response_type="code",
        redirect_uri=redirect_uri(settings),
        scope="openid profile",
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        acr_values=settings.oidc_acr_level2,
    )


def _safe(return_to: str) -> str:
    """Only paths on this site: never an open redirect."""
    return return_to if return_to.startswith("/") and not return_to.startswith("//") else "/"


def finish_login(
    session: Session, settings: Settings, *, state: str, code: str, browser: str | None
) -> tuple[Identity, str]:
    """Exchange the code and validate the ID token; returns who signed in and where to go next.

    ``browser`` is the login cookie's value: the attempt must have been started by this browser."""
    with transaction(session):
        attempt = session.get(LoginAttempt, state, with_for_update=True) if state else None
        if attempt is None:
            raise login_error(
                "state_unknown",
                "this sign-in was not started here (unknown state)",
                "phiên đăng nhập này không bắt đầu từ đây (state không hợp lệ)",
            )
        if attempt.used_at is not None:
            raise login_error(
                "state_replayed", "this sign-in response was already used", "phản hồi đăng nhập này đã được sử dụng"
            )
        created = attempt.created_at
        attempt.used_at = datetime.now(UTC)  # even when refused below: a code shown to a stranger is burnt
        nonce, verifier, return_to = attempt.nonce, attempt.code_verifier, attempt.return_to
        expected = attempt.browser_hash
    if not (expected and browser and hmac.compare_digest(expected, _browser_hash(browser))):
        raise login_error(
            "state_foreign",
            "this sign-in was started in another browser; please log in again here",
            "phiên đăng nhập này được bắt đầu từ một trình duyệt khác; vui lòng đăng nhập lại tại đây",
        )
    if datetime.now(UTC) - created > timedelta(minutes=ATTEMPT_MINUTES):
        raise login_error(
            "state_expired", "the sign-in took too long; please start again", "đăng nhập quá lâu; vui lòng thử lại"
        )
    metadata = provider_metadata(settings)
    token = _exchange_code(metadata, settings, code, verifier)
    claims = validate_id_token(token, settings=settings, metadata=metadata, nonce=nonce)
    return identity_from_claims(claims, settings), return_to


def _exchange_code(metadata: dict, settings: Settings, code: str, verifier: str) -> str:
    try:
        response = httpx.post(
            metadata["token_endpoint"],
            timeout=10,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(settings),
                "code_verifier": verifier,
                "client_id": settings.oidc_client_id,
                "client_secret": settings.resolved_oidc_client_secret(),
            },
        )
    except httpx.HTTPError as error:
        raise login_error(
            "provider_unreachable",
            f"the identity provider did not answer: {error}",
            "nhà cung cấp định danh không phản hồi",
        ) from error
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200 or "id_token" not in body:
        raise login_error(
            "code_refused",
            f"the identity provider refused the code: {body.get('error', response.status_code)}",
            "nhà cung cấp định danh từ chối mã xác thực",
        )
    return body["id_token"]


def validate_id_token(token: str, *, settings: Settings, metadata: dict, nonce: str, now: float | None = None) -> dict:
    """Check signature (keys from the provider's JWKS), issuer, audience, expiry, issue time and nonce."""
    claims = _verified_claims(token, metadata)
    now = now if now is not None else time.time()
    checks = [
        (
            claims.get("iss", "").rstrip("/") == metadata["issuer"].rstrip("/"),
            "issuer",
            "the ID token was issued by another provider",
            "mã định danh do bên phát hành khác cấp",
        ),
        (
            _audience_ok(claims.get("aud"), settings.oidc_client_id),
            "audience",
            "the ID token is meant for another application",
            "mã định danh dành cho ứng dụng khác",
        ),
        (
            isinstance(claims.get("exp"), int | float) and claims["exp"] + CLOCK_SKEW_SECONDS > now,
            "expired",
            "the ID token has expired",
            "mã định danh đã hết hạn",
        ),
        (
            isinstance(claims.get("iat"), int | float) and claims["iat"] - CLOCK_SKEW_SECONDS <= now,
            "issued_in_future",
            "the ID token claims to be issued in the future",
            "mã định danh có thời điểm phát hành ở tương lai",
        ),
        (
            claims.get("nonce") == nonce,
            "nonce",
            "the ID token does not answer this sign-in (nonce)",
            "mã định danh không khớp phiên đăng nhập này (nonce)",
        ),
    ]
    for ok, code, en, vi in checks:
        if not ok:
            raise login_error(f"id_token_{code}", en, vi)
    return claims


def _verified_claims(token: str, metadata: dict) -> dict:
    for fresh in (False, True):  # refetch the JWKS once if the key id is unknown (key rollover)
        keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"], fresh=fresh))
        try:
            return jwt.decode(token, keys, algorithms=ALLOWED_ALGORITHMS).claims
        except (InvalidKeyIdError, MissingKeyError):
            continue
        except BadSignatureError as error:
            raise login_error(
                "id_token_signature", "the ID token's signature is not valid", "chữ ký của mã định danh không hợp lệ"
            ) from error
        except (DecodeError, JoseError, ValueError) as error:
            raise login_error(
                "id_token_malformed", f"the ID token cannot be read: {error}", "không đọc được mã định danh"
            ) from error
    raise login_error(
        "id_token_signature",
        "the ID token was signed by a key the provider does not publish",
        "mã định danh được ký bằng khóa mà nhà cung cấp không công bố",
    )


def _audience_ok(aud, client_id: str) -> bool:
    return aud == client_id or (isinstance(aud, list) and client_id in aud)


def identity_from_claims(claims: dict, settings: Settings) -> Identity:
    acr = claims.get("acr")
    level = 2 if acr == settings.oidc_acr_level2 else 1 if acr == settings.oidc_acr_level1 else 0
    if level == 0:
        raise login_error(
            "acr",
            "the identity provider did not say how the identity was verified (acr)",
            "nhà cung cấp định danh không cho biết mức xác thực (acr)",
        )
    try:
        personal_id = parse_personal_id(str(claims.get(settings.oidc_personal_id_claim, ""))).number
    except InvalidIdentifier as error:
        raise login_error(
            "personal_id",
            "the ID token carries no valid personal ID number",
            "mã định danh không có số định danh cá nhân hợp lệ",
        ) from error
    return Identity(subject=str(claims["sub"]), personal_id=personal_id, name=str(claims.get("name", "")), level=level)
