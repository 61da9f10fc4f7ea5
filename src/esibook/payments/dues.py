"""What a person has paid and what is due: the open voluntary SI registration with its paid months, and the
household members whose household HI card can be renewed. Reads only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.contributions.models import SELF_PAID, ContributionLine, ParticipationPeriod
from esibook.contributions.parameters import current_parameters
from esibook.contributions.records import voluntary_supported_months
from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions.household import HOUSEHOLD_GROUP, household_of
from esibook.transactions.models import Dossier


@dataclass(frozen=True)
class VoluntaryAccount:
    """An open voluntary SI registration: the chosen income and category, the months paid and those due."""

    period: ParticipationPeriod
    category: str
    paid: list[int]
    """YYYYMM of the paid months, oldest first."""
    first_unpaid: Month
    due: list[Month]
    """Months up to the current one that are not paid (what is owed now)."""
    supported_before: int
    """Months of the State's support used before ``first_unpaid`` (of the 120 allowed)."""

    @property
    def income(self) -> int:
        return self.period.salary_basis

    @property
    def from_month(self) -> Month:
        return Month.from_int(self.period.from_month)


def voluntary_period(session: Session, person_id: int) -> ParticipationPeriod | None:
    return session.scalar(
        select(ParticipationPeriod).where(
            ParticipationPeriod.person_id == person_id,
            ParticipationPeriod.employer_id == SELF_PAID,
            ParticipationPeriod.participant_type == "voluntary",
            ParticipationPeriod.to_month.is_(None),
        )
    )


def support_category(session: Session, person_id: int) -> str:
    """The category for the State's support the person gave when registering (``other`` when unknown)."""
    form = session.scalar(
        select(Dossier.form)
        .where(Dossier.person_id == person_id, Dossier.procedure == "voluntary_si", Dossier.status == "result_issued")
        .order_by(Dossier.id.desc())
        .limit(1)
    )
    return json.loads(form).get("support_category", "other") if form else "other"


def paid_months(session: Session, person_id: int, since: int) -> list[int]:
    return list(
        session.scalars(
            select(ContributionLine.month)
            .where(
                ContributionLine.person_id == person_id,
                ContributionLine.employer_id == SELF_PAID,
                ContributionLine.participant_type == "voluntary",
                ContributionLine.status == "paid",
                ContributionLine.month >= since,
            )
            .order_by(ContributionLine.month)
        )
    )


def voluntary_account(session: Session, person_id: int, today: date) -> VoluntaryAccount | None:
    period = voluntary_period(session, person_id)
    if period is None:
        return None
    paid = paid_months(session, person_id, period.from_month)
    paid_set = set(paid)
    first = Month.from_int(period.from_month)
    while first.as_int() in paid_set:
        first = first + 1
    current = Month.from_date(today)
    due = [m for m in Month.range(first, current) if m.as_int() not in paid_set] if first <= current else []
    began = current_parameters().voluntary_support_began().as_int()
    used = voluntary_supported_months(session, person_id, began, first.as_int())
    return VoluntaryAccount(period, support_category(session, person_id), paid, first, due, used)


@dataclass(frozen=True)
class HouseholdMemberCover:
    """A household member on household HI: their latest GD card and the first month a renewal pays for."""

    person: Person
    card: HICoverage
    first_month: Month


def household_renewals(session: Session, person: Person, today: date) -> list[HouseholdMemberCover]:
    """The living members of the person's household whose latest card is a household (GD) card, in the
    household's order; each renewal starts the month after their card ends, or next month if it has ended."""
    _, members = household_of(session, person)
    found = []
    next_month = Month.from_date(today) + 1
    for member, _relationship in members:
        if member.died_on is not None:  # a deceased member is not renewed, nor charged for
            continue
        card = session.scalar(
            select(HICoverage)
            .where(HICoverage.person_id == member.id)
            .order_by(HICoverage.valid_to.desc(), HICoverage.seq.desc())
            .limit(1)
        )
        if card is None or card.beneficiary_group != HOUSEHOLD_GROUP:
            continue
        after = Month.from_date(card.valid_to + timedelta(days=1))
        found.append(HouseholdMemberCover(member, card, max(after, next_month)))
    return found
