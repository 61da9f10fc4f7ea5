"""JSON routes of the pensioner: my pension with its payment history, and changing where it is paid."""

from __future__ import annotations

from fastapi import Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import pension_view, pensions
from esibook.params import MAX_ROW_ID
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["benefits"])


class PaymentMethodChange(BaseModel):
    """Where and how the pension is paid from the next month: ``bank`` (bank_code, account_number) or ``cash``
    (post_office); with ``authorisation_id``, to the authorised representative it names (their account or the post
    office where they collect it)."""

    method: str = Field(max_length=10)
    bank_code: str | None = Field(None, max_length=12)
    account_number: str | None = Field(None, max_length=30)
    post_office: str | None = Field(None, max_length=200)
    authorisation_id: int | None = Field(None, ge=1, le=MAX_ROW_ID,
                                         description="Paid to my authorised representative under this authorisation")


@router.get("/me/pension", summary="My pension: the monthly amount, the lump sum, where it is paid, and every month "
            "settled (amount, how paid, status)")
def my_pension_route(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    return pension_view.my_pension(session, caller).as_dict()


@router.post("/me/pension/payment-method", dependencies=[Depends(csrf_protected)],
             summary="Change where and how my pension is paid (bank account or cash at a post office, mine or my "
             "authorised representative's), from the next month")
def change_method_route(
    change: PaymentMethodChange, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)
) -> dict:
    pensions.change_payment_method(session, caller, change.model_dump())
    return pension_view.my_pension(session, caller).as_dict()
