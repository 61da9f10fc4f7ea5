"""One open participation period per person and employer (quá trình đang tham gia): a person already employed
here, or already listed in another registration dossier of this employer that is still being processed, cannot
be registered again. Checked at filing, again at approval (two dossiers filed in parallel: the second approval is
refused), shown to the reviewing officer, and guaranteed by a partial unique index on ``participation_periods``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions.models import REFILED_DOSSIER, Dossier

PENDING = ("submitted", "needs_info", "resubmitted")
#: How each engine names the one-open-period index when it refuses a row.
OPEN_PERIOD_INDEX = (
    "uq_participation_periods_open",
    "participation_periods.person_id, participation_periods.employer_id",
)


@dataclass(frozen=True)
class Conflict:
    """Why a listed person needs the officer's eye: ``employed`` (an open period here already: cannot be
    approved), ``pending`` (also listed in dossier ``other``, not yet decided: approve only one) or ``elsewhere``
    (a period with employer ``other`` covers the new start: two jobs at once, or a leaver not yet reported)."""

    personal_id: str
    kind: str
    other: str | None = None
    name: str | None = None

    @property
    def blocking(self) -> bool:
        return self.kind != "elsewhere"


def open_period_here(session: Session, employer_id: int, personal_id: str) -> ParticipationPeriod | None:
    return session.scalar(
        select(ParticipationPeriod)
        .join(Person, Person.id == ParticipationPeriod.person_id)
        .where(
            Person.personal_id == personal_id,
            ParticipationPeriod.employer_id == employer_id,
            ParticipationPeriod.to_month.is_(None),
        )
    )


def pending_registration(
    session: Session, employer_id: int, personal_id: str, *, exclude: int | None = None
) -> Dossier | None:
    """Another registration dossier of this employer, not yet decided, that lists the person."""
    skip = exclude or session.info.get(REFILED_DOSSIER, 0)
    candidates = session.scalars(
        select(Dossier).where(
            Dossier.procedure == "register_employees",
            Dossier.employer_id == employer_id,
            Dossier.status.in_(PENDING),
            Dossier.id != skip,
            Dossier.form.contains(f'"personal_id":"{personal_id}"'),
        )
    )
    return next((d for d in candidates if personal_id in listed(d)), None)


def listed(dossier: Dossier) -> set[str]:
    """The personal ID numbers a registration dossier lists."""
    return {row.get("personal_id") for row in json.loads(dossier.form).get("employees", [])}


def conflicts_of(session: Session, dossier: Dossier) -> list[Conflict]:
    """What the officer must know before approving a registration dossier (nothing for other procedures)."""
    if dossier.procedure != "register_employees" or dossier.employer_id is None:
        return []
    rows = {row.get("personal_id"): row for row in json.loads(dossier.form).get("employees", [])}
    found = []
    for personal_id in sorted(rows):
        name = rows[personal_id].get("full_name")
        if open_period_here(session, dossier.employer_id, personal_id) is not None:
            found.append(Conflict(personal_id, "employed", name=name))
        elif other := pending_registration(session, dossier.employer_id, personal_id, exclude=dossier.id):
            found.append(Conflict(personal_id, "pending", other.code, name))
        elif employer := employed_elsewhere(session, dossier.employer_id, personal_id, rows[personal_id]):
            found.append(Conflict(personal_id, "elsewhere", employer, name))
    return found


def employed_elsewhere(session: Session, employer_id: int, personal_id: str, row: dict) -> str | None:
    """The employer (name and unit code) of another period of the person that covers the row's first month."""
    try:
        start = Month.parse(str(row.get("from_month", ""))).as_int()
    except DomainError:
        return None
    found = session.execute(
        select(Employer.name, Employer.unit_code)
        .join(ParticipationPeriod, ParticipationPeriod.employer_id == Employer.id)
        .join(Person, Person.id == ParticipationPeriod.person_id)
        .where(
            Person.personal_id == personal_id,
            ParticipationPeriod.employer_id != employer_id,
            ParticipationPeriod.from_month <= start,
            or_(ParticipationPeriod.to_month.is_(None), ParticipationPeriod.to_month >= start),
        )
        .limit(1)
    ).first()
    return f"{found.name} ({found.unit_code})" if found else None


@contextmanager
def one_open_period() -> Iterator[None]:
    """Around an approval that opens periods: if two approvals race past the checks, the unique index refuses the
    second (at whichever flush); that is the rule broken, answered as such, and the whole approval is rolled back."""
    try:
        yield
    except IntegrityError as error:
        if not any(name in str(error.orig) for name in OPEN_PERIOD_INDEX):
            raise
        raise DomainError(
            "registration.already_employed",
            "a person here was registered with the same employer at the same moment: nothing was approved",
            "một người trong hồ sơ vừa được đăng ký tại cùng đơn vị cùng lúc: chưa duyệt hồ sơ",
        ) from error
