"""What a beneficiary reads of their monthly benefits (page and API): every month settled of each, newest first,
with the benefit named per line (the pension too), paid (how, to whom) or held (why); and naming where a monthly
benefit other than the pension is paid from the next month (:func:`change_way`). A legal representative (of a child
paid a survivors' allowance) reads and names the way of the represented person's too."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.claim_payouts import name_payee, parsed_choice, payout_not_found
from esibook.benefits.models import MonthlyBenefit, MonthlyBenefitPayment, PensionPayment
from esibook.benefits.monthly_benefits import add_method, method_row_in
from esibook.benefits.monthly_runs import as_method
from esibook.benefits.payouts import _refuse, change_takes_effect
from esibook.benefits.stops import stopped
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.people.models import Person
from esibook.periods import Month


def _line(benefit: str, p, *, person_id: int | None = None, seq: int | None = None) -> dict:
    return {
        "benefit": benefit, "person_id": person_id, "seq": seq, "month": str(Month.from_int(p.month)),
        "amount": p.amount, "lump_sum": getattr(p, "lump_sum", 0), "method": p.method, "paid_to": p.payee,
        "status": p.status, "paid_at": p.paid_at.isoformat(timespec="seconds") if p.paid_at else None,
        "back_pay": p.paid_in is not None and p.paid_in > p.month,
        "paid_in": str(Month.from_int(p.paid_in)) if p.paid_in else None,
        "to_agent": p.agent_id is not None, "hold_reason": p.hold_reason,
    }


def _way(session: Session, benefit: MonthlyBenefit, month: Month) -> dict | None:
    row = method_row_in(session, benefit, month)
    if row is None:
        return None
    agent = session.get(Person, row.agent_id) if row.agent_id else None
    shown = as_method(row, agent.full_name if agent else None)
    return {"method": shown.method, "shown": shown.shown(), "from_month": str(Month.from_int(row.from_month)),
            "authorisation_id": shown.authorisation_id}


def _beneficiaries(session: Session, me: Person) -> dict[int, Person]:
    """Whose monthly benefits the caller reads and names the way of: their own, and those of the persons they
    legally represent (a child under 18), as the access policy decides (:func:`policy.names_way_for`)."""
    represented = session.scalars(select(Person).where(Person.representative_id == me.personal_id)) \
        if me.personal_id else []
    return {me.id: me, **{p.id: p for p in represented if policy.names_way_for(me, p)}}


def _benefit(session: Session, b: MonthlyBenefit, now: Month) -> dict:
    current = max(now, Month.from_int(b.first_month))
    ahead = _way(session, b, current + 1)
    here = _way(session, b, current)
    return {
        "person_id": b.person_id, "seq": b.seq, "benefit": b.regime, "decision_no": b.decision_no,
        "first_month": str(Month.from_int(b.first_month)),
        "last_month": str(Month.from_int(b.last_month)) if b.last_month else None,
        "monthly_amount": b.monthly_amount, "paid_to": here, **stopped(b),
        "next_change": ahead if ahead and ahead != here else None,
    }


def _for(whose: dict[int, Person], me: Person, benefit: MonthlyBenefit) -> str | None:
    """The name of the person represented whose benefit it is (None: the caller's own)."""
    return None if benefit.beneficiary_id == me.id else whose[benefit.beneficiary_id].full_name


def my_monthly_payments(session: Session, caller: Principal) -> dict:
    """The caller's monthly benefits (those paid to them) and every month settled of each and of their pension,
    newest first; ``held``: the months held, with the benefit."""
    me = policy.own_person(session, caller)
    whose = _beneficiaries(session, me)
    now = Month.from_date(vietnam_today())
    benefits = list(session.scalars(select(MonthlyBenefit).where(MonthlyBenefit.beneficiary_id.in_(whose))
                                    .order_by(MonthlyBenefit.created_at, MonthlyBenefit.seq)))
    lines = [{**_line(b.regime, p, person_id=b.person_id, seq=b.seq), "for_person": _for(whose, me, b)}
             for b in benefits for p in session.scalars(select(MonthlyBenefitPayment).where(
                 MonthlyBenefitPayment.person_id == b.person_id, MonthlyBenefitPayment.seq == b.seq))]
    lines += [{**_line("pension", p), "for_person": None} for p in session.scalars(select(PensionPayment).where(
        PensionPayment.person_id == me.id))]
    lines.sort(key=lambda line: (line["month"], line["benefit"]), reverse=True)
    return {"benefits": [{**_benefit(session, b, now), "for_person": _for(whose, me, b)} for b in benefits],
            "payments": lines,
            "held": [{"benefit": line["benefit"], "month": line["month"], "hold_reason": line["hold_reason"]}
                     for line in lines if line["status"] == "held"]}


def change_way(session: Session, caller: Principal, person_id: int, seq: int, form: dict) -> None:
    """The beneficiary names where and how a monthly benefit is paid, from the next month (the current one is
    being paid): their own account or post office, or an authorised representative (the access policy decides).
    Months held are paid that way by the next run, as back pay. Audited without the account."""
    choice = parsed_choice(form)
    with transaction(session):
        me = policy.own_person(session, caller)
        benefit = session.get(MonthlyBenefit, (person_id, seq), with_for_update=True)
        beneficiary = session.get(Person, benefit.beneficiary_id) if benefit else None
        if beneficiary is None or not policy.names_way_for(me, beneficiary):
            raise payout_not_found()
        if beneficiary.id != me.id and choice.authorisation_id is not None:
            raise _refuse("payout.agent_represented", "the allowance of a person you represent is paid to your own "
                          "account or post office, not to your authorised representative",
                          "trợ cấp của người bạn đại diện được chi trả vào tài khoản hoặc tại bưu điện của chính bạn, "
                          "không qua người nhận thay", "authorisation_id")
        named = name_payee(session, caller, me, choice)
        if not named:
            raise _refuse("payout.method", "choose a bank account or cash at a post office",
                          "hãy chọn nhận qua tài khoản ngân hàng hoặc tiền mặt tại bưu điện", "method")
        start = change_takes_effect(Month.from_date(vietnam_today()), Month.from_int(benefit.first_month))
        add_method(session, benefit, start, named["payment"])
        audit.append(session, actor=caller.actor, action="benefit.monthly_way_changed",
                     target=f"monthly-benefit:{person_id}:{seq}", authority=benefit.authority,
                     details={"method": named["payment"]["method"], "bank": named["payment"].get("bank_code"),
                              "from_month": str(start), "authorisation": named["payment"].get("authorisation_id")})
