"""JSON routes for signed-in persons, officers, employers, clinics and connected systems."""

from __future__ import annotations

from typing import Literal

from fastapi import Depends, Form, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import accesses_of
from esibook.access.deps import csrf_protected, web_session
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.access.tokens import client_for_token, issue_person_token, issue_system_token
from esibook.errors import DomainError
from esibook.params import RowId, SmallNumber
from esibook.views import access as service
from esibook.views import sharing
from esibook.web.deps import db_session
from esibook.web.errors import OAUTH_ERROR_RESPONSES
from esibook.web.ratelimit import limit_share, limit_token

router = Router(prefix="/api/v1", tags=["access"])
oauth = Router(tags=["access"])


@router.get("/me", summary="Who I am and my record (all groups at level 2, status only at level 1)")
def me(
    groups: list[int] | None = Query(None),
    caller: Principal = Depends(policy.PERSON),
    session: Session = Depends(db_session),
) -> dict:
    return {
        "principal": {
            "name": caller.name,
            "roles": list(caller.roles),
            "level": caller.level,
            "officer_authority": caller.officer_authority,
            "employer_ids": sorted(caller.employer_ids),
            "clinic_codes": sorted(caller.clinic_codes),
        },
        "record": service.own_record(session, caller, groups=groups),
    }


@router.post(
    "/me/token",
    dependencies=[Depends(csrf_protected)],
    summary="A short-lived bearer token for the API, for the signed-in browser session",
)
def my_token(request: Request, caller: Principal = Depends(policy.PERSON)) -> dict:
    active = web_session(request)
    if active is None:
        raise forbidden(
            "access.session_required",
            "Sign in with VNeID in the browser first.",
            "Hãy đăng nhập bằng VNeID trên trình duyệt trước.",
        )
    settings = request.app.state.settings
    return {
        "access_token": issue_person_token(settings, active.identity, session_id_hash=active.id_hash),
        "token_type": "Bearer",
        "expires_in": settings.access_token_minutes * 60,
    }


