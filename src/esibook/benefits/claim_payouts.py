"""Where a one-off benefit is paid (nơi nhận tiền chế độ một lần): sickness, a sick child's leave, maternity, the
accident/disease lump sum, the funeral grant, the survivors' lump sum and the one-time withdrawal. The way named on
the form of a monthly benefit (unemployment, the survivors' and the accident/disease monthly allowances) is checked
the same way and becomes its first way of payment by month (:mod:`esibook.benefits.monthly_benefits`).

- **Filing** (:func:`name_payee`): the claim names the beneficiary's bank account or a post office, or the person
  they authorised to receive a benefit (nhận thay theo ủy quyền, scope ``receive_payment``), into that person's
  account or as cash they collect. The one access policy decides the authorisation on the filing date
  (:func:`esibook.access.policy.authorised_representative`): named by the beneficiary (``payee``), or used by the
  agent filing for them, who may name themself only if the authorisation also covers receiving the money.
- **Payout** (:func:`pay_out`, in the approval's transaction): the policy decides again, as the payout run; paid, the
  row names the agent; an authorisation revoked or expired meanwhile **holds** the payout (not paid to the agent,
  the policy's code as the reason), and the beneficiary names another way (:func:`choose_again`). Either way the
  beneficiary's access log has the payout, as for pensions (:func:`esibook.benefits.monthly_runs.log_for_grantor`).

The account is kept in full for the transfer; pages, logs and audit records only ever see it masked (``payee``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits import monthly_benefits
from esibook.benefits.models import MONTHLY_REGIMES, BenefitPayout, BenefitSettlement
from esibook.benefits.monthly_runs import log_for_grantor, payee_of
from esibook.benefits.payouts import PaymentMethod, _refuse, parse_payment_method
from esibook.db import transaction
from esibook.errors import NotFound
from esibook.params import MAX_ROW_ID
from esibook.people.models import Person

#: The settlements a payout is recorded for: the one-off benefits (the monthly ones are paid by month).
ONE_OFF = ("sickness", "sick_child", "maternity", "oad", "funeral", "survivors_lump", "one_time")


class PayoutChoice(BaseModel):
    """Where the benefit is paid, on a claim form: ``method`` ``bank`` (``bank_code``, ``account_number``) or
    ``cash`` (``post_office``); with ``authorisation_id``, to the authorised representative of that authorisation
    (their account or post office). All empty: none named (the SI office arranges it, as before)."""

    method: str | None = Field(None, max_length=8)
    bank_code: str | None = Field(None, max_length=12)
    account_number: str | None = Field(None, max_length=30)
    post_office: str | None = Field(None, max_length=200)
    authorisation_id: int | None = Field(None, ge=1, le=MAX_ROW_ID)


def chosen_method(choice: PayoutChoice) -> PaymentMethod | None:
    """The way named on the form, checked (``payout.*`` codes), or None when nothing is named. Naming an agent
    needs a way too: the agent's account or the post office where they collect."""
    if not choice.method and choice.authorisation_id is None:
        return None
    return parse_payment_method(choice.method or "", choice.bank_code, choice.account_number, choice.post_office,
                                codes="payout")


def _agent_for(session: Session, caller: Principal, beneficiary: Person, authorisation_id: int) -> Person:
    """The agent an authorisation names as payee, as the access policy decides it: named by the beneficiary, or
    by the agent filing for them (the authorisation must cover ``receive_payment`` too)."""
    if caller.person_id == beneficiary.id:
        grant, _ = policy.authorised_representative(session, caller, authorisation_id, policy.RECEIVE_PAYMENT,
                                                    payee=True)
    else:
        grant, grantor = policy.authorised_representative(session, caller, authorisation_id, policy.RECEIVE_PAYMENT)
        if grantor.id != beneficiary.id:
            raise policy.authorisation_not_found()
    return session.get(Person, grant.agent_id)


def name_payee(session: Session, caller: Principal, beneficiary: Person, choice: PayoutChoice, *,
               employer_filed: bool = False) -> dict:
    """What the filed form adds: ``payment`` (for the payout) and ``paid_to`` (masked, as shown); nothing when no
    way is named. An employer names the employee's account or post office, never an agent."""
    method = chosen_method(choice)
    if method is None:
        return {}
    agent = None
    if choice.authorisation_id is not None:
        if employer_filed:
            raise _refuse("payout.agent_employer", "an employer's claim is paid to the employee's account or post "
                          "office; the employee names an authorised person themself",
                          "hồ sơ do đơn vị nộp được chi trả vào tài khoản hoặc tại bưu điện của người lao động; "
                          "người lao động tự chỉ định người nhận thay", "authorisation_id")
        agent = _agent_for(session, caller, beneficiary, choice.authorisation_id)
        method = replace(method, authorisation_id=choice.authorisation_id, agent_name=agent.full_name)
    return {"payment": {**method.as_dict(), "agent_id": agent.id if agent else None}, "paid_to": method.shown()}


