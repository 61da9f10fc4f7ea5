"""JSON routes of the approving officer: the benefits paid by month in a person's book or paid to them, stopping
one (dừng hưởng) after a month not yet paid, and recording a person's death (which ends all of them)."""

from __future__ import annotations

from typing import Literal

from fastapi import Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import deaths, stops
from esibook.params import MAX_INT16, RowId
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["benefits"])


class BenefitStop(BaseModel):
    """Stop the pension (``seq`` left out) or the monthly benefit ``seq`` of the person's book: nothing is paid
    after ``last_month``."""

    seq: int | None = Field(None, ge=1, le=MAX_INT16, description="The monthly benefit; none: the pension")
    last_month: str = Field(min_length=6, max_length=7, description="The last month paid, YYYY-MM")
    reason: Literal["employed", "income", "reassessed", "not_eligible"]


@router.get("/officer/persons/{person_id}/benefits-in-payment",
            summary="The benefits paid by month in a person's book or paid to them (pension, unemployment, "
            "survivors', accident/disease), with the last month paid, and the day of death if recorded (logged)")
def benefits_in_payment(person_id: RowId, caller: Principal = Depends(policy.OFFICER),
                        session: Session = Depends(db_session)) -> dict:
    return stops.in_payment(session, caller, person_id, channel="api")


@router.post("/officer/persons/{person_id}/benefit-stops", status_code=201, dependencies=[Depends(csrf_protected)],
             summary="Stop a pension or a monthly benefit after a month not yet paid (approving officer)")
def stop_benefit(person_id: RowId, body: BenefitStop, caller: Principal = Depends(policy.OFFICER),
                 session: Session = Depends(db_session)) -> dict:
    done = stops.stop_benefit(session, caller, person_id, body.seq, last_month=body.last_month, reason=body.reason)
    return {"benefit": done.regime, "last_month": str(done.last_month), "reason": done.reason}


class DeathReport(BaseModel):
    """The day the person died, as the relatives' report (the death certificate) gives it."""

    died_on: str = Field(min_length=10, max_length=10, description="YYYY-MM-DD")


@router.post("/officer/persons/{person_id}/death", status_code=201, dependencies=[Depends(csrf_protected)],
             summary="Record a person's death: their pension and every monthly benefit paid to them end with the month "
             "of death, their HI card and any authorisation they gave end (approving officer)")
def record_death(person_id: RowId, body: DeathReport, caller: Principal = Depends(policy.OFFICER),
                 session: Session = Depends(db_session)) -> dict:
    after = deaths.record_by_officer(session, caller, person_id, died_on=body.died_on)
    return {"died_on": body.died_on, "paid_after_last": {"months": after.months, "amount": after.amount}}
