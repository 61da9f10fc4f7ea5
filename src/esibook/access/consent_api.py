"""Routes of consent: connected systems file and poll requests; the person answers them in the API and on the
"Requests for my data" page (/me/consents)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import consent, policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.purposes import PURPOSES
from esibook.access.routing import Router
from esibook.people.labels import GROUPS
from esibook.web.deps import db_session
from esibook.web.pages import render

api = Router(prefix="/api/v1", tags=["consent"])
pages = Router(include_in_schema=False)


class ConsentRequestBody(BaseModel):
    personal_id: str = Field(min_length=1, max_length=20, description="The person's 12-digit personal ID number")
    groups: list[int] = Field(min_length=1, max_length=7, description="Data groups 1–7 to read")
    purpose: str = Field(min_length=1, max_length=10, description="A purpose that needs consent, e.g. TINDUNG")
    reason: str = Field(min_length=1, max_length=consent.MAX_REASON, description="Why, in words the person reads")
    days: int = Field(consent.DEFAULT_DAYS, ge=1, le=consent.MAX_DAYS, description="How long the consent lasts")


@api.post(
    "/exchange/consents",
    status_code=202,
    summary="Ask a person's consent to read data groups for a purpose that needs it (answered in their app)",
)
def request_consent(
    body: ConsentRequestBody, caller: Principal = Depends(policy.SYSTEM), session: Session = Depends(db_session)
) -> dict:
    filed = consent.request_consent(
        session,
        caller,
        personal_id=body.personal_id,
        groups=body.groups,
        purpose=body.purpose,
        reason=body.reason,
        days=body.days,
    )
    return consent.requester_view(filed)


@api.get("/exchange/consents/{consent_id}", summary="The status of a consent request this system filed")
def consent_status(
    consent_id: int, caller: Principal = Depends(policy.SYSTEM), session: Session = Depends(db_session)
) -> dict:
    return consent.requester_view(consent.requested(session, caller, consent_id))


@api.get("/me/consents", summary="Requests for my consent and my answers (VNeID level 2)")
def my_consents(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    return [view.as_dict() for view in consent.my_consents(session, caller)]


@api.post("/me/consents/{consent_id}/approve", dependencies=[Depends(csrf_protected)], summary="Approve a request")
def approve(
    consent_id: int, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    return _answered(consent.approve(session, caller, consent_id))


@api.post("/me/consents/{consent_id}/refuse", dependencies=[Depends(csrf_protected)], summary="Refuse a request")
def refuse(
    consent_id: int, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    return _answered(consent.refuse(session, caller, consent_id))


@api.post(
    "/me/consents/{consent_id}/revoke",
    dependencies=[Depends(csrf_protected)],
    summary="Revoke a consent I gave; reads under it stop at once",
)
def revoke(
    consent_id: int, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    return _answered(consent.revoke(session, caller, consent_id))


def _answered(decided) -> dict:
    return {"id": decided.id, "status": consent.status_of(decided)}


# --- the page ------------------------------------------------------------------------------------------------


@pages.get("/me/consents")
def consents_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    views = consent.my_consents(session, caller) if caller.kind == "person" and caller.level >= 2 else None
    return render(
        request,
        "consents.html",
        {
            "pending": [v for v in views or [] if v.status == "pending"],
            "approved": [v for v in views or [] if v.status == "approved"],
            "past": [v for v in views or [] if v.status not in ("pending", "approved")],
            "level2": views is not None,
            "group_names": GROUPS,
            "purposes": PURPOSES,
        },
    )


@pages.post("/me/consents/{consent_id}/approve", dependencies=[Depends(csrf_protected)])
def approve_on_page(
    consent_id: int, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    consent.approve(session, caller, consent_id)
    return RedirectResponse("/me/consents", status_code=303)


@pages.post("/me/consents/{consent_id}/refuse", dependencies=[Depends(csrf_protected)])
def refuse_on_page(
    consent_id: int, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    consent.refuse(session, caller, consent_id)
    return RedirectResponse("/me/consents", status_code=303)


@pages.post("/me/consents/{consent_id}/revoke", dependencies=[Depends(csrf_protected)])
def revoke_on_page(
    consent_id: int, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    consent.revoke(session, caller, consent_id)
    return RedirectResponse("/me/consents", status_code=303)
