"""What a book says (MISSION §1.3): identity, the whole contribution process, benefits, HI and UI status.

Classified details of defence and security service (unit, rank) are never written into a book: the signed
document can leave its authority; the details stay in the ministry's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

import orjson
from sqlalchemy import BigInteger, Text, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
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
    """What one person's book is made of: rows (or ORM objects) with the columns' names as attributes; ``units``
    holds each employer's book entry by id."""

    person: object
    units: dict = field(default_factory=dict)
    periods: list = field(default_factory=list)
    months: str = "[]"  #: the contribution months, already canonical JSON (:func:`contribution_months_json`)
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
    units = _units(connection, {p.employer_id for p in periods if p.employer_id is not None})
    for period in periods:
        books[period.person_id].periods.append(period)
        if period.employer_id in units:
            books[period.person_id].units[period.employer_id] = units[period.employer_id]
    for person_id, months in contribution_months_json(connection, first, last):
        if person_id in books:
            books[person_id].months = months
    for name, model, order in (
        ("settlements", BenefitSettlement, (BenefitSettlement.seq,)),
        ("reserves", UnemploymentReserve, (UnemploymentReserve.seq,)),
    ):
        for row in rows(model, *order):
            getattr(books[row.person_id], name).append(row)
    for card in rows(HICoverage, HICoverage.valid_to, HICoverage.seq):  # the latest validity end (health.latest_card)
        books[card.person_id].card = card
    return books


def _units(connection, employer_ids: set[int]) -> dict[int, dict]:
    """Each employer of these ids as its book entry (:func:`_employer`), made once for all its employees."""
    table = Employer.__table__
    # one array parameter: the same prepared statement for every range, whatever its number of employers
    chosen = table.c.id == func.any(cast(sorted(employer_ids), ARRAY(BigInteger))) \
        if connection.dialect.name == "postgresql" else table.c.id.in_(employer_ids)
    return {e.id: _employer(e) for e in connection.execute(select(table.c.id, table.c.unit_code, table.c.name)
                                                           .where(chosen))}


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
        "contributions": {"columns": list(MONTH_COLUMNS), "months": orjson.Fragment(records.months)},
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
        "employer": units.get(p.employer_id),
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


#: The columns of a contribution month in the book, in order: a book lists hundreds of months, so each is a row
#: of values under one list of names (``{"columns": [...], "months": [[...], ...]}``), not an object repeating
#: its keys. Amounts are whole đồng; ``unit_code`` is null for months the person paid themself.
MONTH_COLUMNS = ("month", "unit_code", "salary_basis", "ui_basis", *sorted(FUNDS), "total", "paid_amount", "status",
                 "provenance")


def _month_row_sql():
    """SQL writing one contribution month as its canonical JSON row (the values of :data:`MONTH_COLUMNS`). The
    database writes them many times faster than Python builds and serialises them, and bulk issuance never
    parses them. Only integers, the unit code (seven letters and digits, checked when an employer registers)
    and the enumerated status and provenance (checked constraints of plain words) are written, so no text needs
    escaping; a test holds the result to :func:`canonical_json`."""
    line, unit = ContributionLine, Employer.__table__.c.unit_code
    month = cast(line.month // 100, Text) + "-" + case((line.month % 100 < 10, "0"), else_="") + cast(
        line.month % 100, Text)
    pieces: list = ['["', month, '",', case((unit.is_(None), "null"), else_='"' + unit + '"')]
    for name in MONTH_COLUMNS[2:-2]:
        pieces += [",", cast(getattr(line, name), Text)]
    pieces += [',"', line.status, '","', line.provenance, '"]']
    expression = literal(pieces[0], Text)
    for piece in pieces[1:]:
        expression = expression + (literal(piece, Text) if isinstance(piece, str) else piece)
    return expression


def _month_row_postgres():
    """:func:`_month_row_sql` as PostgreSQL writes it fastest: one ``format()`` call (twice as fast as a chain of
    ``||``, which copies the text at every step); the same text to the byte (the same test holds it)."""
    line, unit = ContributionLine, Employer.__table__.c.unit_code
    values = [getattr(line, name) for name in MONTH_COLUMNS[2:-2]]
    template = '["%s-%s",%s,' + ",".join(["%s"] * len(values)) + ',"%s","%s"]'
    return func.format(literal(template, Text), line.month // 100, func.lpad(cast(line.month % 100, Text), 2, "0"),
                       case((unit.is_(None), "null"), else_='"' + unit + '"'), *values, line.status, line.provenance)


MONTH_ROW = _month_row_sql()
MONTH_ROW_POSTGRES = _month_row_postgres()
assert all(orjson.dumps(word).decode() == f'"{word}"' for word in (*LINE_STATUSES, *PROVENANCES))


def contribution_months_json(connection, first: int, last: int) -> list[tuple[int, str]]:
    """(person id, the JSON list of their contribution months by month and unit) for the persons with ids in
    ``first``–``last`` who have any. PostgreSQL aggregates each person's list itself; SQLite (whose
    ``group_concat`` cannot order) returns the rows, joined here."""
    line, employers = ContributionLine, Employer.__table__
    source = line.__table__.outerjoin(employers, employers.c.id == line.employer_id)
    where = line.person_id.between(first, last)
    if connection.dialect.name == "postgresql":
        ordered = aggregate_order_by(literal(",", Text), line.month, line.employer_id)
        listed = literal("[", Text) + func.string_agg(MONTH_ROW_POSTGRES, ordered) + literal("]", Text)
        query = select(line.person_id, listed).select_from(source).where(where).group_by(line.person_id)
        return [tuple(row) for row in connection.execute(query)]
    rows = connection.execute(select(line.person_id, line.month, line.employer_id, MONTH_ROW).select_from(source)
                              .where(where)).all()
    rows.sort()
    return [(person_id, "[" + ",".join(row[3] for row in group) + "]")
            for person_id, group in groupby(rows, key=itemgetter(0))]


def contribution_months(payload: dict) -> list[dict]:
    """A signed book's contribution months as one object each (``month``, ``unit_code``, ``salary_basis``,
    ``ui_basis``, ``funds``, ``total``, ``paid_amount``, ``status``, ``provenance``), from the columns the book
    names; books signed before the table form list the objects themselves."""
    listed = payload.get("contributions") or []
    if isinstance(listed, list):
        return listed
    columns = listed["columns"]
    months = []
    for values in listed["months"]:
        month = dict(zip(columns, values, strict=True))
        month["funds"] = {fund: month.pop(fund) for fund in FUNDS if fund in month}
        months.append(month)
    return months


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
