"""JSON routes of the lookups, open to anyone (no personal data): clinics, SI offices and collection agents, and
one's SI code by name, date of birth and province (rate-limited; the code comes back masked)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.routing import Router
from esibook.dates import vietnam_today
from esibook.health.clinic_import import latest_register
from esibook.health.clinics import MAX_PER_PAGE, MAX_QUERY, search_clinics
from esibook.lookups.offices import search_offices
from esibook.lookups.si_code import MAX_NAME, find_si_code, lookup_key
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.ratelimit import limit_si_code

router = Router(prefix="/api/v1/lookups", tags=["lookups"])

Q = Query("", max_length=MAX_QUERY, description="Name words, with or without accents (or a code's first digits)")
PROVINCE = Query(None, max_length=3, description="3-digit province code, e.g. 001 (Hà Nội)")
PAGE = Query(1, ge=1, le=100_000)
PER_PAGE = Query(20, ge=1, le=MAX_PER_PAGE)


def _paged(result, **extra) -> dict:
    return {"items": [i.as_dict() for i in result.items], "total": result.total, "page": result.page,
            "per_page": result.per_page, "pages": result.pages, **extra}


@router.get("/clinics", dependencies=[Depends(policy.PUBLIC)], summary="Find clinics by name, province and level")
def clinics(
    q: str = Q,
    province: str | None = PROVINCE,
    level: str | None = Query(None, max_length=10, description="central, province, district, commune or private"),
    initial: bool = Query(False, description="only those that take initial registrations (KCB ban đầu)"),
    page: int = PAGE,
    per_page: int = PER_PAGE,
    session: Session = Depends(db_session),
):
    result = search_clinics(session, query=q, province=province, level=level, initial_only=initial, page=page,
                            per_page=per_page)
    register = latest_register(session)
    return _paged(result, register=register.as_dict() if register else None)


@router.get("/offices", dependencies=[Depends(policy.PUBLIC)],
            summary="Find SI offices and collection agents, with addresses and opening hours")
def offices(
    q: str = Q,
    province: str | None = PROVINCE,
    kind: str | None = Query(None, max_length=6, description="office (cơ quan BHXH) or agent (đại lý thu)"),
    page: int = PAGE,
    per_page: int = PER_PAGE,
):
    result = search_offices(vietnam_today(), query=q, province=province, kind=kind, page=page, per_page=per_page)
    return _paged(result, valid_from=result.valid_from.isoformat(), source=result.source,
                  demo_sized=result.demo_sized)


class SiCodeQuestion(BaseModel):
    full_name: str = Field(max_length=MAX_NAME, description="As on the ID card; accents optional")
    date_of_birth: date
    province: str = Field(max_length=3, description="3-digit code of the province whose office issued the code")


@router.post("/si-code", dependencies=[Depends(policy.PUBLIC), Depends(csrf_protected)],
             summary="One's SI code: shown masked, the full code sent to the contacts on the record")
def si_code(request: Request, body: SiCodeQuestion, session: Session = Depends(db_session)):
    limit_si_code(request, lookup_key(body.full_name, body.date_of_birth))
    answer = find_si_code(session, full_name=body.full_name, date_of_birth=body.date_of_birth,
                          province=body.province, today=vietnam_today())
    return answer.as_dict(request_language(request, request.app.state.settings.default_language))
