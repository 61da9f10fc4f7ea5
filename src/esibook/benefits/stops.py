"""Stopping a benefit paid by month (dừng hưởng): a pension, the unemployment allowance, the survivors' and the
accident/disease monthly allowances.

- **On a death** (:func:`stop_on_death`, from the approval of a death claim: the funeral grant or the survivors'
  allowance): the deceased's pension is paid to the end of the month of death, and so is every monthly benefit paid
  to them (Law 41/2024 Art 86: the survivors' allowance begins the month after). A month already paid after it is
  listed as paid after the death (to be recovered), never silently kept; months held or scheduled after it are
  dropped.
- **A child's survivors' allowance** ends with the month the child turns 18 when being under 18 is why the child
  qualifies (Art 86 khoản 2: "con chưa đủ 18 tuổi"): :func:`esibook.benefits.survivorship.child_last_month`, on the
  worksheet and set when the allowance is awarded.
- **By an officer's decision** (:func:`stop_benefit`): an approving officer of the benefit's authority, never on
  their own case, stops a benefit after a month not yet paid, for a reason the benefit admits
  (:data:`REASONS_BY_REGIME`). The decision is audited; the run then pays nothing after that month.
- A death, from a death claim or recorded by an officer, goes through :mod:`esibook.benefits.deaths`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.errors import forbidden
from esibook.access.guards import require_officer
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.models import MonthlyBenefit, MonthlyBenefitPayment, Pension, PensionPayment
from esibook.benefits.worksheet import Text
from esibook.db import scoped_to, transaction
from esibook.errors import DomainError, NotFound
from esibook.params import MAX_INT16, ascii_int
from esibook.people.models import Person
from esibook.periods import Month

STOP_REASONS = {
    "death": Text("người hưởng đã chết", "the beneficiary died"),
    "employed": Text("đã có việc làm", "found a job"),
    "income": Text("có thu nhập từ mức tham chiếu trở lên", "has an income of the reference level or more"),
    "reassessed": Text("giám định lại: không còn đủ mức suy giảm khả năng lao động",
                       "re-assessed: the loss of working capacity no longer qualifies"),
    "not_eligible": Text("không còn đủ điều kiện hưởng", "no longer qualifies"),
}
"""Why a benefit paid by month stops."""

REASONS_BY_REGIME = {
    "pension": ("not_eligible",),
    "unemployment": ("employed", "not_eligible"),
    "survivors_monthly": ("income", "reassessed", "not_eligible"),
    "oad_monthly": ("reassessed", "not_eligible"),
}
"""The reasons an officer may stop each benefit for (Law on Employment 2013 Art 53 for the unemployment allowance).
A death is not one of them: it is recorded (:mod:`esibook.benefits.deaths`), and that ends every benefit paid to the
deceased."""

DEATH_CLAIM_ACTOR = "system:death-claim"


def stopped(row) -> dict:
    """Why a pension or a monthly benefit stopped, as its views show it: the code and its words, or nulls."""
    reason = STOP_REASONS.get(row.stop_reason or "")
    return {"stop_reason": row.stop_reason,
            "stop_reason_text": {"vi": reason.vi, "en": reason.en} if reason else None}


def _refuse(code: str, en: str, vi: str, field: str = "last_month") -> DomainError:
    return DomainError(code, en, vi, field=field)


@dataclass(frozen=True)
class PaidAfter:
    """Months already paid after a benefit's new last month (to be recovered): how many and how much."""

    months: int = 0
    amount: int = 0

    def __add__(self, other: PaidAfter) -> PaidAfter:
        return PaidAfter(self.months + other.months, self.amount + other.amount)


def _payments(row: Pension | MonthlyBenefit):
    """The table of the months settled of a pension or a monthly benefit, and the condition naming its rows."""
    if isinstance(row, Pension):
        return PensionPayment, (PensionPayment.person_id == row.person_id,)
    return MonthlyBenefitPayment, (MonthlyBenefitPayment.person_id == row.person_id,
                                   MonthlyBenefitPayment.seq == row.seq)


def _regime(row: Pension | MonthlyBenefit) -> str:
    return "pension" if isinstance(row, Pension) else row.regime


