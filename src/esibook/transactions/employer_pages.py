"""Pages of the employer's representative: "Employees" (register one, upload a list and check it row by row, report
leavers, salary changes, sickness and maternity claims, the unit's dossiers) and the unit's repository."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits.payouts import BANKS
from esibook.employers import service as employers
from esibook.errors import DomainError
from esibook.money import parse_vnd
from esibook.params import RowId
from esibook.transactions import service
from esibook.transactions.page_forms import employee_payout, page_form
from esibook.transactions.procedures import PROCEDURES, procedure
from esibook.transactions.uploads import read_employee_rows, template_csv, template_xlsx
from esibook.views import access
from esibook.web.deps import db_session, form_data
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)
#: The employer's claims filed from their own page form, with scans where the procedure needs them.
FORM_CLAIMS = ("claim_sick_child", "claim_occupational")
#: The largest employee list read from an upload.
MAX_LIST_BYTES = 3 * 1024 * 1024


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


def _employer_page(request: Request, session: Session, caller: Principal, employer_id: int, **extra):
    employees = access.employees(session, caller, employer_id)
    context = {
        "employer": employers.employer(session, employer_id),
        "employees": employees,
        "dossiers": service.employer_dossiers(session, caller, employer_id),
        "procedures": PROCEDURES,
        "banks": BANKS,
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
def register_page(
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
            rows = read_employee_rows(file.file.read(MAX_LIST_BYTES))
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
        "employer": employers.employer(session, employer_id),
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
    method: str = Form(""),
    bank_code: str = Form(""),
    account_number: str = Form(""),
    post_office: str = Form(""),
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    """Sickness (days off) or maternity (children born) for an employee, paid where the form says (the employee's
    account or a post office); the worksheet goes with the dossier."""
    payout = employee_payout(method, bank_code, account_number, post_office)
    forms = {
        "claim_sickness": {"personal_id": personal_id, "leave_month": month, "days": count, **payout},
        "claim_maternity": {"personal_id": personal_id, "birth_month": month, "children": count, **payout},
    }

    def form() -> dict:
        if procedure not in forms:
            raise DomainError("dossier.procedure", "choose sickness or maternity", "hãy chọn ốm đau hoặc thai sản")
        return forms[procedure]

    return _file_for_employer(request, session, caller, employer_id, procedure, form, idempotency_key)


@router.post("/employer/{employer_id}/claims/{procedure_code}", dependencies=[Depends(csrf_protected)])
def form_claim_page(
    request: Request,
    employer_id: RowId,
    procedure_code: str,
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    """A sick child's leave, or an occupational accident/disease benefit with the assessment report attached."""
    try:
        if procedure_code not in FORM_CLAIMS:
            raise DomainError("dossier.procedure", "no such claim here", "không có đề nghị này")
        form, uploads, key = page_form(data, procedure(procedure_code))
        result = service.submit(
            session,
            request.app.state.settings,
            caller,
            procedure_code=procedure_code,
            form=form,
            idempotency_key=key,
            employer_id=employer_id,
            attachments=uploads,
        )
    except DomainError as error:
        return _employer_page(request, session, caller, employer_id, error=error.message(_lang(request)))
    return _employer_page(request, session, caller, employer_id, created=result.dossier)


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


@router.get("/employer/{employer_id}/repository")
def employer_repository_page(
    request: Request,
    employer_id: RowId,
    caller: Principal = Depends(policy.EMPLOYER.page),
    session: Session = Depends(db_session),
):
    service.employer_dossiers(session, caller, employer_id)
    return render(
        request,
        "repository.html",
        {
            "documents": service.repository(session, "employer", employer_id),
            "owner": employers.employer(session, employer_id).name,
            "download_base": f"/api/v1/employers/{employer_id}/repository",
        },
    )
