"""The schema is made only by migrations, on both engines, and can be taken down and up again."""

from __future__ import annotations

from sqlalchemy import inspect, text

from esibook import migrate
from esibook.models import Base

DATA_TABLES = set(Base.metadata.tables)


def test_upgrade_creates_every_table_of_the_seven_groups(empty_engine):
    tables = set(inspect(empty_engine).get_table_names())
    assert DATA_TABLES <= tables
    assert migrate.current_revision(empty_engine) == migrate.head_revision() != "0001"


def test_downgrade_to_base_then_upgrade_again(empty_engine):
    migrate.downgrade(empty_engine, "base")
    left = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert not left & DATA_TABLES
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert DATA_TABLES <= set(inspect(empty_engine).get_table_names())


def test_contribution_lines_are_partitioned_by_month_on_postgres(empty_engine, engine_name):
    if engine_name != "postgres":
        assert "contribution_lines" in inspect(empty_engine).get_table_names()
        return
    with empty_engine.connect() as connection:
        strategy = connection.execute(
            text("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'contribution_lines'::regclass")
        ).scalar()
        bounds = connection.execute(
            text(
                "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
                "WHERE c.relname = 'contribution_lines_2026_07'"
            )
        ).scalar()
    assert strategy == "r"
    assert bounds == "FOR VALUES FROM (202607) TO (202608)"


def test_a_line_for_a_month_lands_in_that_months_partition(empty_engine, engine_name):
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contribution_lines (person_id, month, employer_id, participant_type, salary_basis, "
                "ui_basis, retirement_employer, retirement_employee, sickness_employer, oad_employer, ui_employer, "
                "ui_employee, hi_employer, hi_employee, total, paid_amount, status, provenance, authority, posted_at) "
                "VALUES (1, 202603, 1, 'employee', 6000000, 6000000, 840000, 480000, 180000, 30000, 60000, 60000, "
                "180000, 90000, 1920000, 0, 'declared', 'electronic', 'civil', '2026-04-01 08:00:00')"
            )
        )
    if engine_name == "postgres":
        with empty_engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM contribution_lines_2026_03")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM contribution_lines_2026_04")).scalar() == 0


def test_the_migrated_schema_matches_the_models(empty_engine):
    """Migrations and models never drift apart (a model missing from esibook.models once made a migration drop
    tables)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def ours(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and reflected and compare_to is None:
            return not name.startswith(("contribution_lines_", "procrastinate_"))  # partitions, the job engine
        if type_ == "index" and reflected and compare_to is None:
            return not name.endswith("_trgm")  # PostgreSQL-only trigram indexes
        return True

    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours, "compare_type": False})
        assert compare_metadata(context, Base.metadata) == []
