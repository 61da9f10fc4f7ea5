"""Access: sign-in attempts, sessions, role grants, API clients, the per-person access log, share links,
consents, authorisations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, created_at_column
from esibook.db import Base, BigIntKey

ROLES = ("officer", "employer_rep", "clinic")
OFFICER_PERMISSIONS = ("reviewer", "approver", "auditor", "key_custodian", "reference_data")


class LoginAttempt(Base):
    """An OpenID Connect authorization request in flight: state, nonce and PKCE verifier, used at most once."""

    __tablename__ = "login_attempts"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(String(300), default="/")
    browser_hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the random value in the browser's login cookie: the callback must come from that browser."""
    created_at: Mapped[datetime] = created_at_column()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal: Mapped[str] = mapped_column(Text)
    """The principal as canonical JSON (who, assurance level, grants) at sign-in."""
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoleGrant(Base):
    """What a person may do besides acting on their own records: officer of one authority with permissions,
    representative of an employer, or staff of a clinic. Identity comes from VNeID; grants come from here."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        authority_check(),
        Index("ix_role_grants_personal_id", "personal_id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(14))
    authority: Mapped[str] = mapped_column(String(8), default="civil")
    permissions: Mapped[str] = mapped_column(String(120), default="")
    """Comma-separated officer permissions: reviewer, approver, auditor, key_custodian, reference_data (national
    reference data: the register of HI clinics; civil officers only)."""
    employer_id: Mapped[int | None] = mapped_column(BigInteger)
    clinic_code: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiClient(Base):
    """An external system (OAuth2 client credentials), granted specific data groups and purposes."""

    __tablename__ = "api_clients"
    __table_args__ = (authority_check(),)

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(200))
    groups: Mapped[str] = mapped_column(String(20))
    """Comma-separated data groups 1–7 the law grants this system."""
    purposes: Mapped[str] = mapped_column(String(200))
    """Comma-separated purpose codes the system may state."""
    authority: Mapped[str] = mapped_column(String(8), default="civil")
    """The authority whose persons this client may read (its data never leaves that authority)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()


class AccessLogEntry(Base):
    """One access to a person's data by someone else: who, when, which groups, why, and whether it was allowed.
    The person reads these on "Who accessed my data" (ai đã truy cập dữ liệu của tôi)."""

    __tablename__ = "access_log"
    __table_args__ = (CheckConstraint("outcome IN ('allowed', 'refused')", name="outcome"),)

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    accessor_kind: Mapped[str] = mapped_column(String(14))
    accessor: Mapped[str] = mapped_column(String(200))
    """A name the person can understand: "Bệnh viện Đa khoa Hà Nội (system)", "Officer of Bộ Công an"."""
    groups: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(10))
    consent_id: Mapped[int | None] = mapped_column(BigInteger)
    """The person's consent the read was made under, for a purpose that needs one."""


class ShareLink(Base):
    """A time-limited, passcode-protected extract a citizen shares (chia sẻ có thời hạn) and may revoke."""

    __tablename__ = "share_links"
    __table_args__ = (Index("ix_share_links_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(BigInteger)
    extract: Mapped[str] = mapped_column(String(24))
    parameter: Mapped[int | None] = mapped_column(Integer)
    passcode_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    views: Mapped[int] = mapped_column(Integer, default=0)
    failed_passcodes: Mapped[int] = mapped_column(SmallInteger, default=0)


class Consent(Base):
    """A connected system's request to read some data groups of a person for one purpose, and the person's answer
    (sự đồng ý của chủ thể dữ liệu). Pending until answered or until ``answer_by``; once approved, it lasts
    ``days`` days unless revoked. ``person_id`` is empty when the personal ID named no person within the
    system's reach: such a request is kept like any other, seen by nobody, and lapses unanswered."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("days BETWEEN 1 AND 365", name="days"),
        Index("ix_consents_person_id", "person_id"),
        Index("ix_consents_client_id", "client_id", "person_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    client_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(BigInteger)
    groups: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500))
    days: Mapped[int] = mapped_column(SmallInteger)
    requested_at: Mapped[datetime] = created_at_column()
    answer_by: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DevIdpCode(Base):
    """An authorization code of the built-in development identity provider (never in production)."""

    __tablename__ = "dev_idp_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str] = mapped_column(String(300))
    code_challenge: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str] = mapped_column(String(64))
    identity: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_at_column()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Authorisation(Base):
    """A person's authorisation of another person (giấy ủy quyền): to file procedures for them (``procedures``:
    codes, or ``*`` for every procedure a citizen files) and/or to receive a benefit paid to them
    (``receive_payment``), until ``valid_until`` (a Vietnam date, inclusive), unless revoked before. The one access
    policy decides each use (:func:`esibook.access.policy.authorised_representative`)."""

    __tablename__ = "authorisations"
    __table_args__ = (
        CheckConstraint("grantor_id <> agent_id", name="not_self"),
        Index("ix_authorisations_grantor_id", "grantor_id"),
        Index("ix_authorisations_agent_id", "agent_id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    grantor_id: Mapped[int] = mapped_column(BigInteger)
    """The person who authorises (người ủy quyền)."""
    agent_id: Mapped[int] = mapped_column(BigInteger)
    """The person authorised (người được ủy quyền)."""
    procedures: Mapped[str] = mapped_column(String(400), default="")
    receive_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
