"""The reminders pages: what was sent to me (/me/reminders) and my choice of kinds and channels
(/me/reminders/settings)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.reminders import rules, service
from esibook.web.deps import db_session, form_data
from esibook.web.pages import render

router = Router(include_in_schema=False)


@router.get("/me/reminders")
def history_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    """The reminders sent to me, newest first, in Vietnam's time."""
    rows = [service.reminder_dict(row) for row in service.my_reminders(session, caller)]
    return render(request, "reminders.html", {"reminders": rows, "kind_labels": rules.KIND_LABELS})


@router.get("/me/reminders/settings")
def settings_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    chosen = service.my_preferences(session, caller)
    context = {"chosen": chosen, "kinds": rules.KINDS, "kind_labels": rules.KIND_LABELS}
    return render(request, "reminder_settings.html", {**context, "saved": request.query_params.get("saved") == "1"})


@router.post("/me/reminders/settings", dependencies=[Depends(csrf_protected)])
def save_settings(
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
    form: FormData = Depends(form_data),
):
    service.set_preferences(
        session,
        caller,
        kinds=[str(k) for k in form.getlist("kinds")],
        inapp=form.get("inapp") == "on",
        email=form.get("email") == "on",
    )
    return RedirectResponse("/me/reminders/settings?saved=1", status_code=303)
