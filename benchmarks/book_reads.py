"""``GET /api/v1/me/book`` under load, with wrk: 100 concurrent clients on PostgreSQL (1 M persons, a log of at
least 1 M leaves), each request a different citizen's real bearer token at VNeID level 2; a bare JSON endpoint of
the same app in the same run; then the SQLite demo at 100 and at 500 clients. Results go to docs/performance.md.

Goals (Step 7): on PostgreSQL p99 ≤ 50 ms and throughput ≥ 0.3 × the bare endpoint's; on the demo no error (no
non-2xx answer, no socket error) and no request over 1 s.

    .venv/bin/python benchmarks/book_reads.py      # also run by `make bench`; needs wrk (apt-get install wrk)

The PostgreSQL database (``esibook_bench_reads``) and its keys (``var/bench-reads/``) take ~10 minutes to build
(seed, a sample of books, synthetic log leaves); they are kept and reused while their marker matches (delete the
database or ``ESIBOOK_BENCH_READS_REBUILD=1`` to rebuild). The server is what ``esibook serve`` runs in
production: uvicorn with httptools and uvloop (``uvicorn[standard]``), one process per core
(``ESIBOOK_BENCH_READS_WORKERS`` for another number), the settings' pool (``ESIBOOK_DB_POOL_SIZE``) in each; the
demo is served as ``esibook demo`` serves it, one process per core (``ESIBOOK_BENCH_READS_DEMO_WORKERS``). The sequencer
and job threads are not started (nothing is issued during the run).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.access.principal import Identity
from esibook.access.tokens import issue_person_token
from esibook.book import log
from esibook.book import service as books
from esibook.book.models import BookVersion
from esibook.config import Settings, load_settings
from esibook.contributions.models import ParticipationPeriod
from esibook.db import make_engine, normalize_database_url, transaction
from esibook.people.models import Person
from esibook.trust.pki import init_pki

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from log_proofs import grow  # noqa: E402
from run import POSTGRES_URL, ROOT, write_section  # noqa: E402

PERSONS = int(os.environ.get("ESIBOOK_BENCH_READS_PERSONS", "1000000"))
BOOKS = int(os.environ.get("ESIBOOK_BENCH_READS_BOOKS", "5000"))
LEAVES = int(os.environ.get("ESIBOOK_BENCH_READS_LEAVES", "1000000"))
SECONDS = int(os.environ.get("ESIBOOK_BENCH_READS_SECONDS", "20"))
SLICES = int(os.environ.get("ESIBOOK_BENCH_READS_SLICES", "4"))  # PostgreSQL: bare and book alternate
WORKERS = int(os.environ.get("ESIBOOK_BENCH_READS_WORKERS") or os.cpu_count() or 1)  # production's default
OPEN_LOOP_RATES = [int(r) for r in os.environ.get("ESIBOOK_BENCH_READS_RATES", "50,100,150,200").split(",")]
DEMO_WORKERS = int(os.environ.get("ESIBOOK_BENCH_READS_DEMO_WORKERS") or os.cpu_count() or 1)  # as `esibook demo`
ONLY = os.environ.get("ESIBOOK_BENCH_READS_ONLY", "")  # "postgres" or "demo": one half, no report (while tuning)
DATABASE = "esibook_bench_reads"
DATA = ROOT / "var" / "bench-reads"
MARKER = f"benchmarks/book_reads.py v1: {PERSONS} persons, {BOOKS} books, {LEAVES} leaves"
BOOK = "/api/v1/me/book"
BARE = "/bench/bare"

LUA = r"""
-- Each request carries the next citizen's bearer token (each wrk thread starts at its own place in the list).
local tokens, next_index, threads = {}, 1, 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  next_index = (offset or 0) * 7919 % math.max(#tokens, 1) + 1
end
function request()
  if #tokens == 0 then return wrk.format("GET") end
  local token = tokens[next_index]
  next_index = next_index % #tokens + 1
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50": %f, "p99": %f, "max": %f, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def bench_app():
    """The served app (``create_app`` with the settings from the environment) and a bare JSON endpoint."""
    from esibook.app import create_app

    app = create_app(load_settings())

    def bare() -> dict:
        return {"status": "ok"}

    app.add_api_route(BARE, bare, methods=["GET"], include_in_schema=False)
    return app


# --- the PostgreSQL database: 1 M persons, a sample of books, ≥ 1 M leaves --------------------------------------


def postgres_url() -> str:
    return make_url(normalize_database_url(POSTGRES_URL)).set(database=DATABASE).render_as_string(hide_password=False)


def prepared_postgres() -> str:
    """The benchmark's database, built unless the one there carries this marker (and its keys are here)."""
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :name"),
            {"name": DATABASE}).first()
    marker_file = DATA / "marker"
    rebuild = os.environ.get("ESIBOOK_BENCH_READS_REBUILD") == "1"
    if found and found[0] == MARKER and marker_file.exists() and marker_file.read_text() == MARKER and not rebuild:
        print(f"reusing {DATABASE} ({MARKER})", flush=True)
        engine = make_engine(postgres_url())
        migrate.upgrade(engine)  # a database built before the latest migrations gets them (and their backfills)
        engine.dispose()
        return postgres_url()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    url = postgres_url()
    build(url)
    with admin.connect() as connection:
        connection.execute(text(f"COMMENT ON DATABASE \"{DATABASE}\" IS '{MARKER}'"))
    marker_file.write_text(MARKER)
    admin.dispose()
    return url


