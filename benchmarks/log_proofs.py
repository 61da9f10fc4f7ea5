"""Inclusion proofs from tiles at 1 M and 10 M leaves (PostgreSQL): the book read's proof must stay at most 20 ms
at 1 M leaves, and at most twice that at 10 M.

The leaves are synthetic entries (a type tag and a SHA-256, like a book's), pooled by batched INSERT as bulk
issuance does, and integrated by the sequencer (``log.integrate``) in batches of 100,000, so the tiles are the
ones the log really writes. A proof is then read as a book read reads it (``books.bundle``): the latest
checkpoint, then the inclusion proof of a random leaf against it from the stored tiles, each in its own
transaction. The result goes to docs/performance.md.

    .venv/bin/python benchmarks/log_proofs.py     # also run by `make bench`
    ESIBOOK_BENCH_LOG_SIZES=1000000 .venv/bin/python benchmarks/log_proofs.py
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.book import log
from esibook.book.models import LogPoolEntry
from esibook.config import Settings
from esibook.db import make_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import scratch_postgres, write_section  # noqa: E402

SIZES = [int(s) for s in os.environ.get("ESIBOOK_BENCH_LOG_SIZES", "1000000,10000000").split(",")]
READS = int(os.environ.get("ESIBOOK_BENCH_LOG_READS", "500"))
BATCH = 100_000
TAG = b"esibook/bench-entry/v1\n"


def grow(session: Session, settings: Settings, size: int) -> float:
    """Pool and integrate synthetic entries until the log has ``size`` leaves; entries per second."""
    start, have = time.perf_counter(), log.log_size(session)
    session.rollback()
    while have < size:
        count = min(BATCH, size - have)
        with session.begin():
            session.execute(insert(LogPoolEntry), [
                {"entry": TAG + hashlib.sha256(i.to_bytes(8, "big")).digest()} for i in range(have, have + count)])
        have += log.integrate(session, settings, limit=count)
        print(f"  {have:,} leaves", flush=True)
    return (size - (have - size if have > size else 0)) / (time.perf_counter() - start)


def read_proofs(session: Session, settings: Settings, size: int) -> dict:
    rng, timings, tiles_read = random.Random(size), [], []
    for _ in range(READS):
        leaf = rng.randrange(size)
        began = time.perf_counter()
        checkpoint = log.current_checkpoint(session, settings)
        session.rollback()
        proofs = log.proofs(session, checkpoint.tree_size)
        path = proofs.inclusion(leaf, checkpoint.tree_size)
        session.rollback()
        timings.append(time.perf_counter() - began)
        tiles_read.append(len(proofs._tiles))
        assert len(path) <= (size - 1).bit_length()
    timings.sort()
    return {"size": size, "median": statistics.median(timings) * 1000,
            "p95": timings[int(len(timings) * 0.95)] * 1000, "tiles": max(tiles_read)}


def write_results(rows: list[dict]) -> None:
    table = "\n".join(
        f"| {r['size']:,} | {r['median']:.2f} ms | {r['p95']:.2f} ms | {r['tiles']} | {r['rate']:,.0f} |" for r in rows)
    ratio = rows[-1]["median"] / rows[0]["median"] if len(rows) > 1 else 1.0
    section = (
        "## Inclusion proofs from tiles (PostgreSQL, `benchmarks/log_proofs.py`)\n\n"
        f"Goal: a book read's inclusion proof at most 20 ms at 1 M leaves, at most twice that at 10 M. "
        f"{READS} proofs of random leaves per size, each read as `books.bundle` reads it (latest checkpoint, then "
        "the proof from the stored tiles, in short transactions); synthetic entries pooled by batched INSERT and "
        f"integrated by the sequencer in batches of {BATCH:,}.\n\n"
        "| leaves | median | p95 | tiles read (max) | integration, entries/s |\n|---|---|---|---|---|\n"
        f"{table}\n\n"
        + (f"Largest over smallest (median): **{ratio:.2f}×**.\n\n" if len(rows) > 1 else "")
        + "A proof reads five tiles at either size (the leaf's tiles at levels 0 to 2 and the right edge's "
        "partial tiles); what grows with the log is the index depth and how much of the tiles table is cached. "
        "The p95 carries the noise of a 2-core machine shared with other work.\n\n"
    )
    write_section("## Inclusion proofs from tiles", section)


def main() -> None:
    url, drop = scratch_postgres()
    rows = []
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with tempfile.TemporaryDirectory() as data_dir, Session(engine) as session:
            settings = Settings(database_url=url, data_dir=Path(data_dir), env="test", log_batch_size=BATCH)
            for size in sorted(SIZES):
                rate = grow(session, settings, size)
                row = {**read_proofs(session, settings, size), "rate": rate}
                print(f"{size:,} leaves: median {row['median']:.2f} ms, p95 {row['p95']:.2f} ms, "
                      f"{row['tiles']} tiles, {rate:,.0f} entries/s integrated")
                rows.append(row)
        engine.dispose()
    finally:
        drop()
    write_results(rows)


if __name__ == "__main__":
    main()
