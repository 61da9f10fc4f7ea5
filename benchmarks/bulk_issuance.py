"""Bulk issuance on PostgreSQL: 200,000 persons × 60 months, against the raw ES256 signing rate of every core.

Goal (Step 7): books per second of ``esibook book issue --all`` at least 0.05 × the raw ES256 signing rate of
all cores, both measured in this run. The raw rate is what OpenSSL signs when nothing else is done: one process
per core signing a SHA-256 digest's worth of input with a P-256 key, for a few seconds. Bulk issuance is the
real code path (:func:`esibook.book.bulk.issue_all`): ranges of 1,000 ids read set-based, signed in a pool of
one process per core, written with COPY, pooled entries integrated into the tiled log until the log holds them
all. A second run finds every book current and signs nothing. The result goes to docs/performance.md.

    .venv/bin/python benchmarks/bulk_issuance.py                 # also run by `make bench`
    ESIBOOK_BENCH_BULK_PERSONS=20000 .venv/bin/python benchmarks/bulk_issuance.py
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.book import bulk, log
from esibook.book.models import BookVersion
from esibook.config import Settings
from esibook.db import make_engine
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.pki import init_pki

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import scratch_postgres, write_section  # noqa: E402

PERSONS = int(os.environ.get("ESIBOOK_BENCH_BULK_PERSONS", "200000"))
MONTHS = 60
#: Signing processes of ``issue_all``; by default what the command uses (``issue_all``'s own default).
PROCESSES = int(os.environ["ESIBOOK_BENCH_BULK_PROCESSES"]) if os.environ.get("ESIBOOK_BENCH_BULK_PROCESSES") else None
SIGN_SECONDS = 3.0
HEADING = "## Bulk issuance (PostgreSQL, `benchmarks/bulk_issuance.py`)"


def _sign_for(seconds: float) -> int:
    key = ec.generate_private_key(ec.SECP256R1())
    message, count, until = b"\x00" * 32, 0, time.perf_counter() + seconds
    while time.perf_counter() < until:
        for _ in range(100):
            key.sign(message, ec.ECDSA(hashes.SHA256()))
        count += 100
    return count


def raw_signing_rate(processes: int) -> float:
    """ES256 signatures per second with every core signing at once."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        counts = pool.map(_sign_for, [SIGN_SECONDS] * processes)
    return sum(counts) / SIGN_SECONDS


def main() -> None:
    cores = os.cpu_count() or 1
    url, drop = scratch_postgres()
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        print(f"seeding {PERSONS:,} persons × {MONTHS} months …", flush=True)
        seeded = seed(engine, SeedPlan(persons=PERSONS, months=MONTHS, seed=1, end_month=Month(2026, 10)))
        with tempfile.TemporaryDirectory() as keys:
            settings = Settings(database_url=url, data_dir=Path(keys))
            with Session(engine) as session:
                init_pki(session, settings)
                log.current_checkpoint(session, settings)
            print(f"raw ES256 signing on {cores} cores …", flush=True)
            loads = [os.getloadavg()[0]]
            raw = raw_signing_rate(cores)
            loads.append(os.getloadavg()[0])
            print("bulk issuance …", flush=True)
            first = _issue(engine, settings, cores)
            second = _issue(engine, settings, cores)
            with Session(engine) as session:
                books = session.scalar(select(func.count()).select_from(BookVersion))
                logged = log.log_size(session)
        engine.dispose()
    finally:
        drop()
    peak_mb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    _write(seeded, raw, first, second, books, logged, peak_mb, cores, loads)


def _issue(engine, settings: Settings, cores: int) -> dict:
    started = time.perf_counter()
    with Session(engine) as session:
        created = bulk.issue_all(session, settings, processes=PROCESSES)
    seconds = time.perf_counter() - started
    print(f"  {created:,} new versions in {seconds:.1f} s", flush=True)
    return {"created": created, "seconds": seconds}


def _write(seeded, raw: float, first: dict, second: dict, books: int, logged: int, peak_mb: float,
           cores: int, loads: list[float]) -> None:
    rate = first["created"] / first["seconds"]
    section = f"""{HEADING}

Goal: at least 0.05 × the raw ES256 signing rate of all cores, measured in the same run. {PERSONS:,} persons ×
{MONTHS} months seeded ({seeded.contribution_lines:,} contribution lines); {first['created']:,} of them hold a book
(identified persons who have participated). `bulk.issue_all` with {PROCESSES or bulk.default_processes()} processes,
ranges of {bulk.RANGE_SIZE:,} ids, COPY into `book_versions` and `log_pool`, the log integrated until it holds every
entry.

| measure | value |
|---|---|
| raw ES256 signatures per second, {cores} cores | {raw:,.0f} |
| books issued | {first['created']:,} in {first['seconds']:.1f} s |
| **books per second** | **{rate:,.0f}** |
| **ratio to the raw signing rate** | **{rate / raw:.4f}** (goal ≥ 0.05) |
| second run (every book current) | {second['created']:,} new in {second['seconds']:.1f} s |
| versions stored / log leaves | {books:,} / {logged:,} |
| peak memory of one process | {peak_mb:,.0f} MB |

The machine's load average when signing began and when issuance began: {loads[0]:.1f} and {loads[1]:.1f}
({cores} cores; above {cores}, other work shared them, and the two rates were measured under different loads).

"""
    write_section(HEADING, section)
    print(section)


if __name__ == "__main__":
    main()
