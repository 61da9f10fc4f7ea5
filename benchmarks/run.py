"""Speed goals of esibook, measured on this machine; results are written to docs/performance.md.

    make bench                                 # 200,000 persons × 24 months on PostgreSQL, 20,000 on SQLite
    ESIBOOK_BENCH_PERSONS=1000000 make bench   # the national-scale check of Step 1

PostgreSQL comes from ESIBOOK_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); a scratch
database is created and dropped.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from esibook import migrate
from esibook.db import make_engine, normalize_database_url, session_factory
from esibook.people.service import search_persons
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "performance.md"
POSTGRES_URL = os.environ.get("ESIBOOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PERSONS = int(os.environ.get("ESIBOOK_BENCH_PERSONS", "200000"))
SQLITE_PERSONS = int(os.environ.get("ESIBOOK_BENCH_SQLITE_PERSONS", "20000"))
END = Month(2026, 10)


MARKER = "<!-- benchmarks/run.py writes"


def write_section(heading: str, section: str) -> None:
    """Put one benchmark's section into docs/performance.md: in place of its last version, else above the part
    this script rewrites (so the next `make bench` keeps it)."""
    text_ = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Performance\n"
    start = text_.find(heading)
    if start >= 0:
        ends = [at for at in (text_.find("\n## ", start + 3), text_.find("\n" + MARKER, start)) if at >= 0]
        text_ = text_[:start] + section + (text_[min(ends) + 1 :] if ends else "")
    else:
        at = text_.find(MARKER)
        text_ = text_[:at] + section + text_[at:] if at >= 0 else text_.rstrip() + "\n\n" + section
    RESULTS.write_text(text_, encoding="utf-8")


def scratch_postgres() -> tuple[str, callable]:
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"esibook_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_database_url(POSTGRES_URL)).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


def bench_seed(url: str, persons: int) -> dict:
    engine = make_engine(url)
    migrate.upgrade(engine)
    report = seed(engine, SeedPlan(persons=persons, months=24, seed=1, end_month=END))
    return {"engine": engine, "persons": persons, "seconds": report.seconds, "lines": report.contribution_lines,
            "periods": report.participation_periods, "rows_per_second": report.rows_per_second}


def bench_search(engine, queries: int = 400) -> dict:
    with engine.connect() as connection:
        keys = [row[0] for row in connection.execute(text("SELECT name_key FROM persons ORDER BY id LIMIT 5000"))]
    rng = random.Random(7)
    texts = []
    for _ in range(queries):
        words = rng.choice(keys).split(" ")
        texts.append(" ".join(words[: rng.randint(1, len(words))]))
    timings = []
    with session_factory(engine)() as session:
        for query in texts:
            started = time.perf_counter()
            search_persons(session, query, limit=20)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"median_ms": statistics.median(timings), "p95_ms": timings[int(len(timings) * 0.95) - 1],
            "queries": queries}


def bench_signing(engine, data_dir: Path, books: int = 500, pdfs: int = 30) -> dict:
    """Signed JSON books per second (a fresh version for each person) and signed PDFs per second."""
    from sqlalchemy import select as sql_select
    from sqlalchemy.orm import Session

    from esibook.book.documents import signed_pdf
    from esibook.book.service import _sign_if_changed
    from esibook.config import Settings
    from esibook.contributions.models import ParticipationPeriod
    from esibook.models import Person
    from esibook.trust.pki import init_pki

    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), data_dir=data_dir)
    with Session(engine) as session:
        init_pki(session, settings)
        ids = list(session.scalars(sql_select(Person.id).where(Person.id.in_(
            sql_select(ParticipationPeriod.person_id))).order_by(Person.id).limit(books)))
    with Session(engine) as session, session.begin():
        started = time.perf_counter()
        for person_id in ids:
            _sign_if_changed(session, settings, session.get(Person, person_id), "benchmark")
        json_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session:
        for person_id in ids[:pdfs]:
            signed_pdf(session, settings, person_id)
    pdf_seconds = time.perf_counter() - started
    return {"books": len(ids), "books_per_second": len(ids) / json_seconds, "pdfs": min(pdfs, len(ids)),
            "pdfs_per_second": min(pdfs, len(ids)) / pdf_seconds, "signatures_per_second": _sign_only(engine, settings)}


def _sign_only(engine, settings, rounds: int = 2000) -> float:
    """The cryptographic part alone: canonical JSON + ES256 JWS of one assembled 24-month book."""
    from sqlalchemy import select as sql_select
    from sqlalchemy.orm import Session

    from esibook.book.models import BookVersion
    from esibook.trust import jws
    from esibook.trust.pki import signer_for

    with Session(engine) as session:
        document = session.scalar(sql_select(BookVersion.document).limit(1))
        signer = signer_for(session, settings, "issuing", "civil")
    payload = jws.parts(document)[1]
    started = time.perf_counter()
    for _ in range(rounds):
        jws.sign(signer, payload, "esibook-book+jws")
    return rounds / (time.perf_counter() - started)


def main() -> None:
    print(f"seeding {PERSONS:,} persons × 24 months on PostgreSQL …", flush=True)
    url, drop = scratch_postgres()
    try:
        pg = bench_seed(url, PERSONS)
        pg_search = bench_search(pg["engine"])
        print("signing books and PDFs …", flush=True)
        with tempfile.TemporaryDirectory() as keys:
            signing = bench_signing(pg["engine"], Path(keys))
        pg["engine"].dispose()
    finally:
        drop()
    print(f"seeding {SQLITE_PERSONS:,} persons × 24 months on SQLite …", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        lite = bench_seed(f"sqlite:///{tmp}/bench.db", SQLITE_PERSONS)
        lite_search = bench_search(lite["engine"])
        lite["engine"].dispose()
    write_results(pg, pg_search, lite, lite_search, signing)
    print(RESULTS.read_text(encoding="utf-8"))


def write_results(pg: dict, pg_search: dict, lite: dict, lite_search: dict, signing: dict) -> None:
    def row(name: str, r: dict, s: dict) -> str:
        return (f"| {name} | {r['persons']:,} | {r['lines']:,} | {r['seconds']:.1f} s | {r['rows_per_second']:,.0f} | "
                f"{r['lines'] / r['seconds']:,.0f} | {s['median_ms']:.1f} ms | {s['p95_ms']:.1f} ms |")

    measured = f"""<!-- benchmarks/run.py writes the section below; keep notes above this line. -->
