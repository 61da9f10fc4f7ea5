"""Contributions as money: bulk posting of a monthly file (rejects with reasons, idempotent per batch, all or nothing
when killed), payments allocated to the oldest dues, late interest, and the arrears watchdog's notices."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.book.content import book_content, contribution_months
from esibook.config import Settings
from esibook.contributions.arrears import run as run_watchdog
from esibook.contributions.dues import employee_dues
from esibook.contributions.models import ContributionLine, EmployerArrears, ParticipationPeriod, Payment, PostingBatch
from esibook.contributions.payments import import_bank_statement, late_interest, record_payment
from esibook.contributions.posting import post_file
from esibook.db import transaction
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.notify.models import OutboxMessage
from esibook.people.models import Person
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed

NOVEMBER = Month(2026, 11)


@pytest.fixture(scope="module")
def ledger(databases):
    """A fresh small database of its own: these tests post, pay and mark months."""
    engine = databases.engine()
    seed(engine, SeedPlan(persons=240, months=6, seed=7, end_month=Month(2026, 10)))
    return engine


def employed_in(engine, month: Month) -> list[tuple[str, str, int, int, bool]]:
    """(personal ID, unit code, salary, region, reduced OAD) of everyone employed in ``month``."""
    with Session(engine) as session:
        rows = session.execute(
            select(Person.personal_id, Employer.unit_code, ParticipationPeriod.salary_basis, Employer.region,
                   Employer.reduced_oad_rate)
            .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .join(Employer, Employer.id == ParticipationPeriod.employer_id)
            .where(ParticipationPeriod.participant_type == "employee", ParticipationPeriod.from_month <= month.as_int(),
                   func.coalesce(ParticipationPeriod.to_month, 999912) >= month.as_int(),
                   Person.personal_id.is_not(None))
            .order_by(Person.id)
        ).all()
    return [tuple(r) for r in rows]


def write_file(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["so_dinh_danh", "ma_don_vi", "thang", "muc_luong"])
        writer.writerows(rows)
    return path


def fingerprint(engine) -> tuple:
    with engine.connect() as connection:
        return tuple(
            connection.execute(text(sql)).scalar_one()
            for sql in (
                "SELECT count(*) FROM contribution_lines",
                "SELECT coalesce(sum(total), 0) FROM contribution_lines",
                "SELECT count(*) FROM posting_batches",
                "SELECT count(*) FROM posting_rejects",
            )
        )


def test_a_monthly_file_posts_its_good_lines_rejects_each_bad_one_with_a_reason_and_posts_once(ledger, tmp_path):
    workers = employed_in(ledger, NOVEMBER)
    assert len(workers) > 20
    good = [[p, u, str(NOVEMBER), s] for p, u, s, _, _ in workers[:-4]]
    stranger_unit = next(u for _, u, _, _, _ in workers if u != workers[0][1])
    bad = [
        ["001099012345", workers[0][1], str(NOVEMBER), 9_000_000],  # unknown person
        [workers[-1][0], "ZZ99999", str(NOVEMBER), 9_000_000],  # unknown employer
        good[0],  # the same line again
        [workers[-2][0], stranger_unit if stranger_unit != workers[-2][1] else "TA00001", str(NOVEMBER), 9_000_000],
        [workers[-3][0], workers[-3][1], str(NOVEMBER), 1_000],  # below the regional minimum
        [workers[-4][0], workers[-4][1], "2026-13", 9_000_000],  # not a month
        [workers[1][0], workers[1][1], "2026-10", workers[1][2]],  # the seed posted October already
    ]
    rows = [*good, *bad]
    path = write_file(tmp_path / "d02-2026-11.csv", rows)
    before = fingerprint(ledger)
    report = post_file(ledger, path, posted_by="test", report_path=tmp_path / "rejects.csv")
    assert (report.lines_total, report.lines_posted, report.lines_rejected) == (len(rows), len(good), len(bad))
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as handle:
        reasons = [r["reason"] for r in csv.DictReader(handle)]
    assert reasons == ["unknown_person", "unknown_employer", "duplicate_line", "not_employed",
                       "salary_out_of_bounds", "format", "already_posted"]
    after = fingerprint(ledger)
    assert after[0] == before[0] + len(good)

    personal_id, unit, salary, region, reduced = workers[5]
    expected = employee_dues(salary, NOVEMBER, region, reduced_oad=reduced)
    with Session(ledger) as session:
        line = session.scalar(
            select(ContributionLine).join(Person, Person.id == ContributionLine.person_id)
            .where(Person.personal_id == personal_id, ContributionLine.month == NOVEMBER.as_int())
        )
    assert (line.salary_basis, line.ui_basis, line.total, line.status) == (
        expected.salary_basis, expected.ui_basis, expected.total, "declared"), "SQL and Python dues agree"
    assert line.hi_employee == expected.hi_employee and line.oad_employer == expected.oad_employer

    again = post_file(ledger, path, posted_by="test")
    assert again.already_posted and again.lines_posted == len(good)
    assert fingerprint(ledger) == after, "posting the same file twice changes nothing"


@pytest.mark.postgres
def test_a_posting_killed_before_its_commit_leaves_nothing_and_the_rerun_posts_it_whole(
    postgres_databases, tmp_path
):
    engine = postgres_databases.engine()
    seed(engine, SeedPlan(persons=240, months=3, seed=8, end_month=Month(2026, 10)))
    rows = [[p, u, str(m), s] for m in (NOVEMBER, NOVEMBER + 1) for p, u, s, _, _ in employed_in(engine, m)]
    path = write_file(tmp_path / "d02.csv", rows)
    before = fingerprint(engine)
    batch_id = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    env = {**os.environ, "ESIBOOK_DATABASE_URL": engine.url.render_as_string(hide_password=False)}

    with engine.connect() as blocker:  # holds the batch's key, so the posting stops just before its commit
        blocker.execute(text("INSERT INTO posting_batches (id, filename, lines_total, lines_posted, lines_rejected, "
                             "parameters_version, posted_by) VALUES (:id, 'x', 0, 0, 0, 'x', 'x')"), {"id": batch_id})
        posting = subprocess.Popen([sys.executable, "-m", "esibook", "contributions", "post", str(path)], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        waiting = False
        for _ in range(600):
            with engine.connect() as probe:
                waiting = probe.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'INSERT INTO posting_batches%'")).scalar_one() > 0
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the posting reached its last statement"
        posting.send_signal(signal.SIGKILL)
        posting.wait()
        blocker.rollback()
    for _ in range(100):  # the server aborts the dead client's transaction
        with engine.connect() as probe:
            if not probe.execute(text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                                      "'INSERT INTO posting_batches%' AND state <> 'idle'")).scalar_one():
                break
        time.sleep(0.05)
    assert fingerprint(engine) == before, "a killed posting leaves nothing behind"

    first = post_file(engine, path, posted_by="rerun")
    assert first.lines_posted == len(rows) and not first.already_posted
    once = fingerprint(engine)
    assert post_file(engine, path, posted_by="again").already_posted
    assert fingerprint(engine) == once


def test_a_payment_goes_to_the_oldest_dues_first_and_a_statement_read_twice_pays_once(ledger):
    with Session(ledger) as session:
        employer_id = session.scalar(
            select(ContributionLine.employer_id).where(ContributionLine.employer_id != 0,
                                                       ContributionLine.month == 202610)
            .group_by(ContributionLine.employer_id).having(func.count() >= 2).order_by(ContributionLine.employer_id)
            .limit(1)
        )
        session.execute(update(ContributionLine).where(ContributionLine.employer_id == employer_id)
                        .values(status="paid", paid_amount=ContributionLine.total))
        session.execute(update(ContributionLine).where(ContributionLine.employer_id == employer_id,
                                                       ContributionLine.month >= 202609)
                        .values(status="declared", paid_amount=0))
        session.commit()
        september = session.scalars(select(ContributionLine).where(
            ContributionLine.employer_id == employer_id, ContributionLine.month == 202609)).all()
        owed_september = sum(line.total for line in september)
        unit = session.get(Employer, employer_id).unit_code
        with transaction(session):
            result = record_payment(session, employer_id=employer_id, amount=owed_september + 1000,
                                    paid_on=date(2026, 11, 20), reference="UNC-0001", source="entered", entered_by="t")
        assert result.created and result.payment.allocated == owed_september + 1000
        statuses = dict(session.execute(
            select(ContributionLine.month, func.count()).where(ContributionLine.employer_id == employer_id,
                                                               ContributionLine.status == "partly_paid")
            .group_by(ContributionLine.month)).all())
        paid_september = session.scalar(select(func.count()).select_from(ContributionLine).where(
            ContributionLine.employer_id == employer_id, ContributionLine.month == 202609,
            ContributionLine.status == "paid"))
        assert paid_september == len(september), "the oldest month is paid first"
        assert statuses == {202610: 1}, "what is left goes to the next month's first line"

        statement = (f"date,amount,reference,description\n2026-11-25,500000.00,FT2611250001,BHXH {unit} nop tien\n"
                     "2026-11-25,700000,FT2611250002,chuyen khoan khong ro\n"
                     f"2026-11-25,900000,,BHXH {unit} khong co so but toan\n"
                     f"2026-11-25,-200000,FT2611250003,phi {unit}\n").encode()
        first = import_bank_statement(session, statement, entered_by="t")
        second = import_bank_statement(session, statement, entered_by="t")
        assert (first.recorded, second.recorded, second.already_recorded) == (1, 0, 1)
        assert [(line, why) for line, why in first.unmatched] == [
            (3, "no known unit code in the description"), (4, "no bank reference")]
        assert session.scalar(select(Payment.amount).where(Payment.reference == "bank:FT2611250001")) == 500_000
        assert session.scalar(select(func.count()).select_from(Payment).where(Payment.employer_id == employer_id)) == 2


def test_late_interest_is_three_hundredths_of_a_percent_a_day():
    """10,000,000 owed for October 2026, due 30 November: on 10 December it is 10 days late, 10,000,000 × 0.03% ×
    10 = 30,000."""
    assert late_interest(10_000_000, Month(2026, 10), date(2026, 12, 10)) == 30_000
    assert late_interest(10_000_000, Month(2026, 10), date(2026, 11, 30)) == 0


def test_the_watchdog_notifies_exactly_the_workers_of_an_employer_behind_once_and_their_books_show_it(
    databases, tmp_path
):
    engine = databases.engine()
    seed(engine, SeedPlan(persons=240, months=4, seed=9, end_month=Month(2026, 10)))
    with Session(engine) as session:
        session.execute(update(ContributionLine).values(status="paid", paid_amount=ContributionLine.total))
        employer_id = session.scalar(
            select(ContributionLine.employer_id).where(ContributionLine.employer_id != 0,
                                                       ContributionLine.month == 202610)
            .group_by(ContributionLine.employer_id).having(func.count() >= 2)
            .order_by(func.count().desc()).limit(1)
        )
        session.execute(update(ContributionLine).where(ContributionLine.employer_id == employer_id,
                                                       ContributionLine.month >= 202609)
                        .values(status="declared", paid_amount=0))
        session.commit()
        owed = session.scalars(select(ContributionLine).where(ContributionLine.employer_id == employer_id,
                                                               ContributionLine.month >= 202609)).all()
    workers = {line.person_id for line in owed}

    env = {**os.environ, "ESIBOOK_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    command = subprocess.run([sys.executable, "-m", "esibook", "arrears", "run", "--date", "2026-12-10"], env=env,
                             capture_output=True, text=True)  # September was due 31 October: 40 days behind
    assert command.returncode == 0, command.stderr
    assert f"1 employers in arrears (0 evading), {len(workers)} workers notified" in command.stdout
    with Session(engine) as session:
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "inapp")).all()
        assert {n.recipient for n in notices} == {f"person:{p}" for p in workers}
        person_id = sorted(workers)[0]
        mine = [line for line in owed if line.person_id == person_id]
        body = next(n.body for n in notices if n.recipient == f"person:{person_id}")
        assert "2026-09, 2026-10" in body and f"{sum(line.total for line in mine):,}" in body
        assert f"{sum(line.hi_employee for line in mine):,}" in body, "the amount of each fund"

        assert run_watchdog(session, date(2026, 12, 10)).notices == 0
        assert run_watchdog(session, date(2026, 12, 11)).notices == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == "inapp")) == len(notices), "more runs the same month send nothing more"
        evading = run_watchdog(session, date(2027, 1, 5))
        assert evading.employers_evading == 1 and evading.notices == 0, "before the 10th nobody is told"
        row = session.get(EmployerArrears, (employer_id, date(2027, 1, 5)))
        assert row.evasion and row.days_behind == 66 and row.late_interest > 0
        assert run_watchdog(session, date(2027, 1, 12)).notices == len(workers), "the first run from the 10th"

        book = book_content(session, session.get(Person, person_id))
        unit = session.get(Employer, employer_id).unit_code
        months = {m["month"]: (m["status"], m["unit_code"]) for m in contribution_months(book)}
        assert months["2026-09"] == ("unpaid", unit) and months["2026-10"] == ("unpaid", unit)

    client = TestClient(create_app(Settings(database_url=engine.url.render_as_string(hide_password=False),
                                            env="test", data_dir=tmp_path)))
    page = client.get("/arrears")
    assert page.status_code == 200 and unit in page.text


def test_the_posting_command_reports_in_one_line_and_refuses_a_file_without_the_header(ledger, tmp_path):
    env = {**os.environ, "ESIBOOK_DATABASE_URL": ledger.url.render_as_string(hide_password=False)}
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "esibook", "contributions", "post", str(wrong)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "posting.header" in done.stderr
    with Session(ledger) as session:
        assert session.scalar(select(func.count()).select_from(PostingBatch).where(
            PostingBatch.filename == "wrong.csv")) == 0


def test_the_monthly_declaration_follows_from_the_periods_once(ledger):
    """Every employee in a period covering December 2026 gets a declared line at the period's salary; declaring the
    month again changes nothing."""
    from esibook.contributions.posting import declare_month

    december = Month(2026, 12)
    expected = {(p, s) for p, _, s, _, _ in employed_in(ledger, december)}
    first = declare_month(ledger, december, posted_by="test")
    assert first.lines_posted == len(expected) - first.lines_rejected and first.lines_posted > 0
    with Session(ledger) as session:
        declared = set(session.execute(
            select(Person.personal_id, ContributionLine.salary_basis)
            .join(Person, Person.id == ContributionLine.person_id)
            .where(ContributionLine.month == december.as_int())
        ).all())
    assert {p for p, _ in declared} <= {p for p, _ in expected}
    before = fingerprint(ledger)
    assert declare_month(ledger, december, posted_by="test").already_posted
    assert fingerprint(ledger) == before


@pytest.mark.postgres
def test_a_file_with_a_broken_line_is_refused_whole_with_the_line_number(postgres_databases, tmp_path):
    engine = postgres_databases.engine()
    path = tmp_path / "broken.csv"
    path.write_text("so_dinh_danh,ma_don_vi,thang,muc_luong\n001090012345,TA00001,2026-11,9000000\n"
                    "001090012346,TA00001\n", encoding="utf-8")
    before = fingerprint(engine)
    with pytest.raises(DomainError) as refused:
        post_file(engine, path, posted_by="test")
    assert refused.value.code == "posting.unreadable" and "line 3" in refused.value.message_en
    assert fingerprint(engine) == before
