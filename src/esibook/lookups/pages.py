"""Pages of the lookups (tra cứu), open to anyone and made for a phone: clinics, SI offices and collection agents,
and one's SI code. Each is a plain GET form (or a POST for the SI code) that works without JavaScript."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Form, Query, Request
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected, page_principal
from esibook.access.routing import Router
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.health.clinic_import import latest_register
from esibook.health.clinics import MAX_QUERY, search_clinics
from esibook.health.models import CLINIC_LEVELS
from esibook.lookups.offices import KINDS, search_offices
from esibook.lookups.si_code import MAX_NAME, find_si_code, lookup_key, parse_birth_date
from esibook.people.identifiers import PROVINCES
from esibook.text import N_
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render
from esibook.web.ratelimit import RateLimited, limit_si_code

router = Router(include_in_schema=False)

LEVEL_LABELS = {
    "central": N_("Central hospital"),
    "province": N_("Provincial level"),
    "district": N_("District level"),
    "commune": N_("Commune health station"),
    "private": N_("Private"),
}
KIND_LABELS = {"office": N_("SI office"), "agent": N_("Collection agent")}
PER_PAGE = 20


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


def _choices() -> dict:
    return {"provinces": sorted(PROVINCES.items(), key=lambda p: p[1]), "level_labels": LEVEL_LABELS,
            "levels": CLINIC_LEVELS, "kind_labels": KIND_LABELS, "kinds": KINDS}


@router.get("/lookups", dependencies=[Depends(policy.PUBLIC)])
def lookups_page(request: Request, _viewer=Depends(page_principal)):
    return render(request, "lookups.html", {})


@router.get("/lookups/clinics", dependencies=[Depends(policy.PUBLIC)])
def clinics_page(
    request: Request,
    q: str = Query("", max_length=MAX_QUERY),
    province: str = Query("", max_length=3),
    level: str = Query("", max_length=10),
    page: int = Query(1, ge=1, le=100_000),
    _viewer=Depends(page_principal),
    session: Session = Depends(db_session),
):
    asked = {"q": q, "province": province, "level": level}
    try:
        result = search_clinics(session, query=q, province=province, level=level, page=page, per_page=PER_PAGE)
    except DomainError as error:
        return render(request, "lookup_clinics.html", {**_choices(), "asked": asked, "result": None,
                                                       "error": error.message(_lang(request))}, status_code=400)
    return render(request, "lookup_clinics.html", {**_choices(), "asked": asked, "result": result, "error": None,
                                                   "register": latest_register(session)})


@router.get("/lookups/offices", dependencies=[Depends(policy.PUBLIC)])
def offices_page(
    request: Request,
    q: str = Query("", max_length=MAX_QUERY),
    province: str = Query("", max_length=3),
    kind: str = Query("", max_length=6),
    page: int = Query(1, ge=1, le=100_000),
    _viewer=Depends(page_principal),
):
    asked = {"q": q, "province": province, "kind": kind}
    try:
        result = search_offices(vietnam_today(), query=q, province=province, kind=kind, page=page, per_page=PER_PAGE)
    except DomainError as error:
        return render(request, "lookup_offices.html", {**_choices(), "asked": asked, "result": None,
                                                       "error": error.message(_lang(request))}, status_code=400)
    return render(request, "lookup_offices.html", {**_choices(), "asked": asked, "result": result, "error": None})


@router.get("/lookups/si-code", dependencies=[Depends(policy.PUBLIC)])
def si_code_page(request: Request, _viewer=Depends(page_principal)):
    return render(request, "lookup_si_code.html", {**_choices(), "asked": {}, "answer": None, "error": None,
                                                   "max_name": MAX_NAME})


@router.post("/lookups/si-code", dependencies=[Depends(policy.PUBLIC), Depends(csrf_protected)])
def si_code_submit(
    request: Request,
    full_name: str = Form("", max_length=MAX_NAME),
    date_of_birth: str = Form("", max_length=10),
    province: str = Form("", max_length=3),
    _viewer=Depends(page_principal),
    session: Session = Depends(db_session),
):
    asked = {"full_name": full_name, "date_of_birth": date_of_birth, "province": province}
    context = {**_choices(), "asked": asked, "answer": None, "error": None, "max_name": MAX_NAME}
    try:
        born: date = parse_birth_date(date_of_birth)
        limit_si_code(request, lookup_key(full_name, born))
        context["answer"] = find_si_code(session, full_name=full_name, date_of_birth=born, province=province,
                                         today=vietnam_today()).as_dict(_lang(request))
    except DomainError as error:
        context["error"] = error.message(_lang(request))
        response = render(request, "lookup_si_code.html", context, status_code=error.status)
        if isinstance(error, RateLimited):
            response.headers["retry-after"] = str(error.retry_after)
        return response
    return render(request, "lookup_si_code.html", context)
