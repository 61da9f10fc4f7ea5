"""Reminders in the API: what was sent to me, and my choice of kinds and channels (VNeID level 2)."""

from __future__ import annotations

from fastapi import Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.reminders import service
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["reminders"])


class PreferencesBody(BaseModel):
    kinds: list[str] = Field(
        max_length=10,
        description="The kinds wanted: hi_card_expiring, household_hi_expiring, voluntary_si_due, employer_unpaid, "
        "dossier_needs_info",
    )
    inapp: bool = Field(True, description="In the app's messages")
    email: bool = Field(True, description="By email (only with an email address on file)")


@router.get("/me/reminders", summary="The reminders sent to me, newest first")
def my_reminders(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return [service.reminder_dict(row) for row in service.my_reminders(session, caller)]


@router.get("/me/reminders/preferences", summary="Which reminders I get, and how")
def my_preferences(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    return service.preferences_dict(service.my_preferences(session, caller))


@router.put("/me/reminders/preferences", dependencies=[Depends(csrf_protected)], summary="Choose which reminders I get")
def set_preferences(
    body: PreferencesBody, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    chosen = service.set_preferences(session, caller, kinds=body.kinds, inapp=body.inapp, email=body.email)
    return service.preferences_dict(chosen)
