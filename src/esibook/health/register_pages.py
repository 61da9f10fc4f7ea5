"""The officer's page "National register of HI clinics" (/officer/clinics/register): upload the register file with
its "as of" date and source, see the preview (what it adds, changes and withdraws, or the rejected rows by line),
then confirm the import of exactly that file. Only an officer who may load national reference data."""

from __future__ import annotations

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.errors import DomainError
from esibook.health import register_uploads as uploads
from esibook.params import RowId
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)
PATH = "/officer/clinics/register"


def _page(request: Request, session: Session, caller: Principal, *, status: int = 200, imported: int | None = None,
          **extra):
    context = {**uploads.register_page(session, caller, imported=imported), "preview": None, "error": None,
               "again": False, "form": {}, "lang": request_language(request, request.app.state.settings
                                                                    .default_language), **extra}
    return render(request, "officer_clinic_register.html", context, status_code=status)


def _refused(request: Request, session: Session, caller: Principal, error: DomainError, **extra):
    if error.status in (401, 403):
        raise error
    lang = request_language(request, request.app.state.settings.default_language)
    return _page(request, session, caller, status=error.status, error=error.message(lang), error_code=error.code,
                 **extra)


@router.get(PATH)
def register_page(
    request: Request,
    imported: RowId | None = None,
    again: bool = False,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    return _page(request, session, caller, imported=imported, again=again)


@router.post(PATH, dependencies=[Depends(csrf_protected)])
def register_preview(
    request: Request,
    file: UploadFile = File(...),
    as_of: str = Form("", max_length=20),
    source: str = Form("", max_length=400),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    form = {"as_of": as_of, "source": source}
    try:
        policy.reference_data_officer(caller)
        data = file.file.read(uploads.MAX_BYTES + 1)
        preview = uploads.preview_upload(session, caller, data, as_of=uploads.parse_as_of(as_of), source=source,
                                         file_name=file.filename or "")
    except DomainError as error:
        return _refused(request, session, caller, error, form=form)
    return _page(request, session, caller, preview=preview, form=form, shown=uploads.SHOWN_REJECTS)


@router.post(f"{PATH}/confirm", dependencies=[Depends(csrf_protected)])
def register_confirm(
    request: Request,
    upload_id: RowId = Form(...),
    sha256: str = Form(..., max_length=64),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    try:
        done = uploads.confirm_upload(session, caller, upload_id, sha256)
    except DomainError as error:
        return _refused(request, session, caller, error)
    return RedirectResponse(f"{PATH}?imported={done.import_id}{'&again=true' if done.already else ''}",
                            status_code=303)
