"""A person's social insurance record as the data groups read it (group 4: participation periods and monthly
lines; group 6: unemployment months and reserves; group 7: the current employers), and the count of lines. Only
reads; who may see what, and what is redacted, is the caller's (``views.person``)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.contributions.models import ContributionLine, ParticipationPeriod, UnemploymentReserve
from esibook.employers.models import Employer
from esibook.periods import Month


def participation(
    session: Session, person_id: int, employer_ids: Collection[int] | None = None
) -> list[tuple[ParticipationPeriod, str | None, str | None]]:
    """The person's periods in order, each with its employer's name and unit code (None without an employer);
    with ``employer_ids``, only the periods with those employers."""
    query = (
        select(ParticipationPeriod, Employer.name, Employer.unit_code)
        .outerjoin(Employer, Employer.id == ParticipationPeriod.employer_id)
        .where(ParticipationPeriod.person_id == person_id)
    )
    if employer_ids is not None:
        query = query.where(ParticipationPeriod.employer_id.in_(employer_ids))
    return [tuple(row) for row in session.execute(query.order_by(ParticipationPeriod.seq))]


def recent_lines(
    session: Session, person_id: int, *, limit: int, employer_ids: Collection[int] | None = None
) -> list[ContributionLine]:
    """The person's latest monthly lines, newest month first; with ``employer_ids``, only those employers'."""
    query = select(ContributionLine).where(ContributionLine.person_id == person_id)
    if employer_ids is not None:
        query = query.where(ContributionLine.employer_id.in_(employer_ids))
    return list(session.scalars(query.order_by(ContributionLine.month.desc()).limit(limit)))


def unemployment_months(session: Session, person_id: int) -> int:
    """How many monthly lines on record carry the employee's unemployment insurance."""
    return session.scalar(
        select(func.count())
        .select_from(ContributionLine)
        .where(ContributionLine.person_id == person_id, ContributionLine.ui_employee > 0)
    )


def unemployment_reserves(session: Session, person_id: int) -> list[UnemploymentReserve]:
    return list(session.scalars(select(UnemploymentReserve).where(UnemploymentReserve.person_id == person_id)))


def current_employers(
    session: Session, person_id: int, employer_ids: Collection[int] | None = None
) -> list[Employer]:
    """The employers of the person's open periods (each once); with ``employer_ids``, only those."""
    query = (
        select(Employer)
        .join(ParticipationPeriod, ParticipationPeriod.employer_id == Employer.id)
        .where(ParticipationPeriod.person_id == person_id, ParticipationPeriod.to_month.is_(None))
    )
    if employer_ids is not None:
        query = query.where(Employer.id.in_(employer_ids))
    return list(session.scalars(query.distinct()))


def participating_now(session: Session, person_id: int) -> bool:
    """Whether the person has an open participation period."""
    open_periods = session.scalar(
        select(func.count())
        .select_from(ParticipationPeriod)
        .where(ParticipationPeriod.person_id == person_id, ParticipationPeriod.to_month.is_(None))
    )
    return open_periods > 0


def line_count(session: Session) -> int:
    """Every monthly line on record (the home page's statistics)."""
    return session.execute(select(func.count()).select_from(ContributionLine)).scalar_one()


def voluntary_supported_months(session: Session, person_id: int, since: int, before: int) -> int:
    """Months of voluntary SI from ``since`` (YYYYMM, when the State's support began) to before ``before`` that the
    book shows as contributed: each carried the State's support, and they count towards its 120-month limit. A
    month is a voluntary line not left unpaid, or a month of a voluntary period converted from a paper book."""
    lined = set(
        session.scalars(
            select(ContributionLine.month).where(
                ContributionLine.person_id == person_id,
                ContributionLine.participant_type == "voluntary",
                ContributionLine.status != "unpaid",
                ContributionLine.month >= since,
                ContributionLine.month < before,
            )
        )
    )
    papers = session.scalars(
        select(ParticipationPeriod).where(
            ParticipationPeriod.person_id == person_id,
            ParticipationPeriod.participant_type == "voluntary",
            ParticipationPeriod.provenance == "converted_from_paper",
        )
    )
    last_counted = Month.from_int(before) - 1
    for period in papers:
        end = min(Month.from_int(period.to_month), last_counted) if period.to_month else last_counted
        start = max(Month.from_int(period.from_month), Month.from_int(since))
        lined.update(month.as_int() for month in Month.range(start, end))
    return len(lined)
