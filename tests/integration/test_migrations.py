"""The schema is made only by migrations, on both engines, and can be taken down and up again."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

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


def test_the_tiled_log_migration_pools_every_existing_version_in_its_old_order(empty_engine, tmp_path):
    """Versions logged by the old log (0011) are pooled again, in leaf order, and logged anew; and back."""
    from sqlalchemy.orm import Session

    from esibook.book import log
    from esibook.book.models import BookVersion
    from esibook.config import Settings

    migrate.downgrade(empty_engine, "0011")
    old = [(7, 1, 2), (3, 1, 0), (7, 2, 1)]  # (person, version, old leaf index)
    with empty_engine.begin() as connection:
        for person, version, leaf in old:
            connection.execute(text(
                "INSERT INTO book_versions (person_id, version, book_id, authority, content_hash, document, kid, "
                "reason, issued_at, leaf_index) VALUES (:p, :v, 'VN-SBH-1', 'civil', 'h', :d, 'k', 'issued', "
                "'2026-11-01 00:00:00+00:00', :i)"), {"p": person, "v": version, "d": f"a.{person}-{version}.c",
                                                      "i": leaf})
    migrate.upgrade(empty_engine)
    settings = Settings(database_url=empty_engine.url.render_as_string(hide_password=False), data_dir=tmp_path,
                        env="test")
    with Session(empty_engine) as session:
        assert log.integrate_all(session, settings) == 3
        logged = session.execute(select(BookVersion.person_id, BookVersion.version, BookVersion.leaf_index)
                                 .order_by(BookVersion.leaf_index)).all()
        proofs = log.proofs(session, 3)
        assert [tuple(row) for row in logged] == [(3, 1, 0), (7, 2, 1), (7, 1, 2)]
        assert proofs.entry(1) == log.book_entry("a.7-2.c")
    migrate.downgrade(empty_engine, "0011")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM log_leaves")).scalar() == 3
        assert connection.execute(text("SELECT size FROM log_head")).scalar() == 3
    migrate.upgrade(empty_engine)


def test_full_log_tiles_get_their_inner_nodes_when_written_and_from_the_migration(empty_engine, tmp_path):
    """0028: the sequencer stores the inner nodes of every full level-0 tile it writes; the migration computes
    them for the tiles already stored; a proof read with them is the proof read without."""
    from sqlalchemy.orm import Session

    from esibook.book import log, tiles
    from esibook.config import Settings
    from esibook.trust.pki import init_pki

    settings = Settings(database_url=empty_engine.url.render_as_string(hide_password=False), data_dir=tmp_path,
                        env="test")
    with Session(empty_engine) as session:
        init_pki(session, settings)
        for i in range(600):
            log.pool(session, document=f"a.{i}.c", person_id=None, version=None)
        session.commit()
        assert log.integrate_all(session, settings) == 600
        session.commit()

    def stored_nodes() -> dict[int, bytes]:
        with empty_engine.connect() as connection:
            return {n: bytes(d) for n, d in connection.execute(text("SELECT n, data FROM log_tile_nodes"))}

    def expected(n: int) -> bytes:
        with empty_engine.connect() as connection:
            data = connection.execute(text("SELECT data FROM log_tiles WHERE level = 0 AND n = :n AND width = 256"),
                                      {"n": n}).scalar_one()
        return tiles.tile_root_and_inner_nodes(tiles.hashes(bytes(data)))[1]

    written = stored_nodes()
    assert sorted(written) == [0, 1] and all(written[n] == expected(n) for n in written)
    migrate.downgrade(empty_engine, "0027")
    migrate.upgrade(empty_engine)
    assert stored_nodes() == written
    with Session(empty_engine) as session:
        for leaf in (0, 77, 300, 599):  # tiles 0 and 1 (full), tile 2 (partial: no nodes)
            found = session.execute(select(log.leaf_tile(leaf), log.leaf_tile_nodes(leaf))).one()
            assert (found[1] is None) == (leaf >= 512)
            assert log.checkpoint_inclusion_proof(session, leaf, 600, leaf_tile=found[0], leaf_nodes=found[1]) \
                == log.inclusion_proof(session, leaf, 600)
