"""Routes of authorisations (ủy quyền) and of the family: the grantor gives, lists and revokes authorisations;
the authorised person sees who authorised them and files for them; a parent lists the children they represent,
each with their HI card. Every decision is the access policy's, inside the services."""

from __future__ import annotations

import secrets
from datetime import date

from fastapi import Depends, Header, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.errors import DomainError
from esibook.params import RowId
from esibook.transactions.labels import FORM_LABELS
from esibook.transactions.procedures import procedure
from esibook.views import access as people_access
from esibook.views import authorisations as service
from esibook.web.deps import db_session, form_data
from esibook.web.i18n import request_language
from esibook.web.pages import render

api = Router(prefix="/api/v1", tags=["authorisations"])
pages = Router(include_in_schema=False)


class AuthorisationBody(BaseModel):
    agent_personal_id: str = Field(min_length=1, max_length=20, description="The authorised person's personal ID")
    procedures: list[str] = Field(default_factory=list, max_length=40, description="Procedure codes, or ['*']")
    receive_payment: bool = Field(False, description="May receive a benefit paid to me")
    valid_until: date = Field(description="Last day the authorisation holds (Vietnam date)")


class FilingBody(BaseModel):
    procedure: str = Field(min_length=1, max_length=40)
    form: dict = Field(default_factory=dict)


def _as_dict(view: service.AuthorisationView) -> dict:
    return {
        "id": view.id,
        "name": view.other_name,
        "procedures": view.procedures,
        "receive_payment": view.receive_payment,
        "valid_until": view.valid_until.isoformat(),
        "state": view.state,
        "dossiers": [{"id": d.id, "code": d.code, "procedure": d.procedure, "status": d.status} for d in view.dossiers],
    }


@api.get("/me/authorisations", summary="Authorisations I gave and those given to me")
def my_authorisations(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    return {
        "given": [_as_dict(v) for v in service.given(session, caller)],
        "received": [_as_dict(v) for v in service.received(session, caller)],
    }


@api.post(
    "/me/authorisations",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="Authorise another person to file for me and/or receive a benefit for me",
)
def grant(
    body: AuthorisationBody, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    row = service.grant(
        session, caller, agent_personal_id=body.agent_personal_id, procedures=body.procedures,
        receive_payment=body.receive_payment, valid_until=body.valid_until,
    )
    return {"id": row.id, "valid_until": row.valid_until.isoformat(), "state": "active"}


@api.post(
    "/me/authorisations/{authorisation_id}/revoke",
    dependencies=[Depends(csrf_protected)],
    summary="Revoke an authorisation I gave; every later use is refused",
)
def revoke(
    authorisation_id: RowId, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    row = service.revoke(session, caller, authorisation_id)
    return {"id": row.id, "state": "revoked"}


@api.post(
    "/me/authorisations/{authorisation_id}/dossiers",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="File a procedure for the person who authorised me (Idempotency-Key header)",
)
def file_for(
    authorisation_id: RowId,
    body: FilingBody,
    request: Request,
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=80),
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    result = service.file_for(
        session, request.app.state.settings, caller, authorisation_id, procedure_code=body.procedure,
        form=body.form, idempotency_key=idempotency_key, channel="api",
    )
    return {"id": result.dossier.id, "code": result.dossier.code, "status": result.dossier.status,
            "created": result.created}


@api.get(
    "/me/authorisations/{authorisation_id}/benefits",
    summary="Benefits decided for the person who authorised me to receive them",
)
def benefits_to_receive(
    authorisation_id: RowId, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> list[dict]:
    return service.benefits_to_receive(session, caller, authorisation_id, channel="api")


# --- pages ---------------------------------------------------------------------------------------------------


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


@pages.get("/me/authorisations")
def authorisations_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    return _authorisations_page(request, caller, session)


def _authorisations_page(request: Request, caller: Principal, session: Session, *, error: str | None = None):
    context = {
        "given": service.given(session, caller),
        "received": service.received(session, caller),
        "procedures": service.citizen_procedures(),
        "error": error,
    }
    return render(request, "authorisations.html", context, status_code=400 if error else 200)


@pages.post("/me/authorisations", dependencies=[Depends(csrf_protected)])
def grant_on_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    try:
        service.grant(
            session, caller, agent_personal_id=str(data.get("agent_personal_id", "")),
            procedures=[str(v) for v in data.getlist("procedures")],
            receive_payment=data.get("receive_payment") == "yes",
            valid_until=_day(str(data.get("valid_until", ""))),
        )
    except DomainError as failure:
        return _authorisations_page(request, caller, session, error=failure.message(_lang(request)))
    return RedirectResponse("/me/authorisations", status_code=303)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise DomainError(
            "authorisation.valid_until", "give the end date as a day", "hãy nhập ngày hết hạn", field="valid_until"
        ) from error


@pages.post("/me/authorisations/{authorisation_id}/revoke", dependencies=[Depends(csrf_protected)])
def revoke_on_page(
    authorisation_id: RowId, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    service.revoke(session, caller, authorisation_id)
    return RedirectResponse("/me/authorisations", status_code=303)


@pages.get("/me/authorisations/{authorisation_id}/act")
def act_page(
    request: Request,
    authorisation_id: RowId,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """File for the person who authorised me: the procedures in scope, each with its form."""
    return _act_page(request, authorisation_id, caller, session)


def _act_page(request: Request, authorisation_id: int, caller: Principal, session: Session, *,
              error: str | None = None, status_code: int = 200, created=None):
    view = service.acting_for(session, caller, authorisation_id)
    context = {
        "grant": view,
        "benefits": service.benefits_to_receive(session, caller, authorisation_id) if view.may_receive else None,
        "forms": service.forms_in_scope(view),
        "form_labels": FORM_LABELS,
        "error": error,
        "created": created,
        "idempotency_key": secrets.token_urlsafe(16),
    }
    return render(request, "act_for.html", context, status_code=status_code)


@pages.post("/me/authorisations/{authorisation_id}/file/{procedure_code}", dependencies=[Depends(csrf_protected)])
def file_on_page(
    request: Request,
    authorisation_id: RowId,
    procedure_code: str,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    try:
        fields = procedure(procedure_code).form.model_fields
        form = {name: str(data.get(name)).strip() for name in fields if str(data.get(name) or "").strip()}
        result = service.file_for(
            session, request.app.state.settings, caller, authorisation_id, procedure_code=procedure_code,
            form=form, idempotency_key=str(data.get("idempotency_key", "")),
        )
    except DomainError as failure:
        message = failure.message(_lang(request))
        return _act_page(request, authorisation_id, caller, session, error=message, status_code=failure.status)
    return _act_page(request, authorisation_id, caller, session, created=result.dossier)


@pages.get("/me/family")
def family_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    """The persons I legally represent (my children under 18, a represented adult), each with their HI card."""
    return render(request, "family.html", {"dependants": people_access.dependants_with_cards(session, caller)})
