"""Reading employers (data group 7): one by its row, names by unit code, the count. Who may see an employer's
pages is the access policy's; these only read."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.employers.models import Employer


def employer(session: Session, employer_id: int) -> Employer | None:
    return session.get(Employer, employer_id)


def names_by_unit_code(session: Session, unit_codes: Iterable[str]) -> dict[str, str]:
    """The names of the employers with these unit codes (the codes of a book's months, say)."""
    codes = set(unit_codes)
    if not codes:
        return {}
    return dict(session.execute(select(Employer.unit_code, Employer.name).where(Employer.unit_code.in_(codes))).all())


def employer_id_by_unit_code(session: Session, unit_code: str, authority: str) -> int | None:
    """The employer of this authority with this unit code (as an officer types it), or None."""
    return session.scalar(
        select(Employer.id).where(Employer.unit_code == unit_code.strip().upper(), Employer.authority == authority)
    )


def employer_by_unit_code(session: Session, unit_code: str) -> Employer | None:
    """The employer with this unit code, of whichever authority (unit codes are unique), or None."""
    return session.scalar(select(Employer).where(Employer.unit_code == unit_code.strip().upper()))


def unit_codes_by_id(session: Session, employer_ids: Iterable[int]) -> dict[int, str]:
    """The unit codes of the employers with these ids (a list of role grants, say), by id."""
    ids = set(employer_ids)
    if not ids:
        return {}
    return dict(session.execute(select(Employer.id, Employer.unit_code).where(Employer.id.in_(ids))).all())


def employer_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Employer)).scalar_one()
