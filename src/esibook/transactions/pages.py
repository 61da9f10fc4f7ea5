"""Pages: employer "Employees" (register one, upload a list, report leavers, dossiers), officer "Queue" and
dossier review, the repositories, and the demo mailbox."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import get_origin

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access import service as access
from esibook.access.deps import csrf_protected
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.contributions.parameters import current_parameters
from esibook.dates import vietnam_today
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.money import parse_vnd
from esibook.notify.models import DeliveredMessage
from esibook.params import RowId, ascii_int
from esibook.people.models import Person
from esibook.people.reference import RELATIONSHIPS
from esibook.periods import Month
from esibook.text import N_
from esibook.transactions import service
from esibook.transactions.api import dossier_view
from esibook.transactions.attachments import Upload
from esibook.transactions.conversion import MAX_BYTES as MAX_SCAN_BYTES
from esibook.transactions.household import household_of, insured_on, member_amount
from esibook.transactions.labels import AMOUNTS, FORM_LABELS, MONTHS, readable
from esibook.transactions.merging import MAX_PAPER_PERIODS
from esibook.transactions.models import Dossier
from esibook.transactions.procedures import PROCEDURES, procedure
from esibook.transactions.uploads import read_employee_rows, template_csv, template_xlsx
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
    created = context["created"]
    if created is not None and created.procedure == "register_employees":
        context["filed"] = json.loads(created.form).get("employees", [])
    return render(request, "employer_employees.html", context, status_code=400 if extra.get("error") else 200)


@router.get("/employer/{employer_id}/employees")
def employees_page(
    request: Request,
    employer_id: RowId,
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    return _employer_page(request, session, caller, employer_id)


@router.post("/employer/{employer_id}/register", dependencies=[Depends(csrf_protected)])
async def register_page(
    request: Request,
    employer_id: RowId,
    idempotency_key: str = Form(...),
    file: UploadFile | None = File(None),
    personal_id: str = Form(""),
    job_title: str = Form(""),
    salary: str = Form(""),
    from_month: str = Form(""),
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    """A list is read and shown row by row with each row's problem (nothing filed yet); one employee is filed."""
    try:
        if file is not None and file.filename:
            rows = read_employee_rows(await file.read(3 * 1024 * 1024))
            checks = service.preview_registration(session, caller, employer_id=employer_id, rows=rows)
            return _preview_page(request, session, employer_id, checks, idempotency_key)
        employees = [
            {"personal_id": personal_id, "job_title": job_title, "salary": parse_vnd(salary) or 0,
             "from_month": from_month}
        ]
        return _register(request, session, caller, employer_id, employees, idempotency_key)
    except (DomainError, ValueError) as error:
        message = error.message(_lang(request)) if isinstance(error, DomainError) else str(error)
        return _employer_page(request, session, caller, employer_id, error=message)


