"""FastAPI dependencies: who is calling (bearer token or session cookie), and CSRF on cookie-authenticated
writes."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from esibook.access.errors import Forbidden, Unauthenticated, login_required
from esibook.access.models import ApiClient
from esibook.access.principal import CALLER, Identity, Principal, person_principal, principal_of, system_principal
from esibook.access.sessions import LIVE_SESSION, SESSION_COOKIE, ActiveSession, csrf_ok, load_session, session_live
from esibook.access.tokens import verify_token
from esibook.loop_reads import LoopReads
from esibook.web.deps import db_session

CSRF_HEADER = "x-csrf-token"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def has_credentials(request: Request) -> bool:
    """Whether the request brings a bearer token or a sign-in cookie (valid or not: that takes the database)."""
    return bool(_bearer(request) or request.cookies.get(SESSION_COOKIE))


def optional_principal(request: Request, session: Session) -> Principal | None:
    """The caller, or None, looked up in the request's session. Grants and client rights are read fresh, so a
    revocation takes effect at once. The route's reads continue the lookup's transaction (one BEGIN and COMMIT a
    request, not two: a book read does 37% more a second); each statement still runs in its code's authority scope
    (``db._statement_in_scope``), and an action begins a transaction of its own (``db.transaction``)."""
    return _caller(request, session)


def _caller(request: Request, session: Session) -> Principal | None:
    settings = request.app.state.settings
    token = _bearer(request)
    if token:
        claims = verify_token(settings, token)
        if claims.get("kind") == "system":
            client = session.get(ApiClient, claims["sub"])
            if client is None or not client.active:
                raise Unauthenticated(
                    "access.client_inactive",
                    "This system's access was withdrawn.",
                    "Quyền truy cập của hệ thống này đã bị thu hồi.",
                )
            return system_principal(client)
        if "sid" in claims and not session_live(session, str(claims["sid"])):
            raise _session_ended()
        return person_principal(session, _identity(claims))
    active = _cookie_session(request, session)
    return person_principal(session, active.identity) if active else None


async def person_on_loop(request: Request, reads: LoopReads) -> Principal | None:
    """:func:`optional_principal` on the event loop, for the common caller of a hot read: a person with a bearer
    token (its signature checked as always, its browser session if it names one and its grants read fresh, on the
    loop's connections). None for any other caller (none, a cookie, a system): the synchronous way decides those."""
    token = _bearer(request)
    if not token:
        return None
    claims = verify_token(request.app.state.settings, token)
    if claims.get("kind") == "system":
        return None
    if "sid" in claims and await reads.first(LIVE_SESSION, {"id_hash": str(claims["sid"]),
                                                            "now": datetime.now(UTC)}) is None:
        raise _session_ended()
    identity = _identity(claims)
    return principal_of(identity, await reads.all(CALLER, {"personal_id": identity.personal_id}))


def _identity(claims: dict) -> Identity:
    """The person a verified token names."""
    return Identity(claims["sub"], claims["pid"], claims.get("name", ""), int(claims["lvl"]))


def _session_ended() -> Unauthenticated:
    return Unauthenticated(
        "access.session_ended",
        "You logged out, so this access token no longer works; log in again.",
        "Bạn đã đăng xuất nên mã truy cập này không còn hiệu lực; hãy đăng nhập lại.",
    )


def _cookie_session(request: Request, session: Session) -> ActiveSession | None:
    """The browser's sign-in session (loaded once per request: the CSRF check and the caller's lookup share it)."""
    if not hasattr(request.state, "web_session"):
        request.state.web_session = load_session(session, request.cookies.get(SESSION_COOKIE))
    return request.state.web_session


def principal(request: Request, session: Session = Depends(db_session)) -> Principal:
    found = optional_principal(request, session)
    if found is None:
        raise login_required()
    return found


def page_principal(request: Request, session: Session = Depends(db_session)) -> Principal | None:
    """The caller of a page open to anyone, or None; the page's layout shows who is signed in
    (``request.state.viewer``)."""
    found = optional_principal(request, session)
    request.state.viewer = found
    return found


class LoginRedirect(Exception):
    """Raised by a page's audience for an anonymous visitor: the page answers with a redirect to the login."""

    def __init__(self, return_to: str):
        self.return_to = return_to


def _cookie_session_read(request: Request, session: Session) -> ActiveSession | None:
    try:
        return _cookie_session(request, session)
    finally:
        session.commit()


def web_session(request: Request) -> ActiveSession | None:
    return getattr(request.state, "web_session", None)


async def csrf_protected(request: Request, session: Session = Depends(db_session)) -> None:
    """Writes authenticated by the session cookie must carry the session's CSRF token (form field or header)."""
    if _bearer(request):
        return
    active = await run_in_threadpool(_cookie_session_read, request, session)
    if active is None:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        submitted = (await request.form()).get("csrf_token")
    if not csrf_ok(active, submitted):
        raise Forbidden(
            "access.csrf",
            "This form has expired or did not come from this site; reload and try again.",
            "Biểu mẫu đã hết hạn hoặc không xuất phát từ trang này; hãy tải lại và thử lại.",
        )