def payee_for_filing(session: Session, caller: Principal, filer_kind: str, filer_record, parsed, filed: dict, *,
                     before: dict | None = None) -> dict:
    """The filed form with its payee, for the claims whose form names one (:class:`PayoutChoice`); a corrected
    form (``before``: the form as first filed) that names none keeps the payee named first."""
    if not isinstance(parsed, PayoutChoice) or filed.get("regime") not in ONE_OFF + MONTHLY_REGIMES:
        return filed
    employer_filed = filer_kind == "employer"
    beneficiary = (session.scalar(select(Person).where(Person.personal_id == filed["personal_id"]))
                   if employer_filed else filer_record)
    named = name_payee(session, caller, beneficiary, parsed, employer_filed=employer_filed)
    if not named and before and before.get("payment"):
        named = {"payment": before["payment"], "paid_to": before["paid_to"]}
    return {**filed, **named}


def _decide(session: Session, row: BenefitPayout) -> None:
    """Pay now, to the beneficiary or, if the access policy still allows it, to the agent; else hold."""
    payee = payee_of(session, row)
    held = payee.hold_reason is not None
    row.payee = payee.method.shown()[:160]
    row.status, row.hold_reason = ("held", payee.hold_reason) if held else ("paid", None)
    row.paid_at = None if held else datetime.now(UTC)
    log_for_grantor(session, row.beneficiary_id, payee)


def _set_way(row: BenefitPayout, chosen: dict) -> None:
    row.method, row.bank_code, row.account_number = chosen["method"], chosen.get("bank_code"), \
        chosen.get("account_number")
    row.post_office, row.authorisation_id, row.agent_id = chosen.get("post_office"), \
        chosen.get("authorisation_id"), chosen.get("agent_id")


def pay_out(session: Session, settlement: BenefitSettlement, form: dict, *, beneficiary_id: int) -> None:
    """The payout of a one-off settlement just approved, the way the filed form names (none named: none here); a
    monthly settlement (:data:`MONTHLY_REGIMES`) is put in payment by month instead
    (:func:`esibook.benefits.monthly_benefits.award`)."""
    if settlement.regime in MONTHLY_REGIMES:
        monthly_benefits.award(session, settlement, form, beneficiary_id=beneficiary_id)
        return
    chosen = form.get("payment")
    if not chosen or settlement.regime not in ONE_OFF:
        return
    row = BenefitPayout(person_id=settlement.person_id, seq=settlement.seq, beneficiary_id=beneficiary_id,
                        authority=settlement.authority)
    _set_way(row, chosen)
    _decide(session, row)
    session.add(row)


def payout_not_found() -> NotFound:
    return NotFound("payout.not_found", "No such benefit payout of yours.", "Không có khoản chi trả này của bạn.")


def parsed_choice(form: dict) -> PayoutChoice:
    """A way named again (a held payout, a monthly benefit's next months), checked: ``payout.form`` if malformed."""
    try:
        return PayoutChoice.model_validate(form)
    except ValidationError as error:
        raise _refuse("payout.form", "the choice is not valid", "lựa chọn không hợp lệ",
                      ".".join(str(p) for p in error.errors()[0]["loc"])) from error


def choice_fields(data: Mapping) -> dict:
    """The payout fields a page's form sent (:class:`PayoutChoice`), the empty ones left out."""
    return {name: str(data[name]).strip() for name in PayoutChoice.model_fields if str(data.get(name, "")).strip()}


def choose_again(session: Session, caller: Principal, person_id: int, seq: int, form: dict) -> BenefitPayout:
    """The beneficiary names another way for a held payout (their own account or post office, or another
    authorised person); it is paid that way at once (or held again), audited without the account."""
    choice = parsed_choice(form)
    with transaction(session):
        me = policy.own_person(session, caller)
        row = session.get(BenefitPayout, (person_id, seq), with_for_update=True)
        if row is None or row.beneficiary_id != me.id:
            raise payout_not_found()
        if row.status != "held":
            raise _refuse("payout.not_held", "this benefit is already paid", "khoản này đã được chi trả", "form")
        named = name_payee(session, caller, me, choice) or {"payment": None}
        if named["payment"] is None:
            raise _refuse("payout.method", "choose a bank account or cash at a post office",
                          "hãy chọn nhận qua tài khoản ngân hàng hoặc tiền mặt tại bưu điện", "method")
        _set_way(row, named["payment"])
        _decide(session, row)
        audit.append(session, actor=caller.actor, action="benefit.payee_changed",
                     target=f"benefit-payout:{person_id}:{seq}", authority=row.authority,
                     details={"method": row.method, "bank": row.bank_code, "status": row.status,
                              "authorisation": row.authorisation_id})
    return row


def payouts_of(session: Session, beneficiary_id: int) -> list[dict]:
    """The beneficiary's one-off payouts, newest first, as pages and the API show them (the account masked)."""
    rows = session.execute(
        select(BenefitPayout, BenefitSettlement)
        .join(BenefitSettlement, (BenefitSettlement.person_id == BenefitPayout.person_id)
              & (BenefitSettlement.seq == BenefitPayout.seq))
        .where(BenefitPayout.beneficiary_id == beneficiary_id)
        .order_by(BenefitPayout.created_at.desc(), BenefitPayout.seq.desc())
    ).all()
    return [{"person_id": p.person_id, "seq": p.seq, "regime": s.regime, "decision_no": s.decision_no,
             "amount": s.amount, "paid_to": p.payee, "status": p.status, "hold_reason": p.hold_reason,
             "agent": p.agent_id is not None} for p, s in rows]
