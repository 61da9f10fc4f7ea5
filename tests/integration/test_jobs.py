"""Jobs (docs/decisions/0004-job-engine.md): on PostgreSQL procrastinate's workers, on SQLite the same tasks
in-process. A delivery job is enqueued in the transaction that writes its message, a failure is retried and
the message still delivered once, two workers deliver every message exactly once, the daily watchdog runs once
a day whatever the number of workers, and a worker killed mid-job loses nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from esibook import jobs, worker
from esibook.audit.models import AuditRecord
from esibook.config import Settings
from esibook.contributions import arrears
from esibook.db import is_postgres
from esibook.notify import outbox
from esibook.notify.models import DeliveredMessage, OutboxMessage


class CountingSender(outbox.SinkSender):
    """The demo's mail sink, remembering every send; fails the first ``failures`` sends."""

    def __init__(self, failures: int = 0):
        self.sent: list[int] = []
        self.failures = failures
        self.lock = threading.Lock()

    def send(self, session, message) -> None:
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise ConnectionError("the mail server is down")
            self.sent.append(message.id)
        super().send(session, message)


def enqueue(engine, count: int, prefix: str = "m") -> list[int]:
    with Session(engine) as session, session.begin():
        for n in range(count):
            outbox.enqueue(
                session, channel="inapp", recipient=f"person:{n}", subject="Thông báo", body="…",
                dedupe_key=f"{prefix}:{n}",
            )
    with Session(engine) as session:
        return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def queued_jobs(engine, status: str = "todo") -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'outbox.deliver' AND status = :s"),
            {"s": status},
        ).scalar()


def delivered(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(DeliveredMessage))


def work(engine, settings: Settings, sender, workers: int = 1) -> None:
    """Run ``workers`` workers at once until the queue is empty (PostgreSQL), or one in-process round (SQLite)."""
    runtime = jobs.configure(engine, settings, sender)
    if not is_postgres(engine):
        worker.run_round(runtime, None)
        return

    def one(name: str) -> None:
        asyncio.run(jobs.work(jobs.engine_app(engine, periodic=False), wait=False, name=name, signals=False))

    threads = [threading.Thread(target=one, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


def test_a_rolled_back_write_enqueues_nothing_and_a_committed_one_is_delivered(empty_engine, settings):
    with pytest.raises(RuntimeError), Session(empty_engine) as session, session.begin():
        outbox.enqueue(session, channel="inapp", recipient="person:1", subject="s", body="b", dedupe_key="gone")
        raise RuntimeError("the decision failed after the message was written")
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    if is_postgres(empty_engine):
        assert queued_jobs(empty_engine) == 0, "no job for a message that was never committed"
    [message_id] = enqueue(empty_engine, 1)
    if is_postgres(empty_engine):
        assert queued_jobs(empty_engine) == 1, "the committed message has its delivery job"
    sender = CountingSender()
    work(empty_engine, settings, sender)
    assert sender.sent == [message_id] and delivered(empty_engine) == 1
    work(empty_engine, settings, sender)
    assert sender.sent == [message_id], "a second run delivers nothing again"


def test_a_failed_delivery_is_retried_and_the_message_delivered_once(empty_engine, settings):
    [message_id] = enqueue(empty_engine, 1)
    sender = CountingSender(failures=1)
    work(empty_engine, settings, sender)
    with Session(empty_engine) as session:
        message = session.get(OutboxMessage, message_id)
        assert message.sent_at is None and message.attempts == 1 and message.last_error == "ConnectionError"
    assert delivered(empty_engine) == 0
    if is_postgres(empty_engine):
        assert queued_jobs(empty_engine) == 1, "the job is scheduled again"
        with empty_engine.begin() as connection:  # its retry time has come
            connection.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'"))
    work(empty_engine, settings, sender)
    work(empty_engine, settings, sender)
    assert sender.sent == [message_id] and delivered(empty_engine) == 1
    if is_postgres(empty_engine):
        assert queued_jobs(empty_engine) == 0


def test_two_workers_deliver_every_message_exactly_once(postgres_databases, tmp_path):
    engine = postgres_databases.engine()
    ids = enqueue(engine, 300)
    sender = CountingSender()
    work(engine, Settings(data_dir=tmp_path), sender, workers=2)
    assert sorted(sender.sent) == ids, "no duplicate, no gap"
    assert delivered(engine) == 300 and queued_jobs(engine) == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def watchdog_runs(engine, day: str) -> int:
    with Session(engine) as session:
        return session.scalar(
            select(func.count()).where(AuditRecord.action == "arrears.run", AuditRecord.target == f"day:{day}")
        )


def test_the_daily_watchdog_runs_once_a_day_with_two_workers(postgres_databases, tmp_path):
    engine = postgres_databases.engine()
    settings = Settings(data_dir=tmp_path)
    just_after_its_time = datetime(2026, 12, 11, 0, 6).timestamp()

    def worker_starts_at(at: float) -> None:  # a worker's periodic deferrer, in a thread of its own like a worker
        thread = threading.Thread(target=lambda: asyncio.run(jobs.defer_periodic(jobs.engine_app(engine), at)))
        thread.start()
        thread.join()

    for _ in range(2):
        worker_starts_at(just_after_its_time)
    work(engine, settings, CountingSender(), workers=2)
    assert watchdog_runs(engine, "2026-12-11") == 1
    worker_starts_at(just_after_its_time + 3600)  # a third worker, later that day
    work(engine, settings, CountingSender(), workers=2)
    assert watchdog_runs(engine, "2026-12-11") == 1
    jobs.configure(engine, settings)
    arrears.arrears_watchdog(timestamp=int(just_after_its_time))  # the same job run twice
    assert watchdog_runs(engine, "2026-12-11") == 1
    worker_starts_at(datetime(2026, 12, 12, 0, 6).timestamp())
    work(engine, settings, CountingSender(), workers=2)
    assert watchdog_runs(engine, "2026-12-12") == 1, "and the next day once again"


def worker_env(engine, data_dir, **extra) -> dict:
    return {
        **os.environ,
        "ESIBOOK_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(data_dir),
        **extra,
    }


def test_a_worker_killed_mid_job_loses_nothing(postgres_databases, tmp_path):
    engine = postgres_databases.engine()
    enqueue(engine, 3)
    hung = subprocess.Popen(
        [sys.executable, "-m", "esibook", "worker"],
        env=worker_env(engine, tmp_path, ESIBOOK_TEST_HANG_BEFORE_SEND="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while queued_jobs(engine, "doing") == 0 and time.monotonic() < deadline and hung.poll() is None:
            time.sleep(0.2)
        assert queued_jobs(engine, "doing") > 0, "the worker took a job"
    finally:
        hung.send_signal(signal.SIGKILL)
        hung.wait(timeout=30)
    assert delivered(engine) == 0
    restarted = subprocess.run(
        [sys.executable, "-m", "esibook", "worker", "--once"],
        env=worker_env(engine, tmp_path, ESIBOOK_JOBS_STALLED_SECONDS="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restarted.returncode == 0 and "3 messages delivered" in restarted.stdout
    assert delivered(engine) == 3
    assert queued_jobs(engine, "doing") == 0 and queued_jobs(engine) == 0, "the killed worker's job was done again"


def test_the_worker_refuses_bad_input_in_one_line(empty_engine, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "esibook", "worker", "--interval", "0"],
        env=worker_env(empty_engine, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "--interval" in result.stderr