@router.post("/employer/{employer_id}/register/confirm", dependencies=[Depends(csrf_protected)])
def confirm_register_page(
    request: Request,
    employer_id: RowId,
    idempotency_key: str = Form(...),
    employees: str = Form(...),
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    """File the list the preview showed (every row is checked again as it is filed)."""
    try:
        listed = json.loads(employees)
        if not isinstance(listed, list) or not all(isinstance(row, dict) for row in listed):
            raise ValueError
    except ValueError:
        message = "the list was lost: upload it again" if _lang(request) == "en" else "mất danh sách: hãy tải lên lại"
        return _employer_page(request, session, caller, employer_id, error=message)
    rows = [{**row, "salary": parse_vnd(row.get("salary")) or 0} for row in listed]
    try:
        return _register(request, session, caller, employer_id, rows, idempotency_key)
    except DomainError as error:
        return _employer_page(request, session, caller, employer_id, error=error.message(_lang(request)))


def _register(request, session, caller, employer_id: int, employees: list[dict], idempotency_key: str):
    result = service.register_employees(
        session,
        request.app.state.settings,
        caller,
        employer_id=employer_id,
        employees=employees,
        idempotency_key=idempotency_key,
    )
    return _employer_page(request, session, caller, employer_id, created=result.dossier)


def _preview_page(request: Request, session: Session, employer_id: int, checks: list, idempotency_key: str):
    fine = [check.listed for check in checks if check.problem is None]
    context = {
        "employer": session.get(Employer, employer_id),
        "checks": checks,
        "fine": len(fine),
        "listed_json": json.dumps([check.listed for check in checks], ensure_ascii=False),
        "idempotency_key": idempotency_key,
        "lang_code": _lang(request),
    }
    return render(request, "employer_preview.html", context)


@router.get("/employer/{employer_id}/list-template.csv")
def list_template_csv(employer_id: RowId, caller: Principal = Depends(policy.EMPLOYER.page)):
    """The D02-LT list with Vietnamese headings, to fill in a spreadsheet and upload."""
    return _template(caller, employer_id, template_csv(), "csv", "text/csv; charset=utf-8")


@router.get("/employer/{employer_id}/list-template.xlsx")
def list_template_xlsx(employer_id: RowId, caller: Principal = Depends(policy.EMPLOYER.page)):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _template(caller, employer_id, template_xlsx(), "xlsx", media_type)


def _template(caller: Principal, employer_id: int, content: bytes, suffix: str, media_type: str) -> Response:
    policy.represents_employer(caller, employer_id)
    disposition = f'attachment; filename="mau-bao-tang-D02-LT.{suffix}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.post("/employer/{employer_id}/leavers", dependencies=[Depends(csrf_protected)])
def leavers_page(
    request: Request,
    employer_id: RowId,
    idempotency_key: str = Form(...),
    personal_id: str = Form(...),
    last_month: str = Form(...),
    reason: str = Form(...),
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    leaver = {"personal_id": personal_id, "last_month": last_month, "reason": reason}
    return _file_for_employer(
        request, session, caller, employer_id, "report_leavers", lambda: {"leavers": [leaver]}, idempotency_key
    )


@router.post("/employer/{employer_id}/adjust", dependencies=[Depends(csrf_protected)])
def adjust_page(
    request: Request,
    employer_id: RowId,
    idempotency_key: str = Form(...),
    personal_id: str = Form(...),
    from_month: str = Form(...),
    salary: str = Form(...),
    job_title: str = Form(""),
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    change = {"personal_id": personal_id, "from_month": from_month, "job_title": job_title.strip() or None}

    def form() -> dict:
        return {"adjustments": [{**change, "salary": parse_vnd(salary) or 0}]}

    return _file_for_employer(request, session, caller, employer_id, "adjust_salary", form, idempotency_key)


@router.post("/employer/{employer_id}/claims", dependencies=[Depends(csrf_protected)])
def claim_page(
    request: Request,
    employer_id: RowId,
    idempotency_key: str = Form(...),
    procedure: str = Form(...),
    personal_id: str = Form(...),
    month: str = Form(...),
    count: str = Form("1"),
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    """Sickness (days off) or maternity (children born) for an employee; the worksheet goes with the dossier."""
    forms = {
        "claim_sickness": {"personal_id": personal_id, "leave_month": month, "days": count},
        "claim_maternity": {"personal_id": personal_id, "birth_month": month, "children": count},
    }

    def form() -> dict:
        if procedure not in forms:
            raise DomainError("dossier.procedure", "choose sickness or maternity", "hãy chọn ốm đau hoặc thai sản")
        return forms[procedure]

    return _file_for_employer(request, session, caller, employer_id, procedure, form, idempotency_key)


@router.post("/officer/persons/{person_id}/transfer", dependencies=[Depends(csrf_protected)])
def transfer_page(
    request: Request,
    person_id: RowId,
    idempotency_key: str = Form(...),
    to_authority: str = Form(...),
    reason: str = Form(...),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """An officer of the person's authority files the transfer; the receiving authority approves it."""
    person = session.get(Person, person_id)
    form = {"personal_id": person.personal_id if person else "", "to_authority": to_authority, "reason": reason}
    result = service.submit(
        session,
        request.app.state.settings,
        caller,
        procedure_code="transfer_authority",
        form=form,
        idempotency_key=idempotency_key,
    )
    return RedirectResponse(f"/officer/persons/{person_id}?purpose=TTHC&filed={result.dossier.code}", status_code=303)


def _file_for_employer(
    request: Request,
    session: Session,
    caller: Principal,
    employer_id: RowId,
    procedure_code: str,
    form: Callable[[], dict],
    idempotency_key: str,
):
    """File an employer's dossier from a page form (``form`` builds it, and may refuse it) and show the result or
    the reason on the Employees page."""
    try:
        result = service.submit(
            session,
            request.app.state.settings,
            caller,
            procedure_code=procedure_code,
            form=form(),
            idempotency_key=idempotency_key,
            employer_id=employer_id,
        )
    except (DomainError, ValueError) as error:
        message = error.message(_lang(request)) if isinstance(error, DomainError) else str(error)
        return _employer_page(request, session, caller, employer_id, error=message)
    return _employer_page(request, session, caller, employer_id, created=result.dossier)


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
    created=None,
    error: str | None = None,
):
    citizen = {code: p for code, p in PROCEDURES.items() if p.filer == "citizen"}
    person = session.get(Person, caller.person_id) if caller.person_id else None
    # household members' ID numbers and cover are shown at VNeID level 2 only, like the rest of group 3
    household, members = household_of(session, person) if person and caller.level >= 2 else (None, [])
    dossiers = service.my_dossiers(session, caller)
    today = vietnam_today()
    context = {
        "procedures": citizen,
        "dossiers": dossiers,
        "forms": {d.id: json.loads(d.form) for d in dossiers if d.status == "needs_info"},
        "asks": {d.id: service.last_request(session, d.id) for d in dossiers if d.status == "needs_info"},
        "relationships": {code: (vi, en) for code, vi, en in RELATIONSHIPS},
        "household": household,
        "members": [(m, r, insured_on(session, m.id, today)) for m, r in members],
        "household_amounts": [
            member_amount(current_parameters().for_month(Month.from_date(today)), n) for n in range(1, 6)
        ],
        "created": created,
        "error": error,
        "idempotency_key": secrets.token_urlsafe(16),
    }
    return render(request, "services.html", context, status_code=400 if error else 200)


async def _filed_form(request: Request, proc) -> tuple[dict, list[Upload], str]:
    """A page's form as the procedure's fields (lists from repeated fields), its scans, and the idempotency key."""
    data = await request.form()
    uploads = [
        Upload(f.filename or "", await f.read(MAX_SCAN_BYTES + 1))
        for f in data.getlist("attachments")
        if hasattr(f, "read") and f.filename
    ]
    form = {}
    for name, field in proc.form.model_fields.items():
        values = [str(v).strip() for v in data.getlist(name) if not hasattr(v, "read") and str(v).strip()]
        if get_origin(field.annotation) is list:
            values = [part.strip() for v in values for part in v.split(",") if part.strip()]
            if values:
                form[name] = values
        elif values:  # an empty optional field is no answer
            form[name] = values[0]
    return form, uploads, str(data.get("idempotency_key", ""))


@router.post("/me/services/{procedure_code}", dependencies=[Depends(csrf_protected)])
async def file_service(
    request: Request,
    procedure_code: str,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    try:
        form, uploads, key = await _filed_form(request, procedure(procedure_code))
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
        return services_page(request, caller, session, error=failure.message(_lang(request)))
    return services_page(request, caller, session, created=result.dossier)


@router.post("/me/dossiers/{dossier_id}/resubmit", dependencies=[Depends(csrf_protected)])
async def resubmit_page(
    request: Request,
    dossier_id: RowId,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """Answer a request for more information: the corrected form and any scans asked for."""
    try:
        dossier = service.readable_dossier(session, caller, dossier_id)
        form, uploads, _ = await _filed_form(request, procedure(dossier.procedure))
        result = service.resubmit(session, request.app.state.settings, caller, dossier_id, form, uploads)
    except DomainError as failure:
        return services_page(request, caller, session, error=failure.message(_lang(request)))
    return services_page(request, caller, session, created=result)


@router.get("/officer/queue")
def queue_page(
    request: Request,
    procedure: str | None = None,
    due: str | None = None,
    done: str | None = None,
    code: str | None = None,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """The open dossiers, filtered by procedure and due date; after a decision, a banner says what was done."""
    procedure = procedure if procedure in PROCEDURES else None
    due = due if due in service.DUE_FILTERS else None
    today = vietnam_today()
    dossiers = service.queue(session, caller, procedure_code=procedure, due=due, today=today)
    context = {
        "dossiers": dossiers,
        "procedures": PROCEDURES,
        "procedure": procedure,
        "due": due,
        "today": today,
        "done": done if done in DONE_WORDS else None,
        "done_code": code if code and code.isascii() and len(code) <= 40 else None,
        "done_words": DONE_WORDS,
    }
    return render(request, "officer_queue.html", context)


#: The banner after each decision.
DONE_WORDS = {
    "approve": N_("Approved: the results were issued and the filer was told"),
    "request_info": N_("Sent back: the filer was asked for more information"),
    "reject": N_("Rejected: the filer was told why"),
}


def _review_page(request: Request, session: Session, caller: Principal, dossier_id: int, error: str | None = None):
    dossier = service.dossier_under_review(session, caller, dossier_id)
    view = dossier_view(session, dossier)
    return render(
        request,
        "officer_dossier.html",
        {
            "dossier": view,
            "filed_form": readable(view["form"]),
            "procedure": PROCEDURES[dossier.procedure],
            "flags": service.review_flags(session, caller, dossier),
            "form_labels": FORM_LABELS,
            "amount_fields": AMOUNTS,
            "month_fields": MONTHS,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/officer/dossiers/{dossier_id}")
def dossier_page(
    request: Request,
    dossier_id: RowId,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    return _review_page(request, session, caller, dossier_id)


PERIOD_FIELDS = ("unit_code", "from_month", "to_month", "salary", "job_title")


@router.post("/officer/dossiers/{dossier_id}/act", dependencies=[Depends(csrf_protected)])
async def dossier_act(
    request: Request,
    dossier_id: RowId,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    data = await request.form()
    rows_text = str(data.get("period_rows", "0"))
    rows = range(min(ascii_int(rows_text) or 0, MAX_PAPER_PERIODS))
    resolution = {
        "keep": [seq for v in data.getlist("keep") if (seq := ascii_int(str(v))) is not None],
        "periods": [{f: str(data.get(f"periods-{i}-{f}", "")) for f in PERIOD_FIELDS} for i in rows],
    }
    if not data.get("decided"):
        resolution.pop("keep")
    try:
        service.act(
            session,
            request.app.state.settings,
            caller,
            dossier_id,
            str(data.get("action", "")),
            str(data.get("note", "")),
            resolution,
        )
    except DomainError as failure:
        session.rollback()
        return _review_page(request, session, caller, dossier_id, error=failure.message(_lang(request)))
    decided = session.get(Dossier, dossier_id)
    return RedirectResponse(f"/officer/queue?done={data.get('action')}&code={decided.code}", status_code=303)


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


@router.get("/employer/{employer_id}/repository")
def employer_repository_page(
    request: Request,
    employer_id: RowId,
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    service.employer_dossiers(session, caller, employer_id)
    employer = session.get(Employer, employer_id)
    return render(
        request,
        "repository.html",
        {
            "documents": service.repository(session, "employer", employer_id),
            "owner": employer.name,
            "download_base": f"/api/v1/employers/{employer_id}/repository",
        },
    )


@router.get("/demo/mailbox", dependencies=[Depends(policy.DEVELOPMENT)])
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
