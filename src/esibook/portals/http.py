"""The national systems over HTTPS (docs/portals.md, "The HTTP interface"): :class:`HttpRepository` delivers a
batch of messages with ``POST <url>/documents``, as NDXP's data-sharing APIs and DigiLocker's Push URI take them.

- **Authentication**: an OAuth 2.0 access token of the client-credentials grant (RFC 6749 §4.4, the client
  authenticated with HTTP Basic) from the system's token endpoint, cached until a little before it expires and
  fetched again, once, when the system answers 401; optionally a TLS client certificate (mutual TLS) and the
  system's CA bundle.
- **Integrity**: the body is the canonical JSON (RFC 8785) of ``{"messages": [...]}``; ``Idempotency-Key`` is its
  SHA-256 (hex), and ``JWS-Signature`` a detached JWS (RFC 7515 appendix F, ES256, ``x5c``) over it by the
  installation's service key (the key that signs the status list), so the system checks who sent the batch and
  that nothing changed on the way, against esibook's trust list.
- **Answers**: 2xx ``{"stored": n}`` → n. 5xx, timeouts and connection errors raise, and the push is retried; a
  4xx is a refusal (:class:`PortalRefused`), recorded on the push with the status and the system's code.
"""

from __future__ import annotations

import hashlib
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

from esibook.canonical import canonical_bytes
from esibook.config import Settings
from esibook.errors import DomainError
from esibook.portals.adapters import SYSTEMS, DocumentRepository, LocalRepository
from esibook.trust import jws
from esibook.trust.signer import Signer

#: The ``typ`` of the detached JWS over a batch.
SIGNATURE_TYPE = "esibook-portal-push+jws"
SIGNATURE_HEADER = "JWS-Signature"
#: A token is fetched again this many seconds before the system said it expires.
TOKEN_MARGIN_SECONDS = 30
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")


class PortalError(Exception):
    """A push the system did not take. Its message names the system, the HTTP status and the system's code, never
    the content of the batch, so it is recorded as the push's last error."""


class PortalUnavailable(PortalError):
    """The system could not take the batch now (5xx, an answer not in the interface): retried."""


class PortalRefused(PortalError):
    """The system refused the batch or esibook's credentials (a 4xx): retried up to the attempt limit, but it will
    not pass until someone fixes the configuration or the batch."""


class PortalConfigError(DomainError):
    """A system's settings are incomplete or name a file that cannot be read (one line, at start)."""

    def __init__(self, message: str):
        super().__init__("portals.config", message, f"cấu hình kết nối cổng sai: {message}")


def batch_body(messages: list[dict]) -> bytes:
    """The body of a push: canonical JSON, so the same batch is the same bytes (and the same idempotency key)."""
    return canonical_bytes({"messages": messages})


