"""Bearer tokens for the API: ES256 JWTs esibook signs, for persons and for external systems.

External systems obtain one with the OAuth2 client credentials grant at ``POST /oauth/token``. A person's token
minted for a browser session carries the session's key as ``sid`` and stops working when that session ends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy.orm import Session

from esibook.access.errors import Unauthenticated
from esibook.access.keys import signing_key
from esibook.access.models import ApiClient
from esibook.access.principal import Identity
from esibook.audit import service as audit
from esibook.config import Settings
from esibook.db import transaction

AUDIENCE = "esibook-api"
SECRET_SCHEME = "scrypt"


def issuer(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def issue_person_token(settings: Settings, identity: Identity, *, session_id_hash: str | None = None) -> str:
    """A person's token; with ``session_id_hash`` it is tied to that browser session (revoked at its logout)."""
    claims = {
        "sub": identity.subject,
        "kind": "person",
        "pid": identity.personal_id,
        "name": identity.name,
        "lvl": identity.level,
    }
    if session_id_hash:
        claims["sid"] = session_id_hash
    return _sign(settings, claims)


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


#: Claims of the tokens this process verified, by a hash of the token (and of where its key lives), until the token
#: expires: a token never changes, so its signature is checked once. A bounded LRU. What a token grants is still
#: looked up on every request (grants, a system's rights, and for ``sid`` whether its browser session is still open,
#: in ``access/deps.py``), so a revocation takes effect at once.
_VERIFIED: OrderedDict[bytes, dict] = OrderedDict()
_VERIFIED_LOCK = threading.Lock()
MAX_VERIFIED = 100_000


def verify_token(settings: Settings, token: str) -> dict:
    """The claims of a valid, unexpired token esibook signed; else :class:`Unauthenticated`."""
    digest = hashlib.sha256(f"{settings.data_dir}\n{issuer(settings)}\n{token}".encode()).digest()
    with _VERIFIED_LOCK:
        claims = _VERIFIED.get(digest)
        if claims is not None:
            _VERIFIED.move_to_end(digest)
    if claims is not None and claims["exp"] > time.time():
        return dict(claims)
    claims = _verified_claims(settings, token)
    with _VERIFIED_LOCK:
        _VERIFIED[digest] = claims
        if len(_VERIFIED) > MAX_VERIFIED:
            _VERIFIED.popitem(last=False)
    return dict(claims)


def _verified_claims(settings: Settings, token: str) -> dict:
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


def _derive(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    return f"{SECRET_SCHEME}${salt.hex()}${_derive(secret, salt).hex()}"


def secret_matches(secret: str, stored: str) -> bool:
    scheme, salt, digest = stored.split("$")
    candidate = _derive(secret, bytes.fromhex(salt))
    return scheme == SECRET_SCHEME and hmac.compare_digest(candidate, bytes.fromhex(digest))


#: What an unknown client id is checked against, so it costs the same scrypt as a known one. (A hash of a secret
#: nobody kept; an unknown id is refused whatever the comparison says.)
DUMMY_SECRET_HASH = (
    "scrypt$5d275c5ef4a40aaa8610f6693b5e4160$b6b7e4d209df2ce17967851dac3c06771d9e74706851617f34559f37f33cdd2a"
    "bc208fa500c5bc2dbfbd7d4fc2ac75d375c55e81266017b8321c34ba073971c3"
)


def authenticate_client(session: Session, client_id: str, client_secret: str) -> ApiClient:
    """The client whose id and secret these are. Unknown, withdrawn and wrong answer alike and take the same work,
    so timing does not tell which client ids exist."""
    client = session.get(ApiClient, client_id) if client_id else None
    matches = secret_matches(client_secret, client.secret_hash if client is not None else DUMMY_SECRET_HASH)
    if client is None or not client.active or not matches:
        raise Unauthenticated(
            "access.client_invalid", "Unknown client or wrong secret.", "Hệ thống không xác định hoặc sai mật khẩu."
        )
    return client


def client_for_token(session: Session, client_id: str, client_secret: str) -> ApiClient:
    """A connected system asking for a token (OAuth2 client credentials): :func:`authenticate_client`, with the
    issuance in the audit chain."""
    with transaction(session):
        client = authenticate_client(session, client_id, client_secret)
        audit.append(
            session,
            actor=f"system:{client.client_id}",
            action="client.token_issued",
            target=f"client:{client.client_id}",
            authority=client.authority,
        )
    return client