def _paid_after(session: Session, row, last: Month) -> PaidAfter:
    """Months of ``row`` paid after ``last`` (a pension's lump sum at retirement with its first month included)."""
    table, keys = _payments(row)
    paid = table.amount + table.lump_sum if table is PensionPayment else table.amount
    months, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(paid), 0))
        .where(*keys, table.month > last.as_int(), table.status == "paid")
    ).one()
    return PaidAfter(int(months), int(amount))


def _ends_later(row, last: Month) -> bool:
    """Whether ``row`` would still be paid after ``last`` (running on, or ending later)."""
    return row.last_month is None or row.last_month > last.as_int()


def _end(session: Session, row, last: Month, reason: str, actor: str) -> PaidAfter:
    """End ``row`` with ``last`` (it runs later: :func:`_ends_later`), drop its months after it not paid, and say
    what was paid after it."""
    table, keys = _payments(row)
    row.last_month = last.as_int()
    row.stop_reason, row.stopped_by, row.stopped_at = reason, actor[:120], datetime.now(UTC)
    session.execute(delete(table).where(*keys, table.month > row.last_month, table.status != "paid"))
    return _paid_after(session, row, last)


def stop_on_death(session: Session, person_id: int, died_on: date, *, actor: str = DEATH_CLAIM_ACTOR) -> PaidAfter:
    """The deceased's pension and every monthly benefit paid to them, of any authority, end with the month of death
    (in the caller's transaction; one that ends by then is left as it is, so a second claim changes nothing).
    Returns what was already paid after it."""
    last = Month.from_date(died_on)
    paid_after = PaidAfter()
    with scoped_to("*"):  # a death ends what every authority pays the deceased, not only the approver's
        pension = session.get(Pension, person_id, with_for_update=True)
        benefits = session.scalars(select(MonthlyBenefit).where(MonthlyBenefit.beneficiary_id == person_id)
                                   .with_for_update())
        ended = [row for row in ([pension] if pension else []) + list(benefits) if _ends_later(row, last)]
        for row in ended:
            paid_after += _end(session, row, last, "death", actor)
    if ended:
        audit.append(session, actor=actor, action="benefit.stopped", target=f"person:{person_id}",
                     authority=ended[0].authority,
                     details={"reason": "death", "last_month": str(last), "benefits": len(ended),
                              "paid_after_months": paid_after.months, "paid_after_amount": paid_after.amount})
    return paid_after


def parse_seq(text: str) -> int | None:
    """A form's benefit number: empty for the pension, else the monthly benefit's number in the book."""
    if not text.strip():
        return None
    number = ascii_int(text)
    if number is None or not 1 <= number <= MAX_INT16:
        raise _refuse("benefits.seq", "the benefit number must be a whole number from 1",
                      "số thứ tự chế độ phải là số nguyên từ 1", "seq")
    return number


@dataclass(frozen=True)
class Stopped:
    regime: str
    last_month: Month
    reason: str


def approving_officer(session: Session, caller: Principal, person_id: int, *, code: str, what_en: str,
                      what_vi: str) -> Person:
    """The person an approving officer acts on (their authority, never their own case); without the approver
    permission, 403 ``code`` saying that ``what`` needs it."""
    person = policy.officer_acts_on(session, caller, person_id)
    if "approver" not in caller.officer_permissions:
        raise forbidden(code, f"{what_en} needs the approver permission.", f"{what_vi} cần quyền phê duyệt.")
    return person


def _target(session: Session, person_id: int, seq: int | None) -> Pension | MonthlyBenefit | None:
    """The pension (``seq`` none) or the monthly benefit ``seq`` in the person's book."""
    if seq is None:
        return session.get(Pension, person_id, with_for_update=True)
    return session.get(MonthlyBenefit, (person_id, seq), with_for_update=True)


def _last_paid(session: Session, row) -> int | None:
    table, keys = _payments(row)
    return session.scalar(select(func.max(table.month)).where(*keys, table.status == "paid"))


