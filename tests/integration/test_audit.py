"""The audit chain detects any edited, deleted or reordered record, and says which."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.db import transaction


@pytest.fixture
def chained(empty_engine):
    with Session(empty_engine) as session:
        for number in range(1, 6):
            with transaction(session):
                audit.append(
                    session,
                    actor="person:0791******23",
                    action="test.event",
                    target=f"thing:{number}",
                    details={"n": number},
                )
    return empty_engine


def verify(engine) -> audit.ChainReport:
    with Session(engine) as session:
        return audit.verify(session)


def test_an_untouched_chain_verifies(chained):
    report = verify(chained)
    assert report.intact and report.records == 5


def test_editing_one_record_is_detected_and_named(chained):
    with chained.begin() as connection:
        connection.execute(text("UPDATE audit_log SET details = :d WHERE seq = 3"), {"d": '{"n":99}'})
    report = verify(chained)
    assert not report.intact
    assert report.problems == ["record 3 was altered: its content no longer matches its hash"]


def test_deleting_a_record_is_detected(chained):
    with chained.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    problems = verify(chained).problems
    assert "records 2..2 are missing (deleted)" in problems


def test_swapping_two_records_is_detected(chained):
    with chained.begin() as connection:
        connection.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 4"))
        connection.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 5"))
        connection.execute(text("UPDATE audit_log SET seq = 5 WHERE seq = -1"))
    problems = verify(chained).problems
    assert any("record 4" in p for p in problems) and any("record 5" in p for p in problems)


def test_cutting_off_the_newest_records_is_detected(chained):
    with chained.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
    assert verify(chained).problems == ["the chain ends at record 3 but the head says 5: records after 3 were deleted"]


def test_cli_verify_exits_1_and_names_the_record(chained):
    env = {**os.environ, "ESIBOOK_DATABASE_URL": chained.url.render_as_string(hide_password=False)}
    command = [sys.executable, "-m", "esibook", "audit", "verify"]
    clean = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert clean.returncode == 0 and "intact: 5 records" in clean.stdout
    with chained.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
    tampered = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert tampered.returncode == 1
    assert "record 2 was altered" in tampered.stderr
