"""Background jobs (công việc nền): notification delivery, the daily arrears watchdog, audit checkpoints and bulk
issuance of books (one job per range of persons, ``esibook book issue --all --queue``).

On PostgreSQL they are jobs of procrastinate (docs/decisions/0004-job-engine.md): a job is a row of
``procrastinate_jobs``, written by :func:`defer` in the caller's own transaction, so a rolled-back write enqueues
nothing and a committed one cannot lose its job; any number of workers on any number of machines take jobs with
``FOR UPDATE SKIP LOCKED``; periodic jobs are deferred once per scheduled time whatever the number of workers;
the jobs of a worker that died (SIGKILL, power loss) are taken up again once its heartbeat is stale.

On the embedded SQLite default there is no queue: the same task functions run in-process, in a round of the dev
server's thread or of ``esibook worker`` (:func:`run_round`); the outbox rows themselves are what is pending.

Every task is idempotent, so a job run twice (a retry after a crash) changes nothing the second time: a message
is delivered once (the outbox's guarantee), the watchdog runs once per day, a checkpoint is made only when due.
This module is the engine only and sits on the floor below the contexts: it imports none of them. Each context
declares its own tasks on :data:`app`; ``esibook.worker`` (top floor) imports them all and runs the SQLite round.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field

import procrastinate
from procrastinate.periodic import PeriodicDeferrer, PeriodicRegistry, PeriodicTask
from procrastinate.testing import InMemoryConnector
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from esibook.config import Settings
from esibook.db import is_postgres, session_factory

log = logging.getLogger("esibook.jobs")

OUTBOX_QUEUE, DAILY_QUEUE, UPKEEP_QUEUE, BOOKS_QUEUE = "outbox", "daily", "upkeep", "books"
#: Pushes to the national portals and the VNeID wallet (esibook.portals.service).
PORTALS_QUEUE = "portals"
QUEUES = (OUTBOX_QUEUE, DAILY_QUEUE, UPKEEP_QUEUE, BOOKS_QUEUE, PORTALS_QUEUE)
#: A worker whose heartbeat is older than this (seconds) is dead: its running jobs are taken up again.
STALLED_SECONDS = "ESIBOOK_JOBS_STALLED_SECONDS"
DEFAULT_STALLED_SECONDS = 60.0
#: A periodic job missed while every worker was down is still deferred up to a day late (procrastinate's default
#: is 10 minutes): the watchdog then runs for the day it missed.
PERIODIC_MAX_DELAY = 24 * 3600 + 60

#: The tasks are declared on an app without a database; :func:`engine_app` binds them to PostgreSQL.
app = procrastinate.App(connector=InMemoryConnector(), periodic_defaults={"max_delay": PERIODIC_MAX_DELAY})


# --- what the tasks run with -----------------------------------------------------------------------------------


@dataclass
class Runtime:
    """The database, settings and mail sender of this worker process (None: the environment's), and what it
    delivered."""

    sessions: sessionmaker[Session]
    settings: Settings
    sender: object
    delivered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, delivered: int) -> None:
        with self.lock:
            self.delivered += delivered


_runtime: Runtime | None = None


def configure(engine: Engine, settings: Settings, sender=None) -> Runtime:
    """Set what this process's tasks run with (the worker calls it once at start); without ``sender``, the outbox's
    tasks send as the environment says (``notify.outbox.sender_of``)."""
    global _runtime
    _runtime = Runtime(session_factory(engine), settings, sender)
    return _runtime


def runtime() -> Runtime:
    if _runtime is None:  # a worker started by procrastinate's own command line
        from esibook.config import load_settings
        from esibook.db import make_engine

        config = load_settings()
        configure(make_engine(config.resolved_database_url()), config)
    return _runtime


# --- enqueueing in the caller's transaction --------------------------------------------------------------------

_DEFER_SQL = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, :lock, :queueing_lock, "
    "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1]))"
)


def defer(session: Session | Connection, task: procrastinate.tasks.Task, **kwargs) -> int | None:
    """Enqueue ``task(**kwargs)`` in the session's transaction (PostgreSQL); the job exists only if the caller
    commits. On SQLite nothing is queued: the in-process round finds the work itself. Returns the job id."""
    if not is_postgres(session):
        return None
    return session.execute(
        _DEFER_SQL,
        {
            "queue": task.queue,
            "task": task.name,
            "priority": task.priority,
            "lock": task.lock,
            "queueing_lock": task.queueing_lock,
            "args": json.dumps(kwargs),
        },
    ).scalar_one()


# --- the engine's own task ----------------------------------------------------------------------------------------
#
# Each context declares its tasks on :data:`app` beside the work they run (``notify.outbox``: delivery and the
# sweep; ``book.bulk``: a range of books; ``contributions.arrears``: the daily watchdog; ``audit.checkpoints``: the
# audit checkpoint), and enqueues them with :func:`defer`. A worker imports them all first (``esibook.worker``).


@app.periodic(cron="* * * * *", periodic_id="jobs-stalled")
@app.task(name="jobs.retry_stalled", queue=UPKEEP_QUEUE, queueing_lock="jobs.retry_stalled")
async def retry_stalled(timestamp: int | None = None) -> None:
    """Put back the running jobs of dead workers (killed mid-job), so another worker takes them."""
    await retry_stalled_jobs(_current_app)


# --- PostgreSQL: procrastinate's worker --------------------------------------------------------------------------

_current_app: procrastinate.App = app


def engine_app(engine: Engine, *, periodic: bool = True) -> procrastinate.App:
    """The tasks bound to the engine's PostgreSQL database; without ``periodic``, a worker of it defers no
    periodic job (``esibook worker --once`` processes what is queued, nothing more)."""
    global _current_app
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    bound = app.with_connector(procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4))
    bound.periodic_defaults = {"max_delay": PERIODIC_MAX_DELAY}
    # with_connector shares the task objects, whose deferring (the periodic deferrer's) would still go to the
    # app they were declared on: each bound app gets its own copies.
    bound.tasks = {name: _bound_task(task, bound) for name, task in app.tasks.items()}
    bound.periodic_registry = PeriodicRegistry()
    if periodic:
        for key, each in app.periodic_registry.periodic_tasks.items():
            bound.periodic_registry.periodic_tasks[key] = PeriodicTask(
                task=bound.tasks[each.task.name],
                cron=each.cron,
                periodic_id=each.periodic_id,
                configure_kwargs=dict(each.configure_kwargs),
            )
    _current_app = bound
    return bound


def _bound_task(task: procrastinate.tasks.Task, bound: procrastinate.App) -> procrastinate.tasks.Task:
    own = copy.copy(task)
    own.blueprint = bound
    return own


def stalled_seconds() -> float:
    return float(os.environ.get(STALLED_SECONDS, DEFAULT_STALLED_SECONDS))


async def retry_stalled_jobs(bound: procrastinate.App) -> int:
    stalled = await bound.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds())
    for job in stalled:
        log.warning("job %s (%s) of a dead worker is retried", job.id, job.task_name)
        await bound.job_manager.retry_job(job)
    return len(stalled)


async def defer_periodic(bound: procrastinate.App, at: float | None = None) -> None:
    """Defer the periodic jobs due at ``at`` (now); the database keeps each scheduled time to one job."""
    deferrer = PeriodicDeferrer(registry=bound.periodic_registry, max_delay=PERIODIC_MAX_DELAY)
    async with bound.open_async():
        await deferrer.defer_jobs(deferrer.get_previous_tasks(at=time.time() if at is None else at))


async def work(bound: procrastinate.App, *, wait: bool, name: str = "worker", signals: bool = True) -> None:
    """Run a worker: with ``wait`` until stopped (periodic jobs included), else until the queues are empty."""
    async with bound.open_async():
        await retry_stalled_jobs(bound)
        await bound.run_worker_async(
            queues=list(QUEUES),
            wait=wait,
            name=name,
            concurrency=2,
            install_signal_handlers=signals,
            update_heartbeat_interval=min(10.0, max(1.0, stalled_seconds() / 3)),
            stalled_worker_timeout=max(stalled_seconds(), 1.0),
            delete_jobs="successful",
            fetch_job_polling_interval=1.0,  # a missed notification waits a second, not five
        )


def run_worker(engine: Engine, *, wait: bool, signals: bool = True) -> None:
    """``esibook worker`` on PostgreSQL: until stopped (``wait``), or until nothing is queued."""
    asyncio.run(work(engine_app(engine, periodic=wait), wait=wait, signals=signals))


def apply_schema(connection) -> None:
    """procrastinate's tables, types and functions (PostgreSQL only; the migration 0013 calls it)."""
    from procrastinate.schema import SchemaManager

    _run_script(connection, SchemaManager.get_schema())


def _run_script(connection, script: str) -> None:
    """A whole SQL script on the connection's transaction, with no parameter parsing (it holds ``%``)."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(script)
    finally:
        cursor.close()


def drop_schema(connection) -> None:
    _run_script(
        connection,
        """
        DO $$
        DECLARE item record;
        BEGIN
          FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
                        AND tablename LIKE 'procrastinate%' LOOP
            EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
          END LOOP;
          FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
            EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
          END LOOP;
          FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                        AND t.typtype IN ('e', 'c') LOOP
            EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
          END LOOP;
        END $$;
        """
    )