def _check_stop(row, regime: str, last: Month, reason: str, last_paid: int | None) -> None:
    if reason not in REASONS_BY_REGIME[regime]:
        raise _refuse("benefits.stop_reason", f"{reason[:40]!r} is not a reason to stop this benefit",
                      f"{reason[:40]!r} không phải lý do dừng hưởng chế độ này", "reason")
    if row.last_month is not None and row.last_month <= last.as_int():
        raise _refuse("benefits.already_ends",
                      f"this benefit already ends with {Month.from_int(row.last_month)}",
                      f"chế độ này đã kết thúc vào tháng {Month.from_int(row.last_month)}")
    before_first = Month.from_int(row.first_month) - 1
    floor = max(before_first, Month.from_int(last_paid)) if last_paid else before_first
    if last < floor:
        raise _refuse("benefits.stop_paid",
                      f"the last month must be {floor} or later: months up to it are already paid or begun",
                      f"tháng cuối phải từ tháng {floor} trở đi: các tháng trước đó đã được chi trả hoặc đã bắt đầu")


def stop_benefit(session: Session, caller: Principal, person_id: int, seq: int | None, *, last_month: str,
                 reason: str) -> Stopped:
    """An approving officer stops the pension (``seq`` none) or a monthly benefit of the person's book: nothing is
    paid after ``last_month`` (YYYY-MM, not before a month already paid). One audit record."""
    last = Month.parse_input(last_month, field="last_month")
    with scoped_to(require_officer(caller)), transaction(session):
        approving_officer(session, caller, person_id, code="benefits.stop_permission",
                          what_en="Stopping a benefit", what_vi="Dừng hưởng chế độ")
        row = _target(session, person_id, seq)
        if row is None:
            raise NotFound("benefits.not_in_payment", "No such benefit in payment in this person's book.",
                           "Không có chế độ đang hưởng này trong sổ của người này.")
        regime = _regime(row)
        beneficiary = session.get(Person, getattr(row, "beneficiary_id", person_id))
        policy.refuse_own_case(caller, person_id=beneficiary.id, representative_id=beneficiary.representative_id)
        _check_stop(row, regime, last, reason, _last_paid(session, row))
        _end(session, row, last, reason, caller.actor)
        audit.append(session, actor=caller.actor, action="benefit.stopped", target=f"person:{person_id}",
                     authority=row.authority,
                     details={"regime": regime, "seq": seq, "last_month": str(last), "reason": reason})
    return Stopped(regime, last, reason)


# --- what an officer sees ------------------------------------------------------------------------------------------


def _shown(session: Session, row) -> dict:
    beneficiary = session.get(Person, getattr(row, "beneficiary_id", row.person_id))
    last_paid = _last_paid(session, row)
    after = _paid_after(session, row, Month.from_int(row.last_month)) if row.last_month else PaidAfter()
    regime = _regime(row)
    return {
        "person_id": row.person_id, "seq": getattr(row, "seq", None), "benefit": regime,
        "decision_no": row.decision_no,
        "beneficiary": beneficiary.full_name if beneficiary else None,
        "first_month": str(Month.from_int(row.first_month)),
        "last_month": str(Month.from_int(row.last_month)) if row.last_month else None,
        "last_paid": str(Month.from_int(last_paid)) if last_paid else None,
        "monthly_amount": row.monthly_amount, "reasons": list(REASONS_BY_REGIME[regime]), **stopped(row),
        "paid_after_last": {"months": after.months, "amount": after.amount},
    }


def in_payment(session: Session, caller: Principal, person_id: int, *, channel: str) -> dict:
    """The benefits paid by month that an officer of the person's authority may stop: the person's pension, the
    monthly benefits in their book (a survivors' allowance is in the deceased's) and those paid to them; never the
    officer's own case; and the day of the person's death if it is on record. The read is in the person's access
    log."""
    with scoped_to(require_officer(caller)), transaction(session):
        person = policy.officer_acts_on(session, caller, person_id)
        pension = session.get(Pension, person.id)
        benefits = session.scalars(select(MonthlyBenefit).where(
            (MonthlyBenefit.person_id == person.id) | (MonthlyBenefit.beneficiary_id == person.id),
            MonthlyBenefit.authority == person.authority)  # another authority's books: not this officer's
            .order_by(MonthlyBenefit.person_id, MonthlyBenefit.seq))
        shown = [_shown(session, row) for row in ([pension] if pension else []) + list(benefits)]
        record_access(session, person_id=person.id, principal=caller, groups=[4], purpose="GDBHXH",
                      outcome="allowed", channel=channel)
    return {"died_on": person.died_on.isoformat() if person.died_on else None, "benefits": shown}
