"""A local HTTP stand-in of one national system, speaking the interface of :mod:`esibook.portals.http`, for
development and tests (``esibook portals standin``): a separate small app, not a route of esibook's.

- ``POST /token``: the client-credentials grant for its one client (HTTP Basic, or ``client_id`` and
  ``client_secret`` in the form); a bearer token valid ``token_seconds``; a wrong client: 401 ``invalid_client``.
- ``POST /documents``: checks the token (401 ``token.invalid``), the ``Idempotency-Key`` (the body's SHA-256) and
  the detached JWS over the body (its ``x5c`` chain issued by ``trust_root`` when one is given), then keeps each
  (document id, version) once and answers ``{"stored": n}``, the ones it did not hold yet. Bad input: 400
  ``{code, message}``.

Switches for tests: ``fail_next`` answers 503 to that many pushes before storing; ``lose_next`` stores and then
answers 503, as an answer lost on the way; ``delay`` waits before answering; :meth:`StandIn.revoke_tokens`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from esibook.portals.http import SIGNATURE_HEADER
from esibook.trust import jws

MAX_MESSAGES = 10_000
HOLDER_KINDS = ("person", "organisation")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class StandIn:
    """One system's stand-in: its client, its store (an SQLite file, or memory) and the switches for tests."""

    system: str
    client_id: str
    client_secret: str = field(repr=False)
    store: Path | None = None
    trust_root: x509.Certificate | None = None
    token_seconds: int = 300
    fail_next: int = 0
    lose_next: int = 0
    delay: float = 0.0
    tokens: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.store) if self.store else ":memory:", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS holdings (document_id TEXT, version INTEGER, "
                         "document_type TEXT, holder TEXT, message TEXT, PRIMARY KEY (document_id, version))")
        self._db.commit()

    def revoke_tokens(self) -> None:
        """Forget every token issued (as a system that restarted or rotated its keys)."""
        self.tokens.clear()

    def held(self) -> list[tuple[str, int]]:
        with self._lock:
            return self._db.execute("SELECT document_id, version FROM holdings ORDER BY 1, 2").fetchall()

    def messages(self) -> list[dict]:
        with self._lock:
            return [json.loads(m) for (m,) in self._db.execute("SELECT message FROM holdings ORDER BY 1")]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/token", self._token, methods=["POST"]),
                                 Route("/documents", self._documents, methods=["POST"])])

    async def _token(self, request: Request) -> JSONResponse:
        form = await request.form()
        client_id, secret = _basic(request.headers.get("authorization", ""))
        client_id, secret = client_id or form.get("client_id", ""), secret or form.get("client_secret", "")
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "only client_credentials", oauth=True)
        if not (hmac.compare_digest(str(client_id).encode(), self.client_id.encode())
                and hmac.compare_digest(str(secret).encode(), self.client_secret.encode())):
            return _error(401, "invalid_client", "unknown client or wrong secret", oauth=True)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.token_seconds
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": self.token_seconds})

    async def _documents(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            self._check_token(request.headers.get("authorization", ""))
            _check_integrity(body, request.headers, self.trust_root)
            rows = [self._row(m) for m in _messages(body)]
        except Refused as refused:
            return _error(refused.status, refused.code, refused.message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_next > 0:
            self.fail_next -= 1
            return _error(503, "service.unavailable", "try again later")
        stored = self._keep(rows)
        if self.lose_next > 0:
            self.lose_next -= 1
            return _error(503, "service.unavailable", "stored, but the answer was lost")
        return JSONResponse({"stored": stored})

    def _check_token(self, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or self.tokens.get(token, 0) <= time.monotonic():
            raise Refused(401, "token.invalid", "no valid access token")

    def _row(self, message: dict) -> tuple:
        holder = message["holder"]
        if self.system == "vneid" and holder["kind"] != "person":
            raise Refused(400, "holder.not_person", "the wallet holds persons' documents only")
        return (message["document_id"], message["version"], message["document_type"],
                f"{holder['kind']}:{holder['id']}", json.dumps(message, ensure_ascii=False, sort_keys=True))

    def _keep(self, rows: list[tuple]) -> int:
        with self._lock, self._db:
            before = self._db.total_changes
            self._db.executemany("INSERT OR IGNORE INTO holdings VALUES (?, ?, ?, ?, ?)", rows)
            return self._db.total_changes - before


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return client_id, secret


def _check_integrity(body: bytes, headers, trust_root: x509.Certificate | None) -> None:
    if headers.get("idempotency-key", "") != hashlib.sha256(body).hexdigest():
        raise Refused(400, "idempotency_key.mismatch", "Idempotency-Key is not the SHA-256 of the body")
    try:
        _, chain = jws.verify_detached(headers.get(SIGNATURE_HEADER, ""), body)
    except jws.JwsError as error:
        raise Refused(400, "signature.invalid", f"the body's signature does not verify ({error.reason})") from None
    if trust_root is not None and not _issued_by(chain, trust_root):
        raise Refused(400, "signature.untrusted", "the signing certificate is not issued by the trusted root")


def _issued_by(chain: list[x509.Certificate], root: x509.Certificate) -> bool:
    try:
        chain[0].verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _messages(body: bytes) -> list[dict]:
    try:
        found = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "body.not_json", "the body is not JSON") from None
    batch = found.get("messages") if isinstance(found, dict) else None
    if not isinstance(batch, list) or len(batch) > MAX_MESSAGES:
        raise Refused(400, "body.messages", f"the body must be {{\"messages\": [...]}}, at most {MAX_MESSAGES}")
    for message in batch:
        _check_message(message)
    return batch


def _check_message(message: object) -> None:
    def text(value: object, longest: int) -> bool:
        return isinstance(value, str) and 0 < len(value) <= longest

    if not isinstance(message, dict):
        raise Refused(400, "message.not_object", "each message must be a JSON object")
    version, holder = message.get("version"), message.get("holder")
    if not text(message.get("document_id"), 80) or not text(message.get("document_type"), 40):
        raise Refused(400, "message.document_id", "document_id and document_type must be short texts")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 2**31 - 1:
        raise Refused(400, "message.version", "version must be a positive integer")
    if not isinstance(holder, dict) or holder.get("kind") not in HOLDER_KINDS or not text(holder.get("id"), 40):
        raise Refused(400, "message.holder", "holder must be {kind: person|organisation, id}")


def _error(status: int, code: str, message: str, *, oauth: bool = False) -> JSONResponse:
    answer = {"code": code, "message": message}
    if oauth:  # RFC 6749 §5.2 names the fields error and error_description
        answer |= {"error": code, "error_description": message}
    return JSONResponse(answer, status_code=status)
