"""JSON routes of electronic transactions: submit (with an Idempotency-Key), review, repositories, the inbox."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from esibook.access.deps import csrf_protected, principal
from esibook.access.principal import Principal
from esibook.access.service import require_person
from esibook.transactions import service
from esibook.transactions.conversion import MAX_BYTES as MAX_SCAN_BYTES
from esibook.transactions.conversion import convert_paper
from esibook.transactions.models import Dossier, DossierEvent
from esibook.transactions.procedures import PROCEDURES
from esibook.transactions.uploads import read_employee_list
from esibook.web.deps import db_session

router = APIRouter(prefix="/api/v1", tags=["transactions"])


def dossier_view(session: Session, dossier: Dossier) -> dict:
    events = session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.seq)
    )
    return {
        "id": dossier.id,
        "code": dossier.code,
        "procedure": dossier.procedure,
        "status": dossier.status,
        "filer": dossier.filer_name,
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        "due_on": dossier.due_on.isoformat() if dossier.due_on else None,
        "form": json.loads(dossier.form),
        "decision_note": dossier.decision_note,
        "events": [{"at": e.at.isoformat(), "from": e.from_status, "to": e.to_status, "note": e.note} for e in events],
    }


@router.get("/procedures", summary="The procedures that can be filed online")
def procedures() -> list[dict]:
    return [
        {
            "code": p.code,
            "name_vi": p.name_vi,
            "name_en": p.name_en,
            "filer": p.filer,
            "service_days": p.service_days,
            "result": p.result_vi,
            "form": p.form.model_json_schema(),
        }
        for p in PROCEDURES.values()
    ]


class Submission(BaseModel):
    procedure: str = Field(max_length=40)
    employer_id: int | None = None
    form: dict


@router.post(
    "/dossiers",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="File a dossier; the same Idempotency-Key again returns the first dossier",
)
def submit(
    request: Request,
    body: Submission,
    idempotency_key: str = Header(...),
    caller: Principal = Depends(principal),
    session: Session = Depends(db_session),
):
    result = service.submit(
        session,
        request.app.state.settings,
        caller,
        procedure_code=body.procedure,
        form=body.form,
        idempotency_key=idempotency_key,
        employer_id=body.employer_id,
    )
    return JSONResponse(dossier_view(session, result.dossier), status_code=201 if result.created else 200)


@router.post(
    "/employers/{employer_id}/registrations/upload",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="Register employees from a CSV or XLSX list",
)
async def upload_registration(
    request: Request,
    employer_id: int,
    file: UploadFile = File(...),
    idempotency_key: str = Form(...),
    caller: Principal = Depends(principal),
    session: Session = Depends(db_session),
):
    employees = read_employee_list(await file.read(3 * 1024 * 1024))
    result = service.register_employees(
        session,
        request.app.state.settings,
        caller,
        employer_id=employer_id,
        employees=employees,
        idempotency_key=idempotency_key,
    )
    return JSONResponse(dossier_view(session, result.dossier), status_code=201 if result.created else 200)


@router.get("/dossiers/{dossier_id}", summary="A dossier with its history")
def get_dossier(dossier_id: int, caller: Principal = Depends(principal), session: Session = Depends(db_session)):
    dossier = service.get_dossier(session, dossier_id)
    mine = dossier.employer_id in caller.employer_ids or dossier.filer_ref == f"person:{caller.personal_id}"
    reviewer = caller.is_officer and caller.officer_authority == dossier.authority
    if not (mine or reviewer):
        return JSONResponse(
            {
                "error": {
                    "code": "dossier.not_found",
                    "message": "No such dossier.",
                    "message_vi": "Không có hồ sơ này.",
                    "message_en": "No such dossier.",
                }
            },
            status_code=404,
        )
    return dossier_view(session, dossier)


class Action(BaseModel):
    action: str = Field(pattern="^(request_info|approve|reject|withdraw)$")
    note: str = Field("", max_length=500)


@router.post(
    "/dossiers/{dossier_id}/actions",
    dependencies=[Depends(csrf_protected)],
    summary="Review (request_info, approve, reject) or withdraw",
)
def act(
    request: Request,
    dossier_id: int,
    body: Action,
    caller: Principal = Depends(principal),
    session: Session = Depends(db_session),
) -> dict:
    dossier = service.act(session, request.app.state.settings, caller, dossier_id, body.action, body.note)
    return dossier_view(session, dossier)


class Resubmission(BaseModel):
    form: dict


@router.post(
    "/dossiers/{dossier_id}/resubmit",
    dependencies=[Depends(csrf_protected)],
    summary="Answer a request for more information with a corrected form",
)
def resubmit(
    dossier_id: int, body: Resubmission, caller: Principal = Depends(principal), session: Session = Depends(db_session)
) -> dict:
    return dossier_view(session, service.resubmit(session, caller, dossier_id, body.form))


@router.get("/officer/queue", summary="Open dossiers of my authority, soonest due first")
def officer_queue(
    procedure: str | None = None, caller: Principal = Depends(principal), session: Session = Depends(db_session)
) -> list[dict]:
    return [
        {
            "id": d.id,
            "code": d.code,
            "procedure": d.procedure,
            "filer": d.filer_name,
            "status": d.status,
            "due_on": d.due_on.isoformat(),
        }
        for d in service.queue(session, caller, procedure_code=procedure)
    ]


def _documents(rows) -> list[dict]:
    return [
        {
            "id": r.id,
            "type": r.doc_type,
            "title": r.title,
            "issuer": r.issuer,
            "issued_at": r.issued_at.isoformat(),
            "document": r.document,
            "superseded_by_newer": False,
            "supersedes": r.supersedes_id,
        }
        for r in rows
    ]


@router.get("/me/dossiers", summary="My own dossiers with their status")
def my_dossiers(caller: Principal = Depends(principal), session: Session = Depends(db_session)) -> list[dict]:
    return [dossier_view(session, d) for d in service.my_dossiers(session, caller)]


@router.get("/me/repository", summary="My electronic data repository: every result document")
def my_repository(caller: Principal = Depends(principal), session: Session = Depends(db_session)) -> list[dict]:
    require_person(caller)
    return _documents(service.repository(session, "person", caller.person_id)) if caller.person_id else []


@router.get("/employers/{employer_id}/repository", summary="An employer's electronic data repository")
def employer_repository(
    employer_id: int, caller: Principal = Depends(principal), session: Session = Depends(db_session)
) -> list[dict]:
    service.employer_dossiers(session, caller, employer_id)
    return _documents(service.repository(session, "employer", employer_id))


@router.get("/me/inbox", summary="My in-app messages")
def my_inbox(caller: Principal = Depends(principal), session: Session = Depends(db_session)) -> list[dict]:
    return [
        {"subject": m.subject, "body": m.body, "at": m.delivered_at.isoformat()} for m in service.inbox(session, caller)
    ]


@router.post(
    "/officer/persons/{person_id}/conversions",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="Convert a scanned paper document (PDF, JPEG, PNG) into the person's repository",
)
async def convert(
    request: Request,
    person_id: int,
    file: UploadFile = File(...),
    title: str = Form(...),
    caller: Principal = Depends(principal),
    session: Session = Depends(db_session),
) -> dict:
    data = await file.read(MAX_SCAN_BYTES + 1)
    row = await run_in_threadpool(
        convert_paper,
        session,
        request.app.state.settings,
        caller,
        person_id,
        data=data,
        filename=file.filename or "",
        title=title,
    )
    return {"id": row.id, "type": row.doc_type, "title": row.title, "document": row.document}
