"""The reminders due on a day for a range of persons, read set-based: a few queries per range (each over the
person-keyed tables by the range of ids), whatever the number of persons in it; the rules (``reminders.rules``)
then decide in memory. No query runs per person."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.contributions.models import SELF_PAID, ContributionLine, ParticipationPeriod
from esibook.contributions.payments import OWED, due_date
from esibook.dates import vietnam_day
from esibook.employers.models import Employer
from esibook.health.models import HICoverage
from esibook.people.models import HouseholdMember, Person
from esibook.periods import Month
from esibook.reminders import rules
from esibook.transactions.models import Dossier, DossierEvent
from esibook.transactions.procedures import PROCEDURES

APPROVED = ("approved", "result_issued")
HEAD = "chu_ho"


@dataclass(frozen=True)
class Due:
    """One reminder due: to whom, of what kind, about what (the key that sends it once), and its facts."""

    person_id: int
    kind: str
    subject_key: str
    details: dict = field(hash=False, compare=False)


def due_reminders(session: Session, as_of: date, lo: int, hi: int) -> list[Due]:
    """Every reminder due on ``as_of`` to the persons with ids ``lo``…``hi`` (sent or not); none to a person whose
    death is recorded."""
    deceased = set(session.scalars(select(Person.id).where(_in_range(Person.id, lo, hi),
                                                           Person.died_on.is_not(None))))
    return [due for due in (
        *cards_ending(session, as_of, lo, hi),
        *voluntary_payments(session, as_of, lo, hi),
        *employer_unpaid(session, as_of, lo, hi),
        *dossiers_needing_info(session, as_of, lo, hi),
    ) if due.person_id not in deceased]


def _in_range(column, lo: int, hi: int):
    return column.between(lo, hi)


def cards_ending(session: Session, as_of: date, lo: int, hi: int) -> list[Due]:
    ending = session.execute(
        select(HICoverage.person_id, HICoverage.card_code, HICoverage.beneficiary_group, HICoverage.valid_to).where(
            _in_range(HICoverage.person_id, lo, hi),
            HICoverage.valid_to.between(as_of, as_of + timedelta(days=rules.CARD_LEAD_DAYS)),
        )
    ).all()
    if not ending:
        return []
    covered = dict(
        session.execute(
            select(HICoverage.person_id, func.max(HICoverage.valid_to))
            .where(HICoverage.person_id.in_({row.person_id for row in ending}))
            .group_by(HICoverage.person_id)
        ).all()
    )
    employed = _employed(session, {row.person_id for row in ending if row.beneficiary_group in
                                   rules.EMPLOYER_PAID_GROUPS}, lo, hi)
    found = [
        Due(
            row.person_id,
            rules.card_kind(row.beneficiary_group),
            f"{row.card_code}:{row.valid_to.isoformat()}",
            {"card_code": row.card_code, "valid_to": row.valid_to.isoformat()},
        )
        for row in ending
        if rules.card_ending(row.valid_to, as_of, covered.get(row.person_id), group=row.beneficiary_group,
                             employed=row.person_id in employed)
    ]
    return found + _to_household_heads(session, [d for d in found if d.kind == rules.HOUSEHOLD_HI])


def _employed(session: Session, persons: set[int], lo: int, hi: int) -> set[int]:
    """Which of these persons have an open participation period at an employer (who renews their card)."""
    if not persons:
        return set()
    return set(session.scalars(
        select(ParticipationPeriod.person_id).where(
            _in_range(ParticipationPeriod.person_id, lo, hi),
            ParticipationPeriod.person_id.in_(persons),
            ParticipationPeriod.to_month.is_(None),
            ParticipationPeriod.employer_id != SELF_PAID,
        )
    ))


def _to_household_heads(session: Session, ending: list[Due]) -> list[Due]:
    """A household card ending is told to the household's head too (chủ hộ: who renews for the household), with the
    member's name."""
    if not ending:
        return []
    holders = {d.person_id for d in ending}
    household_of = dict(
        session.execute(
            select(HouseholdMember.person_id, HouseholdMember.household_id).where(
                HouseholdMember.person_id.in_(holders)
            )
        ).all()
    )
    heads = dict(
        session.execute(
            select(HouseholdMember.household_id, HouseholdMember.person_id).where(
                HouseholdMember.household_id.in_(set(household_of.values())), HouseholdMember.relationship == HEAD
            )
        ).all()
    )
    names = dict(session.execute(select(Person.id, Person.full_name).where(Person.id.in_(holders))).all())
    found = []
    for due in ending:
        head = heads.get(household_of.get(due.person_id))
        if head is not None and head != due.person_id:
            details = {**due.details, "member": names.get(due.person_id, "")}
            found.append(Due(head, due.kind, due.subject_key, details))
    return found


