"""People use cases: reading a person, their contacts and household (groups 1–3), and finding persons by name (with
or without accents) or by identifier."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from esibook.errors import DomainError, NotFound
from esibook.people.identifiers import parse_legacy_si_code, parse_personal_id
from esibook.people.models import Contact, Household, HouseholdMember, Person
from esibook.people.names import fold_name, normalize_name

MAX_LIMIT = 200
_DIGITS = re.compile(r"\d+", re.ASCII)
#: Sorts after every character a folded key can hold, so ``[key, key + _HIGH)`` is a prefix range.
_HIGH = "\U0010ffff"


@dataclass(frozen=True)
class PersonMatch:
    id: int
    personal_id: str | None
    si_code_legacy: str | None
    full_name: str
    date_of_birth: date
    sex: str
    authority: str
    match: str
    """How it matched: ``personal_id``, ``si_code``, ``exact`` (same accents), ``folded`` (same letters) or
    ``prefix``."""

    def as_dict(self) -> dict:
        return {**self.__dict__, "date_of_birth": self.date_of_birth.isoformat()}


def record_death(session: Session, person: Person, died_on: date) -> None:
    """The day ``person`` died, from an approved death claim's certificate (in its transaction); the first day
    recorded stays (a second claim about the same death changes nothing)."""
    if person.died_on is None:
        person.died_on = died_on


def person_by_id(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def contact_of(session: Session, person_id: int) -> Contact | None:
    """The person's phone, email and address (group 2), if any."""
    return session.get(Contact, person_id)


def household_with_members(session: Session, person_id: int) -> tuple[Household | None, list[tuple[str, str]]]:
    """The person's household (group 3) and the names of its members with their relationship to the head, in the
    order they were recorded; (None, []) without a household."""
    household = session.scalar(
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.person_id == person_id)
    )
    if household is None:
        return None, []
    members = session.execute(
        select(Person.full_name, HouseholdMember.relationship)
        .join(HouseholdMember, HouseholdMember.person_id == Person.id)
        .where(HouseholdMember.household_id == household.id)
        .order_by(Person.id)
    ).all()
    return household, [(name, relationship) for name, relationship in members]


def person_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Person)).scalar_one()


def search_persons(session: Session, query: str, *, limit: int = 20, authority: str | None = None) -> list[PersonMatch]:
    """Find persons by 12-digit personal ID, 10-digit legacy SI code, or name (exact, then prefix).

    A query with diacritics ranks the persons whose name is written exactly so first; without diacritics it
    matches every accented spelling ("nguyen van an" finds "Nguyễn Văn An" and "Nguyễn Văn Ân").
    """
    text = normalize_name(query)
    if not text:
        raise DomainError("search.empty", "the search text is empty", "nội dung tìm kiếm đang trống")
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(
            "search.limit", f"limit must be between 1 and {MAX_LIMIT}", f"giới hạn phải từ 1 đến {MAX_LIMIT}"
        )
    scope = (Person.authority == authority,) if authority else ()
    if _DIGITS.fullmatch(text):
        return _by_identifier(session, text, scope)
    return _by_name(session, text, limit, scope)


def _by_identifier(session: Session, digits: str, scope: tuple) -> list[PersonMatch]:
    if len(digits) == 10:
        code, column, how = parse_legacy_si_code(digits), Person.si_code_legacy, "si_code"
    else:
        code, column, how = parse_personal_id(digits).number, Person.personal_id, "personal_id"
    return [_match(p, how) for p in session.scalars(select(Person).where(column == code, *scope))]


def _by_name(session: Session, text: str, limit: int, scope: tuple = ()) -> list[PersonMatch]:
    """Same folded name first (the exact spelling before other accents), then longer names in key order.

    Two index range scans, each stopping at ``limit``: fast even when a prefix such as "nguyen" matches a third
    of the country.
    """
    key = fold_name(text)
    same_key = session.scalars(
        select(Person)
        .where(Person.name_key == key, *scope)
        .order_by(case((Person.full_name == text, 0), else_=1), Person.id)
        .limit(limit)
    ).all()
    matches = [_match(p, "exact" if p.full_name == text else "folded") for p in same_key]
    if len(matches) < limit:
        longer = session.scalars(
            select(Person)
            .where(Person.name_key > key, Person.name_key < key + _HIGH, *scope)
            .order_by(Person.name_key, Person.id)
            .limit(limit - len(matches))
        ).all()
        matches += [_match(p, "prefix") for p in longer]
    return matches


def _match(person: Person, how: str) -> PersonMatch:
    return PersonMatch(
        person.id,
        person.personal_id,
        person.si_code_legacy,
        person.full_name,
        person.date_of_birth,
        person.sex,
        person.authority,
        how,
    )


def person_by_code(session: Session, code: str) -> Person:
    """The person with this 12-digit personal ID number or 10-digit legacy SI code."""
    digits = code.strip()
    if not _DIGITS.fullmatch(digits):
        parse_personal_id(digits)
    matches = _by_identifier(session, digits, ())
    if not matches:
        raise NotFound("person.not_found", f"no person with the code {digits}", f"không có người nào với mã {digits}")
    return session.get(Person, matches[0].id)
