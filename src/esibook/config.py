"""Settings, read from ``ESIBOOK_*`` environment variables (operators and scripts rely on these names)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One object, built once and passed to ``create_app()`` and to every command."""

    model_config = SettingsConfigDict(env_prefix="ESIBOOK_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    db_pool_size: int = Field(default=4, ge=1, le=1000)
    """Database connections of one server process, and as many requests served at once with a session and
    threads in its threadpool (one number, so the pool cannot run dry: each request holds one session). Few: a
    process serves on one core, and more threads only contend for the interpreter's lock (2 cores, 1 M persons:
    605 book reads/s with 20, 815 with 4; the demo at 500 clients, slowest read 1.4 s with 20, 0.75 s with 4,
    docs/performance.md). Raise it when requests wait long on a remote database."""
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    """How long a request waits for a connection before it is answered 503 ``service.busy``."""
    workers: int | None = Field(default=None, ge=1, le=256)
    """Server processes of ``esibook serve`` and ``esibook demo`` (each with its own pool of ``db_pool_size``); by
    default one per core (one in tests). Rate limits are then counted in a file all of them share
    (:meth:`resolved_rate_limit_storage`)."""
    default_language: Literal["vi", "en"] = "vi"

    # OpenID Connect: the national identity provider (VNeID) or, by default outside production, the built-in
    # development provider at <base_url>/dev-idp.
    oidc_issuer: str = ""
    oidc_client_id: str = "esibook-web"
    oidc_client_secret: str = ""
    oidc_acr_level2: str = "urn:vneid:loa:2"
    oidc_acr_level1: str = "urn:vneid:loa:1"
    oidc_personal_id_claim: str = "personal_id"
    session_hours: int = 8
    access_token_minutes: int = 15

    # Rate limits ("N/second|minute|hour|day", "" for none), counted in ``rate_limit_storage`` (``memory://``:
    # in memory for one process, in a shared file of the data directory when several serve; ``redis://…`` when
    # several machines serve).
    rate_limit_storage: str = "memory://"
    rate_limit_token_client: str = "10/minute"
    rate_limit_token_ip: str = "60/minute"
    rate_limit_login_ip: str = "30/minute"
    rate_limit_share_token: str = "10/minute"
    rate_limit_share_ip: str = "30/minute"
    rate_limit_si_code_ip: str = "20/hour"
    rate_limit_si_code_person: str = "5/day"
    #: Refused payment notifications (forged, replayed, unknown orders) per address; accepted ones never count.
    rate_limit_payment_refused_ip: str = "30/minute"

    @field_validator(
        "rate_limit_token_client",
        "rate_limit_token_ip",
        "rate_limit_login_ip",
        "rate_limit_share_token",
        "rate_limit_share_ip",
        "rate_limit_si_code_ip",
        "rate_limit_si_code_person",
        "rate_limit_payment_refused_ip",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        if value.strip():
            parse(value)  # ValueError names what is wrong
        return value.strip()

    # Audit checkpoints: the signed head of the audit chain, appended to a file the database owner cannot rewrite.
    audit_origin: str = ""
    """The checkpoints' origin line and key name (default ``<host of base_url>/audit``), fixed when the key is made."""
    audit_anchor_file: Path | None = None
    """Where checkpoints are appended (default ``<data_dir>/audit-checkpoints.txt``)."""
    audit_checkpoint_minutes: int = 60
    audit_checkpoint_records: int = 1000
    # The transparency log of book versions (C2SP tlog-tiles at <base_url>/log/).
    log_origin: str = ""
    """The checkpoints' origin line and the log key's name (default ``<host of base_url>/log``), fixed when the key
    is made."""
    log_batch_size: int = 1000
    """The sequencer integrates at most this many pooled entries per batch (one checkpoint each)."""
    log_batch_seconds: float = 1.0
    """How often the sequencer looks at the pool."""
    log_witnesses: str = ""
    """The witnesses asked to cosign each new checkpoint (C2SP tlog-witness), separated by ``;`` or newlines, each
    ``<submission URL prefix> <cosigner verifier key>``, e.g. ``https://w1.example/ w1.example+1a2b3c4d+BASE64``.
    They go into the trust list; a witness that is down delays nothing."""
    log_witness_quorum: int = 0
    """How many of those witnesses' cosignatures the trust list requires on a book's checkpoint (0: none)."""
    log_witness_timeout: float = 5.0
    """Seconds to wait for one witness's answer."""

    # Paying online (payments/): a VNPay-style gateway. Empty URL: the development gateway at <base_url>/dev-gateway.
    payment_gateway_url: str = ""
    """The gateway's payment page (e.g. https://pay.vnpay.vn/vpcpay.html); empty outside production: the dev one."""
    payment_merchant_code: str = "ESIBOOK1"
    """The merchant (terminal) code the gateway gave esibook (``vnp_TmnCode``)."""
    payment_secret: str = ""
    """The shared secret of the HMAC-SHA512 signatures; outside production one is generated at first run."""
    payment_order_minutes: int = Field(default=15, ge=1, le=1440)
    """How long the gateway accepts an order (``vnp_ExpireDate``)."""

    # The national portals and the VNeID wallet (docs/portals.md): a system with a URL is pushed to over HTTPS
    # (esibook.portals.http), one without keeps its local stand-in. Per system key (ndpp, mof, vneid):
    # ESIBOOK_PORTAL_<KEY>_URL, _TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET or _CLIENT_SECRET_FILE, and for mutual TLS
    # _CLIENT_CERT (PEM, the key inside or in _CLIENT_KEY), _CA_BUNDLE (the system's CA, else the system's trust).
    portal_ndpp_url: str = ""
    portal_ndpp_token_url: str = ""
    portal_ndpp_client_id: str = ""
    portal_ndpp_client_secret: str = Field(default="", repr=False)
    portal_ndpp_client_secret_file: Path | None = None
    portal_ndpp_client_cert: Path | None = None
    portal_ndpp_client_key: Path | None = None
    portal_ndpp_ca_bundle: Path | None = None
    portal_mof_url: str = ""
    portal_mof_token_url: str = ""
    portal_mof_client_id: str = ""
    portal_mof_client_secret: str = Field(default="", repr=False)
    portal_mof_client_secret_file: Path | None = None
    portal_mof_client_cert: Path | None = None
    portal_mof_client_key: Path | None = None
    portal_mof_ca_bundle: Path | None = None
    portal_vneid_url: str = ""
    portal_vneid_token_url: str = ""
    portal_vneid_client_id: str = ""
    portal_vneid_client_secret: str = Field(default="", repr=False)
    portal_vneid_client_secret_file: Path | None = None
    portal_vneid_client_cert: Path | None = None
    portal_vneid_client_key: Path | None = None
    portal_vneid_ca_bundle: Path | None = None
    portal_timeout_seconds: float = Field(default=10.0, gt=0)
    """Seconds to wait for a system's token endpoint or its answer to a push (then the push is retried)."""

    def portal_setting(self, system: str, name: str):
        """One of the portal settings above, by system key and name (``url``, ``client_id``, …)."""
        return getattr(self, f"portal_{system}_{name}")

    def resolved_database_url(self) -> str:
        """The database to use: ``ESIBOOK_DATABASE_URL``, else an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'esibook.db').resolve()}"

    def resolved_audit_origin(self) -> str:
        return self.audit_origin or f"{urlsplit(self.base_url).netloc or 'esibook'}/audit"

    def resolved_log_origin(self) -> str:
        return self.log_origin or f"{urlsplit(self.base_url).netloc or 'esibook'}/log"

    def resolved_audit_anchor_file(self) -> Path:
        return self.audit_anchor_file or self.data_dir / "audit-checkpoints.txt"

    def resolved_workers(self) -> int:
        """One server process per core (the demo too: a single Python process serves on one core only); tests
        serve in one."""
        if self.workers:
            return self.workers
        return 1 if self.env == "test" else (os.cpu_count() or 1)

    def resolved_rate_limit_storage(self) -> str:
        """``memory://`` counts per process: when several processes serve, the counts go to a file of the data
        directory that all of them share (``sqlite-file://``; several machines need ``redis://…``)."""
        if self.rate_limit_storage == "memory://" and self.resolved_workers() > 1:
            return f"sqlite-file://{(self.data_dir / 'rate-limits.sqlite').resolve()}"
        return self.rate_limit_storage

    @property
    def dev_idp_enabled(self) -> bool:
        """The development identity provider runs only outside production and only when no real one is set."""
        return self.env != "production" and not self.oidc_issuer

    def resolved_oidc_issuer(self) -> str:
        return self.oidc_issuer or f"{self.base_url.rstrip('/')}/dev-idp"

    def resolved_oidc_client_secret(self) -> str:
        """The configured secret, or (development only) one generated at first run in the data directory."""
        if self.oidc_client_secret or not self.dev_idp_enabled:
            return self.oidc_client_secret
        path = self.data_dir.resolve() / "keys" / "dev-idp-client-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def resolved_payment_secret(self) -> str:
        """The configured secret, or (outside production) one generated at first run in the data directory."""
        if self.payment_secret or self.env == "production":
            return self.payment_secret
        path = self.data_dir.resolve() / "keys" / "payment-gateway-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def resolved_payment_gateway_url(self) -> str:
        """The configured gateway, or (outside production) the development gateway; empty: none configured."""
        if self.payment_gateway_url or self.env == "production":
            return self.payment_gateway_url
        return f"{self.base_url.rstrip('/')}/dev-gateway/pay"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def load_settings(**overrides) -> Settings:
    return Settings(**overrides)
