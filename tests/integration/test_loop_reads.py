"""The book read on the event loop (``esibook.loop_reads``, PostgreSQL): the same bundle and the same refusals as
the synchronous way, its reads in their authority scope, a busy pool answering 503, nothing said of a failed read's
parameters."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from esibook import db
from esibook.access.principal import Identity
from esibook.access.sessions import end_session, open_session
from esibook.access.tokens import issue_person_token
from esibook.app import create_app
from esibook.book import log
from esibook.book.models import BookVersion
from esibook.errors import InvalidText
from esibook.loop_reads import APPLICATION_NAME, LoopReads
from esibook.people.models import Person
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from support.signed_in import bearer

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_signed(postgres_databases, tmp_path_factory) -> SimpleNamespace:
    """A small signed database on PostgreSQL (the loop's reads are PostgreSQL's; SQLite takes the synchronous way,
    which the rest of the suite tests): persons with books, demo grants."""
    from esibook.access.demo import grant_demo_roles
    from esibook.book.bulk import issue_all
    from esibook.config import Settings
    from esibook.trust.pki import init_pki

    engine = postgres_databases.engine()
    seed(engine, SeedPlan(persons=60, months=6, seed=23, end_month=Month(2026, 10)))
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), env="test",
                        data_dir=tmp_path_factory.mktemp("loop-signed"))
    with Session(engine) as session:
        init_pki(session, settings)
        issue_all(session, settings)
    with Session(engine) as session, session.begin():
        grant_demo_roles(session)
    return SimpleNamespace(engine=engine, settings=settings)


@pytest.fixture(scope="module")
def served(postgres_signed, serve):
    url = postgres_signed.engine.url.render_as_string(hide_password=False)
    with serve(url, postgres_signed.settings.data_dir) as base:
        yield base


def _readers(signed, count: int) -> list[tuple[str, str]]:
    with Session(signed.engine) as session:
        return [tuple(r) for r in session.execute(
            select(Person.personal_id, Person.full_name).where(Person.id.in_(select(BookVersion.person_id)))
            .order_by(Person.id).limit(count)).all()]


def _last_loop_queries(signed) -> list[str]:
    """What the loop's connections ran last (``pg_stat_activity``)."""
    with signed.engine.connect() as connection:
        return list(connection.execute(text("SELECT query FROM pg_stat_activity WHERE application_name = :name"),
                                       {"name": APPLICATION_NAME}).scalars())


def test_the_book_read_on_the_loop_is_the_bundle_the_synchronous_way_gives(postgres_signed, served):
    settings = postgres_signed.settings.model_copy(update={"base_url": served})
    sync_way = TestClient(create_app(settings))  # no lifespan: no loop reads, the threadpool's way
    for personal_id, name in _readers(postgres_signed, 5):
        headers = bearer(settings, personal_id, name)
        on_loop = httpx.get(f"{served}/api/v1/me/book", headers=headers, timeout=30)
        assert on_loop.status_code == 200, on_loop.text[:300]
        assert on_loop.json() == sync_way.get("/api/v1/me/book", headers=headers).json()
        assert on_loop.json()["inclusion_proof"] and on_loop.json()["leaf_index"] < on_loop.json()["tree_size"]
    assert any(q.startswith("SELECT book_versions.book_id") for q in _last_loop_queries(postgres_signed)), \
        "the served app did not read the book on the loop's connections"


def test_the_loop_refuses_whom_the_audience_refuses(postgres_signed, served):
    settings = postgres_signed.settings.model_copy(update={"base_url": served})
    (personal_id, name), = _readers(postgres_signed, 1)
    book = f"{served}/api/v1/me/book"
    assert httpx.get(book, timeout=30).json()["error"]["code"] == "access.login_required"
    level1 = httpx.get(book, headers=bearer(settings, personal_id, name, level=1), timeout=30)
    assert level1.status_code == 403 and level1.json()["error"]["code"] == "access.level2_required"
    unknown = httpx.get(book, headers={"authorization": "Bearer not-a-token"}, timeout=30)
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "access.token_invalid"
    identity = Identity(f"loop-{personal_id}", personal_id, name, 2)
    with Session(postgres_signed.engine) as session, session.begin():
        cookie = open_session(session, identity, hours=1)
    from esibook.access.sessions import load_session

    with Session(postgres_signed.engine) as session:
        id_hash = load_session(session, cookie).id_hash
    headers = {"authorization": "Bearer " + issue_person_token(settings, identity, session_id_hash=id_hash)}
    assert httpx.get(book, headers=headers, timeout=30).status_code == 200
    with Session(postgres_signed.engine) as session, session.begin():
        end_session(session, cookie)
    ended = httpx.get(book, headers=headers, timeout=30)
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "access.session_ended"


