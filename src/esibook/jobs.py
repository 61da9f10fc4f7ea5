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
This module sits on the floor below the contexts: it imports none of them at import time, tasks import lazily.
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
from datetime import date, datetime

import procrastinate
from procrastinate.periodic import PeriodicDeferrer, PeriodicRegistry, PeriodicTask
from procrastinate.testing import InMemoryConnector
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from esibook.config import Settings
from esibook.dates import VIETNAM, vietnam_today
from esibook.db import is_postgres, session_factory

log = logging.getLogger("esibook.jobs")

OUTBOX_QUEUE, DAILY_QUEUE, UPKEEP_QUEUE, BOOKS_QUEUE = "outbox", "daily", "upkeep", "books"
QUEUES = (OUTBOX_QUEUE, DAILY_QUEUE, UPKEEP_QUEUE, BOOKS_QUEUE)
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
    """The database, settings and mail sender of this worker process, and what it delivered."""

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
    """Set what this process's tasks run with (the worker calls it once at start)."""
    from esibook.notify.outbox import sender_from_environment

    global _runtime
    _runtime = Runtime(session_factory(engine), settings, sender or sender_from_environment())
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


# --- the tasks -------------------------------------------------------------------------------------------------


@app.task(
    name="outbox.deliver",
    queue=OUTBOX_QUEUE,
    retry=procrastinate.RetryStrategy(max_attempts=7, wait=5, exponential_wait=3),
)
def deliver_message(message_id: int) -> None:
    """Deliver one outbox message (a no-op if it was delivered already); a failure is raised, so retried."""
    from esibook.notify.outbox import deliver_one

    rt = runtime()
    rt.count(deliver_one(rt.sessions, rt.sender, message_id, raise_failure=True))


@app.task(
    name="book.issue_range",
    queue=BOOKS_QUEUE,
    retry=procrastinate.RetryStrategy(max_attempts=5, wait=10, exponential_wait=2),
)
def issue_book_range(first: int, last: int, reason: str = "issued") -> None:
    """Bring the books of one range of persons up to date (bulk issuance across machines); run twice, the second
    run issues nothing. The sequencer gives the pooled entries their leaves."""
    from esibook.book.bulk import issue_range

    rt = runtime()
    with rt.sessions() as session:
        issue_range(session, rt.settings, first, last, reason=reason)


@app.periodic(cron="*/10 * * * *", periodic_id="outbox-sweep")
@app.task(name="outbox.sweep", queue=OUTBOX_QUEUE, queueing_lock="outbox.sweep")
def sweep_outbox(timestamp: int | None = None) -> None:
    """Deliver whatever is pending without a job (messages of before the job engine, retries given up on by
    the job engine but still under the outbox's attempt limit)."""
    from esibook.notify.outbox import deliver_pending

    rt = runtime()
    rt.count(deliver_pending(rt.sessions, rt.sender))


@app.periodic(cron="5 0 * * *", periodic_id="arrears-daily")
@app.task(name="arrears.watchdog", queue=DAILY_QUEUE, queueing_lock="arrears.watchdog")
def arrears_watchdog(timestamp: int) -> None:
    """The daily arrears watchdog, for the day it was scheduled (its notices go out from the 10th)."""
    watchdog_once(runtime().sessions, datetime.fromtimestamp(timestamp, VIETNAM).date())


@app.periodic(cron="* * * * *", periodic_id="audit-checkpoint")
@app.task(name="audit.checkpoint", queue=UPKEEP_QUEUE, queueing_lock="audit.checkpoint")
def audit_checkpoint(timestamp: int | None = None) -> None:
    """Sign and anchor the audit chain's head when a checkpoint is due."""
    rt = runtime()
    audit_checkpoint_if_due(rt.sessions, rt.settings)


@app.periodic(cron="* * * * *", periodic_id="jobs-stalled")
@app.task(name="jobs.retry_stalled", queue=UPKEEP_QUEUE, queueing_lock="jobs.retry_stalled")
async def retry_stalled(timestamp: int | None = None) -> None:
    """Put back the running jobs of dead workers (killed mid-job), so another worker takes them."""
    await retry_stalled_jobs(_current_app)


def watchdog_once(sessions: sessionmaker[Session], day: date) -> bool:
    """Run the arrears watchdog for ``day`` unless it already ran for that day; True if it ran now."""
    from sqlalchemy import select

    from esibook.audit.models import AuditRecord
    from esibook.contributions.arrears import run

    with sessions() as session:
        done = session.scalar(
            select(AuditRecord.seq)
            .where(AuditRecord.action == "arrears.run", AuditRecord.target == f"day:{day.isoformat()}")
            .limit(1)
        )
        if done is not None:
            return False
        run(session, day)
    return True


def audit_checkpoint_if_due(sessions: sessionmaker[Session], settings: Settings) -> None:
    """Sign and anchor the audit chain's head hourly or every 1000 records; a refusal is logged, not fatal."""
    from esibook.audit.checkpoints import ChainTampered, due, make_checkpoint
    from esibook.errors import DomainError

    with sessions() as session:
        if not due(session, settings):
            return
        try:
            made = make_checkpoint(session, settings)
        except (ChainTampered, DomainError) as refused:
            logging.getLogger("esibook.audit").error("audit checkpoint refused: %s", refused)
            return
    if made and made.anchored:
        print(f"audit checkpoint at seq {made.checkpoint.seq} anchored", flush=True)


# --- SQLite: the same tasks, in-process --------------------------------------------------------------------------


def run_round(rt: Runtime, watched: date | None) -> date:
    """One in-process round (SQLite): the log's pooled entries, the watchdog once a day, a checkpoint when due, the
    pending messages."""
    from esibook.book import sequencer
    from esibook.notify.outbox import deliver_pending

    sequencer.run_once(rt.sessions, rt.settings)
    today = vietnam_today()
    if watched != today:
        watchdog_once(rt.sessions, today)
    audit_checkpoint_if_due(rt.sessions, rt.settings)
    rt.count(deliver_pending(rt.sessions, rt.sender))
    return today


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