def voluntary_payments(session: Session, as_of: date, lo: int, hi: int) -> list[Due]:
    current = Month.from_date(as_of).as_int()
    periods = session.execute(
        select(ParticipationPeriod.person_id, ParticipationPeriod.from_month, ParticipationPeriod.to_month).where(
            _in_range(ParticipationPeriod.person_id, lo, hi),
            ParticipationPeriod.employer_id == SELF_PAID,
            ParticipationPeriod.participant_type == "voluntary",
            (ParticipationPeriod.to_month.is_(None)) | (ParticipationPeriod.to_month >= current),
        )
    ).all()
    if not periods:
        return []
    persons = {row.person_id for row in periods}
    last_paid = dict(
        session.execute(
            select(ContributionLine.person_id, func.max(ContributionLine.month))
            .where(
                ContributionLine.person_id.in_(persons),
                ContributionLine.employer_id == SELF_PAID,
                ContributionLine.status == "paid",
            )
            .group_by(ContributionLine.person_id)
        ).all()
    )
    terms = _registered_terms(session, persons)
    found = []
    for row in periods:
        paid = last_paid.get(row.person_id)
        due = rules.voluntary_due(
            Month.from_int(row.from_month),
            terms.get(row.person_id, 1),
            Month.from_int(paid) if paid else None,
            as_of,
            Month.from_int(row.to_month) if row.to_month else None,
        )
        if due:
            details = {"first_month": str(due.first_month), "months": due.months, "pay_by": due.pay_by.isoformat()}
            found.append(Due(row.person_id, rules.VOLUNTARY_SI, due.subject_key, details))
    return found


def _registered_terms(session: Session, persons: set[int]) -> dict[int, int]:
    """Each person's payment term, from their latest approved voluntary SI registration (1 month if none)."""
    terms: dict[int, int] = {}
    rows = session.execute(
        select(Dossier.person_id, Dossier.form)
        .where(Dossier.person_id.in_(persons), Dossier.procedure == "voluntary_si", Dossier.status.in_(APPROVED))
        .order_by(Dossier.id)
    ).all()
    for person_id, form in rows:
        terms[person_id] = int(json.loads(form).get("payment_months", 1))
    return terms


def last_overdue_month(as_of: date) -> Month:
    """The newest contribution month whose due date is before ``as_of``."""
    month = Month.from_date(as_of) - 1
    while due_date(month) >= as_of:
        month = month - 1
    return month


def employer_unpaid(session: Session, as_of: date, lo: int, hi: int) -> list[Due]:
    rows = session.execute(
        select(
            ContributionLine.person_id,
            ContributionLine.employer_id,
            ContributionLine.month,
            ContributionLine.total - ContributionLine.paid_amount,
        ).where(
            _in_range(ContributionLine.person_id, lo, hi),
            ContributionLine.employer_id != SELF_PAID,
            ContributionLine.status.in_(OWED),
            ContributionLine.paid_amount < ContributionLine.total,
            ContributionLine.month <= last_overdue_month(as_of).as_int(),
        )
    ).all()
    owed: dict[tuple[int, int], dict[Month, int]] = defaultdict(dict)
    for person_id, employer_id, month, amount in rows:
        owed[(person_id, employer_id)][Month.from_int(month)] = amount
    if not owed:
        return []
    names = dict(session.execute(select(Employer.id, Employer.name).where(Employer.id.in_({e for _, e in owed}))).all())
    found = []
    for (person_id, employer_id), amounts in owed.items():
        months = rules.owed_months(list(amounts), as_of)
        if months:
            details = {
                "employer": names.get(employer_id, ""),
                "months": [str(m) for m in months],
                "owed": sum(amounts[m] for m in months),
            }
            key = rules.employer_subject_key(employer_id, months)
            found.append(Due(person_id, rules.EMPLOYER_UNPAID, key, details))
    return found


def dossiers_needing_info(session: Session, as_of: date, lo: int, hi: int) -> list[Due]:
    waiting = session.execute(
        select(Dossier.id, Dossier.code, Dossier.procedure, Dossier.person_id).where(
            _in_range(Dossier.person_id, lo, hi),
            Dossier.status == "needs_info",
            Dossier.filer_ref.startswith("person:"),
        )
    ).all()
    if not waiting:
        return []
    asked: dict[int, tuple[int, date]] = {}
    for dossier_id, seq, at in session.execute(
        select(DossierEvent.dossier_id, DossierEvent.seq, DossierEvent.at)
        .where(DossierEvent.dossier_id.in_({row.id for row in waiting}), DossierEvent.to_status == "needs_info")
        .order_by(DossierEvent.dossier_id, DossierEvent.seq)
    ):
        asked[dossier_id] = (seq, vietnam_day(at))
    found = []
    for row in waiting:
        seq, requested_on = asked.get(row.id, (0, as_of))
        if rules.needs_info_due(requested_on, as_of):
            proc = PROCEDURES.get(row.procedure)
            details = {
                "dossier_id": row.id,
                "code": row.code or "",
                "procedure_vi": proc.name_vi if proc else row.procedure,
                "procedure_en": proc.name_en if proc else row.procedure,
                "asked_on": requested_on.isoformat(),
            }
            found.append(Due(row.person_id, rules.DOSSIER_NEEDS_INFO, f"{row.id}:{seq}", details))
    return found
