"""JSON routes of the approving officer: the benefits paid by month in a person's book or paid to them, and
stopping one (dừng hưởng) after a month not yet paid."""

from __future__ import annotations

from typing import Literal

from fastapi import Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import stops
from esibook.params import MAX_INT16, RowId
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["benefits"])


class BenefitStop(BaseModel):
    """Stop the pension (``seq`` left out) or the monthly benefit ``seq`` of the person's book: nothing is paid
    after ``last_month``."""

    seq: int | None = Field(None, ge=1, le=MAX_INT16, description="The monthly benefit; none: the pension")
    last_month: str = Field(min_length=6, max_length=7, description="The last month paid, YYYY-MM")
    reason: Literal["death", "employed", "income", "reassessed", "not_eligible"]


@router.get("/officer/persons/{person_id}/benefits-in-payment",
            summary="The benefits paid by month in a person's book or paid to them (pension, unemployment, "
            "survivors', accident/disease), with the last month paid (logged)")
def benefits_in_payment(person_id: RowId, caller: Principal = Depends(policy.OFFICER),
                        session: Session = Depends(db_session)) -> dict:
    return {"benefits": stops.in_payment(session, caller, person_id, channel="api")}


@router.post("/officer/persons/{person_id}/benefit-stops", status_code=201, dependencies=[Depends(csrf_protected)],
             summary="Stop a pension or a monthly benefit after a month not yet paid (approving officer)")
def stop_benefit(person_id: RowId, body: BenefitStop, caller: Principal = Depends(policy.OFFICER),
                 session: Session = Depends(db_session)) -> dict:
    done = stops.stop_benefit(session, caller, person_id, body.seq, last_month=body.last_month, reason=body.reason)
    return {"benefit": done.regime, "last_month": str(done.last_month), "reason": done.reason}
