"""The pensioner's page: the pension, every month settled (amount, how paid, status) and where it is paid, with
the form to change that from the next month; and "My monthly benefit payments", every month of each monthly
benefit (the pension, the unemployment allowance, the survivors' and accident/disease allowances) with the
benefit named per line, held months with why, and where each is paid."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.payees import payment_agents
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import claim_payouts, monthly_benefit_view, pension_view, pensions
from esibook.benefits.payouts import BANKS
from esibook.errors import DomainError
from esibook.params import RowId, SettlementSeq
from esibook.web.deps import db_session, form_data
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


@router.get("/me/pension")
def pension_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """My pension: the award, the payment history (newest first) and where it is paid."""
    return _pension_page(request, caller, session)


def _pension_page(request: Request, caller: Principal, session: Session, *, error: str | None = None,
                  changed: bool = False):
    context = {"view": pension_view.my_pension(session, caller).as_dict(), "banks": pensions.bank_choices(),
               "agents": pension_view.agents_to_choose(caller, session), "error": error, "changed": changed}
    return render(request, "pension.html", context, status_code=400 if error else 200)


@router.post("/me/pension/payment-method", dependencies=[Depends(csrf_protected)])
def change_method_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    """Change where and how the pension is paid: a bank account or cash at a post office, from the next month."""
    try:
        pensions.change_payment_method(session, caller, {k: str(v) for k, v in data.items()})
    except DomainError as failure:
        lang = request_language(request, request.app.state.settings.default_language)
        return _pension_page(request, caller, session, error=failure.message(lang))
    return _pension_page(request, caller, session, changed=True)


@router.get("/me/benefit-payments")
def monthly_payments_page(
    request: Request,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """My monthly benefit payments: every month paid or held, newest first, the benefit named per line."""
    return _monthly_payments_page(request, caller, session)


def _monthly_payments_page(request: Request, caller: Principal, session: Session, *, error: str | None = None,
                           changed: bool = False):
    context = {"view": monthly_benefit_view.my_monthly_payments(session, caller), "banks": BANKS,
               "payment_agents": payment_agents(session, policy.own_person_id(caller)), "error": error,
               "changed": changed}
    return render(request, "monthly_payments.html", context, status_code=400 if error else 200)


@router.post("/me/monthly-benefits/{person_id}/{seq}/payment-method", dependencies=[Depends(csrf_protected)])
def change_monthly_way_page(
    request: Request,
    person_id: RowId,
    seq: SettlementSeq,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    """Name where a monthly benefit is paid, from the next month."""
    form = claim_payouts.choice_fields(data)
    try:
        monthly_benefit_view.change_way(session, caller, person_id, seq, form)
    except DomainError as failure:
        lang = request_language(request, request.app.state.settings.default_language)
        return _monthly_payments_page(request, caller, session, error=failure.message(lang))
    return _monthly_payments_page(request, caller, session, changed=True)
