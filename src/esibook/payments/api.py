"""JSON routes of paying online: the gateway's notification (IPN), and the citizen's payments and orders."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.dates import vietnam_today
from esibook.payments import notifications, service
from esibook.web.deps import db_session
from esibook.web.ratelimit import RateLimited, limit_payment_refusal

router = Router(prefix="/api/v1", tags=["payments"])


class OrderRequest(BaseModel):
    """What to pay for: ``voluntary_si`` (1, 3, 6, 12, or 24–60 months in advance), ``household_hi`` (3, 6, 12), or
    ``voluntary_si_missing_years`` (once for the months missing at retirement age: checked, then refused as not yet
    priced)."""

    kind: str = Field(pattern="^(voluntary_si|household_hi|voluntary_si_missing_years)$")
    months: int = Field(ge=1, le=60)


@router.get("/payments/ipn", dependencies=[Depends(policy.PUBLIC)])
def payment_notification(request: Request, session: Session = Depends(db_session)):
    """The gateway's server-to-server notification (IPN), VNPay's format: the signed result as query parameters;
    the answer is ``{"RspCode", "Message"}`` (00 confirmed, 01 order not found, 02 already confirmed, 04 invalid
    amount, 97 invalid signature, 99 other). Past the limit of refused notifications from one address: HTTP 429
    with ``Retry-After`` and ``{"RspCode": "99", "Message": "Too many refused notifications"}``, nothing written.
    Carries no personal data."""
    try:
        return notifications.handle(session, request.app.state.settings, dict(request.query_params),
                                    refusal_gate=lambda: limit_payment_refusal(request))
    except RateLimited as limited:
        return JSONResponse(notifications.TOO_MANY, status_code=429,
                            headers={"retry-after": str(limited.retry_after)})


@router.get("/me/payments")
def my_payments(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    """The voluntary registration's paid and due months, the price of each term, and the latest orders."""
    view = service.overview(session, caller, vietnam_today())
    account = view["account"]
    return {
        "voluntary": account and {
            "income": account.income,
            "support_category": account.category,
            "paid_months": view["recent_paid"],
            "due_months": [str(m) for m in account.due],
            "next_month": str(account.first_unpaid),
            "terms": view["terms"],
        },
        "household": [{"first_month": str(r.first_month), "card_valid_to": r.card.valid_to.isoformat()}
                      for r in view["renewals"]],
        "household_terms": view["household_terms"],
        "orders": [_order(o) for o in view["orders"]],
    }


def _order(order) -> dict:
    return {
        "code": order.code,
        "kind": order.kind,
        "months": order.months,
        "amount": order.amount,
        "status": order.status,
        "created_at": order.created_at.isoformat(timespec="seconds"),
        "paid_at": order.paid_at.isoformat(timespec="seconds") if order.paid_at else None,
    }


@router.post("/me/payments/orders", status_code=201, dependencies=[Depends(csrf_protected)])
def create_order(
    body: OrderRequest,
    request: Request,
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    """Make an order; the answer carries the signed link to the gateway's payment page."""
    ordered = service.create_order(
        session, request.app.state.settings, caller, kind=body.kind, months=body.months,
        client_ip=request.client.host if request.client else "127.0.0.1",
    )
    return {**_order(ordered.order), "pay_url": ordered.pay_url}
