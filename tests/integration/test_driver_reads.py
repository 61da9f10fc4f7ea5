"""Reads on the driver (``db.DriverRead``): the rows SQLAlchemy would return, in the same transaction and scope, with
the same refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, literal_column, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from esibook import db
from esibook.access.principal import CALLER
from esibook.errors import InvalidText
from esibook.people.models import Person

PERSONS = Person.__table__
BY_NAME = select(PERSONS.c.id, PERSONS.c.personal_id, PERSONS.c.full_name).where(
    PERSONS.c.full_name >= bindparam("name")).order_by(PERSONS.c.full_name, PERSONS.c.id).limit(bindparam("limit"))


def test_a_driver_read_returns_what_sqlalchemy_returns(seeded_engine):
    read = db.DriverRead(BY_NAME)
    with Session(seeded_engine) as session:
        expected = session.execute(BY_NAME, {"name": "N", "limit": 25}).all()
        found = read.all(session, {"name": "N", "limit": 25})
        assert len(found) == 25 and [tuple(r) for r in found] == [tuple(r) for r in expected]
        assert found[0].full_name == expected[0].full_name and found[0][0] == expected[0].id
        assert read.first(session, {"name": "\uffff", "limit": 1}) is None


def test_the_callers_lookup_runs_on_the_driver_and_finds_the_person(seeded_engine):
    with Session(seeded_engine) as session:
        person = session.scalars(select(Person).where(Person.personal_id.is_not(None)).limit(1)).one()
        rows = CALLER.all(session, {"personal_id": person.personal_id})
        assert CALLER._compiled[seeded_engine.dialect.name] is not None, "the caller's lookup took SQLAlchemy's way"
        assert rows[0].id == person.id
        assert CALLER.all(session, {"personal_id": "000000000000"})[0].id is None


def test_a_column_that_needs_sqlalchemys_processing_takes_its_way_with_the_same_result(seeded_engine):
    statement = select(PERSONS.c.id, PERSONS.c.date_of_birth).order_by(PERSONS.c.id).limit(3)
    read = db.DriverRead(statement)
    with Session(seeded_engine) as session:
        found = read.all(session, {})
        assert [tuple(r) for r in found] == [tuple(r) for r in session.execute(statement).all()]
    if seeded_engine.dialect.name == "sqlite":  # SQLite keeps dates as text: SQLAlchemy converts them
        assert read._compiled["sqlite"] is None


def test_text_holding_a_nul_character_is_refused_before_the_read(seeded_engine):
    with Session(seeded_engine) as session, pytest.raises(InvalidText):
        db.DriverRead(BY_NAME).all(session, {"name": "A\x00B", "limit": 1})


@pytest.mark.postgres
def test_a_driver_read_runs_in_the_scope_of_the_code_that_makes_it(postgres_databases):
    """The transaction began in scope ``*`` (the caller's lookup); a read inside ``scoped_to("defence")`` is
    narrowed to it first, as every statement is."""
    read = db.DriverRead(select(func.current_setting("esibook.authorities", True).label("scope")))
    engine = postgres_databases.engine()
    with Session(engine) as session:
        assert read.first(session, {}).scope == "*"
        with db.scoped_to("defence"):
            assert read.first(session, {}).scope == "defence"
        assert read.first(session, {}).scope == "*"
    engine.dispose()


@pytest.mark.postgres
def test_a_failed_driver_read_raises_sqlalchemys_error_without_its_parameters(postgres_databases):
    read = db.DriverRead(select(literal_column("1 / (0 * length(:secret))").label("x")))
    engine = postgres_databases.engine()
    with Session(engine) as session:
        with pytest.raises(DBAPIError) as raised:
            read.first(session, {"secret": "079123456789"})
        assert "079123456789" not in str(raised.value)
        session.rollback()
        assert db.DriverRead(select(literal_column("1").label("one"))).first(session, {}).one == 1
    engine.dispose()