def on_a_loop_of_its_own(coroutine_function):
    """Run the coroutine on a new event loop in a thread of its own (the browser tests' Playwright keeps a loop
    running in the test thread)."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine_function()).result()


def _reads(signed, size: int = 2, timeout: float = 5.0) -> LoopReads:
    return LoopReads(signed.engine.url.render_as_string(hide_password=False), size, timeout)


def test_a_read_on_the_loop_runs_in_the_scope_of_the_code_that_makes_it(postgres_signed):
    scope = db.DriverRead(select(func.current_setting(literal_column("'esibook.authorities'"),
                                                      literal_column("true")).label("scope")))

    async def run() -> list[str]:
        reads = await _reads(postgres_signed, size=1).open()
        try:
            seen = [(await reads.first(scope, {})).scope]
            with db.scoped_to("defence"):
                seen.append((await reads.first(scope, {})).scope)
            seen.append((await reads.first(scope, {})).scope)
            return seen
        finally:
            await reads.close()

    assert on_a_loop_of_its_own(run) == ["*", "defence", "*"]


def test_the_loops_reads_refuse_nul_text_hide_parameters_and_answer_busy(postgres_signed):
    by_name = db.DriverRead(select(Person.__table__.c.id).where(Person.__table__.c.full_name == literal_column(
        ":name")))
    failing = db.DriverRead(select(literal_column("1 / (0 * length(:secret))").label("x")))
    one = db.DriverRead(select(literal_column("1").label("one")))
    sleeping = db.DriverRead(select(literal_column("pg_sleep(1)::text").label("slept")))

    async def run() -> None:
        reads = await _reads(postgres_signed, size=1, timeout=0.5).open()
        try:
            with pytest.raises(InvalidText):
                await reads.all(by_name, {"name": "A\x00B"})
            with pytest.raises(DBAPIError) as raised:
                await reads.first(failing, {"secret": "079123456789"})
            assert "079123456789" not in str(raised.value)
            slow = asyncio.create_task(reads.first(sleeping, {}))  # holds the only connection for a second
            await asyncio.sleep(0.1)
            with pytest.raises(PoolTimeout):  # the next read waits half a second, then gives up
                await reads.first(one, {})
            await slow
            assert (await reads.first(one, {})).one == 1
        finally:
            await reads.close()

    on_a_loop_of_its_own(run)


def test_a_proof_from_kept_tiles_is_the_proof_from_the_database_or_none(postgres_signed):
    engine = postgres_signed.engine
    with Session(engine) as session:
        row = session.scalars(select(BookVersion).where(BookVersion.leaf_index.is_not(None)).limit(1)).one()
        size = log.log_size(session)
        expected = log.checkpoint_inclusion_proof(session, row.leaf_index, size)  # reads and keeps the tiles
        leaf_tile = session.connection().execute(select(log.leaf_tile(literal_column(str(row.leaf_index))))).scalar()
    assert log.kept_inclusion_proof(engine, row.leaf_index, size, leaf_tile=leaf_tile, leaf_nodes=None) == expected
    log._KEPT[engine].clear()
    assert log.kept_inclusion_proof(engine, row.leaf_index, size, leaf_tile=None, leaf_nodes=None) is None


def test_a_connection_the_server_dropped_is_replaced(postgres_signed):
    """The read that finds its connection dropped fails (the server said so); the next gets a new connection."""
    backend = db.DriverRead(select(func.pg_backend_pid().label("pid")))

    async def run() -> None:
        reads = await _reads(postgres_signed, size=1).open()
        try:
            first = (await reads.first(backend, {})).pid
            with postgres_signed.engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
                other.commit()
            with pytest.raises(DBAPIError):
                await reads.first(backend, {})
            assert (await reads.first(backend, {})).pid != first
        finally:
            await reads.close()

    on_a_loop_of_its_own(run)


def test_the_api_is_described_the_same_whichever_way_the_book_read_is_served(postgres_signed, tmp_path):
    on_loop = create_app(postgres_signed.settings)
    in_threads = create_app(postgres_signed.settings.model_copy(update={"database_url": "", "data_dir": tmp_path}))
    assert on_loop.state.engine.dialect.name == "postgresql" and in_threads.state.engine.dialect.name == "sqlite"
    assert on_loop.openapi() == in_threads.openapi()
