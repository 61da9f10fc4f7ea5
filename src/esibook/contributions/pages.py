"""Pages: the citizen's contribution timeline with a salary chart, the employer's dues and payments, the officer's
payments and parameters, and the public list of employers in arrears."""

from __future__ import annotations

import json
import secrets
from datetime import date

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access import service as access
from esibook.access.deps import csrf_protected
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.contributions import arrears, payments
from esibook.contributions.models import Payment
from esibook.contributions.parameters_store import load_current_version, parameters_text, versions
from esibook.contributions.timeline import by_year, fund_totals, salary_chart, timeline, unpaid_months
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.params import RowId
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = APIRouter(include_in_schema=False)


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
    employer = session.get(Employer, employer_id)
    context = {
        "employer": employer,
        "months": payments.dues_by_month(session, employer_id, vietnam_today()),
        "payments": session.scalars(
            select(Payment).where(Payment.employer_id == employer_id).order_by(Payment.paid_on.desc()).limit(50)
        ).all(),
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
        "recent": session.execute(
            select(Payment, Employer)
            .join(Employer, Employer.id == Payment.employer_id)
            .where(Employer.authority == authority)
            .order_by(Payment.id.desc())
            .limit(30)
        ).all(),
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
        employer_id = session.scalar(
            select(Employer.id).where(Employer.unit_code == unit_code.strip().upper(), Employer.authority == authority)
        )
        if employer_id is None:
            raise DomainError("payment.employer", "no employer has this unit code", "không có đơn vị mang mã này")
        value = payments.parse_amount(amount)
        result = payments.record_payment(
            session,
            employer_id=employer_id,
            amount=value,
            paid_on=_day(paid_on),
            reference=reference,
            source="entered",
            entered_by=caller.actor,
        )
    except DomainError as error:
        return _officer_payments_page(request, session, caller, error=error.message(_lang(request)))
    return _officer_payments_page(request, session, caller, done=result)


@router.post("/officer/payments/statement", dependencies=[Depends(csrf_protected)])
async def upload_statement(
    request: Request,
    file: UploadFile = File(...),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    authority = _require_collector(caller)
    try:
        data = await file.read(5 * 1024 * 1024)
        result = payments.import_bank_statement(session, data, entered_by=caller.actor, authority=authority)
    except DomainError as error:
        return _officer_payments_page(request, session, caller, error=error.message(_lang(request)))
    return _officer_payments_page(request, session, caller, statement=result)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise DomainError("payment.date", "the date must be YYYY-MM-DD", "ngày phải theo dạng YYYY-MM-DD") from error


@router.get("/officer/parameters")
def parameters_page(
    request: Request, caller: Principal = Depends(policy.OFFICER.page), session: Session = Depends(db_session)
):
    """The dated parameters in force and every version loaded."""
    access.require_officer(caller)
    with transaction(session):
        current = load_current_version(session)
    return render(
        request,
        "officer_parameters.html",
        {"current": current, "data": json.loads(parameters_text()), "versions": versions(session)},
    )
