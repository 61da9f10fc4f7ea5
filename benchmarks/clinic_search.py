"""The public clinic lookup at the size of the national register: 13,000 facilities (about the number that treat
HI card holders), names drawn from the demo's patterns, searched through ``health.clinics.search_clinics``: a rare
name, a common kind, the most common words (two thirds of all rows match), a province filter, and a deep page
without a query. The median and the slowest of 20 calls each, on SQLite and on PostgreSQL (a scratch database),
go to docs/performance.md.

    .venv/bin/python benchmarks/clinic_search.py                 # also run by `make bench`
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from esibook import migrate
from esibook.db import make_engine
from esibook.health.clinics import search_clinics
from esibook.health.models import Clinic
from esibook.people.identifiers import PROVINCES
from esibook.seeding import vocab

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import scratch_postgres, write_section  # noqa: E402

CLINICS = 13_000
QUERIES = [("bach mai", {}), ("tram y te", {}), ("benh vien", {}), ("tram y te", {"province": "001"}),
           ("", {"page": 50})]


def fill(engine) -> None:
    rng = random.Random(1)
    provinces = list(PROVINCES)
    rows = []
    for number in range(CLINICS):
        province = rng.choice(provinces)
        kind, pattern = rng.choice(vocab.CLINIC_NAMES)
        name = pattern.format(province=PROVINCES[province], district=rng.choice(vocab.WARD_NAMES),
                              commune=rng.choice(vocab.WARD_NAMES), core=rng.choice(vocab.COMPANY_CORES))
        rows.append(Clinic(code=f"{number:05d}", name=name, province_code=province,
                           level="province" if kind == "hospital" else kind, address="—"))
    with Session(engine) as session, session.begin():
        session.add_all(rows)


def measure(engine, label: str) -> list[str]:
    """One table row per query: the engine, the query, its filters, how many clinics match, median and max."""
    rows = []
    for query, filters in QUERIES:
        with Session(engine) as session:
            result = search_clinics(session, query=query, **filters)
            times = []
            for _ in range(20):
                start = time.perf_counter()
                search_clinics(session, query=query, **filters)
                times.append(time.perf_counter() - start)
        row = (f"| {label} | {f'`{query}`' if query else '(none)'} | {filters or ''} | {result.total:,} | "
               f"{statistics.median(times) * 1000:.1f} ms | {max(times) * 1000:.1f} ms |")
        print(row)
        rows.append(row)
    return rows


def on(url: str, label: str) -> list[str]:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        fill(engine)
        return measure(engine, label)
    finally:
        engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        rows = on(f"sqlite:///{Path(folder) / 'clinics.db'}", "SQLite")
    url, drop = scratch_postgres()
    try:
        rows += on(url, "PostgreSQL")
    finally:
        drop()
    write_section("## Clinic lookup", "\n".join([
        "## Clinic lookup (`benchmarks/clinic_search.py`)",
        "",
        f"{CLINICS:,} clinics (about the national register of facilities that treat HI card holders), names from the",
        "demo's patterns; `health.clinics.search_clinics` as `GET /api/v1/lookups/clinics` calls it (accents",
        "optional, ranked in SQL, 20 a page); 20 calls each, one process, the 2-core machine.",
        "",
        "| engine | query | filters | matches | median | max |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]) + "\n")


if __name__ == "__main__":
    main()
