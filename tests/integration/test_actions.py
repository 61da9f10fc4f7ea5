"""An action is one durable transaction: it refuses to nest, begins afresh after reads, and keeps nothing of itself
when it fails. A step that writes inside its caller's action refuses to run outside one.

Each test checks what another connection sees afterwards (what a user of the database would notice).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.audit.models import AuditHead, AuditRecord
from esibook.book.service import issue_book
from esibook.contributions.payments import record_payment
from esibook.db import NestedTransaction, OutsideAction, end_reads, in_action, transaction, unit_of_work
from esibook.db import session_factory as sessions_of


@pytest.fixture(scope="module")
def engine(databases):
    return databases.engine()


def audit_rows(engine) -> int:
    with Session(engine) as other:
        return other.scalar(select(func.count()).select_from(AuditRecord))


def note(session: Session, what: str) -> None:
    audit.append(session, actor="test", action="test.action", target=what)


def test_an_action_inside_an_action_is_refused_and_the_outer_one_keeps_nothing(engine):
    before = audit_rows(engine)
    with Session(engine) as session:
        with pytest.raises(NestedTransaction, match="never nest"), transaction(session):
            note(session, "outer")
            with transaction(session):
                note(session, "inner")
        assert not session.in_transaction(), "the outer action was rolled back as a whole"
    assert audit_rows(engine) == before, "neither the outer nor the inner row was written"


def test_an_action_inside_a_unit_of_work_is_refused(engine):
    with pytest.raises(NestedTransaction), unit_of_work(sessions_of(engine)) as session:
        assert in_action(session)
        with transaction(session):
            pass


def test_an_action_after_reads_begins_afresh_and_commits(engine):
    before = audit_rows(engine)
    with Session(engine) as session:
        seen = session.scalar(select(func.count()).select_from(AuditRecord))
        assert session.in_transaction() and not in_action(session), "the read opened a transaction by itself"
        with transaction(session):
            assert in_action(session)
            note(session, "after reads")
        assert not session.in_transaction()
        assert seen == before
    assert audit_rows(engine) == before + 1, "the action's row is committed"


def test_a_failure_inside_an_action_leaves_no_partial_write(engine):
    before = audit_rows(engine)
    with Session(engine) as other:
        head = other.get(AuditHead, 1)
        head_before = (head.seq, head.hash) if head else None
    with Session(engine) as session:
        with pytest.raises(ZeroDivisionError), transaction(session):
            note(session, "first of two")
            note(session, "second of two")
            session.flush()  # the rows reach the database: the rollback must take them back
            _ = 1 / 0
        assert not session.in_transaction()
        with transaction(session):  # the session is usable again, for a new action
            pass
    assert audit_rows(engine) == before
    with Session(engine) as other:
        head = other.get(AuditHead, 1)
        assert ((head.seq, head.hash) if head else None) == head_before, "the chain's head did not move"


def test_writes_left_pending_outside_an_action_are_refused(engine):
    with Session(engine) as session:
        session.add(AuditHead(id=999, seq=0, hash="0" * 64))
        with pytest.raises(OutsideAction, match="outside an action"), transaction(session):
            pass
        with pytest.raises(OutsideAction):
            end_reads(session)


def test_end_reads_inside_an_action_is_refused(engine):
    with Session(engine) as session, transaction(session), pytest.raises(NestedTransaction):
        end_reads(session)


@pytest.mark.parametrize("step", ["issue_book", "record_payment"])
def test_a_step_of_an_action_refuses_to_run_outside_one(engine, step):
    with Session(engine) as session:
        with pytest.raises(OutsideAction, match="inside its caller's action"):
            if step == "issue_book":
                issue_book(session, None, 1, reason="issued")
            else:
                record_payment(session, employer_id=1, amount=1000, paid_on=date(2026, 11, 20), reference="UNC-1",
                               source="entered", entered_by="test")
        assert not session.in_transaction(), "refused before touching the database"
