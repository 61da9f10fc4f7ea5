"""Pages: employer "Employees" (register one, upload a list, report leavers, dossiers), officer "Queue" and
dossier review, the repositories, and the demo mailbox."""

from __future__ import annotations

import secrets
from datetime import date

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import service as access
from esibook.access.deps import csrf_protected
from esibook.access.errors import forbidden
from esibook.access.pages import signed_in
from esibook.access.principal import Principal
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.transactions import service
from esibook.transactions.api import dossier_view
from esibook.transactions.models import DeliveredMessage
from esibook.transactions.procedures import PROCEDURES
from esibook.transactions.uploads import read_employee_list
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = APIRouter(include_in_schema=False)


def _employer_page(request: Request, session: Session, caller: Principal, employer_id: int, **extra):
    employer = session.get(Employer, employer_id)
    context = {
        "employer": employer,
        "employees": access.employees(session, caller, employer_id),
        "dossiers": service.employer_dossiers(session, caller, employer_id),
        "procedures": PROCEDURES,
        "idempotency_key": secrets.token_urlsafe(16),
        "error": None,
        "created": None,
        **extra,
    }
    return render(request, "employer_employees.html", context, status_code=400 if extra.get("error") else 200)


@router.get("/employer/{employer_id}/employees")
def employees_page(
    request: Request, employer_id: int, caller: Principal = Depends(signed_in), session: Session = Depends(db_session)
):
    return _employer_page(request, session, caller, employer_id)


@router.post("/employer/{employer_id}/register", dependencies=[Depends(csrf_protected)])
async def register_page(
    request: Request,
    employer_id: int,
    idempotency_key: str = Form(...),
    file: UploadFile | None = File(None),
    personal_id: str = Form(""),
    job_title: str = Form(""),
    salary: str = Form(""),
    from_month: str = Form(""),
    caller: Principal = Depends(signed_in),
    session: Session = Depends(db_session),
):
    try:
        if file is not None and file.filename:
            employees = read_employee_list(await file.read(3 * 1024 * 1024))
        else:
            employees = [
                {
                    "personal_id": personal_id,
                    "job_title": job_title,
                    "salary": int(salary.replace(".", "") or 0),
                    "from_month": from_month,
                }
            ]
        result = service.register_employees(
            session,
            request.app.state.settings,
            caller,
            employer_id=employer_id,
            employees=employees,
            idempotency_key=idempotency_key,
        )
    except (DomainError, ValueError) as error:
        message = error.message(_lang(request)) if isinstance(error, DomainError) else str(error)
        return _employer_page(request, session, caller, employer_id, error=message)
    return _employer_page(request, session, caller, employer_id, created=result.dossier)


@router.post("/employer/{employer_id}/leavers", dependencies=[Depends(csrf_protected)])
def leavers_page(
    request: Request,
    employer_id: int,
    idempotency_key: str = Form(...),
    personal_id: str = Form(...),
    last_month: str = Form(...),
    reason: str = Form(...),
    caller: Principal = Depends(signed_in),
    session: Session = Depends(db_session),
):
    try:
        result = service.submit(
            session,
            request.app.state.settings,
            caller,
            procedure_code="report_leavers",
            form={"leavers": [{"personal_id": personal_id, "last_month": last_month, "reason": reason}]},
            idempotency_key=idempotency_key,
            employer_id=employer_id,
        )
    except DomainError as error:
        return _employer_page(request, session, caller, employer_id, error=error.message(_lang(request)))
    return _employer_page(request, session, caller, employer_id, created=result.dossier)


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


@router.get("/me/services")
def services_page(
    request: Request,
    caller: Principal = Depends(signed_in),
    session: Session = Depends(db_session),
    created=None,
    error: str | None = None,
):
    citizen = {code: p for code, p in PROCEDURES.items() if p.filer == "citizen"}
    context = {
        "procedures": citizen,
        "dossiers": service.my_dossiers(session, caller),
        "created": created,
        "error": error,
        "idempotency_key": secrets.token_urlsafe(16),
    }
    return render(request, "services.html", context, status_code=400 if error else 200)