## Latest `make bench`

{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} cores · Python
{sys.version.split()[0]} · `ESIBOOK_BENCH_PERSONS={PERSONS}`

| engine | persons | contribution lines | seed time | rows/s ¹ | lines/s | search median | p95 |
|---|---|---|---|---|---|---|---|
{row("PostgreSQL", pg, pg_search)}
{row("SQLite", lite, lite_search)}

¹ persons + employers + periods + lines, per second of the whole seed.
Search: {pg_search['queries']} name queries of 1 to 3 words taken from stored names, folded, limit 20.

Signing (PostgreSQL, one process, ECDSA P-256 file keys, parsed once): **{signing['books_per_second']:,.0f} signed JSON
books per second** end to end ({signing['books']} books of 24 months: assemble from the database, sign, pool for the
transparency log, store), of which the signature alone (canonical JSON + ES256 JWS) runs at
**{signing['signatures_per_second']:,.0f} per second**; and
**{signing['pdfs_per_second']:,.1f} signed PDFs per second** ({signing['pdfs']} PDFs: render with reportlab, embed the
signed book, PAdES with pyHanko).
"""
    notes = RESULTS.read_text(encoding="utf-8").split(MARKER)[0] if RESULTS.exists() else ""
    RESULTS.write_text(notes + measured, encoding="utf-8")


if __name__ == "__main__":
    main()
