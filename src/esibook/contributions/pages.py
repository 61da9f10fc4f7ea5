"""Pages: the citizen's contribution timeline with a salary chart, the employer's dues and payments, the officer's
payments and parameters, and the public list of employers in arrears."""

from __future__ import annotations

import secrets

from fastapi import Depends, File, Form, Request, UploadFile
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.contributions import arrears, payments
from esibook.contributions.parameters_store import parameters_overview
from esibook.contributions.timeline import by_year, fund_totals, salary_chart, timeline, unpaid_months
from esibook.dates import vietnam_today
from esibook.employers import service as employers
from esibook.errors import DomainError
from esibook.params import RowId
from esibook.views import access
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


@router.get("/arrears", dependencies=[Depends(policy.PUBLIC)])
def arrears_page(request: Request, session: Session = Depends(db_session)):
    """Public: employers 30 or more days behind (Decree 164: the agency publishes them)."""
    as_of, rows = arrears.public_list(session)
    return render(request, "arrears.html", {"as_of": as_of, "rows": rows})


@router.get("/me/contributions")
def my_contributions(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    access.require_person(caller)
    months = timeline(session, caller.person_id) if caller.person_id else []
    years = by_year(months)
    lang = _lang(request)
    label = "Mức lương đóng" if lang == "vi" else "Salary basis"
    context = {
        "months": months,
        "years": years,
        "funds": fund_totals(years),
        "unpaid": unpaid_months(months),
        "chart": salary_chart(months, lang, label),
    }
    return render(request, "my_contributions.html", context)


def _employer_dues_page(request: Request, session: Session, caller: Principal, employer_id: int, **extra):
    access.require_employer(caller, employer_id)
    context = {
        "employer": employers.employer(session, employer_id),
        "months": payments.dues_by_month(session, employer_id, vietnam_today()),
        "payments": payments.recent_payments(session, employer_id),
        "credit": payments.credit_of(session, employer_id),
        **extra,
    }
    return render(request, "employer_dues.html", context)


@router.get("/employer/{employer_id}/dues")
def employer_dues(
    request: Request,
    employer_id: RowId,
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    return _employer_dues_page(request, session, caller, employer_id)


def _require_collector(caller: Principal) -> str:
    """Payments are entered by approving officers, for employers of their own authority."""
    authority = access.require_officer(caller)
    if "approver" not in caller.officer_permissions:
        raise forbidden(
            "payment.permission",
            "Entering payments needs the approver permission.",
            "Nhập khoản nộp cần quyền phê duyệt.",
        )
    return authority


def _officer_payments_page(request: Request, session: Session, caller: Principal, **extra):
    authority = _require_collector(caller)
    context = {
        "recent": payments.recent_payments_of_authority(session, authority),
        "reference": f"UNC-{secrets.token_hex(4).upper()}",
        "error": None,
        "done": None,
        **extra,
    }
    return render(request, "officer_payments.html", context, status_code=400 if context["error"] else 200)


@router.get("/officer/payments")
def officer_payments(
    request: Request, caller: Principal = Depends(policy.OFFICER.page), session: Session = Depends(db_session)
):
    return _officer_payments_page(request, session, caller)


@router.post("/officer/payments", dependencies=[Depends(csrf_protected)])
def enter_payment(
    request: Request,
    unit_code: str = Form(...),
    amount: str = Form(...),
    paid_on: str = Form(...),
    reference: str = Form(...),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    authority = _require_collector(caller)
    try:
        result = payments.enter_payment(
            session,
            unit_code=unit_code,
            authority=authority,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            entered_by=caller.actor,
        )
    except DomainError as error:
        return _officer_payments_page(request, session, caller, error=error.message(_lang(request)))
    return _officer_payments_page(request, session, caller, done=result)


@router.post("/officer/payments/statement", dependencies=[Depends(csrf_protected)])
def upload_statement(
    request: Request,
    file: UploadFile = File(...),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    authority = _require_collector(caller)
    try:
        data = file.file.read(5 * 1024 * 1024)
        result = payments.import_bank_statement(session, data, entered_by=caller.actor, authority=authority)
    except DomainError as error:
        return _officer_payments_page(request, session, caller, error=error.message(_lang(request)))
    return _officer_payments_page(request, session, caller, statement=result)


@router.get("/officer/parameters")
def parameters_page(
    request: Request, caller: Principal = Depends(policy.OFFICER.page), session: Session = Depends(db_session)
):
    """The dated parameters in force and every version loaded."""
    access.require_officer(caller)
    return render(request, "officer_parameters.html", parameters_overview(session))
