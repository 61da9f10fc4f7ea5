"""Public JSON routes of Step 1: checking identifiers (no personal data is served without login)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import Depends
from pydantic import BaseModel, Field

from esibook.access import policy
from esibook.access.routing import Router
from esibook.identifiers import check_identifier

router = Router(prefix="/api/v1", tags=["identifiers"])


class IdentifierCheck(BaseModel):
    kind: Literal["personal_id", "hi_card", "si_code", "unit_code", "tax_code"]
    value: str = Field(min_length=1, max_length=40)
    date_of_birth: date | None = None
    sex: Literal["male", "female"] | None = None


class IdentifierPart(BaseModel):
    label: str
    value: str


class IdentifierVerdict(BaseModel):
    valid: bool
    kind: str
    parts: list[IdentifierPart]


@router.post(
    "/identifiers/check",
    dependencies=[Depends(policy.PUBLIC)],
    response_model=IdentifierVerdict,
    summary="Check a personal ID number, HI card code, SI code, unit code or tax code",
    responses={422: {"description": "Not valid: the error names the part that is wrong"}},
)
def check(body: IdentifierCheck) -> IdentifierVerdict:
    parts = check_identifier(body.kind, body.value, date_of_birth=body.date_of_birth, sex=body.sex)
    return IdentifierVerdict(
        valid=True, kind=body.kind, parts=[IdentifierPart(label=label, value=value) for label, value in parts]
    )