@router.post("/me/services/{procedure_code}", dependencies=[Depends(csrf_protected)])
async def file_service(
    request: Request,
    procedure_code: str,
    caller: Principal = Depends(signed_in),
    session: Session = Depends(db_session),
):
    form = dict(await request.form())
    key = str(form.pop("idempotency_key", ""))
    form.pop("csrf_token", None)
    form = {k: v for k, v in form.items() if v != ""}  # an empty optional field is no answer
    try:
        result = service.submit(
            session, request.app.state.settings, caller, procedure_code=procedure_code, form=form, idempotency_key=key
        )
    except DomainError as failure:
        return services_page(request, caller, session, error=failure.message(_lang(request)))
    return services_page(request, caller, session, created=result.dossier)


@router.get("/officer/queue")
def queue_page(
    request: Request,
    procedure: str | None = None,
    caller: Principal = Depends(signed_in),
    session: Session = Depends(db_session),
):
    dossiers = service.queue(session, caller, procedure_code=procedure or None)
    return render(
        request,
        "officer_queue.html",
        {"dossiers": dossiers, "procedures": PROCEDURES, "procedure": procedure, "today": date.today()},
    )


@router.get("/officer/dossiers/{dossier_id}")
def dossier_page(
    request: Request, dossier_id: int, caller: Principal = Depends(signed_in), session: Session = Depends(db_session)
):
    dossier = service.get_dossier(session, dossier_id)
    if not caller.is_officer or caller.officer_authority != dossier.authority:
        raise forbidden(
            "access.officer_only",
            "Only an officer of this authority may review it.",
            "Chỉ cán bộ của cơ quan quản lý mới xét duyệt được.",
        )
    return render(
        request,
        "officer_dossier.html",
        {"dossier": dossier_view(session, dossier), "procedure": PROCEDURES[dossier.procedure]},
    )


@router.post("/officer/dossiers/{dossier_id}/act", dependencies=[Depends(csrf_protected)])
def dossier_act(
    request: Request,
    dossier_id: int,
    action: str = Form(...),
    note: str = Form(""),
    caller: Principal = Depends(signed_in),
    session: Session = Depends(db_session),
):
    service.act(session, request.app.state.settings, caller, dossier_id, action, note)
    return RedirectResponse("/officer/queue", status_code=303)


@router.get("/me/repository")
def my_repository_page(
    request: Request, caller: Principal = Depends(signed_in), session: Session = Depends(db_session)
):
    documents = service.repository(session, "person", caller.person_id) if caller.person_id else []
    return render(request, "repository.html", {"documents": documents, "owner": caller.name})


@router.get("/employer/{employer_id}/repository")
def employer_repository_page(
    request: Request, employer_id: int, caller: Principal = Depends(signed_in), session: Session = Depends(db_session)
):
    service.employer_dossiers(session, caller, employer_id)
    employer = session.get(Employer, employer_id)
    return render(
        request,
        "repository.html",
        {"documents": service.repository(session, "employer", employer_id), "owner": employer.name},
    )


@router.get("/demo/mailbox")
def mailbox_page(request: Request, session: Session = Depends(db_session)):
    """The demo's mail sink (development only): every email the system sent."""
    if not request.app.state.settings.dev_idp_enabled:
        raise forbidden(
            "demo.only", "The demo mailbox exists only in the demo.", "Hộp thư thử nghiệm chỉ có khi chạy thử."
        )
    mails = session.scalars(
        select(DeliveredMessage)
        .where(DeliveredMessage.channel == "email")
        .order_by(DeliveredMessage.outbox_id.desc())
        .limit(200)
    ).all()
    return render(request, "mailbox.html", {"mails": mails})
