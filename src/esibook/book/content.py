"""What a book says (MISSION §1.3): identity, the whole contribution process, benefits, HI and UI status.

Classified details of defence and security service (unit, rank) are never written into a book: the signed
document can leave its authority; the details stay in the ministry's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import orjson
from sqlalchemy import Text, case, cast, literal, select
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.benefits.models import BenefitSettlement
from esibook.benefits.service import settlement_entry
from esibook.canonical import canonical_bytes
from esibook.contributions.dues import FUNDS
from esibook.contributions.models import (
    LINE_STATUSES,
    PROVENANCES,
    ContributionLine,
    ParticipationPeriod,
    UnemploymentReserve,
)
from esibook.employers.models import Employer
from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.periods import Month


def book_id(person: Person) -> str:
    """One person, one book, one code: the book is named by the SI code (the personal ID number)."""
    return f"VN-SBH-{person.personal_id or person.si_code_legacy}"


@dataclass
class BookRecords:
    """What one person's book is made of: rows (or ORM objects) with the columns' names as attributes."""

    person: object
    units: dict = field(default_factory=dict)
    periods: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    settlements: list = field(default_factory=list)
    card: object | None = None
    reserves: list = field(default_factory=list)


def book_content(session: Session, person: Person) -> dict:
    """What the person's book says now, as plain values (what a verifier reads from the signed document)."""
    return orjson.loads(canonical_bytes(render(gather(session, person.id, person.id, persons=[person])[person.id])))


def gather(session: Session, first: int, last: int, *, persons: list | None = None) -> dict[int, BookRecords]:
    """The records of the persons with ids in ``first``–``last`` (or of ``persons``, rows already read, all in
    that range), each table read once, in the order the book lists them."""
    connection = session.connection()  # plain rows: no ORM objects for a million lines
    if persons is None:
        persons = connection.execute(select(Person.__table__).where(Person.id.between(first, last))).all()
    books = {p.id: BookRecords(p) for p in persons}

    def rows(model, *order):
        table = model.__table__
        query = select(table).where(table.c.person_id.between(first, last)).order_by(table.c.person_id, *order)
        return [row for row in connection.execute(query).all() if row.person_id in books]

    periods = rows(ParticipationPeriod, ParticipationPeriod.from_month, ParticipationPeriod.seq)
    employer_ids = {p.employer_id for p in periods if p.employer_id is not None}
    units = {e.id: e for e in connection.execute(select(Employer.__table__).where(Employer.id.in_(employer_ids)))}
    for period in periods:
        books[period.person_id].periods.append(period)
        if period.employer_id in units:
            books[period.person_id].units[period.employer_id] = units[period.employer_id]
    for person_id, *line in connection.execute(
        select(ContributionLine.person_id, ContributionLine.month, ContributionLine.employer_id, MONTH_JSON)
        .where(ContributionLine.person_id.between(first, last))
    ).all():  # fetched at once: row by row costs more than building the book
        if person_id in books:
            books[person_id].lines.append(line)
    for book in books.values():
        book.lines.sort()  # by month, then unit: the database need not sort a million lines
    for name, model, order in (
        ("settlements", BenefitSettlement, (BenefitSettlement.seq,)),
        ("reserves", UnemploymentReserve, (UnemploymentReserve.seq,)),
    ):
        for row in rows(model, *order):
            getattr(books[row.person_id], name).append(row)
    for card in rows(HICoverage, HICoverage.valid_to, HICoverage.seq):  # the latest validity end (health.latest_card)
        books[card.person_id].card = card
    return books


def render(records: BookRecords) -> dict:
    """The book's content, to be serialised with :func:`esibook.canonical.canonical_json` (its contribution
    months are already serialised)."""
    person, units = records.person, records.units
    return {
        "book_id": book_id(person),
        "person": {
            "si_code": person.personal_id or person.si_code_legacy,
            "personal_id": person.personal_id,
            "si_code_legacy": person.si_code_legacy,
            "passport_no": person.passport_no,
            "full_name": person.full_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "sex": person.sex,
            "nationality": person.nationality,
            "ethnicity_code": person.ethnicity_code,
        },
        "managing_authority": {"code": person.authority, "name": AUTHORITY_NAMES[Authority(person.authority)][0]},
        "participation": [_period(p, units) for p in records.periods],
        "contributions": _contributions(records.lines, units),
        "benefits": [settlement_entry(s) for s in records.settlements],
        "health_insurance": _card(records.card),
        "unemployment_reserve": [
            {"months": r.reserved_months, "since": _month_label(r.since_month), "reason": r.reason}
            for r in records.reserves
        ],
    }


def _period(p, units: dict) -> dict:
    return {
        "from": _month_label(p.from_month),
        "to": _month_label(p.to_month) if p.to_month else None,
        "employer": _employer(units.get(p.employer_id)),
        "participant_type": p.participant_type,
        "job_title": p.job_title,
        "position": p.position,
        "workplace": p.workplace,
        "salary_basis": p.salary_basis,
        "provenance": p.provenance,
        "classified_details_withheld": p.classified_unit is not None,
    }


def _employer(employer) -> dict | None:
    return {"unit_code": employer.unit_code, "name": employer.name} if employer else None


@lru_cache(maxsize=4096)
def _month_label(value: int) -> str:
    return str(Month.from_int(value))


def _month_json_sql():
    """SQL writing a contribution month's canonical JSON (sorted keys, no spaces) up to its last key, the unit
    code, which depends on the person's periods and is added by :func:`_contributions`. A book lists hundreds of
    months: the database writes them many times faster than Python builds and serialises dicts, and bulk
    issuance never parses them. Only integers and the enumerated status and provenance (checked constraints of
    plain words) are written, so no text needs escaping; a test holds the result to :func:`canonical_json`."""
    line = ContributionLine

    def number(column):
        return cast(column, Text)

    month = cast(line.month // 100, Text) + "-" + case((line.month % 100 < 10, "0"), else_="") + cast(
        line.month % 100, Text)
    pieces: list = ['{"funds":{']
    for k, fund in enumerate(sorted(FUNDS)):
        pieces += [("," if k else "") + f'"{fund}":', number(getattr(line, fund))]
    pieces += ['},"month":"', month, '","paid_amount":', number(line.paid_amount), ',"provenance":"', line.provenance,
               '","salary_basis":', number(line.salary_basis), ',"status":"', line.status, '","total":',
               number(line.total), ',"ui_basis":', number(line.ui_basis), ',"unit_code":']
    expression = literal(pieces[0], Text)
    for piece in pieces[1:]:
        expression = expression + (literal(piece, Text) if isinstance(piece, str) else piece)
    return expression


MONTH_JSON = _month_json_sql()
assert all(orjson.dumps(word).decode() == f'"{word}"' for word in (*LINE_STATUSES, *PROVENANCES))


def _contributions(lines: list, units: dict) -> orjson.Fragment:
    """The book's contribution months, already canonical JSON: each month's text and its unit code."""
    codes = {employer_id: orjson.dumps(unit.unit_code).decode() for employer_id, unit in units.items()}
    return orjson.Fragment("[" + ",".join(text + codes.get(employer_id, "null") + "}"
                                          for _month, employer_id, text in lines) + "]")


def _card(card) -> dict | None:
    if card is None:
        return None
    return {
        "card_code": card.card_code,
        "benefit_level": card.benefit_level,
        "initial_clinic_code": card.initial_clinic_code,
        "valid_from": card.valid_from.isoformat(),
        "valid_to": card.valid_to.isoformat(),
        "five_years_since": card.five_years_since.isoformat() if card.five_years_since else None,
    }
