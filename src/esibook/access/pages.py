"""Sign-in and sign-out, and the pages: My data, Who accessed my data, Share links, Officer search."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from esibook.access import consent, policy
from esibook.access.accesslog import accesses_of
from esibook.access.deps import LoginRedirect, csrf_protected, page_principal
from esibook.access.oidc import LOGIN_COOKIE, LOGIN_COOKIE_PATH, LoginError, browser_key, finish_login, start_login
from esibook.access.principal import Principal
from esibook.access.purposes import PURPOSES, RECORD_PURPOSES
from esibook.access.routing import Router
from esibook.access.sessions import SESSION_COOKIE, sign_in, sign_out
from esibook.book import service as books
from esibook.errors import DomainError
from esibook.params import RowId, SmallNumber, dossier_code_shown
from esibook.people.labels import GROUPS
from esibook.views import access as service
from esibook.views import sharing
from esibook.views.person import readable_groups
from esibook.web.deps import db_session
from esibook.web.errors import error_response
from esibook.web.i18n import request_language
from esibook.web.pages import render
from esibook.web.ratelimit import limit_login, limit_share

router = Router(include_in_schema=False)
log = logging.getLogger("esibook.access")


def install_login_redirect(app) -> None:
    @app.exception_handler(LoginRedirect)
    async def to_login(request: Request, error: LoginRedirect):
        return RedirectResponse(f"/login?return_to={quote(error.return_to, safe='/')}", status_code=303)


# --- sign-in -------------------------------------------------------------------------------------------------


@router.get("/login", dependencies=[Depends(policy.PUBLIC)])
def login_page(request: Request, return_to: str = "/me", caller: Principal | None = Depends(page_principal)):
    return render(request, "login.html", {"return_to": return_to})


@router.get("/auth/login", dependencies=[Depends(policy.PUBLIC), Depends(limit_login)])
def auth_login(request: Request, return_to: str = "/me", session: Session = Depends(db_session)):
    settings = request.app.state.settings
    browser = browser_key(request.cookies.get(LOGIN_COOKIE))
    response = RedirectResponse(start_login(session, settings, return_to, browser=browser), status_code=303)
    response.set_cookie(
        LOGIN_COOKIE,
        browser,
        max_age=15 * 60,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path=LOGIN_COOKIE_PATH,
    )
    return response


def _forget_login_cookie(response, settings) -> None:
    response.delete_cookie(
        LOGIN_COOKIE, path=LOGIN_COOKIE_PATH, httponly=True, samesite="lax", secure=settings.secure_cookies
    )


@router.get("/auth/callback", dependencies=[Depends(policy.PUBLIC), Depends(limit_login)])
def auth_callback(
    request: Request, state: str = "", code: str = "", error: str = "", session: Session = Depends(db_session)
):
    settings = request.app.state.settings
    try:
        if error:
            raise LoginError(
                "login.provider_error",
                f"The identity provider said: {error}",
                f"Nhà cung cấp định danh báo lỗi: {error}",
            )
        identity, return_to = finish_login(
            session, settings, state=state, code=code, browser=request.cookies.get(LOGIN_COOKIE)
        )
    except LoginError as failure:
        # Nobody is signed in: the audit chain records only what a known principal did. The code alone, no
        # personal data nor the provider's text, goes to the application log.
        log.info("sign-in refused: %s", failure.code)
        refused = error_response(request, failure.status, failure.code, failure.message_vi, failure.message_en)
        _forget_login_cookie(refused, settings)
        return refused
    session_id, caller = sign_in(session, identity, settings.session_hours)
    response = RedirectResponse(landing(caller, return_to), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    _forget_login_cookie(response, settings)
    return response


def landing(caller: Principal, return_to: str) -> str:
    """Where a sign-in ends: the page asked for, except that the default (``/me``) is the unit's page for an
    employer's representative, who comes to file for the unit (their own page stays one tap away in the menu)."""
    if return_to == "/me" and caller.employer_ids:
        return f"/employer/{min(caller.employer_ids)}/employees"
    return return_to


