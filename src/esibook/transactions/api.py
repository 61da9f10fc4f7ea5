"""JSON routes of electronic transactions: submit (with an Idempotency-Key), review, repositories, the inbox."""

from __future__ import annotations

import base64
import binascii

from fastapi import Depends, File, Form, Header, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.guards import require_person
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.errors import DomainError
from esibook.params import RowId, SeqNo
from esibook.transactions import service
from esibook.transactions.attachments import MAX_ATTACHMENTS, Upload, attachment
from esibook.transactions.conversion import MAX_BYTES as MAX_SCAN_BYTES
from esibook.transactions.conversion import convert_paper
from esibook.transactions.files import load_file
from esibook.transactions.models import RepositoryDocument
from esibook.transactions.procedures import PROCEDURES
from esibook.transactions.queries import dossier_view
from esibook.transactions.uploads import read_employee_list
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["transactions"])


@router.get("/procedures", dependencies=[Depends(policy.PUBLIC)], summary="The procedures that can be filed online")
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
            "attachments": (
                {"required": p.attachments.required, "vi": p.attachments.vi, "en": p.attachments.en}
                if p.attachments
                else None
            ),
            "officer_decides": p.resolve is not None,
        }
        for p in PROCEDURES.values()
    ]


class Attachment(BaseModel):
    """A scan, base64-encoded (at most 10 MB once decoded)."""

    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(max_length=14_000_000)

    def upload(self) -> Upload:
        try:
            return Upload(self.filename, base64.b64decode(self.content_base64, validate=True))
        except (binascii.Error, ValueError) as error:
            raise DomainError(
                "scan.base64", "the attachment is not valid base64", "tệp đính kèm không đúng base64", field="file"
            ) from error


class Submission(BaseModel):
    procedure: str = Field(max_length=40)
    employer_id: RowId | None = None
    form: dict
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


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
    caller: Principal = Depends(policy.CITIZEN),
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
        attachments=[a.upload() for a in body.attachments],
    )
    return JSONResponse(dossier_view(session, result.dossier), status_code=201 if result.created else 200)


@router.post(
    "/employers/{employer_id}/registrations/upload",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="Register employees from a CSV or XLSX list",
)
def upload_registration(
    request: Request,
    employer_id: RowId,
    file: UploadFile = File(...),
    idempotency_key: str = Form(...),
    caller: Principal = Depends(policy.EMPLOYER),
    session: Session = Depends(db_session),
):
    employees = read_employee_list(file.file.read(3 * 1024 * 1024))
    result = service.register_employees(
        session,
        request.app.state.settings,
        caller,
        employer_id=employer_id,
        employees=employees,
        idempotency_key=idempotency_key,
    )
    return JSONResponse(dossier_view(session, result.dossier), status_code=201 if result.created else 200)


@router.get("/dossiers/{dossier_id}", summary="A dossier with its history and attachments")
def get_dossier(dossier_id: RowId, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)):
    return dossier_view(session, service.readable_dossier(session, caller, dossier_id))


