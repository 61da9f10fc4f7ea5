"""Checkpoints of the audit chain: its head, signed, and anchored where the database owner cannot rewrite it.

Whoever owns the database can delete the newest records and rewrite ``audit_head``, or recompute the whole chain
from genesis: the hashes alone cannot tell. So the head is signed now and then as a checkpoint, a C2SP signed note
like a transparency log's::

    127.0.0.1:8000/audit
    4711
    <base64 of the hash of record 4711>

    — 127.0.0.1:8000/audit <base64 signature>

with a dedicated Ed25519 key, stored in ``audit_checkpoints`` and appended to the *anchor file*, an append-only
file outside the database (``ESIBOOK_AUDIT_ANCHOR_FILE``, by default ``<data_dir>/audit-checkpoints.txt``; in
production on storage the database's operators cannot rewrite). Verification then checks the chain against every
anchored checkpoint: a cut tail, a reset head or a recomputed chain no longer matches what was signed.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from esibook import jobs
from esibook.audit.models import AuditCheckpoint, AuditHead, AuditRecord
from esibook.audit.service import ChainReport, head_problem, verify, walk
from esibook.config import Settings
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.trust.note import SIGNATURE_PREFIX, NoteError, NoteSigner, NoteVerifier, open_note
from esibook.trust.note_keys import stored_note_signer

KEY_FILE, VKEY_FILE = "audit-checkpoint.key.pem", "audit-checkpoint.vkey"


# --- the key ---------------------------------------------------------------------------------------------------


def vkey_path(settings: Settings) -> Path:
    """The audit public key (verifier key); give verifiers a copy kept away from the data directory."""
    return settings.data_dir.resolve() / "keys" / VKEY_FILE


def audit_signer(settings: Settings) -> NoteSigner:
    """The checkpoint key (:mod:`esibook.trust.note_keys`), named after the audit origin when it is made."""
    return stored_note_signer(settings, KEY_FILE, VKEY_FILE, settings.resolved_audit_origin())


def load_verifier(path: Path) -> NoteVerifier:
    if not path.exists():
        raise DomainError(
            "audit.key_missing",
            f"the audit public key {path} does not exist (give it with --key)",
            f"không có khóa công khai của nhật ký kiểm toán {path}",
        )
    try:
        return NoteVerifier.from_vkey(path.read_text())
    except NoteError as error:
        raise DomainError(
            "audit.key_invalid", f"{path} is not an audit public key: {error}", "khóa công khai không hợp lệ"
        ) from error


# --- the note --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    """Hex SHA-256 of record ``seq`` (the head when it was signed)."""
    note: str


def note_text(origin: str, seq: int, digest: str) -> str:
    return f"{origin}\n{seq}\n{base64.b64encode(bytes.fromhex(digest)).decode()}\n"


def parse(note: str, verifier: NoteVerifier) -> Checkpoint:
    """The checkpoint in a note signed by the audit key with its origin; :class:`NoteError` otherwise."""
    lines = open_note(note, verifier).split("\n")
    if len(lines) < 4 or lines[0] != verifier.name:
        raise NoteError(f"not a checkpoint of {verifier.name}")
    if not lines[1].isascii() or not lines[1].isdigit():
        raise NoteError("the checkpoint's size is not a number")
    try:
        digest = base64.b64decode(lines[2], validate=True)
    except binascii.Error as error:
        raise NoteError("the checkpoint's hash is not base64") from error
    if len(digest) != 32:
        raise NoteError("the checkpoint's hash is not 32 bytes")
    return Checkpoint(int(lines[1]), digest.hex(), note)


# --- the anchor file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorEntry:
    line: int
    note: str


def read_anchor(path: Path) -> list[AnchorEntry]:
    """The notes in an anchor file, in file order (each: text, blank line, signature lines; blank lines between)."""
    if not path.exists():
        return []
    entries: list[AnchorEntry] = []
    current: list[str] = []
    start, in_signatures = 0, False
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), 1):
        if in_signatures:
            if line.startswith(SIGNATURE_PREFIX):
                current.append(line)
                continue
            entries.append(AnchorEntry(start, "\n".join(current) + "\n"))
            current, in_signatures = [], False
        if not current:
            if line.strip():
                start, current = number, [line]
        elif line == "":
            current.append(line)
            in_signatures = True
        else:
            current.append(line)
    if current:
        entries.append(AnchorEntry(start, "\n".join(current) + "\n"))
    return entries


def append_anchor(path: Path, note: str) -> None:
    """Append one note (and a blank line), under an exclusive lock, synced to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(note + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _anchored(path: Path, verifier: NoteVerifier) -> tuple[list[Checkpoint], list[str]]:
    checkpoints, problems = [], []
    for entry in read_anchor(path):
        try:
            checkpoints.append(parse(entry.note, verifier))
        except NoteError as error:
            problems.append(f"{path} line {entry.line}: a checkpoint that does not verify ({error})")
    for before, after in pairwise(checkpoints):
        if after.seq < before.seq or (after.seq == before.seq and after.hash != before.hash):
            problems.append(
                f"{path}: the checkpoint at seq {after.seq} follows one at seq {before.seq}: the anchor was rewritten"
            )
    return checkpoints, problems


# --- making a checkpoint ---------------------------------------------------------------------------------------


class ChainTampered(Exception):
    """The chain no longer extends what was signed: no new checkpoint may vouch for it."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CheckpointMade:
    checkpoint: Checkpoint
    created: bool
    """False when the head was already signed (nothing new since the last checkpoint)."""
    anchored: bool
    """True when it was appended to the anchor file now."""


def make_checkpoint(session: Session, settings: Settings, anchor: Path | None = None) -> CheckpointMade | None:
    """Sign the head (unless already signed) and append it to the anchor file; None when the chain is empty.

    Refused (:class:`ChainTampered`) unless the chain still extends the last anchored and the last stored
    checkpoint, record by record: a checkpoint must never vouch for a rewritten chain.
    """
    anchor = anchor or settings.resolved_audit_anchor_file()
    signer = audit_signer(settings)
    anchored, problems = _anchored(anchor, signer.verifier)
    if problems:
        raise ChainTampered(problems)
    try:
        signed = _sign_head(session, signer, anchored)
    except IntegrityError:  # SQLite: another worker signed the same head a moment before (that action rolled back)
        signed = _sign_head(session, signer, anchored)
    if signed is None:
        return None
    checkpoint, created = signed
    append = not anchored or anchored[-1].seq < checkpoint.seq
    if append:
        append_anchor(anchor, checkpoint.note)
    return CheckpointMade(checkpoint, created, append)


def _sign_head(session: Session, signer: NoteSigner, anchored: list[Checkpoint]) -> tuple[Checkpoint, bool] | None:
    with transaction(session):
        head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
        if head is None or head.seq == 0:
            return None
        latest = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))
        stored = _stored(latest, signer.verifier)
        problems = _extension_problems(session, head, [c for c in (*anchored[-1:], stored) if c])
        if problems:
            raise ChainTampered(problems)
        if stored and stored.seq == head.seq:
            return stored, False
        note = signer.sign(note_text(signer.name, head.seq, head.hash))
        session.add(AuditCheckpoint(seq=head.seq, hash=head.hash, note=note))
        return Checkpoint(head.seq, head.hash, note), True


def _stored(row: AuditCheckpoint | None, verifier: NoteVerifier) -> Checkpoint | None:
    if row is None:
        return None
    try:
        checkpoint = parse(row.note, verifier)
    except NoteError as error:
        problem = f"the checkpoint at seq {row.seq} in audit_checkpoints does not verify ({error})"
        raise ChainTampered([problem]) from None
    if (checkpoint.seq, checkpoint.hash) != (row.seq, row.hash):
        raise ChainTampered([f"the checkpoint row at seq {row.seq} does not match its signed note"])
    return checkpoint


def _extension_problems(session: Session, head: AuditHead, signed: list[Checkpoint]) -> list[str]:
    """What stops the chain up to the head from extending the signed checkpoints (empty when it does)."""
    problems = []
    for checkpoint in signed:
        record = session.get(AuditRecord, checkpoint.seq)
        if head.seq < checkpoint.seq:
            problems.append(_cut(head.seq, checkpoint.seq))
        elif record is None or record.hash != checkpoint.hash:
            problems.append(_rewritten(checkpoint.seq))
    if problems:
        return problems
    base = max(signed, key=lambda c: c.seq, default=None)
    walked = walk(session, after=base.seq, prev_hash=base.hash) if base else walk(session)
    problems = list(walked.problems)
    if (walked.last_seq, walked.last_hash) != (head.seq, head.hash):
        problems.append(head_problem(walked.last_seq, head.seq))
    return problems


def _cut(last_seq: int, anchored_seq: int, where: str = "anchored") -> str:
    return (
        f"the chain ends at seq {last_seq} but a checkpoint at seq {anchored_seq} was {where}: "
        f"records {last_seq + 1}..{anchored_seq} are missing"
    )


def _rewritten(seq: int) -> str:
    return f"record {seq} does not have the hash signed in the checkpoint at seq {seq}: the chain was rewritten"


def due(session: Session, settings: Settings, now: datetime | None = None) -> bool:
    """A checkpoint is due when records were added since the last one, and it is an hour old (by default) or
    that many records (1000) behind."""
    head = session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return False
    latest = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))
    if latest is None:
        return True
    if head.seq <= latest.seq:
        return False
    age = (now or datetime.now(UTC)) - latest.created_at
    return head.seq - latest.seq >= settings.audit_checkpoint_records or age >= timedelta(
        minutes=settings.audit_checkpoint_minutes
    )


# --- verifying -------------------------------------------------------------------------------------------------


@dataclass
class AuditReport:
    chain: ChainReport
    anchor: Path
    problems: list[str] = field(default_factory=list)
    anchored: list[Checkpoint] = field(default_factory=list)
    stored: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        records = f"audit log intact: {self.chain.records:,} records, head at seq {self.chain.last_seq}"
        if not self.anchored:
            return f"{records}; no checkpoint anchored yet in {self.anchor}: run `esibook audit checkpoint`"
        last = self.anchored[-1].seq
        newer = self.chain.last_seq - last
        return (
            f"{records}; matches the last anchored checkpoint at seq {last} ({self.anchor}); "
            f"{len(self.anchored)} anchored and {self.stored} stored checkpoints agree"
            + (f"; {newer} newer records not yet anchored" if newer else "")
        )


def verify_anchored(session: Session, *, anchor: Path, verifier: NoteVerifier | None) -> AuditReport:
    """The whole chain, then the chain against every anchored and every stored checkpoint, and those two sets
    against each other. ``verifier`` may be None only when there are no checkpoints at all."""
    chain = verify(session)
    rows = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)))
    report = AuditReport(chain, anchor, list(chain.problems), stored=len(rows))
    if not rows and not read_anchor(anchor):
        return report
    if verifier is None:
        raise DomainError(
            "audit.key_missing",
            "give the audit public key (--key) to check the checkpoints",
            "hãy chỉ ra khóa công khai của nhật ký kiểm toán (--key) để kiểm tra các điểm kiểm",
        )
    report.anchored, problems = _anchored(anchor, verifier)
    stored = _stored_checkpoints(rows, verifier, problems)
    problems += _anchor_against_stored(report.anchored, stored, anchor, rows)
    problems += _against_chain(session, chain, report.anchored, stored)
    report.problems += problems
    return report


def _stored_checkpoints(rows: list[AuditCheckpoint], verifier: NoteVerifier, problems: list[str]) -> dict:
    stored: dict[int, Checkpoint] = {}
    for row in rows:
        try:
            checkpoint = _stored(row, verifier)
        except ChainTampered as error:
            problems += error.problems
            continue
        stored[checkpoint.seq] = checkpoint
    return stored


def _anchor_against_stored(
    anchored: list[Checkpoint], stored: dict[int, Checkpoint], anchor: Path, rows: list[AuditCheckpoint]
) -> list[str]:
    if rows and not anchor.exists():
        return [f"the anchor file {anchor} does not exist but audit_checkpoints holds {len(rows)} checkpoints"]
    problems = []
    for checkpoint in {c.seq: c for c in anchored}.values():
        found = stored.get(checkpoint.seq)
        if found is None:
            problems.append(
                f"the checkpoint at seq {checkpoint.seq} is in the anchor file but missing from audit_checkpoints"
            )
        elif found.hash != checkpoint.hash:
            problems.append(
                f"the checkpoint at seq {checkpoint.seq} in audit_checkpoints differs from the anchored one"
            )
    return problems


def _against_chain(
    session: Session, chain: ChainReport, anchored: list[Checkpoint], stored: dict[int, Checkpoint]
) -> list[str]:
    problems = []
    for checkpoints, where in ((anchored, "anchored"), (list(stored.values()), "signed in audit_checkpoints")):
        newest = max((c.seq for c in checkpoints), default=0)
        if newest > chain.last_seq:
            problems.append(_cut(chain.last_seq, newest, where))
        if chain.head_seq is not None and chain.head_seq < newest and where == "anchored":
            problems.append(f"the head row says seq {chain.head_seq} but seq {newest} was anchored: the head was reset")
    signed = {(c.seq, c.hash) for c in (*anchored, *stored.values()) if c.seq <= chain.last_seq}
    hashes = _hashes(session, sorted({seq for seq, _ in signed}))
    for seq, digest in sorted(signed):
        if seq not in hashes:
            problems.append(f"record {seq}, signed in a checkpoint, is missing")
        elif hashes[seq] != digest:
            problems.append(_rewritten(seq))
    return list(dict.fromkeys(problems))


def _hashes(session: Session, seqs: list[int], batch: int = 500) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(seqs), batch):
        chunk = seqs[start : start + batch]
        found.update(session.execute(select(AuditRecord.seq, AuditRecord.hash).where(AuditRecord.seq.in_(chunk))).all())
    return found


# --- the job (esibook.jobs) --------------------------------------------------------------------------------------


def audit_checkpoint_if_due(sessions: sessionmaker[Session], settings: Settings) -> None:
    """Sign and anchor the audit chain's head hourly or every 1000 records; a refusal is logged, not fatal."""
    with sessions() as session:
        if not due(session, settings):
            return
        try:
            made = make_checkpoint(session, settings)
        except (ChainTampered, DomainError) as refused:
            logging.getLogger("esibook.audit").error("audit checkpoint refused: %s", refused)
            return
    if made and made.anchored:
        print(f"audit checkpoint at seq {made.checkpoint.seq} anchored", flush=True)


@jobs.app.periodic(cron="* * * * *", periodic_id="audit-checkpoint")
@jobs.app.task(name="audit.checkpoint", queue=jobs.UPKEEP_QUEUE, queueing_lock="audit.checkpoint")
def audit_checkpoint(timestamp: int | None = None) -> None:
    """Sign and anchor the audit chain's head when a checkpoint is due."""
    rt = jobs.runtime()
    audit_checkpoint_if_due(rt.sessions, rt.settings)
