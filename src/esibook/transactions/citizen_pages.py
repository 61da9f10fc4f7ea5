"""Pages of the citizen: "Online services" (file a procedure with its scans, answer a request for more
information, the household's cover), the in-app messages and the personal repository."""

from __future__ import annotations

import json
import secrets

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.payees import payment_agents
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import claim_payouts
from esibook.benefits.payouts import BANKS
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.params import RowId, SettlementSeq
from esibook.people.reference import RELATIONSHIPS
from esibook.transactions import service
from esibook.transactions.citizen_procedures import reissue_choices
from esibook.transactions.household import household_view
from esibook.transactions.page_forms import page_form
from esibook.transactions.procedures import PROCEDURES, procedure
from esibook.web.deps import db_session, form_data
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


@router.get("/me/messages")
def messages_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    """The in-app inbox: receipts, requests for more information, decisions. Opening it marks them read."""
    return render(request, "messages.html", {"messages": service.read_messages(session, caller)})


@router.get("/me/services")
def services_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    return _services_page(request, caller, session)


def _services_page(request: Request, caller: Principal, session: Session, *, created=None, error: str | None = None):
    citizen = {code: p for code, p in PROCEDURES.items() if p.filer == "citizen"}
    dossiers = service.my_dossiers(session, caller)
    context = {
        "procedures": citizen,
        "dossiers": dossiers,
        "forms": {d.id: json.loads(d.form) for d in dossiers if d.status == "needs_info"},
        "asks": {d.id: service.last_request(session, d.id) for d in dossiers if d.status == "needs_info"},
        "relationships": {code: (vi, en) for code, vi, en in RELATIONSHIPS},
        **household_view(session, caller, vietnam_today()),
        **reissue_choices(session, caller.person_id),
        "created": created,
        "error": error,
        "idempotency_key": secrets.token_urlsafe(16),
        "banks": BANKS,
        **_payout_context(session, caller),
    }
    return render(request, "services.html", context, status_code=400 if error else 200)


def _payout_context(session: Session, caller: Principal) -> dict:
    """Whom a claim may name to receive the benefit, and the caller's one-off payouts (masked, held ones first)."""
    if caller.person_id is None:
        return {"payment_agents": [], "benefit_payouts": []}
    payouts = claim_payouts.payouts_of(session, caller.person_id)
    return {"payment_agents": payment_agents(session, caller.person_id),
            "benefit_payouts": sorted(payouts, key=lambda p: p["status"] != "held")}


@router.post("/me/benefit-payouts/{person_id}/{seq}", dependencies=[Depends(csrf_protected)])
def choose_payout_page(
    request: Request,
    person_id: RowId,
    seq: SettlementSeq,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    """Name another way for a held payout (the same choice as on a claim form)."""
    form = claim_payouts.choice_fields(data)
    try:
        claim_payouts.choose_again(session, caller, person_id, seq, form)
    except DomainError as failure:
        return _services_page(request, caller, session, error=failure.message(_lang(request)))
    return _services_page(request, caller, session)


@router.post("/me/services/{procedure_code}", dependencies=[Depends(csrf_protected)])
def file_service(
    request: Request,
    procedure_code: str,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    try:
        form, uploads, key = page_form(data, procedure(procedure_code))
        result = service.submit(
            session,
            request.app.state.settings,
            caller,
            procedure_code=procedure_code,
            form=form,
            idempotency_key=key,
            attachments=uploads,
        )
    except DomainError as failure:
        return _services_page(request, caller, session, error=failure.message(_lang(request)))
    return _services_page(request, caller, session, created=result.dossier)


@router.post("/me/dossiers/{dossier_id}/resubmit", dependencies=[Depends(csrf_protected)])
def resubmit_page(
    request: Request,
    dossier_id: RowId,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    """Answer a request for more information: the corrected form and any scans asked for."""
    try:
        dossier = service.readable_dossier(session, caller, dossier_id)
        form, uploads, _ = page_form(data, procedure(dossier.procedure))
        result = service.resubmit(session, request.app.state.settings, caller, dossier_id, form, uploads)
    except DomainError as failure:
        return _services_page(request, caller, session, error=failure.message(_lang(request)))
    return _services_page(request, caller, session, created=result)


@router.get("/me/repository")
def my_repository_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    documents = service.repository(session, "person", caller.person_id) if caller.person_id else []
    return render(
        request,
        "repository.html",
        {"documents": documents, "owner": caller.name, "download_base": "/api/v1/me/repository"},
    )
