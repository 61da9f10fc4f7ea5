"""The approving officer's page of a person's benefits paid by month, with the form that stops one (dừng hưởng) and
the one that records the person's death."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import deaths, stops
from esibook.errors import DomainError
from esibook.params import RowId, ascii_int
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


@router.get("/officer/persons/{person_id}/benefits")
def benefits_page(request: Request, person_id: RowId, caller: Principal = Depends(policy.OFFICER.page),
                  session: Session = Depends(db_session), stopped: str = ""):
    """The pension and the monthly benefits of the person's book or paid to them; a stop form for each running."""
    return _page(request, session, caller, person_id, stopped=stopped[:20])


def _page(request: Request, session: Session, caller: Principal, person_id: int, *, stopped: str = "",
          refused: DomainError | None = None):
    lang = request_language(request, request.app.state.settings.default_language)
    context = {"person_id": person_id, **stops.in_payment(session, caller, person_id, channel="web"),
               "reasons": stops.STOP_REASONS, "stopped": stopped,
               "error": refused.message(lang) if refused else None, "error_code": refused.code if refused else None}
    return render(request, "officer_benefits.html", context, status_code=refused.status if refused else 200)


@router.post("/officer/persons/{person_id}/benefits/stop", dependencies=[Depends(csrf_protected)])
def stop_from_page(request: Request, person_id: RowId, seq: str = Form(""), last_month: str = Form(""),
                   reason: str = Form(""), back: str = Form(""), caller: Principal = Depends(policy.OFFICER.page),
                   session: Session = Depends(db_session)):
    """Stop the benefit ``seq`` (none: the pension) of ``person_id``'s book; the page shown again is the one the
    form was on (``back``: the person viewed, who may be the one paid a benefit of another's book)."""
    shown = ascii_int(back) or person_id
    try:
        done = stops.stop_benefit(session, caller, person_id, stops.parse_seq(seq), last_month=last_month,
                                  reason=reason[:20])
    except DomainError as failure:
        if failure.code.startswith("access.") or failure.status in (403, 404):
            raise
        return _page(request, session, caller, shown, refused=failure)
    return RedirectResponse(f"/officer/persons/{shown}/benefits?stopped={done.regime}", status_code=303)


@router.post("/officer/persons/{person_id}/death", dependencies=[Depends(csrf_protected)])
def death_from_page(request: Request, person_id: RowId, died_on: str = Form(""),
                    caller: Principal = Depends(policy.OFFICER.page), session: Session = Depends(db_session)):
    """Record the person's death (the relatives' report): every benefit paid to them ends with that month."""
    try:
        deaths.record_by_officer(session, caller, person_id, died_on=died_on[:10])
    except DomainError as failure:
        if failure.code.startswith("access.") or failure.status in (403, 404):
            raise
        return _page(request, session, caller, person_id, refused=failure)
    return RedirectResponse(f"/officer/persons/{person_id}/benefits?stopped=death", status_code=303)
