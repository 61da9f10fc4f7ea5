"""Pages of paying online: the citizen's payments (paid, due, choose and pay), the return from the gateway and the
receipt; the officer's reconciliation report; the development gateway's page."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.payments import devgateway, service
from esibook.web.deps import db_session, form_data
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


@router.get("/me/payments")
def payments_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """What is paid and what is due; choose a term and pay."""
    return _payments_page(request, caller, session)


def _payments_page(request: Request, caller: Principal, session: Session, *, error: str | None = None):
    context = {**service.overview(session, caller, vietnam_today()), "error": error,
               "kind_names": service.KIND_NAMES}
    return render(request, "payments.html", context, status_code=400 if error else 200)


@router.post("/me/payments", dependencies=[Depends(csrf_protected)])
def order_page(
    request: Request,
    kind: str = Form(max_length=20),
    months: int = Form(ge=1, le=60),
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """Make the order and send the browser to the gateway."""
    try:
        ordered = service.create_order(
            session, request.app.state.settings, caller, kind=kind, months=months,
            client_ip=request.client.host if request.client else "127.0.0.1", lang=_lang(request),
        )
    except DomainError as failure:
        return _payments_page(request, caller, session, error=failure.message(_lang(request)))
    return RedirectResponse(ordered.pay_url, status_code=303)


@router.get("/me/payments/return")
def return_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    """Where the gateway sends the browser back: the order as the notification left it."""
    result = service.returned(session, request.app.state.settings, caller, dict(request.query_params))
    return render(request, "payment_return.html", {**result, "kind_names": service.KIND_NAMES})


@router.get("/me/payments/receipt")
def receipt_page(
    request: Request,
    order: str | None = None,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """The receipt of a paid order (the latest when none is named)."""
    found = service.receipt(session, caller, (order or "")[:32] or None)
    return render(request, "payment_receipt.html", {**found, "kind_names": service.KIND_NAMES})


@router.get("/officer/payments/reconciliation")
def reconciliation_page(
    request: Request,
    minutes: int = 60,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """Orders of the officer's authority whose notification never came (đối soát)."""
    minutes = min(max(minutes, 1), 60 * 24 * 31)
    rows = service.reconciliation(session, caller, older_than_minutes=minutes)
    return render(request, "payment_reconciliation.html", {"rows": rows, "minutes": minutes})


@router.get("/dev-gateway/pay", dependencies=[Depends(policy.DEVELOPMENT)])
def dev_gateway_page(request: Request):
    """The development gateway's payment page: the order, *pay* or *cancel*."""
    order = devgateway.checked_order(request.app.state.settings, dict(request.query_params))
    return render(request, "dev_gateway.html", {"order": order})


@router.post("/dev-gateway/pay", dependencies=[Depends(policy.DEVELOPMENT)])
def dev_gateway_complete(
    request: Request, session: Session = Depends(db_session), data: FormData = Depends(form_data)
):
    """Pay or cancel: the signed notification to esibook, then back to esibook's return page."""
    params = {k: str(v) for k, v in data.items() if k.startswith("vnp_")}
    url = devgateway.complete(session, request.app.state.settings, params, pay=data.get("outcome") == "pay")
    return RedirectResponse(url, status_code=303)
