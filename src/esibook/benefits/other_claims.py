"""The other benefit claims on the dossier engine (issue 14, item 6), beside :mod:`esibook.benefits.claims`:

- **funeral grant** and **survivors' allowance** (Law 41/2024 Art 85–89), filed by a relative of the deceased:
  :mod:`esibook.benefits.death_claims` (which settles through :func:`_settle` here);
- **caring for a sick child** (Art 44–45), filed by the employer: the child must be the employee's on record.
- **occupational accident or disease** (Law 84/2015 Art 48–49), filed by the employer with the medical assessment
  council's report attached; the loss of working capacity is the form's figure from that report.

Each filed form carries its worksheet; approval records the settlement (:class:`BenefitSettlement`) in the book of
the deceased or of the worker, naming the other person it concerns (the relative paid, the child).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.claim_payouts import PayoutChoice, pay_out
from esibook.benefits.claims import _employee, _refuse, _salary_basis_in, _worksheet_form
from esibook.benefits.estimator import contribution_history
from esibook.benefits.models import BenefitSettlement
from esibook.benefits.months import COMPULSORY
from esibook.benefits.occupational import occupational
from esibook.benefits.sick_child import sick_child
from esibook.dates import vietnam_today
from esibook.db import last_seq
from esibook.employers.models import Employer
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.people.relatives import kinship
from esibook.periods import Month

OpenClaim = Callable[[Session, Person, str], bool]


# --- settling -----------------------------------------------------------------------------


def _settle(
    session: Session,
    person: Person,
    regime: str,
    start: date,
    end: date,
    amount: int,
    *,
    days: int | None = None,
    related: int | None = None,
    clash=None,
    form: dict | None = None,
    beneficiary: int | None = None,
) -> None:
    """Record one settlement in the person's book; ``clash``: a condition on earlier settlements that, if any
    matches, means this one was settled meanwhile (the approval is refused); ``form``: the filed form, whose payee
    (if named) is paid now, the money being ``beneficiary``'s (the person's, unless said)."""
    session.scalar(select(Person.id).where(Person.id == person.id).with_for_update())  # one approval at a time
    if clash is not None and session.scalar(
        select(func.count()).select_from(BenefitSettlement).where(BenefitSettlement.person_id == person.id, clash)
    ):
        raise _refuse(
            "claim.already_settled",
            "this benefit was settled meanwhile",
            "chế độ này đã được giải quyết trong lúc chờ duyệt",
            "form",
        )
    seq = last_seq(session, BenefitSettlement.seq, BenefitSettlement.person_id, person.id) + 1
    settlement = BenefitSettlement(
        person_id=person.id,
        seq=seq,
        regime=regime,
        period_from=start,
        period_to=end,
        days=days,
        amount=amount,
        decision_no=f"QD-{regime.upper()[:12]}-{person.id}-{seq}",
        decision_date=vietnam_today(),
        authority=person.authority,
        related_person_id=related,
    )
    session.add(settlement)
    pay_out(session, settlement, form or {}, beneficiary_id=beneficiary or person.id)
    session.flush()


def _by_id(session: Session, personal_id: str) -> Person:
    return session.scalar(select(Person).where(Person.personal_id == personal_id))


# --- caring for a sick child (employer) ----------------------------------------------------------------------------


class SickChildClaim(PayoutChoice):
    """Đề nghị hưởng chế độ khi con ốm đau: the employee, their child (by personal ID), the month and the days."""

    personal_id: str = Field(min_length=12, max_length=12)
    child_personal_id: str = Field(min_length=12, max_length=12)
    leave_month: str = Field(min_length=7, max_length=7)
    days: int = Field(ge=1, le=20)


def _sick_child_days_taken(session: Session, person: Person, child: Person, year: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(BenefitSettlement.days), 0)).where(
            BenefitSettlement.person_id == person.id,
            BenefitSettlement.regime == "sick_child",
            BenefitSettlement.related_person_id == child.id,
            BenefitSettlement.period_from >= date(year, 1, 1),
            BenefitSettlement.period_from <= date(year, 12, 31),
        )
    )


def prepare_sick_child(session: Session, employer: Employer, form: SickChildClaim, *, open_claim: OpenClaim) -> dict:
    month = Month.parse_input(form.leave_month, field="leave_month")
    person = _employee(session, employer, form.personal_id, month)
    child = _by_id(session, parse_personal_id(form.child_personal_id).number)
    if child is None or kinship(session, person, child) != "child":
        raise _refuse(
            "claim.not_child",
            "the population records do not show this child as the employee's",
            "cơ sở dữ liệu dân cư không ghi nhận đây là con của người lao động",
            "child_personal_id",
        )
    if open_claim(session, person, "claim_sick_child"):
        raise _refuse(
            "claim.pending",
            "a claim of this kind is already being processed for this person",
            "đã có hồ sơ đề nghị chế độ này đang được giải quyết",
            "form",
        )
    taken = _sick_child_days_taken(session, person, child, month.year)
    history = contribution_history(session, person.id, before=month)
    first = not any(m.kind == COMPULSORY for m in history.months)
    sheet = sick_child(
        history.months,
        leave_month=month,
        child_born=child.date_of_birth,
        days=form.days,
        days_taken=taken,
        first_month_salary=_salary_basis_in(session, employer, person, month) if first else None,
    )
    if sheet.eligible and sheet.value("days") < form.days:
        left = int(sheet.value("days_left"))
        raise _refuse(
            "claim.sick_child_days",
            f"{taken} of the {int(sheet.value('days_per_year'))} days of {month.year} for this child are already paid; "
            f"at most {left} left",
            f"đã hưởng {taken}/{int(sheet.value('days_per_year'))} ngày năm {month.year} cho con này; còn tối đa "
            f"{left} ngày",
            "days",
        )
    return _worksheet_form(
        sheet,
        personal_id=person.personal_id,
        full_name=person.full_name,
        child_personal_id=child.personal_id,
        leave_month=str(month),
        days=form.days,
        regime="sick_child",
        total=sheet.value("amount_for_days") if sheet.has("amount_for_days") else 0,
    )


# --- occupational accident or disease (employer) -------------------------------------------------------------------


class OccupationalClaim(PayoutChoice):
    """Đề nghị hưởng trợ cấp TNLĐ-BNN: the employee, accident or disease, the month it happened (or was diagnosed),
    the month of the medical assessment and the loss of working capacity it found (%), with its report attached."""

    personal_id: str = Field(min_length=12, max_length=12)
    kind: str = Field("accident", pattern="^(accident|disease)$")
    event_month: str = Field(min_length=7, max_length=7)
    assessed_month: str = Field(min_length=7, max_length=7)
    loss: int = Field(ge=1, le=100)


def prepare_occupational(
    session: Session, employer: Employer, form: OccupationalClaim, *, open_claim: OpenClaim
) -> dict:
    event = Month.parse_input(form.event_month, field="event_month")
    assessed = Month.parse_input(form.assessed_month, field="assessed_month")
    if not event <= assessed <= Month.from_date(vietnam_today()):
        raise _refuse(
            "claim.assessed_month",
            "the assessment comes after the accident and is not in the future",
            "tháng giám định phải sau tháng bị tai nạn và không ở tương lai",
            "assessed_month",
        )
    person = _employee(session, employer, form.personal_id, event)
    if session.scalar(
        select(func.count())
        .select_from(BenefitSettlement)
        .where(
            BenefitSettlement.person_id == person.id,
            BenefitSettlement.regime.in_(("oad", "oad_monthly")),
            BenefitSettlement.period_from == event.first_day(),
        )
    ):
        raise _refuse(
            "claim.already_settled",
            "this accident or disease is already settled",
            "tai nạn lao động, bệnh nghề nghiệp này đã được giải quyết",
            "form",
        )
    if open_claim(session, person, "claim_occupational"):
        raise _refuse(
            "claim.pending",
            "a claim of this kind is already being processed for this person",
            "đã có hồ sơ đề nghị chế độ này đang được giải quyết",
            "form",
        )
    history = contribution_history(session, person.id, before=event)
    first = not any(m.kind == COMPULSORY for m in history.months)
    sheet = occupational(
        history.months,
        event_month=event,
        assessed_month=assessed,
        loss=form.loss,
        kind=form.kind,
        first_month_salary=_salary_basis_in(session, employer, person, event) if first else None,
    )
    return _worksheet_form(
        sheet,
        personal_id=person.personal_id,
        full_name=person.full_name,
        kind=form.kind,
        event_month=str(event),
        assessed_month=str(assessed),
        loss=form.loss,
        regime=sheet.benefit,
        total=sheet.result,
    )


def approve_employer_claim(session: Session, employer: Employer, form: dict) -> list[int]:
    """Settle a sick child's leave or an occupational accident/disease benefit in the worker's book."""
    person = _by_id(session, form["personal_id"])
    if form["regime"] == "sick_child":
        child = _by_id(session, form["child_personal_id"])
        start = Month.parse(form["leave_month"]).first_day()
        end = start + timedelta(days=int(form["days"]) - 1)
        clash = (
            (BenefitSettlement.regime == "sick_child")
            & (BenefitSettlement.related_person_id == child.id)
            & (BenefitSettlement.period_from <= end)
            & (BenefitSettlement.period_to >= start)
        )
        _settle(
            session,
            person,
            "sick_child",
            start,
            end,
            int(form["total"]),
            days=int(form["days"]),
            related=child.id,
            clash=clash,
            form=form,
        )
        return [person.id]
    event = Month.parse(form["event_month"])
    assessed = Month.parse(form["assessed_month"])
    clash = BenefitSettlement.regime.in_(("oad", "oad_monthly")) & (BenefitSettlement.period_from == event.first_day())
    _settle(session, person, form["regime"], event.first_day(), assessed.last_day(), int(form["total"]), clash=clash,
            form=form)
    return [person.id]
