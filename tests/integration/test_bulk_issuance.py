"""Bulk issuance: set-based ranges signed on every core give the very books issuing one at a time gives; a second
run signs only what changed; two workers issuing one queued batch make no duplicate and leave no gap in the log."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import orjson
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from esibook.book import bulk, log
from esibook.book.content import MONTH_COLUMNS, contribution_months, gather, render
from esibook.book.models import BookVersion, LogPoolEntry
from esibook.book.service import issue_book
from esibook.canonical import canonical_bytes
from esibook.config import Settings
from esibook.contributions.dues import FUNDS
from esibook.contributions.models import SELF_PAID, ContributionLine
from esibook.db import is_postgres, transaction
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust import jws
from esibook.trust.pki import init_pki

PLAN = SeedPlan(persons=150, months=12, seed=31, end_month=Month(2026, 10))


@pytest.fixture
def ready(empty_engine, tmp_path) -> tuple:
    seed(empty_engine, PLAN)
    settings = Settings(database_url=empty_engine.url.render_as_string(hide_password=False), env="test",
                        data_dir=tmp_path)
    with Session(empty_engine) as session:
        init_pki(session, settings)
    return empty_engine, settings


def holders(engine) -> list[int]:
    with Session(engine) as session:
        return list(session.scalars(select(BookVersion.person_id).distinct().order_by(BookVersion.person_id)))


def assert_logged_without_gap(engine) -> None:
    with Session(engine) as session:
        leaves = sorted(session.scalars(select(BookVersion.leaf_index)))
        assert None not in leaves, "every version has its leaf"
        assert leaves == list(range(len(leaves))), "no duplicate leaf, no gap"
        assert log.log_size(session) == len(leaves)
        assert session.scalar(select(func.count()).select_from(LogPoolEntry)) == 0, "the pool is drained"


def test_books_issued_in_bulk_are_the_books_issued_one_at_a_time(ready):
    engine, settings = ready
    with Session(engine) as session:
        created = bulk.issue_all(session, settings, range_size=40, processes=2)
    persons = holders(engine)
    assert created == len(persons) > 40, "several ranges, one version each"
    assert_logged_without_gap(engine)
    with Session(engine) as session:
        for person_id in persons:
            with transaction(session):
                version, new = issue_book(session, settings, person_id, reason="issued")
            assert not new and version.version == 1, "issuing alone finds the bulk book current"
        document = session.scalar(select(BookVersion.document).limit(1))
    header, payload, _, _ = jws.parts(document)
    assert header["alg"] == "ES256" and payload["type"] == "esibook/book" and payload["previous"] is None
    with Session(engine) as session:
        assert bulk.issue_all(session, settings, range_size=40, processes=2) == 0, "a second run signs nothing"


def test_a_second_run_signs_only_the_changed_book_and_names_its_predecessor(ready):
    engine, settings = ready
    with Session(engine) as session:
        bulk.issue_all(session, settings, range_size=50)
    with Session(engine) as session, session.begin():
        line = session.scalars(select(ContributionLine).where(
            ContributionLine.person_id.in_(select(BookVersion.person_id)), ContributionLine.status != "paid")
            .order_by(ContributionLine.person_id).limit(1)).one()
        person_id, month, total = line.person_id, line.month, line.total
        session.execute(update(ContributionLine).where(
            ContributionLine.person_id == person_id, ContributionLine.month == month,
            ContributionLine.employer_id == line.employer_id).values(paid_amount=total, status="paid"))
    with Session(engine) as session:
        assert bulk.issue_all(session, settings, range_size=50) == 1
        first, second = session.scalars(select(BookVersion).where(BookVersion.person_id == person_id)
                                        .order_by(BookVersion.version)).all()
    payload = jws.parts(second.document)[1]
    assert second.version == 2 and payload["previous"] == hashlib.sha256(first.document.encode()).hexdigest()
    changed = next(m for m in contribution_months(payload) if m["month"] == str(Month.from_int(month)))
    assert changed["status"] == "paid" and changed["paid_amount"] == total
    assert_logged_without_gap(engine)


def test_the_months_the_database_writes_are_canonical_json(ready):
    """The database writes each month's JSON row (zero-padded months, zero and 10-digit amounts, every status,
    a unit code and a self-paid month); it must be exactly what canonical JSON of the same values is, and read
    back as the month objects a page shows."""
    engine, _ = ready
    with Session(engine) as session, session.begin():
        person_id, employer_id = session.execute(
            select(ContributionLine.person_id, ContributionLine.employer_id).limit(1)).one()
        template = session.scalars(select(ContributionLine).where(ContributionLine.person_id == person_id)).first()
        statuses = ("declared", "paid", "partly_paid", "unpaid")
        for k, (month, status) in enumerate(zip((201901, 201909, 201910, 201912), statuses, strict=True)):
            values = {column.key: getattr(template, column.key) for column in ContributionLine.__table__.columns}
            values.update(month=month, status=status, total=9_999_999_999 * (k % 2), paid_amount=0,
                          provenance="converted_from_paper" if k % 2 else "electronic",
                          employer_id=SELF_PAID if k == 3 else template.employer_id,
                          **{fund: k * 1_000_003 for fund in FUNDS})
            session.add(ContributionLine(**values))
    with Session(engine) as session:
        records = gather(session, person_id, person_id)[person_id]
        content = render(records)
        written = orjson.loads(canonical_bytes(content["contributions"]))
        lines = session.scalars(select(ContributionLine).where(ContributionLine.person_id == person_id)
                                .order_by(ContributionLine.month, ContributionLine.employer_id)).all()
        units = dict(session.execute(select(Employer.id, Employer.unit_code)).all())
    expected = [{"month": str(Month.from_int(line.month)), "unit_code": units.get(line.employer_id),
                 "salary_basis": line.salary_basis, "ui_basis": line.ui_basis,
                 "funds": {fund: getattr(line, fund) for fund in FUNDS}, "total": line.total,
                 "paid_amount": line.paid_amount, "status": line.status, "provenance": line.provenance}
                for line in lines]
    table = {"columns": list(MONTH_COLUMNS),
             "months": [[m[c] if c in m else m["funds"][c] for c in MONTH_COLUMNS] for m in expected]}
    assert canonical_bytes(content["contributions"]) == canonical_bytes(table), "byte for byte canonical"
    assert contribution_months({"contributions": written}) == expected
    assert any(m["unit_code"] for m in expected) and any(m["unit_code"] is None for m in expected)
    written = expected
    assert {m["month"] for m in written} >= {"2019-01", "2019-09", "2019-10", "2019-12"}


@pytest.mark.postgres
def test_two_workers_issuing_one_batch_queued_twice_make_no_duplicate_and_no_gap(postgres_databases, tmp_path):
    engine = postgres_databases.engine()
    seed(engine, PLAN)
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, env="test", data_dir=tmp_path)
    with Session(engine) as session:
        init_pki(session, settings)
        queued = bulk.enqueue_all(session, range_size=20)
        assert bulk.enqueue_all(session, range_size=20) == queued > 3, "the same batch, queued twice"
    env = {**os.environ, "ESIBOOK_DATABASE_URL": url, "ESIBOOK_DATA_DIR": str(tmp_path)}
    workers = [subprocess.Popen([sys.executable, "-m", "esibook", "worker", "--once"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    with Session(engine) as session:
        assert session.execute(text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'book.issue_range' AND status <> 'succeeded'"
        )).scalar() == 0, "every job done"
        duplicates = session.execute(select(BookVersion.person_id).group_by(BookVersion.person_id)
                                     .having(func.count() > 1)).all()
        assert duplicates == [], "one version per person"
        log.integrate_all(session, settings)
        assert bulk.issue_all(session, settings) == 0, "nothing was left out"
    assert len(holders(engine)) > 60
    assert_logged_without_gap(engine)


@pytest.mark.postgres
def test_a_signing_process_killed_mid_range_loses_nothing_and_the_next_run_completes(postgres_databases, tmp_path,
                                                                                      monkeypatch):
    engine = postgres_databases.engine()
    seed(engine, PLAN)
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), env="test", data_dir=tmp_path)
    with Session(engine) as session:
        init_pki(session, settings)
        doomed = bulk.ranges(session, 20)[2][0]
    monkeypatch.setenv(bulk.KILL_SIGNER_AT, str(doomed))  # the spawned signers inherit it
    with Session(engine) as session, pytest.raises(DomainError) as stopped:
        bulk.issue_all(session, settings, range_size=20, processes=2)
    assert stopped.value.code == "book.signer_died"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(BookVersion.person_id.between(doomed, doomed + 19))) == 0
    monkeypatch.delenv(bulk.KILL_SIGNER_AT)
    with Session(engine) as session:
        bulk.issue_all(session, settings, range_size=20, processes=2)
        duplicates = session.execute(select(BookVersion.person_id).group_by(BookVersion.person_id)
                                     .having(func.count() > 1)).all()
        assert duplicates == [] and bulk.issue_all(session, settings, range_size=20) == 0
    assert_logged_without_gap(engine)


def test_the_issue_command_refuses_bad_options_in_one_line(empty_engine, tmp_path):
    env = {**os.environ, "ESIBOOK_DATABASE_URL": empty_engine.url.render_as_string(hide_password=False),
           "ESIBOOK_DATA_DIR": str(tmp_path)}

    def issue(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "esibook", "book", "issue", *args], env=env,
                              capture_output=True, text=True)

    for args, said in ((["--all", "--processes", "-1"], "--processes must be 0"),
                       (["--queue"], "go with --all")):
        done = issue(*args)
        assert done.returncode != 0 and said in done.stderr and len(done.stderr.strip().splitlines()) == 1
    queued = issue("--all", "--queue")
    if is_postgres(empty_engine):
        assert queued.returncode == 0 and "0 ranges of persons queued" in queued.stdout
    else:
        assert queued.returncode != 0 and "--queue needs PostgreSQL" in queued.stderr