@router.get(
    "/dossiers/{dossier_id}/attachments/{seq}",
    response_class=Response,
    summary="A scan filed with a dossier (its filer and the reviewing authority only)",
)
def get_attachment(
    request: Request,
    dossier_id: RowId,
    seq: SeqNo,
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> Response:
    service.readable_dossier(session, caller, dossier_id)
    row, data = attachment(session, request.app.state.settings, dossier_id, seq)
    return Response(
        data,
        media_type=row.media_type,
        headers={"content-disposition": f'inline; filename="attachment-{dossier_id}-{seq}"'},
    )


class Action(BaseModel):
    action: str = Field(pattern="^(request_info|approve|reject|withdraw)$")
    note: str = Field("", max_length=500)
    resolution: dict | None = Field(
        None, description="The officer's decision where the procedure needs one (merge: keep; paper book: periods)."
    )


@router.post(
    "/dossiers/{dossier_id}/actions",
    dependencies=[Depends(csrf_protected)],
    summary="Review (request_info, approve, reject) or withdraw",
)
def act(
    request: Request,
    dossier_id: RowId,
    body: Action,
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    dossier = service.act(
        session, request.app.state.settings, caller, dossier_id, body.action, body.note, body.resolution
    )
    return dossier_view(session, dossier)


class Resubmission(BaseModel):
    form: dict
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


@router.post(
    "/dossiers/{dossier_id}/resubmit",
    dependencies=[Depends(csrf_protected)],
    summary="Answer a request for more information with a corrected form",
)
def resubmit(
    request: Request,
    dossier_id: RowId,
    body: Resubmission,
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    dossier = service.resubmit(
        session,
        request.app.state.settings,
        caller,
        dossier_id,
        body.form,
        [a.upload() for a in body.attachments],
    )
    return dossier_view(session, dossier)


@router.get("/officer/queue", summary="Open dossiers of my authority, soonest due first")
def officer_queue(
    procedure: str | None = None, caller: Principal = Depends(policy.OFFICER), session: Session = Depends(db_session)
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
            "has_file": r.file_sha256 is not None,
        }
        for r in rows
    ]


@router.get("/me/dossiers", summary="My own dossiers with their status")
def my_dossiers(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return [dossier_view(session, d) for d in service.my_dossiers(session, caller)]


@router.get("/me/repository", summary="My electronic data repository: every result document")
def my_repository(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    require_person(caller)
    return _documents(service.repository(session, "person", caller.person_id)) if caller.person_id else []


@router.get("/employers/{employer_id}/repository", summary="An employer's electronic data repository")
def employer_repository(
    employer_id: RowId, caller: Principal = Depends(policy.EMPLOYER), session: Session = Depends(db_session)
) -> list[dict]:
    service.employer_dossiers(session, caller, employer_id)
    return _documents(service.repository(session, "employer", employer_id))


def document_download(settings, row: RepositoryDocument) -> Response:
    """The file kept with a document (a printout's PDF, a converted scan), else the signed document itself."""
    if row.file_sha256:
        data = load_file(settings, row.file_sha256)
        media_type = "application/pdf" if data.startswith(b"%PDF-") else "application/octet-stream"
        if data.startswith(b"\xff\xd8\xff"):
            media_type = "image/jpeg"
        elif data.startswith(b"\x89PNG"):
            media_type = "image/png"
        suffix = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(media_type, "bin")
    else:
        data, media_type, suffix = row.document.encode(), "application/jose", "jws"
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{row.doc_type}-{row.id}.{suffix}"'},
    )


@router.get("/me/repository/{document_id}/download", response_class=Response, summary="Download one of my documents")
def my_document(
    request: Request,
    document_id: RowId,
    caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> Response:
    require_person(caller)
    row = service.repository_document(session, "person", caller.person_id or 0, document_id)
    return document_download(request.app.state.settings, row)


@router.get(
    "/employers/{employer_id}/repository/{document_id}/download",
    response_class=Response,
    summary="Download one of an employer's documents",
)
def employer_document(
    request: Request,
    employer_id: RowId,
    document_id: RowId,
    caller: Principal = Depends(policy.EMPLOYER),
    session: Session = Depends(db_session),
) -> Response:
    service.employer_dossiers(session, caller, employer_id)
    row = service.repository_document(session, "employer", employer_id, document_id)
    return document_download(request.app.state.settings, row)


@router.get("/me/inbox", summary="My in-app messages")
def my_inbox(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return [
        {"subject": m.subject, "body": m.body, "at": m.delivered_at.isoformat()} for m in service.inbox(session, caller)
    ]


@router.post(
    "/officer/persons/{person_id}/conversions",
    status_code=201,
    dependencies=[Depends(csrf_protected)],
    summary="Convert a scanned paper document (PDF, JPEG, PNG) into the person's repository",
)
def convert(
    request: Request,
    person_id: RowId,
    file: UploadFile = File(...),
    title: str = Form(...),
    caller: Principal = Depends(policy.OFFICER),
    session: Session = Depends(db_session),
) -> dict:
    data = file.file.read(MAX_SCAN_BYTES + 1)
    row = convert_paper(
        session,
        request.app.state.settings,
        caller,
        person_id,
        data=data,
        filename=file.filename or "",
        title=title,
    )
    return {"id": row.id, "type": row.doc_type, "title": row.title, "document": row.document}
