"""JSON routes of benefits: my estimates, each with its worksheet."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits.estimator import my_estimates
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["benefits"])


@router.get(
    "/me/estimates",
    summary="What would I get: one-time withdrawal, pension at retirement age, unemployment and sickness benefits, "
    "each with its worksheet (inputs, rules, arithmetic)",
)
def my_estimates_route(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    return my_estimates(session, caller).as_dict()
