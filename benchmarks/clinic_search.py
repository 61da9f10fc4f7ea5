"""The public clinic lookup at the size of the national register: 13,000 facilities (about the number that treat
HI card holders), names drawn from the demo's patterns, searched through ``health.clinics.search_clinics``: a rare
name, a common kind, the most common words (two thirds of all rows match), a province filter, and a deep page
without a query. Prints the median of 20 calls each, on SQLite and (when reachable) PostgreSQL.

    .venv/bin/python benchmarks/clinic_search.py [postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.db import make_engine
from esibook.health.clinics import search_clinics
from esibook.health.models import Clinic
from esibook.people.identifiers import PROVINCES
from esibook.seeding import vocab

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


def measure(engine, label: str) -> None:
    for query, filters in QUERIES:
        with Session(engine) as session:
            result = search_clinics(session, query=query, **filters)
            times = []
            for _ in range(20):
                start = time.perf_counter()
                search_clinics(session, query=query, **filters)
                times.append(time.perf_counter() - start)
        print(f"{label:10} q={query!r:12} {filters!s:18} matches {result.total:6,}  "
              f"median {statistics.median(times) * 1000:6.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'clinics.db'}")
        migrate.upgrade(engine)
        fill(engine)
        measure(engine, "SQLite")
        engine.dispose()
    if len(sys.argv) > 1:
        admin = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
        name = f"clinic_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
            migrate.upgrade(engine)
            fill(engine)
            measure(engine, "PostgreSQL")
            engine.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
