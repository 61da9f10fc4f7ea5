"""Shared fixtures: a real database on each engine.

Integration tests take the ``engine_name`` parameter and run on SQLite and on PostgreSQL
(``ESIBOOK_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``). Each test database is
created fresh and dropped afterwards. When ``CI=true``, an unreachable PostgreSQL or a missing Chromium fails the
run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from esibook import migrate
from esibook.db import make_engine, normalize_database_url
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed


def _forget_the_callers_settings() -> None:
    """The suite never touches the caller's database, data directory or identity provider: every ``ESIBOOK_``
    setting of the calling shell is dropped when this file loads, before any test builds settings (nothing builds
    them at import time); only the suite's own ``ESIBOOK_TEST_*`` are kept. Subprocesses started by tests inherit
    the cleaned environment."""
    for name in [n for n in os.environ if n.startswith("ESIBOOK_") and not n.startswith("ESIBOOK_TEST_")]:
        del os.environ[name]


_forget_the_callers_settings()
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("ESIBOOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
#: The small, fixed data set most integration tests read.
TEST_PLAN = SeedPlan(persons=600, months=24, seed=11, end_month=Month(2026, 10))


def _postgres_admin() -> Engine:
    return make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with _postgres_admin().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect is "unavailable"
        return str(error).splitlines()[0]
    return None


def require_postgres() -> None:
    problem = postgres_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required when CI=true and is not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}")


class DatabaseFactory:
    """Makes empty databases on one engine and drops them at the end."""

    def __init__(self, engine_name: str, tmp_path_factory: pytest.TempPathFactory):
        self.engine_name = engine_name
        self.tmp = tmp_path_factory
        self.created: list[tuple[str, Engine]] = []

    def url(self) -> str:
        if self.engine_name == "sqlite":
            return f"sqlite:///{self.tmp.mktemp('db') / 'esibook.db'}"
        require_postgres()
        name = f"esibook_test_{uuid.uuid4().hex[:12]}"
        with _postgres_admin().connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(normalize_database_url(POSTGRES_URL)).set(database=name)
        return url.render_as_string(hide_password=False)

    def engine(self, *, migrated: bool = True) -> Engine:
        url = self.url()
        engine = make_engine(url)
        self.created.append((url, engine))
        if migrated:
            migrate.upgrade(engine)
        return engine

    def drop_all(self) -> None:
        leaks = []
        for url, engine in self.created:
            leaks += [f"{make_url(url).database}: {leak}" for leak in _audit_leaks(engine)]
            engine.dispose()
            if self.engine_name == "postgres":
                name = make_url(url).database
                with _postgres_admin().connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if leaks:
            pytest.fail("personal ID numbers in the audit chain after the tests:\n" + "\n".join(leaks[:20]))


def _audit_leaks(engine: Engine) -> list[str]:
    """What every flow the tests ran left in the audit chain that a personal ID number could be read from."""
    from sqlalchemy.exc import DBAPIError

    from support.audit_privacy import personal_ids_in_audit

    try:
        return personal_ids_in_audit(engine)
    except DBAPIError:  # a database a test left without a schema or unreachable
        return []


@pytest.fixture(params=ENGINES, scope="session")
def engine_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def databases(engine_name, tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(engine_name, tmp_path_factory)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session", params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def postgres_databases(request, tmp_path_factory) -> Iterator[DatabaseFactory]:
    """Databases on PostgreSQL only, for what only PostgreSQL has (row-level security, partitions)."""
    factory = DatabaseFactory(request.param, tmp_path_factory)
    yield factory
    factory.drop_all()


@pytest.fixture
def empty_engine(databases) -> Iterator[Engine]:
    """A fresh database with the schema (migrations applied) and no rows. Its idle connections are closed after
    the test (the engine stays usable for the audit check at the end): on PostgreSQL a whole run would otherwise
    keep a pool open per test and reach ``max_connections``."""
    engine = databases.engine()
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seed_plan() -> SeedPlan:
    return TEST_PLAN


@pytest.fixture(scope="session")
def seeded_engine(databases) -> Engine:
    """A database seeded once per engine with :data:`TEST_PLAN`; tests must only read it."""
    engine = databases.engine()
    seed(engine, TEST_PLAN)
    return engine


@pytest.fixture(scope="session")
def demo_identities(seeded_engine) -> dict:
    """The development provider's demo identities on the seeded data, with their role grants in place."""
    from sqlalchemy.orm import Session

    from esibook.access.demo import demo_identities as find
    from esibook.access.demo import grant_demo_roles

    with Session(seeded_engine) as session, session.begin():
        grant_demo_roles(session)
    with Session(seeded_engine) as session:
        return {identity.key: identity for identity in find(session)}


@dataclass
class Signed:
    """A seeded database with keys and a signed book for everyone who participated."""

    engine: Engine
    settings: object
    seeded_identities: dict
    """The demo identities by key as seeded (before any test's filings)."""


