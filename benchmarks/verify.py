"""Verifying a book and an HI card online (PostgreSQL) as the log grows to 1 M and 10 M leaves, and offline.

Online is what `POST /api/v1/verify` runs (`views.verification.check_online`): the installation's anchors and
suspensions, then for a bare signed book its row, its inclusion proof from the tiles against the latest
checkpoint and the check of both signatures; for a card the CWT signature, validity and suspension. Offline is
what `esibook verify --trust-list` runs with the exported trust list: the signature, and for a book bundle the
inclusion proof it carries against the signed checkpoint. The books are real (2,000 persons, issued in bulk);
the rest of the log is synthetic entries, as in benchmarks/log_proofs.py. The result goes to
docs/performance.md and feeds docs/scale.md.

    .venv/bin/python benchmarks/verify.py               # also run by `make bench`
    ESIBOOK_BENCH_VERIFY_SIZES=1000000 .venv/bin/python benchmarks/verify.py
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.book import bulk, service
from esibook.book.models import BookVersion
from esibook.config import Settings
from esibook.dates import vietnam_today
from esibook.db import make_engine
from esibook.health.card import card_qr
from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.pki import init_pki
from esibook.trust.verify import Verdict, verify
from esibook.views.verification import check_online, verifier_state

sys.path.insert(0, str(Path(__file__).resolve().parent))
from log_proofs import grow  # noqa: E402
from run import scratch_postgres, write_section  # noqa: E402

SIZES = [int(s) for s in os.environ.get("ESIBOOK_BENCH_VERIFY_SIZES", "1000000,10000000").split(",")]
CHECKS = 300
HEADING = "## Verifying books and cards (`benchmarks/verify.py`)"


def timed(checks: list, check) -> dict:
    timings = []
    for item in checks:
        began = time.perf_counter()
        result = check(item)
        timings.append(time.perf_counter() - began)
        assert result.verdict == Verdict.VALID, result
    timings.sort()
    return {"median": statistics.median(timings) * 1000, "p95": timings[int(len(timings) * 0.95)] * 1000,
            "per_second": len(timings) / sum(timings)}


def main() -> None:
    url, drop = scratch_postgres()
    rows = []
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        seed(engine, SeedPlan(persons=2000, months=24, seed=3, end_month=Month(2026, 10)))
        with tempfile.TemporaryDirectory() as data_dir, Session(engine) as session:
            settings = Settings(database_url=url, data_dir=Path(data_dir), env="test", log_batch_size=100_000)
            init_pki(session, settings)
            bulk.issue_all(session, settings)
            rng = random.Random(5)
            documents = rng.sample(list(session.scalars(select(BookVersion.document))), CHECKS)
            holders = rng.sample(list(session.scalars(select(Person).where(
                Person.id.in_(select(HICoverage.person_id).where(HICoverage.valid_to >= vietnam_today()))))), CHECKS)
            cards = [card_qr(session, settings, person).payload.encode() for person in holders]
            session.rollback()
            for size in sorted(SIZES):
                grow(session, settings, size)
                bundles = [json.dumps(service.bundle(session, settings, row.person_id, row.version).as_dict()).encode()
                           for row in session.scalars(select(BookVersion).where(
                               BookVersion.document.in_(documents[:100])))]
                trust, status = verifier_state(session, settings)
                session.rollback()
                row = {
                    "size": size,
                    "book_online": timed(documents, lambda d: _online(session, settings, d.encode())),
                    "card_online": timed(cards, lambda c: _online(session, settings, c)),
                    "bundle_offline": timed(bundles, lambda b, t=trust, s=status: verify(b, t, s)),
                    "card_offline": timed(cards, lambda c, t=trust, s=status: verify(c, t, s)),
                }
                print(row, flush=True)
                rows.append(row)
        engine.dispose()
    finally:
        drop()
    _write(rows)


def _online(session: Session, settings: Settings, data: bytes):
    try:
        return check_online(session, settings, data)
    finally:
        session.rollback()


def _write(rows: list[dict]) -> None:
    def cell(m: dict) -> str:
        return f"{m['median']:.2f} ms / {m['p95']:.2f} ms ({m['per_second']:,.0f}/s)"

    table = "\n".join(
        f"| {r['size']:,} | {cell(r['book_online'])} | {cell(r['card_online'])} | {cell(r['bundle_offline'])} | "
        f"{cell(r['card_offline'])} |" for r in rows)
    section = f"""{HEADING}

{CHECKS} checks of each kind, one process, PostgreSQL on the same 2-core machine; median / p95 (checks per second
of one core). Online = `check_online` (`POST /api/v1/verify`); offline = `verify` with the exported trust list.

| log leaves | book, online | card, online | book bundle, offline | card, offline |
|---|---|---|---|---|
{table}

"""
    write_section(HEADING, section)
    print(section)


if __name__ == "__main__":
    main()