@router.post("/auth/logout", dependencies=[Depends(policy.PUBLIC), Depends(csrf_protected)])
def auth_logout(request: Request, session: Session = Depends(db_session)):
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        sign_out(session, session_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- citizen pages -------------------------------------------------------------------------------------------


@router.get("/me/data")
def my_data(
    request: Request,
    person: RowId | None = None,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """The 7 data groups of the caller, or of a person they represent, with names in place of codes."""
    try:
        record = service.own_record(session, caller, person_id=person)
    except DomainError as error:
        if error.code != "person.no_record":
            raise
        record = None
    if record is not None:
        lang = request_language(request, request.app.state.settings.default_language)
        record["groups"] = readable_groups(record["groups"], lang)
    return render(request, "me.html", {"record": record, "group_names": GROUPS})


@router.get("/me/access-log")
def access_log_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    service.require_person(caller)
    entries = accesses_of(session, caller.person_id) if caller.person_id else []
    decisions = consent.decisions_of(session, caller.person_id)
    return render(
        request,
        "access_log.html",
        {"entries": entries, "decisions": decisions, "group_names": GROUPS,
         "purposes": {**PURPOSES, **RECORD_PURPOSES}},
    )


@router.get("/me/shares")
def shares_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    return render(
        request, "shares.html", {"links": sharing.my_links(session, caller), "created": None, "group_names": GROUPS}
    )


@router.post("/me/shares", dependencies=[Depends(csrf_protected)])
def create_share(
    request: Request,
    extract: str = Form(),
    parameter: SmallNumber | None = Form(None),
    days: int = Form(7),
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    created = sharing.create_link(session, caller, extract=extract, parameter=parameter, days=days)
    url = f"{request.app.state.settings.base_url.rstrip('/')}/s/{created.token}"
    return render(
        request,
        "shares.html",
        {
            "links": sharing.my_links(session, caller),
            "group_names": GROUPS,
            "created": {"url": url, "passcode": created.passcode, "expires_at": created.expires_at},
        },
        status_code=201,
    )


@router.post("/me/shares/{link_id}/revoke", dependencies=[Depends(csrf_protected)])
def revoke_share(
    link_id: RowId, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    sharing.revoke_link(session, caller, link_id)
    return RedirectResponse("/me/shares", status_code=303)


@router.get("/s/{token}", dependencies=[Depends(policy.SHARE_LINK)])
def open_share_page(request: Request, token: str, caller: Principal | None = Depends(page_principal)):
    return render(request, "share_open.html", {"token": token, "extract": None, "error": None})


@router.post("/s/{token}", dependencies=[Depends(policy.SHARE_LINK), Depends(limit_share)])
def open_share(
    request: Request,
    token: str,
    passcode: str = Form(""),
    session: Session = Depends(db_session),
    caller: Principal | None = Depends(page_principal),
):
    try:
        extract, error = sharing.open_link(session, token, passcode), None
    except DomainError as failure:
        extract, error = None, failure
    lang_error = (
        error.message_vi
        if error and request.cookies.get("lang", "vi") == "vi"
        else (error.message_en if error else None)
    )
    return render(
        request,
        "share_open.html",
        {"token": token, "extract": extract, "error": lang_error, "group_names": GROUPS},
        status_code=error.status if error else 200,
    )


# --- officer pages -------------------------------------------------------------------------------------------


@router.get("/officer/search")
def officer_search_page(
    request: Request,
    q: str = Query("", max_length=100),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    service.require_officer(caller)
    results = service.officer_search(session, caller, q) if q.strip() else []
    return render(request, "officer_search.html", {"q": q, "results": results})


@router.get("/officer/persons/{person_id}")
def officer_person_page(
    request: Request,
    person_id: RowId,
    purpose: str = "TTHC",
    filed: str | None = None,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """The person's record for the stated purpose; ``filed``: the dossier a transfer just filed (its code only)."""
    view = service.officer_view(session, caller, person_id, purpose=purpose)
    view["suspended"] = {subject: books.active_suspension(session, person_id, subject) is not None
                         for subject in books.SUBJECTS}
    return render(
        request, "officer_person.html",
        {"view": view, "group_names": GROUPS, "purpose": purpose, "purposes": PURPOSES,
         "filed": dossier_code_shown(filed)},
    )