@pytest.fixture(scope="session")
def signed(databases, tmp_path_factory) -> Signed:
    from sqlalchemy.orm import Session

    from esibook.access.demo import demo_identities, grant_demo_roles
    from esibook.book.bulk import issue_all
    from esibook.config import Settings
    from esibook.trust.pki import init_pki

    engine = databases.engine()
    seed(engine, SeedPlan(persons=300, months=6, seed=21, end_month=Month(2026, 10)))
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        env="test",
        data_dir=tmp_path_factory.mktemp("signed"),
    )
    with Session(engine) as session:
        init_pki(session, settings)
        issue_all(session, settings)
    with Session(engine) as session, session.begin():
        grant_demo_roles(session)
    with Session(engine) as session:
        seeded = {identity.key: identity for identity in demo_identities(session)}
    return Signed(engine, settings, seeded)


# --- signed-in clients on the signed database (helpers: tests/support/signed_in.py) ---------------------------


@pytest.fixture(scope="module")
def signed_app(signed):
    """A client of the application on the ``signed`` database (one per test module, as each module's state)."""
    from fastapi.testclient import TestClient

    from esibook.app import create_app

    return TestClient(create_app(signed.settings))


@pytest.fixture(scope="module")
def signed_identities(signed) -> dict:
    """The development provider's demo identities on the ``signed`` database, by key (read again for each module:
    a module's filings may change who is working). When the data no longer gives the provider its cast (the
    transfer test moves the only service member to civil management, after which it offers no one), the seeded
    identities stand in: their persons and grants are still there."""
    from sqlalchemy.orm import Session

    from esibook.access.demo import demo_identities as find

    with Session(signed.engine) as session:
        return {identity.key: identity for identity in find(session)} or dict(signed.seeded_identities)


@pytest.fixture(scope="session")
def signed_bearer(signed) -> Callable[..., dict]:
    """``signed_bearer(personal_id, name="x", level=2)``: the header of that person signed in on ``signed``."""
    from functools import partial

    from support.signed_in import bearer

    return partial(bearer, signed.settings)


@pytest.fixture
def database_url_for(databases) -> Callable[[], str]:
    """A function returning the URL of a new, empty database (no schema) on this engine."""

    def make() -> str:
        return databases.engine(migrated=False).url.render_as_string(hide_password=False)

    return make


# --- a real server on a free local port ----------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(database_url: str, data_dir, **overrides) -> Iterator[str]:
    """Serve esibook (with the development identity provider) on 127.0.0.1; yields its base URL. ``overrides``
    are settings (e.g. low rate limits)."""
    import threading
    import time

    import uvicorn

    from esibook.app import create_app
    from esibook.config import Settings

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # one client address signs in many times a minute across the suite; the limits themselves are tested apart
    settings = Settings(
        **{
            "database_url": database_url,
            "data_dir": data_dir,
            "env": "test",
            "base_url": base,
            "rate_limit_login_ip": "10000/minute",
            **overrides,
        }
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve():
    """``running_server`` as a fixture, for conftest files below this one."""
    return running_server


@pytest.fixture(scope="session")
def live_data_dir(engine_name, tmp_path_factory):
    """The live server's data directory (its generated keys live there)."""
    return tmp_path_factory.mktemp(f"live-{engine_name}")


@pytest.fixture(scope="session")
def live_server(seeded_engine, demo_identities, live_data_dir) -> Iterator[str]:
    """esibook over real HTTP on the seeded database of this engine, demo grants in place."""
    with running_server(seeded_engine.url.render_as_string(hide_password=False), live_data_dir) as base:
        yield base


# --- how many tests ran on each engine -----------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """After pytest's own summary (``-ra`` lists each skipped test): the counts per engine, then the skips."""
    yield
    counts: Counter[str] = Counter()
    for report in terminalreporter.stats.get("passed", []):
        node = report.nodeid
        engine = (
            "postgres"
            if "[postgres" in node or "postgres]" in node
            else ("sqlite" if "[sqlite" in node or "sqlite]" in node else None)
        )
        if engine:
            counts[engine] += 1
    terminalreporter.write_line(
        f"database tests passed: {counts['sqlite']} on SQLite, {counts['postgres']} on PostgreSQL"
    )
    skipped_summary(terminalreporter)


#: The one command that installs what a machine lacks (Chromium, poppler, axe-core, PostgreSQL) and runs every test.
RUN_ALL = ".ci/run   (as root: installs Chromium, poppler-utils, axe-core and PostgreSQL, then CI=true make test)"


def skipped_summary(terminalreporter) -> None:
    """The last lines of a run: how many tests were skipped, why (grouped), and the command that runs them all."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if not reasons:
        terminalreporter.write_line("skipped: none")
        return
    terminalreporter.write_line(f"skipped: {sum(reasons.values())} tests", yellow=True, bold=True)
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"  {count:4d} × {reason}", yellow=True)
    terminalreporter.write_line(f"to run them all: {RUN_ALL}", yellow=True, bold=True)