@router.get("/me/access-log", summary="Who accessed my data")
def my_access_log(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    service.require_person(caller)
    if caller.person_id is None:
        return []
    return [
        {
            "at": e.at.isoformat(),
            "accessor_kind": e.accessor_kind,
            "accessor": e.accessor,
            "groups": [int(g) for g in e.groups.split(",") if g],
            "purpose": e.purpose,
            "outcome": e.outcome,
            "channel": e.channel,
            "consent_id": e.consent_id,
        }
        for e in accesses_of(session, caller.person_id)
    ]


@router.get("/me/dependants", summary="Persons I legally represent")
def my_dependants(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return [
        {"person_id": p.id, "full_name": p.full_name, "date_of_birth": p.date_of_birth.isoformat()}
        for p in service.dependants(session, caller)
    ]


@router.get("/me/dependants/{person_id}", summary="The record of a person I represent")
def dependant_record(
    person_id: RowId, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    return service.own_record(session, caller, person_id=person_id)


class ShareRequest(BaseModel):
    extract: Literal["insured_months", "hi_card_valid", "data_group"]
    parameter: SmallNumber | None = None
    days: int = Field(7, ge=1, le=sharing.MAX_DAYS)


@router.post(
    "/me/share-links",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="Share an extract of my data for a limited time",
)
def create_share_link(
    body: ShareRequest,
    request: Request,
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    link = sharing.create_link(session, caller, extract=body.extract, parameter=body.parameter, days=body.days)
    url = f"{request.app.state.settings.base_url.rstrip('/')}/s/{link.token}"
    return {"id": link.id, "url": url, "passcode": link.passcode, "expires_at": link.expires_at.isoformat()}


@router.get("/me/share-links", summary="My share links")
def list_share_links(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return [
        {
            "id": s.id,
            "extract": s.extract,
            "parameter": s.parameter,
            "expires_at": s.expires_at.isoformat(),
            "revoked": s.revoked_at is not None,
            "views": s.views,
        }
        for s in sharing.my_links(session, caller)
    ]


@router.delete(
    "/me/share-links/{link_id}", status_code=204, dependencies=[Depends(csrf_protected)], summary="Revoke a share link"
)
def revoke_share_link(
    link_id: RowId, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
):
    sharing.revoke_link(session, caller, link_id)


class PasscodeBody(BaseModel):
    passcode: str = Field(min_length=1, max_length=12)


@router.post(
    "/shared/{token}",
    dependencies=[Depends(policy.SHARE_LINK), Depends(limit_share)],
    summary="Open a share link with its passcode",
)
def open_shared(token: str, body: PasscodeBody, session: Session = Depends(db_session)) -> dict:
    return sharing.open_link(session, token, body.passcode)


@router.get("/officer/persons", summary="Search persons of my authority (name with or without accents, ID)")
def officer_search(
    q: str = Query(min_length=1, max_length=100),
    caller: Principal = Depends(policy.OFFICER),
    session: Session = Depends(db_session),
) -> list[dict]:
    return [m.as_dict() for m in service.officer_search(session, caller, q)]


@router.get("/officer/persons/{person_id}", summary="A person's record, for a stated purpose (logged)")
def officer_person(
    person_id: RowId,
    purpose: str = Query(...),
    groups: list[int] | None = Query(None),
    caller: Principal = Depends(policy.OFFICER),
    session: Session = Depends(db_session),
) -> dict:
    return service.officer_view(session, caller, person_id, purpose=purpose, groups=groups)


@router.get("/employers/{employer_id}/employees", summary="Current employees of an employer I represent")
def employer_employees(
    employer_id: RowId, caller: Principal = Depends(policy.EMPLOYER), session: Session = Depends(db_session)
) -> list[dict]:
    return service.employees(session, caller, employer_id)


@router.get("/employers/{employer_id}/employees/{person_id}", summary="An employee's groups 1 and 4 (logged)")
def employer_employee(
    employer_id: RowId,
    person_id: RowId,
    caller: Principal = Depends(policy.EMPLOYER),
    session: Session = Depends(db_session),
) -> dict:
    return service.employee_view(session, caller, employer_id, person_id)


@router.get("/clinic/cards/{personal_id}", summary="Check-in: is this person's HI card valid today? (logged)")
def clinic_card(personal_id: str, caller: Principal = Depends(policy.CLINIC), session: Session = Depends(db_session)):
    return service.clinic_card_check(session, caller, personal_id)


@router.get(
    "/exchange/persons/{personal_id}/groups/{group}",
    summary="Data exchange: one data group of one person, for a granted group and purpose (logged)",
)
def exchange(
    personal_id: str,
    group: int,
    purpose: str | None = Query(None),
    x_purpose: str | None = Header(None),
    caller: Principal = Depends(policy.SYSTEM),
    session: Session = Depends(db_session),
) -> dict:
    return service.exchange_read(session, caller, personal_id, group, purpose or x_purpose)


@oauth.post(
    "/oauth/token",
    dependencies=[Depends(policy.PUBLIC), Depends(limit_token)],
    summary="OAuth2 client credentials: a bearer token for a connected system",
    responses=OAUTH_ERROR_RESPONSES,
)
def token(
    request: Request,
    grant_type: str = Form(""),
    client_id: str = Form(""),
    client_secret: str = Form(""),
    session: Session = Depends(db_session),
):
    if grant_type != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    try:
        client = client_for_token(session, client_id, client_secret)
    except DomainError:
        return JSONResponse({"error": "invalid_client"}, status_code=401)
    settings = request.app.state.settings
    return {
        "access_token": issue_system_token(settings, client),
        "token_type": "Bearer",
        "expires_in": settings.access_token_minutes * 60,
        "scope": " ".join(f"group:{g}" for g in client.groups.split(",")),
    }
