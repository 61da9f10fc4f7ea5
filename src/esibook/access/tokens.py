"""Bearer tokens for the API: ES256 JWTs esibook signs, for persons and for external systems.

External systems obtain one with the OAuth2 client credentials grant at ``POST /oauth/token``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy.orm import Session

from esibook.access.errors import Unauthenticated
from esibook.access.keys import signing_key
from esibook.access.models import ApiClient
from esibook.access.principal import Identity
from esibook.config import Settings

AUDIENCE = "esibook-api"
SECRET_SCHEME = "scrypt"


def issuer(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def issue_person_token(settings: Settings, identity: Identity) -> str:
    return _sign(
        settings,
        {
            "sub": identity.subject,
            "kind": "person",
            "pid": identity.personal_id,
            "name": identity.name,
            "lvl": identity.level,
        },
    )


def issue_system_token(settings: Settings, client: ApiClient) -> str:
    return _sign(settings, {"sub": client.client_id, "kind": "system"})


def _sign(settings: Settings, claims: dict) -> str:
    key = signing_key(settings.data_dir, "api-tokens")
    now = int(time.time())
    body = {
        "iss": issuer(settings),
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + settings.access_token_minutes * 60,
        "jti": secrets.token_urlsafe(12),
        **claims,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "at+jwt"}, body, key)


def verify_token(settings: Settings, token: str) -> dict:
    key = signing_key(settings.data_dir, "api-tokens")
    try:
        claims = jwt.decode(token, key, algorithms=["ES256"]).claims
        JWTClaimsRegistry(
            iss={"essential": True, "value": issuer(settings)},
            aud={"essential": True, "value": AUDIENCE},
            exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError) as error:
        raise Unauthenticated(
            "access.token_invalid",
            "The access token is not valid or has expired.",
            "Mã truy cập không hợp lệ hoặc đã hết hạn.",
        ) from error
    return claims


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"{SECRET_SCHEME}${salt.hex()}${digest.hex()}"


def secret_matches(secret: str, stored: str) -> bool:
    scheme, salt, digest = stored.split("$")
    if scheme != SECRET_SCHEME:
        return False
    candidate = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    return hmac.compare_digest(candidate.hex(), digest)


def authenticate_client(session: Session, client_id: str, client_secret: str) -> ApiClient:
    client = session.get(ApiClient, client_id) if client_id else None
    if client is None or not client.active or not secret_matches(client_secret, client.secret_hash):
        raise Unauthenticated(
            "access.client_invalid", "Unknown client or wrong secret.", "Hệ thống không xác định hoặc sai mật khẩu."
        )
    return client
