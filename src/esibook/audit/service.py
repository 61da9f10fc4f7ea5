"""Appending to the audit chain inside the caller's transaction, and verifying the whole chain."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.audit.models import AuditHead, AuditRecord
from esibook.canonical import canonical_json
from esibook.db import locked_head, within_action

GENESIS = "0" * 64


def record_hash(
    prev_hash: str, *, seq: int, at: datetime, actor: str, action: str, target: str, authority: str | None, details: str
) -> str:
    content = canonical_json(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "target": target,
            "authority": authority,
            "details": details,
        }
    )
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def append(
    session: Session, *, actor: str, action: str, target: str, authority: str | None = None, details: dict | None = None
) -> AuditRecord:
    """Add one record inside the caller's action (the record of a change is written with it, or not at all); the
    head row is locked so concurrent writers queue."""
    within_action(session)
    head = locked_head(session, AuditHead, seq=0, hash=GENESIS)
    at = datetime.now(UTC)
    body = canonical_json(details or {})
    seq = head.seq + 1
    digest = record_hash(
        head.hash, seq=seq, at=at, actor=actor, action=action, target=target, authority=authority, details=body
    )
    record = AuditRecord(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        target=target,
        authority=authority,
        details=body,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(record)
    head.seq, head.hash = seq, digest
    return record


@dataclass(frozen=True)
class ChainReport:
    records: int
    problems: list[str]
    last_seq: int = 0
    """The number of the chain's last record (0 when empty)."""
    head_seq: int | None = None
    """What the head row says (None when there is none)."""

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Walk:
    records: int
    last_seq: int
    last_hash: str
    problems: list[str]


def ran_for_day(session: Session, action: str, day: date) -> bool:
    """Whether a daily run (its audit record: ``action``, target ``day:YYYY-MM-DD``) is already in the chain for
    ``day``: a daily job run twice (SQLite's worker round, a retry) does its work once."""
    return has_record(session, action=action, target=f"day:{day.isoformat()}")


def has_record(session: Session, *, action: str, target: str) -> bool:
    """Whether a record of ``action`` on ``target`` is in the chain (a run made, e.g. ``pension-month:YYYY-MM``)."""
    return session.scalar(
        select(AuditRecord.seq).where(AuditRecord.action == action, AuditRecord.target == target).limit(1)
    ) is not None


def walk(session: Session, *, after: int = 0, prev_hash: str = GENESIS, batch: int = 10_000) -> Walk:
    """Check, in order, every record after number ``after`` (whose hash is ``prev_hash``): each must follow the one
    before it and match its own hash."""
    problems: list[str] = []
    expected_prev, expected_seq, count, last_seq = prev_hash, after + 1, 0, after
    while True:
        rows = session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not rows:
            return Walk(count, last_seq, expected_prev, problems)
        for record in rows:
            count += 1
            problems += _check(record, expected_prev, expected_seq)
            expected_prev, expected_seq, last_seq = record.hash, record.seq + 1, record.seq


def verify(session: Session, *, batch: int = 10_000) -> ChainReport:
    """Walk the chain in order; name every record that was altered, removed or moved, and a cut-off tail."""
    walked = walk(session, batch=batch)
    problems = list(walked.problems)
    head = session.get(AuditHead, 1)
    if head and (head.seq != walked.last_seq or head.hash != walked.last_hash):
        problems.append(head_problem(walked.last_seq, head.seq))
    return ChainReport(walked.records, problems, walked.last_seq, head.seq if head else None)


def head_problem(last_seq: int, head_seq: int) -> str:
    said = f"the chain ends at record {last_seq} but the head says {head_seq}"
    if head_seq > last_seq:
        return f"{said}: records after {last_seq} were deleted"
    return f"{said}: the head row was rewritten"


def _check(record: AuditRecord, expected_prev: str, expected_seq: int) -> list[str]:
    problems = []
    if record.seq != expected_seq:
        problems.append(f"records {expected_seq}..{record.seq - 1} are missing (deleted)")
    if record.prev_hash != expected_prev:
        problems.append(f"record {record.seq} does not follow the record before it (removed or reordered)")
    recomputed = record_hash(
        record.prev_hash,
        seq=record.seq,
        at=record.at,
        actor=record.actor,
        action=record.action,
        target=record.target,
        authority=record.authority,
        details=record.details,
    )
    if recomputed != record.hash:
        problems.append(f"record {record.seq} was altered: its content no longer matches its hash")
    return problems
