"""JSON routes of a beneficiary's benefit payouts: the one-off payouts, where each was paid (masked), whom they may
name to receive one (their authorisations covering ``receive_payment``), and naming another way for a payout held;
and the monthly benefits' payments month by month (the pension's too), with naming where a monthly benefit is
paid from the next month."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.payees import payment_agents
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits import claim_payouts, monthly_benefit_view
from esibook.benefits.claim_payouts import PayoutChoice
from esibook.benefits.payouts import BANKS
from esibook.params import RowId, SettlementSeq
from esibook.web.deps import db_session

router = Router(prefix="/api/v1", tags=["benefits"])


def payee_choices(session: Session, caller: Principal) -> dict:
    """What a claim form offers: the banks, and the authorised persons who may receive a benefit for the caller."""
    agents = payment_agents(session, policy.own_person_id(caller))
    return {"banks": BANKS, "agents": [{"authorisation_id": a.authorisation_id, "name": a.agent_name,
                                        "valid_until": a.valid_until.isoformat()} for a in agents]}


@router.get("/me/benefit-payouts", summary="My one-off benefit payouts (where each was paid, masked; held ones) "
            "and whom a claim may name to receive one")
def my_payouts_route(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    return {"payouts": claim_payouts.payouts_of(session, policy.own_person_id(caller)),
            **payee_choices(session, caller)}


@router.post("/me/benefit-payouts/{person_id}/{seq}", dependencies=[Depends(csrf_protected)],
             summary="Name another way for a held payout (my account, a post office, or another authorised person)")
def choose_again_route(
    person_id: RowId, seq: SettlementSeq, choice: PayoutChoice, caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    row = claim_payouts.choose_again(session, caller, person_id, seq, choice.model_dump())
    return {"status": row.status, "paid_to": row.payee, "hold_reason": row.hold_reason}


@router.get("/me/monthly-benefits", summary="My monthly benefit payments: every month paid or held (why) of my "
            "pension, unemployment allowance, survivors' or accident/disease monthly allowance, newest first")
def my_monthly_route(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    return {**monthly_benefit_view.my_monthly_payments(session, caller), **payee_choices(session, caller)}


@router.post("/me/monthly-benefits/{person_id}/{seq}/payment-method", dependencies=[Depends(csrf_protected)],
             summary="Name where a monthly benefit is paid from the next month (my account, a post office, or my "
             "authorised representative); months held are paid that way by the next run")
def change_monthly_way_route(
    person_id: RowId, seq: SettlementSeq, choice: PayoutChoice, caller: Principal = Depends(policy.CITIZEN),
    session: Session = Depends(db_session),
) -> dict:
    monthly_benefit_view.change_way(session, caller, person_id, seq, choice.model_dump())
    return monthly_benefit_view.my_monthly_payments(session, caller)
