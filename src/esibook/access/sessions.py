"""Browser sessions (server-side, revocable) and their CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, bindparam, select
from sqlalchemy.orm import Session

from esibook.access.models import WebSession
from esibook.access.principal import Identity, Principal, person_principal
from esibook.audit import service as audit
from esibook.canonical import canonical_json
from esibook.db import DriverRead, transaction

SESSION_COOKIE = "esibook_session"


@dataclass(frozen=True)
class ActiveSession:
    identity: Identity
    csrf_token: str
    id_hash: str
    """The stored key of the session (SHA-256 of the cookie's id): API tokens minted for it carry it as ``sid``."""


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(session: Session, identity: Identity, hours: int) -> str:
    """Create a session in the caller's transaction; returns the random id to put in the cookie."""
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=_digest(session_id),
            principal=canonical_json(identity.as_dict()),
            csrf_token=secrets.token_urlsafe(32),
            expires_at=datetime.now(UTC) + timedelta(hours=hours),
        )
    )
    return session_id


def load_session(session: Session, session_id: str | None) -> ActiveSession | None:
    if not session_id:
        return None
    row = session.get(WebSession, _digest(session_id))
    if row is None or row.ended_at is not None:
        return None
    if row.expires_at <= datetime.now(UTC):
        return None
    return ActiveSession(Identity(**json.loads(row.principal)), row.csrf_token, row.id_hash)


_sessions = WebSession.__table__
#: Whether the browser session behind a token is still open, as one row or none (for a read on the event loop).
LIVE_SESSION = DriverRead(select(_sessions.c.id_hash).where(
    _sessions.c.id_hash == bindparam("id_hash"), _sessions.c.ended_at.is_(None),
    _sessions.c.expires_at > bindparam("now", type_=DateTime(timezone=True))))


def session_live(session: Session, id_hash: str) -> bool:
    """Whether the session with this stored key is still open (not logged out, not expired)."""
    row = session.get(WebSession, id_hash)
    return row is not None and row.ended_at is None and row.expires_at > datetime.now(UTC)


def end_session(session: Session, session_id: str) -> Identity | None:
    row = session.get(WebSession, _digest(session_id))
    if row is None or row.ended_at is not None:
        return None
    row.ended_at = datetime.now(UTC)
    return Identity(**json.loads(row.principal))


def csrf_ok(active: ActiveSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(active.csrf_token, submitted)


def sign_in(session: Session, identity: Identity, hours: int) -> tuple[str, Principal]:
    """A signed-in identity's browser session opened, with the login in the audit chain: (the session id for the
    cookie, the caller)."""
    with transaction(session):
        session_id = open_session(session, identity, hours)
        caller = person_principal(session, identity)
        audit.append(
            session,
            actor=caller.actor,
            action="login",
            target="session",
            details={"level": identity.level, "roles": list(caller.roles)},
        )
    return session_id, caller


def sign_out(session: Session, session_id: str) -> None:
    """The browser session ended (the logout in the audit chain); an unknown or ended session changes nothing."""
    with transaction(session):
        identity = end_session(session, session_id)
        if identity:
            audit.append(session, actor=person_principal(session, identity).actor, action="logout", target="session")
