"""The JSON twin of the officer's register page: preview a register file (the request body), then import the
previewed upload by its id and SHA-256. The same service, rules and refusals as the page."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.health import register_uploads as uploads
from esibook.params import RowId
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["health"])


async def read_register(request: Request) -> bytes:
    """The request's body, up to 20 MB, streamed on the event loop before the route runs in the threadpool."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > uploads.MAX_BYTES:
            raise uploads.too_large()
        chunks.append(chunk)
    return b"".join(chunks)


class RejectedRowOut(BaseModel):
    line: int
    message_en: str
    message_vi: str


class RegisterPreviewOut(BaseModel):
    upload_id: int | None = Field(description="What to confirm; null when rows were rejected (nothing to import)")
    sha256: str
    as_of: date
    source: str
    rows: int
    added: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected_count: int
    rejected: list[RejectedRowOut] = Field(description="The first 200 rejected rows, by line")


class RegisterImportIn(BaseModel):
    upload_id: RowId
    sha256: str = Field(min_length=64, max_length=64, description="The previewed file's SHA-256 (hex)")


class RegisterImportOut(BaseModel):
    import_id: int
    already_imported: bool = Field(description="The upload had been imported by an earlier confirmation")


@router.post(
    "/officer/clinics/register/previews",
    dependencies=[Depends(csrf_protected)],
    summary="Check a national register of HI clinics (XLSX or CSV as the request body); nothing is imported yet",
)
def preview_register(
    as_of: str = Query("", max_length=20, description="YYYY-MM-DD, default today"),
    source: str = Query("", max_length=200),
    caller: Principal = Depends(policy.OFFICER),
    session: Session = Depends(db_session),
    data: bytes = Depends(read_register),
) -> RegisterPreviewOut:
    policy.reference_data_officer(caller)
    preview = uploads.preview_upload(session, caller, data, as_of=uploads.parse_as_of(as_of), source=source)
    return RegisterPreviewOut(**preview.as_dict())


@router.post(
    "/officer/clinics/register/imports",
    dependencies=[Depends(csrf_protected)],
    summary="Import a previewed register file, once (its upload id and SHA-256)",
)
def import_register_upload(
    body: RegisterImportIn,
    caller: Principal = Depends(policy.OFFICER),
    session: Session = Depends(db_session),
) -> RegisterImportOut:
    done = uploads.confirm_upload(session, caller, body.upload_id, body.sha256)
    return RegisterImportOut(import_id=done.import_id, already_imported=done.already)