def build(url: str) -> None:
    started = time.perf_counter()
    print(f"seeding {PERSONS:,} persons (esibook seed) …", flush=True)
    subprocess.run([sys.executable, "-m", "esibook", "seed", "--persons", str(PERSONS), "--end-month", "2026-10"],
                   env={**os.environ, "ESIBOOK_DATABASE_URL": url, "ESIBOOK_DATA_DIR": str(DATA)}, check=True)
    fill(url)
    print(f"built in {time.perf_counter() - started:,.0f} s", flush=True)


def fill(url: str) -> None:
    """Keys, the sampled books and the synthetic leaves around them, on the seeded database."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    settings = Settings(database_url=url, data_dir=DATA, env="test", log_batch_size=100_000)
    with Session(engine) as session:
        init_pki(session, settings)
        grow(session, settings, LEAVES // 2)  # the sampled books' leaves sit in the middle of the log
        issue_sample(session, settings)
        log.integrate_all(session, settings)
        grow(session, settings, log.log_size(session) + LEAVES // 2)
    engine.dispose()


def issue_sample(session: Session, settings: Settings) -> None:
    """Books for ``BOOKS`` random persons who have participated (the existing one-at-a-time issuance)."""
    ids = list(session.scalars(select(ParticipationPeriod.person_id).distinct()))
    session.rollback()
    chosen = random.Random(3).sample(ids, min(BOOKS, len(ids)))
    started = time.perf_counter()
    for done, person_id in enumerate(chosen, 1):
        with transaction(session):
            books.issue_book(session, settings, person_id, reason="benchmark")
        if done % 2000 == 0:
            print(f"  {done:,} books ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)


# --- serving and loading -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readers(url: str) -> list[tuple[str, str]]:
    """(personal ID number, name) of every person with a book who can sign in (a record without a personal ID
    number cannot)."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(select(Person.personal_id, Person.full_name).where(
            Person.id.in_(select(BookVersion.person_id)), Person.personal_id.is_not(None)).order_by(Person.id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


class Server:
    """``uvicorn`` serving :func:`bench_app` on a free port, as ``esibook serve`` does (one process by default)."""

    def __init__(self, url: str, data_dir: Path, workers: int = WORKERS):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(database_url=url, data_dir=data_dir, env="test", base_url=self.base,
                                 access_token_minutes=240)
        env = {**os.environ, "ESIBOOK_DATABASE_URL": url, "ESIBOOK_DATA_DIR": str(data_dir), "ESIBOOK_ENV": "test",
               "ESIBOOK_BASE_URL": self.base, "ESIBOOK_ACCESS_TOKEN_MINUTES": "240"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "book_reads:bench_app", "--factory", "--app-dir", str(HERE),
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers), "--log-level", "warning",
             "--no-access-log"], env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + BARE, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the benchmark server did not start")

    def tokens(self, people: list[tuple[str, str]], path: Path) -> Path:
        path.write_text("".join(
            issue_person_token(self.settings, Identity(f"bench-{pid}", pid, name, 2)) + "\n" for pid, name in people))
        return path

    def check(self, tokens: Path) -> None:
        token = tokens.read_text().split("\n", 1)[0]
        response = httpx.get(self.base + BOOK, headers={"authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 200 and response.json()["inclusion_proof"], response.text[:300]

    def stop(self) -> None:
        """The whole process group: no worker process may outlive the run holding database connections."""
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def served_by() -> str:
    """What uvicorn's ``auto`` picks here: httptools and uvloop when ``uvicorn[standard]`` is installed."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11 (pure Python)"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} and {loop}"


def wrk(url: str, connections: int, seconds: int, tokens: Path | None, script: Path) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    if tokens:
        command += ["--", str(tokens)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.split("RESULT ", 1)[1])
    result["rate"] = result["requests"] / result["seconds"]
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def open_loop(url: str, rate: float, seconds: float, tokens: Path) -> dict:
    """Requests sent at a fixed rate whatever the answers (as wrk2 does; Debian has no wrk2), each timed from when
    it was due, so a slow answer delays no later request and queueing is counted (no coordinated omission)."""
    import asyncio

    lines = tokens.read_text().split()

    async def run() -> list[float | None]:
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            started, tasks = time.perf_counter(), []

            async def one(k: int, due: float) -> float | None:
                headers = {"authorization": f"Bearer {lines[k % len(lines)]}"}
                try:
                    response = await client.get(url, headers=headers)
                except httpx.HTTPError:
                    return None
                return (time.perf_counter() - due) * 1000 if response.status_code == 200 else None

            for k in range(int(rate * seconds)):
                due = started + k / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                tasks.append(asyncio.create_task(one(k, due)))
            return await asyncio.gather(*tasks)

    began = time.perf_counter()
    results = asyncio.run(run())
    took = time.perf_counter() - began
    times = sorted(t for t in results if t is not None)
    def at(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))] if times else float("nan")
    return {"rate": len(times) / took, "asked": rate, "p50": at(0.5), "p99": at(0.99), "max": times[-1] if times
            else float("nan"), "errors": len(results) - len(times)}


def fixed_rates(server: Server, tokens: Path) -> dict[int, dict]:
    """The book read at fixed rates (open loop), as many as the closed loop reached and a few below."""
    runs = {}
    for rate in OPEN_LOOP_RATES:
        open_loop(server.base + BOOK, rate, 3, tokens)  # warm
        runs[rate] = result = open_loop(server.base + BOOK, rate, SECONDS, tokens)
        print(f"  {BOOK} at a fixed {rate}/s: {result['rate']:,.0f} req/s answered, p50 {result['p50']:.1f} ms, p99 "
              f"{result['p99']:.1f} ms, max {result['max']:.0f} ms, {result['errors']} errors", flush=True)
    return runs


def load(server: Server, path: str, connections: int, tokens: Path | None, script: Path) -> dict:
    wrk(server.base + path, connections, 3, tokens, script)  # warm: connections, caches, the pool
    result = wrk(server.base + path, connections, SECONDS, tokens, script)
    print(f"  {path} at {connections}: {result['rate']:,.0f} req/s, p50 {result['p50']:.1f} ms, p99 "
          f"{result['p99']:.1f} ms, max {result['max']:.0f} ms, {result['errors']} errors", flush=True)
    return result


def alternated(server: Server, tokens: Path, script: Path) -> tuple[dict, dict]:
    """The bare endpoint and the book read in ``SLICES`` alternating slices of ``SECONDS / SLICES`` each (this
    machine's speed drifts by a third within minutes: two back-to-back runs would compare two machines), summed:
    the rate over all slices, the median slice's p50, the worst slice's p99 and max."""
    wrk(server.base + BARE, 100, 3, None, script)  # warm: connections, caches, the pool
    wrk(server.base + BOOK, 100, 3, tokens, script)
    slices: dict[str, list[dict]] = {BARE: [], BOOK: []}
    for _ in range(SLICES):
        for path, rotated in ((BARE, None), (BOOK, tokens)):
            slices[path].append(wrk(server.base + path, 100, max(1, SECONDS // SLICES), rotated, script))
    summed = {path: _summed(runs) for path, runs in slices.items()}
    for path, result in summed.items():
        print(f"  {path} at 100 ({SLICES} slices): {result['rate']:,.0f} req/s, p50 {result['p50']:.1f} ms, p99 "
              f"{result['p99']:.1f} ms, max {result['max']:.0f} ms, {result['errors']} errors; slices "
              + ", ".join(f"{r['rate']:,.0f}" for r in slices[path]), flush=True)
    return summed[BARE], summed[BOOK]


def _summed(runs: list[dict]) -> dict:
    requests, seconds = sum(r["requests"] for r in runs), sum(r["seconds"] for r in runs)
    return {"requests": requests, "seconds": seconds, "rate": requests / seconds,
            "p50": sorted(r["p50"] for r in runs)[len(runs) // 2], "p99": max(r["p99"] for r in runs),
            "max": max(r["max"] for r in runs), "errors": sum(r["errors"] for r in runs),
            "slices": [r["rate"] for r in runs]}


def bench_postgres(script: Path, tmp: Path) -> dict:
    url = prepared_postgres()
    load_average = os.getloadavg()[0]
    people = readers(url)
    server = Server(url, DATA)
    try:
        tokens = server.tokens(people, tmp / "pg-tokens.txt")
        server.check(tokens)
        bare, book = alternated(server, tokens, script)
        fixed = fixed_rates(server, tokens)
    finally:
        server.stop()
    return {"bare": bare, "book": book, "fixed": fixed, "readers": len(people), "load": load_average}


def prepared_demo(tmp: Path) -> Path:
    """The demo's SQLite database and keys, as ``esibook demo --seed-only`` makes them."""
    data = tmp / "demo"
    subprocess.run([sys.executable, "-m", "esibook", "demo", "--seed-only"], check=True, capture_output=True,
                   env={**os.environ, "ESIBOOK_DATA_DIR": str(data), "ESIBOOK_DATABASE_URL": ""})
    return data


def bench_demo(script: Path, tmp: Path) -> dict:
    data = prepared_demo(tmp)
    url = f"sqlite:///{(data / 'esibook.db').resolve()}"
    people = readers(url)
    server = Server(url, data, workers=DEMO_WORKERS)
    try:
        tokens = server.tokens(people, tmp / "demo-tokens.txt")
        server.check(tokens)
        runs = {c: load(server, BOOK, c, tokens, script) for c in (100, 500)}
    finally:
        server.stop()
    return {"runs": runs, "readers": len(people)}


# --- the report ---------------------------------------------------------------------------------------------------


def _row(name: str, r: dict) -> str:
    return (f"| {name} | {r['rate']:,.0f} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.0f} ms | "
            f"{r['errors']} |")


def _fell_behind(fixed: dict[int, dict], closed_rate: float) -> str:
    behind = [rate for rate, r in fixed.items() if r["rate"] < 0.9 * rate]
    if not behind:
        return ""
    return (f"At {', '.join(f'{r}/s' for r in behind)} fewer answers came back than were asked for, although the "
            f"closed loop got {closed_rate:,.0f}/s from the same server: this Python client, sharing the 2 cores, "
            "fell behind and queued its own requests, so those rows measure the client, not the server.\n\n")


def write_results(pg: dict, demo: dict) -> None:
    book, bare = pg["book"], pg["bare"]
    ratio = book["rate"] / bare["rate"]
    demo_ok = all(r["errors"] == 0 and r["max"] < 1000 for r in demo["runs"].values())
    header = "| endpoint | requests/s | p50 | p99 | max | errors |\n|---|---|---|---|---|---|\n"
    section = (
        "## Book reads under load (`benchmarks/book_reads.py`)\n\n"
        f"wrk, 2 threads, {SECONDS} s per run after a 3 s warm-up (on PostgreSQL the bare endpoint and the book "
        f"read alternate in {SLICES} slices of {max(1, SECONDS // SLICES)} s: the rate is over all slices, p50 the "
        "median slice's, p99 and max the worst slice's); each request a different citizen's bearer token "
        f"(VNeID level 2, minted by the app's own token issuer); uvicorn with {served_by()}, {WORKERS} process(es) "
        "as `esibook serve` in production (one per core); "
        "pool, request slots and threadpool all `ESIBOOK_DB_POOL_SIZE` "
        f"({load_settings().db_pool_size}); on PostgreSQL the book read runs on the event loop, on as many "
        "connections of its own (`esibook.loop_reads`), on SQLite in the threadpool.\n\n"
        f"PostgreSQL, {PERSONS:,} persons, {pg['readers']:,} of them with a book, a log of ≥ {LEAVES:,} leaves, "
        "100 connections:\n\n" + header
        + _row(f"`GET {BOOK}`", book) + "\n" + _row(f"bare JSON endpoint of the same app (`{BARE}`)", bare) + "\n\n"
        f"Slices (req/s), bare: {', '.join(f'{r:,.0f}' for r in bare['slices'])}; book: "
        f"{', '.join(f'{r:,.0f}' for r in book['slices'])}.\n\n"
        f"Book reads over the bare endpoint: **{ratio:.2f}** (goal ≥ 0.3); p99 **{book['p99']:.1f} ms** (goal ≤ "
        f"50 ms). With wrk's closed loop, 100 connections wait on each other: the mean latency is 100 / throughput "
        f"({100 / book['rate'] * 1000:.0f} ms here), so a p99 of 50 ms needs ≥ 2,000 book reads/s.\n\n"
        "The same reads at fixed rates (open loop: each request sent when due whatever the answers, timed from "
        "then, as wrk2 does — Debian has no wrk2 — by an asyncio + httpx client in this script, on the same 2 "
        "cores):\n\n| asked | answered/s | p50 | p99 | max | errors |\n|---|---|---|---|---|---|\n"
        + "\n".join(f"| {rate}/s | {r['rate']:,.0f} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.0f} ms | "
                    f"{r['errors']} |" for rate, r in pg["fixed"].items()) + "\n\n"
        + _fell_behind(pg["fixed"], book["rate"]) +
        f"SQLite demo (`esibook demo --seed-only`, {demo['readers']:,} persons with a book, served as `esibook demo` "
        f"serves it: {DEMO_WORKERS} process(es)):\n\n" + header
        + "\n".join(_row(f"`GET {BOOK}`, {c} connections", r) for c, r in demo["runs"].items()) + "\n\n"
        f"No error and no request over 1 s: **{'yes' if demo_ok else 'no'}**. The machine's load average when "
        f"the runs began: {pg['load']:.1f} (2 cores; above 2, other work shared them).\n\n"
    )
    write_section("## Book reads under load", section)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        script = tmp / "rotate.lua"
        script.write_text(LUA)
        print(f"uvicorn with {served_by()}, {WORKERS} process(es)", flush=True)
        if ONLY != "demo":
            print("PostgreSQL:", flush=True)
            pg = bench_postgres(script, tmp)
        if ONLY != "postgres":
            print("SQLite demo:", flush=True)
            demo = bench_demo(script, tmp)
    if not ONLY:
        write_results(pg, demo)


if __name__ == "__main__":
    main()
