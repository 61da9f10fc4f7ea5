"""What the one access policy costs a citizen's book read (``GET /api/v1/me/book``), on PostgreSQL.

"Before" is the same read with the checks as they were before Step 6, inline in the route (resolve the caller,
person at level 2, load the person); "after" is the served route, through ``policy.CITIZEN`` and
``policy.own_person``. Both run in one process against one database, interleaved, so the machine's noise falls on
both alike. The result goes to docs/performance.md.

    .venv/bin/python benchmarks/policy.py       # also run by `make bench`
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi import Depends, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.access.demo import demo_identities
from esibook.access.deps import principal
from esibook.access.principal import Identity, Principal
from esibook.access.tokens import issue_person_token
from esibook.app import create_app
from esibook.book import service as books
from esibook.book.models import BookVersion
from esibook.config import Settings
from esibook.db import make_engine, transaction
from esibook.people.models import Person
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.pki import init_pki
from esibook.web.deps import db_session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import scratch_postgres, write_section  # noqa: E402

READS = int(os.environ.get("ESIBOOK_BENCH_POLICY_READS", "1500"))
PERSONS = 2000


def before_step6(request: Request, caller: Principal = Depends(principal), session: Session = Depends(db_session)):
    """The pre-policy route: the checks inline, as book/api.py had them."""
    if caller.kind != "person":
        raise PermissionError("person only")
    person = session.get(Person, caller.person_id) if caller.person_id else None
    if person is None or caller.level < 2:
        raise PermissionError("no record or level")
    return books.bundle(session, request.app.state.settings, person.id, None).as_dict()


def prepare(url: str, data_dir: Path) -> tuple[TestClient, str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed(engine, SeedPlan(persons=PERSONS, months=24, seed=5, end_month=Month(2026, 10)))
    settings = Settings(database_url=url, data_dir=data_dir, env="test")
    with Session(engine) as session:
        init_pki(session, settings)
        citizen = next(i for i in demo_identities(session) if i.key == "citizen-l2")
        person_id = session.scalar(select(Person.id).where(Person.personal_id == citizen.personal_id))
    with Session(engine) as session:
        with transaction(session):
            books.issue_book(session, settings, person_id, reason="benchmark")
    with Session(engine) as session:
        assert session.scalar(select(BookVersion.version).where(BookVersion.person_id == person_id))
    app = create_app(settings)
    app.add_api_route("/bench/book-before", before_step6, methods=["GET"])
    token = issue_person_token(settings, Identity("bench", citizen.personal_id, citizen.name, 2))
    return TestClient(app), token


def measure(client: TestClient, token: str) -> dict:
    headers = {"authorization": f"Bearer {token}"}
    timings = {"before": [], "after": []}
    for url in ("/bench/book-before", "/api/v1/me/book"):  # warm both
        assert client.get(url, headers=headers).status_code == 200
    for _ in range(READS):
        for key, url in (("before", "/bench/book-before"), ("after", "/api/v1/me/book")):
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            timings[key].append(time.perf_counter() - start)
            assert response.status_code == 200
    return {k: statistics.median(v) * 1000 for k, v in timings.items()}


def write_results(result: dict) -> None:
    overhead = result["after"] / result["before"] - 1
    section = (
        "## Access policy on a book read (PostgreSQL, `benchmarks/policy.py`)\n\n"
        f"`GET /api/v1/me/book`, {READS:,} reads each, interleaved, one process, {PERSONS:,} persons: median "
        f"**{result['before']:.2f} ms** with the pre-Step-6 inline checks, **{result['after']:.2f} ms** through "
        f"`policy.CITIZEN` and `policy.own_person`: **{overhead:+.1%}** (goal: at most +10 %).\n\n"
    )
    write_section("## Access policy on a book read", section)


def main() -> None:
    url, drop = scratch_postgres()
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            client, token = prepare(url, Path(data_dir))
            result = measure(client, token)
    finally:
        drop()
    print(f"book read: before {result['before']:.2f} ms, after {result['after']:.2f} ms")
    write_results(result)


if __name__ == "__main__":
    main()