def idempotency_key(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Connection:
    """How esibook reaches one system (from ``ESIBOOK_PORTAL_<KEY>_*``). ``repr`` leaves the secret out."""

    system: str
    url: str
    token_url: str
    client_id: str
    client_secret: str
    client_cert: tuple[str, str] | str | None
    verify: str | bool
    timeout: float

    def __repr__(self) -> str:
        return f"Connection({self.system!r}, {self.url!r}, client_id={self.client_id!r})"


def connection(settings: Settings, system: str) -> Connection | None:
    """The system's connection, None when it has no URL (its local stand-in is used); PortalConfigError when it is
    configured but incomplete."""
    setting = lambda name: settings.portal_setting(system, name)  # noqa: E731
    prefix = f"ESIBOOK_PORTAL_{system.upper()}"
    url = setting("url").strip().rstrip("/")
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise PortalConfigError(f"{prefix}_URL must be an https:// URL, not {url[:60]!r}")
    if not setting("client_id"):
        raise PortalConfigError(f"{prefix}_URL is set but {prefix}_CLIENT_ID is not")
    secret = setting("client_secret")
    if not secret and setting("client_secret_file"):
        secret = _read(setting("client_secret_file"), f"{prefix}_CLIENT_SECRET_FILE").strip()
    if not secret:
        raise PortalConfigError(f"{prefix}_URL is set but neither {prefix}_CLIENT_SECRET nor _CLIENT_SECRET_FILE is")
    cert, key = setting("client_cert"), setting("client_key")
    if key and not cert:
        raise PortalConfigError(f"{prefix}_CLIENT_KEY is set but {prefix}_CLIENT_CERT is not")
    for path, name in ((cert, "CLIENT_CERT"), (key, "CLIENT_KEY"), (setting("ca_bundle"), "CA_BUNDLE")):
        if path:
            _read(path, f"{prefix}_{name}")
    link = Connection(
        system=system, url=url, token_url=setting("token_url").strip() or f"{url}/token",
        client_id=setting("client_id"), client_secret=secret,
        client_cert=(str(cert), str(key)) if key else (str(cert) if cert else None),
        verify=str(setting("ca_bundle")) if setting("ca_bundle") else True, timeout=settings.portal_timeout_seconds,
    )
    try:
        tls_context(link)
    except ssl.SSLError as error:
        raise PortalConfigError(f"{prefix}_CLIENT_CERT, _CLIENT_KEY or _CA_BUNDLE is not a usable PEM: "
                                f"{error.reason or error.strerror}") from None
    return link


def _read(path: Path, name: str) -> str:
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise PortalConfigError(f"{name}: cannot read {path}: {error.strerror or type(error).__name__}") from None


def check_settings(settings: Settings) -> dict[str, Connection | None]:
    """Every system's connection (raises PortalConfigError on the first that is wrong): run at start."""
    return {system: connection(settings, system) for system in SYSTEMS}


class HttpRepository:
    """One national system (any of the three Protocols of :mod:`esibook.portals.adapters`) over HTTPS."""

    def __init__(self, link: Connection, signer: Callable[[], Signer]):
        self.destination, self.link, self.signer = link.system, link, signer
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()
        self._client = httpx.Client(verify=tls_context(link), timeout=link.timeout)

    def receive(self, messages: list[dict]) -> int:
        if not messages:
            return 0
        body = batch_body(messages)
        headers = {"content-type": "application/json", "idempotency-key": idempotency_key(body),
                   SIGNATURE_HEADER: jws.sign_detached(self.signer(), body, SIGNATURE_TYPE)}
        answer = self._post(body, headers, self._access_token())
        if answer.status_code == 401:  # expired or revoked before we thought: a new token, once
            self._token = None
            answer = self._post(body, headers, self._access_token())
        return self._stored(answer)

    def _post(self, body: bytes, headers: dict, token: str) -> httpx.Response:
        return self._client.post(f"{self.link.url}/documents", content=body,
                                 headers={**headers, "authorization": f"Bearer {token}"})

    def _stored(self, answer: httpx.Response) -> int:
        if answer.is_success:
            stored = _json(answer).get("stored")
            if isinstance(stored, int) and not isinstance(stored, bool) and stored >= 0:
                return stored
            raise PortalUnavailable(f"{self.destination} answered {answer.status_code} without a count stored")
        raise self._error("refused the push", answer)

    def _access_token(self) -> str:
        with self._lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            answer = self._client.post(self.link.token_url, data={"grant_type": "client_credentials"},
                                       auth=(self.link.client_id, self.link.client_secret))
            if not answer.is_success:
                raise self._error("refused esibook's client credentials", answer)
            found = _json(answer)
            token, lifetime = found.get("access_token"), found.get("expires_in", 300)
            if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
                raise PortalUnavailable(f"{self.destination}'s token endpoint answered without an access token")
            self._token = (token, time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS))
            return token

    def _error(self, what: str, answer: httpx.Response) -> PortalError:
        found = _json(answer)
        code = found.get("code") or found.get("error")
        named = f" {code}" if isinstance(code, str) and _CODE.match(code) else ""
        if answer.status_code >= 500:
            return PortalUnavailable(f"{self.destination} answered {answer.status_code}{named}")
        return PortalRefused(f"{self.destination} {what}: {answer.status_code}{named}")


def tls_context(link: Connection) -> ssl.SSLContext:
    """Whom esibook trusts for the system (its CA bundle, else the machine's), and esibook's own client
    certificate when the system asks for one (mutual TLS)."""
    context = ssl.create_default_context(cafile=link.verify if isinstance(link.verify, str) else None)
    if isinstance(link.client_cert, tuple):
        context.load_cert_chain(*link.client_cert)
    elif link.client_cert:
        context.load_cert_chain(link.client_cert)
    return context


def _json(answer: httpx.Response) -> dict:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def installation_signer(sessions: sessionmaker[Session], settings: Settings) -> Callable[[], Signer]:
    """The installation's service key (role ``log``, the status list's), read when a batch is signed."""
    from esibook.trust.pki import signer_for

    def signer() -> Signer:
        with sessions() as session:
            return signer_for(session, settings, "log")

    return signer


def systems(sessions: sessionmaker[Session], settings: Settings) -> dict[str, DocumentRepository]:
    """Each system's adapter: over HTTPS when it has a URL, else its local stand-in."""
    signer = installation_signer(sessions, settings)
    return {
        system: HttpRepository(link, signer) if link else LocalRepository(system, sessions)
        for system, link in check_settings(settings).items()
    }
