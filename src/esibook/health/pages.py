"""Pages: the clinic's "Check-in" (works on a phone, scans the QR with the camera) and "Send visits" (an XML 130
file), and the citizen's "My medical visits"."""

from __future__ import annotations

from fastapi import Depends, File, Form, Request, UploadFile
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.guards import require_person
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.errors import DomainError
from esibook.health import visit_service
from esibook.health.xml130 import MAX_BYTES, read_xml1, refuse
from esibook.views.checkin import check_in
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


def _clinic_page(
    request: Request, session: Session, caller: Principal, template: str, clinic: str, *, status: int = 200, **extra
):
    names = visit_service.clinic_names(session, caller.clinic_codes)
    context = {
        "clinic_code": _page_clinic(caller, clinic),
        "clinics": sorted(names.items()),
        "result": None,
        "error": None,
        **extra,
    }
    return render(request, template, context, status_code=status)


def _page_clinic(caller: Principal, clinic: str) -> str | None:
    """The clinic the page acts for: the one chosen, or the only one; None for staff of several (they choose).
    Anyone else is refused (403)."""
    if clinic or len(caller.clinic_codes) < 2:
        return visit_service.clinic_staff_clinic(caller, clinic or None)
    return None


# --- check-in -------------------------------------------------------------------------------------------------


@router.get("/clinic/check-in")
def check_in_page(
    request: Request,
    clinic: str = "",
    caller: Principal = Depends(policy.CLINIC.page),
    session: Session = Depends(db_session),
):
    return _clinic_page(request, session, caller, "clinic_checkin.html", clinic)


@router.post("/clinic/check-in", dependencies=[Depends(csrf_protected)])
def check_in_submit(
    request: Request,
    qr: str = Form("", max_length=2000),
    code: str = Form("", max_length=20),
    clinic: str = Form("", max_length=10),
    caller: Principal = Depends(policy.CLINIC.page),
    session: Session = Depends(db_session),
):
    try:
        result = check_in(session, caller, qr=qr, code=code, clinic_code=clinic or None, lang=_lang(request))
    except DomainError as error:
        if error.status == 403:
            raise
        return _clinic_page(
            request,
            session,
            caller,
            "clinic_checkin.html",
            clinic,
            error=error.message(_lang(request)),
            status=error.status,
        )
    return _clinic_page(request, session, caller, "clinic_checkin.html", clinic, result=result)


# --- sending visits -------------------------------------------------------------------------------------------


@router.get("/clinic/visits")
def visits_page(
    request: Request,
    clinic: str = "",
    caller: Principal = Depends(policy.CLINIC.page),
    session: Session = Depends(db_session),
):
    return _clinic_page(request, session, caller, "clinic_visits.html", clinic)


@router.post("/clinic/visits", dependencies=[Depends(csrf_protected)])
def visits_upload(
    request: Request,
    file: UploadFile = File(...),
    clinic: str = Form("", max_length=10),
    caller: Principal = Depends(policy.CLINIC.page),
    session: Session = Depends(db_session),
):
    lang = _lang(request)
    try:
        data = file.file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise refuse("too_large", "the file is larger than 20 MB", "tệp lớn hơn 20 MB")
        report = visit_service.import_xml(session, caller, read_xml1(data), clinic or None)
    except DomainError as error:
        if error.status == 403:
            raise
        return _clinic_page(
            request,
            session,
            caller,
            "clinic_visits.html",
            clinic,
            error=error.message(lang),
            status=error.status,
        )
    return _clinic_page(request, session, caller, "clinic_visits.html", clinic, result=report.as_dict(lang))


# --- the citizen ----------------------------------------------------------------------------------------------


@router.get("/me/visits")
def my_visits_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    require_person(caller)
    visits = visit_service.my_visits(session, caller) if caller.level >= 2 else None
    return render(request, "my_visits.html", {"visits": visits})
