"""The job engine, measured: procrastinate on PostgreSQL against Celery on RabbitMQ, on this machine.

Each of N no-op jobs follows a write (a row inserted into a table): with procrastinate the job is enqueued in the
write's own transaction; with Celery it is published after the write's commit (a broker cannot join the
database's transaction). Then one worker (2 concurrent slots) runs them all. Latency: one job at a time to a
running worker, from the commit (procrastinate) or the publish (Celery) to the start of the task. Results go to
docs/performance.md.

    ESIBOOK_BENCH_JOBS=5000 .venv/bin/python benchmarks/jobs.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import procrastinate
from sqlalchemy import text

from esibook import jobs
from esibook.db import make_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import scratch_postgres, write_section  # noqa: E402

N = int(os.environ.get("ESIBOOK_BENCH_JOBS", "5000"))
LATENCY_SAMPLES = int(os.environ.get("ESIBOOK_BENCH_JOB_LATENCY", "200"))
BROKER = os.environ.get("ESIBOOK_BENCH_BROKER", "amqp://guest:guest@127.0.0.1:5672//")

done = threading.Semaphore(0)
started: dict[int, float] = {}


def _ran(n: int) -> None:
    started[n] = time.perf_counter()
    done.release()


bench_app = procrastinate.App(connector=jobs.app.connector)


@bench_app.task(name="bench.noop", queue="bench")
def noop(n: int) -> None:
    _ran(n)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def procrastinate_bench(url: str) -> dict:
    engine = make_engine(url)
    with engine.begin() as connection:
        jobs.apply_schema(connection)
        connection.execute(text("CREATE TABLE bench_writes (id bigserial PRIMARY KEY, n int NOT NULL)"))
    insert = text("INSERT INTO bench_writes (n) VALUES (:n)")
    t0 = time.perf_counter()
    for n in range(N):
        with engine.begin() as connection:
            connection.execute(insert, {"n": n})
            jobs.defer(connection, noop, n=n)
    enqueue_s = time.perf_counter() - t0
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    bound = bench_app.with_connector(procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4))
    t0 = time.perf_counter()
    bound.run_worker(queues=["bench"], wait=False, concurrency=2, install_signal_handlers=False,
                     delete_jobs="successful")
    execute_s = time.perf_counter() - t0
    assert len(started) >= N, f"procrastinate ran {len(started)} of {N} jobs"
    while done.acquire(blocking=False):
        pass
    started.clear()

    latencies = []
    loop_box: dict = {}

    def serve() -> None:
        async def main() -> None:
            async with bound.open_async():
                loop_box["loop"] = asyncio.get_running_loop()
                loop_box["task"] = asyncio.current_task()
                await bound.run_worker_async(queues=["bench"], wait=True, concurrency=2,
                                             install_signal_handlers=False, delete_jobs="successful")

        try:
            asyncio.run(main())
        except asyncio.CancelledError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    time.sleep(2)  # the worker is listening
    for n in range(LATENCY_SAMPLES):
        with engine.begin() as connection:
            connection.execute(insert, {"n": n})
            jobs.defer(connection, noop, n=n)
        committed = time.perf_counter()
        done.acquire(timeout=30)
        latencies.append((started[n] - committed) * 1000)
    loop_box["loop"].call_soon_threadsafe(loop_box["task"].cancel)
    thread.join(timeout=30)
    engine.dispose()
    return {"enqueue_s": enqueue_s, "execute_s": execute_s, "latencies": latencies}


def celery_bench(url: str) -> dict:
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    celery = Celery("esibook_bench", broker=BROKER)
    celery.conf.update(task_ignore_result=True, worker_prefetch_multiplier=4, broker_pool_limit=4,
                       task_default_queue="esibook_bench")
    celery_noop = celery.task(name="bench.noop", ignore_result=True)(_ran)
    with celery.connection_for_write() as connection:
        connection.default_channel.queue_purge("esibook_bench") if _queue_exists(connection) else None
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_writes_c (id bigserial PRIMARY KEY, n int)"))
    insert = text("INSERT INTO bench_writes_c (n) VALUES (:n)")
    t0 = time.perf_counter()
    for n in range(N):
        with engine.begin() as connection:
            connection.execute(insert, {"n": n})
        celery_noop.delay(n)  # after the commit: a crash here loses the job (hence an outbox in front of it)
    enqueue_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with start_worker(celery, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=30):
        for _ in range(N):
            done.acquire(timeout=60)
        execute_s = time.perf_counter() - t0
        started.clear()
        latencies = []
        for n in range(LATENCY_SAMPLES):
            with engine.begin() as connection:
                connection.execute(insert, {"n": n})
            published = time.perf_counter()
            celery_noop.delay(n)
            done.acquire(timeout=30)
            latencies.append((started[n] - published) * 1000)
    engine.dispose()
    return {"enqueue_s": enqueue_s, "execute_s": execute_s, "latencies": latencies}


def _queue_exists(connection) -> bool:
    try:
        connection.default_channel.queue_declare("esibook_bench", passive=True)
        return True
    except Exception:  # noqa: BLE001 - absent queue
        return False


def main() -> None:
    url, drop = scratch_postgres()
    try:
        pro = procrastinate_bench(url)
        print({k: v for k, v in pro.items() if k != "latencies"}, flush=True)
        cel = celery_bench(url)
        print({k: v for k, v in cel.items() if k != "latencies"}, flush=True)
    finally:
        drop()
    write_results(pro, cel)


def write_results(pro: dict, cel: dict) -> None:
    def row(name: str, r: dict) -> str:
        lat = r["latencies"]
        return (f"| {name} | {N / r['enqueue_s']:,.0f} | {N / r['execute_s']:,.0f} | "
                f"{statistics.median(lat):.1f} ms | {percentile(lat, 0.95):.1f} ms |")

    section = (
        "## Job engine (`benchmarks/jobs.py`)\n\n"
        f"**{N:,}** no-op jobs, each after a one-row write to PostgreSQL, then one worker with 2 slots; latency over "
        f"{LATENCY_SAMPLES} single jobs to a running worker (commit or publish → task start). procrastinate "
        "enqueues in the write's transaction; Celery publishes after the commit (not atomic with it).\n\n"
        "| engine | write + enqueue / s | executed / s | latency median | latency p95 |\n|---|---|---|---|---|\n"
        f"{row('procrastinate 3 (PostgreSQL)', pro)}\n{row('Celery 5 (RabbitMQ)', cel)}\n\n"
        "Decision: docs/decisions/0004-job-engine.md.\n"
    )
    write_section("## Job engine", section)


if __name__ == "__main__":
    main()
