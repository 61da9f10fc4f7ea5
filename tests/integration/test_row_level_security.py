"""On PostgreSQL the authority boundary is enforced a second time, by row-level security.

The application's own checks are tested route by route elsewhere; here a role that owns nothing (as production
connects) reads the tables directly and sees only the authorities its transaction is scoped to.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed

ROLE = "esibook_rls_probe"
TABLES = ["persons", "participation_periods", "contribution_lines", "hi_coverages", "employers"]


@pytest.fixture(scope="module")
def probe(postgres_databases):
    """A seeded PostgreSQL database (this test is about PostgreSQL only; SQLite relies on the application)."""
    engine = postgres_databases.engine()
    seed(engine, SeedPlan(persons=400, months=3, seed=9, end_month=Month(2026, 9)))
    with engine.begin() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}).scalar()
        if not exists:
            connection.execute(text(f"CREATE ROLE {ROLE} NOLOGIN"))
        connection.execute(text(f"GRANT SELECT ON {', '.join(TABLES)} TO {ROLE}"))
    return engine


def authorities_seen(engine, table: str, scope: str) -> set[str]:
    with engine.begin() as connection:
        connection.execute(text(f"SET LOCAL ROLE {ROLE}"))
        connection.execute(text("SELECT set_config('esibook.authorities', :s, true)"), {"s": scope})
        return {row[0] for row in connection.execute(text(f"SELECT DISTINCT authority FROM {table}"))}


@pytest.mark.parametrize("table", TABLES)
def test_each_authority_sees_only_its_own_rows(probe, table):
    everything = authorities_seen(probe, table, "*")
    for authority in ("civil", "defence", "security"):
        if authority in everything:
            assert authorities_seen(probe, table, authority) == {authority}


def test_an_unscoped_transaction_sees_nothing(probe):
    assert authorities_seen(probe, "persons", "") == set()
    assert authorities_seen(probe, "persons", "*") == {"civil", "defence", "security"}


def test_a_read_continuing_a_transaction_runs_in_its_own_codes_scope(probe):
    """A request's caller lookup (scope ``*``) and its route share one transaction; a read the route makes inside
    ``scoped_to("defence")`` still sees only Defence's rows, and the next read outside it sees all again."""
    from sqlalchemy.orm import Session

    from esibook.db import scoped_to

    def seen(session: Session) -> set[str]:
        return set(session.scalars(text("SELECT DISTINCT authority FROM persons")))

    with Session(probe) as session:
        session.execute(text(f"SET LOCAL ROLE {ROLE}"))  # the transaction begins here, scoped to everything
        assert seen(session) == {"civil", "defence", "security"}
        with scoped_to("defence"):
            assert seen(session) == {"defence"}
            with scoped_to(""):
                assert seen(session) == set()
        assert seen(session) == {"civil", "defence", "security"}
        session.rollback()
