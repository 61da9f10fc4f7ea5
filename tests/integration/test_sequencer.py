"""The sequencer: issued versions are pooled, then integrated in batches, one checkpoint per batch; a process
killed (SIGKILL) after pooling, or in the middle of integrating, loses nothing; issuing takes no shared lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.book import log, merkle
from esibook.book.models import BookVersion, LogCheckpoint, LogPoolEntry
from esibook.config import Settings
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.checkpoint import parse_checkpoint
from esibook.trust.pki import init_pki
from support.rfc9162 import verify_inclusion

#: Issues the first book of every seeded person (each in its own transaction, so each is pooled and committed),
#: then integrates one entry per batch, saying what it did after each commit; the test kills it at a line.
CHILD = textwrap.dedent("""
    import sys
    from sqlalchemy import select
    from sqlalchemy.orm import Session
    from esibook.book import log, service
    from esibook.config import Settings
    from esibook.db import make_engine, transaction
    from esibook.people.models import Person

    settings = Settings(database_url=sys.argv[1], data_dir=sys.argv[2], env="test", log_batch_size=1)
    engine = make_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        if sys.argv[3] == "issue":
            for person_id in session.scalars(select(Person.id).order_by(Person.id)).all():
                with transaction(session):
                    version, created = service.issue_book(session, settings, person_id, reason="issued")
                if created:
                    print("pooled", person_id, version.version, flush=True)
            print("all pooled", flush=True)
        else:
            while log.integrate(session, settings):
                print("integrated", flush=True)
            print("pool empty", flush=True)
    sys.stdin.read()  # wait to be killed
""")


def _run_until(url: str, data_dir, mode: str, stop_after: str, times: int = 1) -> list[str]:
    """Run the child, SIGKILL it once it printed ``stop_after`` ``times`` times (or finished); its lines."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(data_dir), mode], stdout=subprocess.PIPE,
                             stdin=subprocess.PIPE, text=True, env=env)
    lines, seen = [], 0
    for line in child.stdout:
        lines.append(line.strip())
        seen += line.startswith(stop_after)
        if seen >= times or line.startswith(("all pooled", "pool empty")):
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return lines


def test_nothing_issued_is_lost_when_the_process_is_killed(databases, tmp_path):
    engine = databases.engine()
    seed(engine, SeedPlan(persons=12, months=2, seed=9, end_month=Month(2026, 10)))
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, data_dir=tmp_path, env="test")
    with Session(engine) as session:
        init_pki(session, settings)

    pooled = [line for line in _run_until(url, tmp_path, "issue", "all pooled") if line.startswith("pooled")]
    assert pooled, "the child issued books before it was killed"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LogPoolEntry)) == len(pooled)
        assert session.scalar(select(func.count()).where(BookVersion.leaf_index.is_not(None))) == 0

    integrated = _run_until(url, tmp_path, "integrate", "integrated", times=3)
    assert integrated.count("integrated") == 3, "killed in the middle of integrating, one entry per batch"

    with Session(engine, expire_on_commit=False) as session:
        log.integrate_all(session, settings)
        versions = session.scalars(select(BookVersion).order_by(BookVersion.leaf_index)).all()
        checkpoint = log.latest_checkpoint(session)
        proofs = log.proofs(session, checkpoint.tree_size)
        entries = [proofs.entry(i) for i in range(checkpoint.tree_size)]
        paths = {v.leaf_index: proofs.inclusion(v.leaf_index, checkpoint.tree_size) for v in versions}
        batches = session.scalar(select(func.count()).select_from(LogCheckpoint))
    issued = {(int(p), int(v)) for _, p, v in (line.split() for line in pooled)}
    assert {(v.person_id, v.version) for v in versions} == issued, "every committed version is there"
    assert [v.leaf_index for v in versions] == list(range(len(issued))), "each logged once, no gap"
    assert checkpoint.tree_size == len(issued) and entries == [log.book_entry(v.document) for v in versions]
    root = parse_checkpoint(checkpoint.document, log.log_verifier(settings)).root
    for version in versions:
        leaf = merkle.leaf_hash(log.book_entry(version.document))
        assert verify_inclusion(leaf, version.leaf_index, checkpoint.tree_size, paths[version.leaf_index], root)
    assert batches >= 4, "one checkpoint per batch: three before the kill, the rest after"
    engine.dispose()


def test_eight_concurrent_issuers_do_not_queue_behind_one_locked_row(postgres_databases, tmp_path):
    """Eight transactions each pool an entry and wait, still open, until all eight have: with one row locked per
    leaf (the old log head), the second would wait for the first to commit and the barrier would break."""
    engine = postgres_databases.engine()
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), data_dir=tmp_path, env="test")
    barrier = threading.Barrier(8, timeout=60)
    failures: list[BaseException] = []

    def issuer(k: int) -> None:
        try:
            with Session(engine) as session, session.begin():
                log.pool(session, document=f"a.b{k}.c", person_id=None, version=None)
                session.flush()
                barrier.wait()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=issuer, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with Session(engine) as session:
        assert log.integrate(session, settings) == 8
        assert log.log_size(session) == 8
    engine.dispose()
