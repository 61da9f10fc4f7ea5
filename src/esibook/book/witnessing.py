"""Getting the log's checkpoints witnessed: the log submits its latest checkpoint to each configured witness
(``ESIBOOK_LOG_WITNESSES``, C2SP tlog-witness ``add-checkpoint``) with a consistency proof from the size that
witness last cosigned, checks the cosignature it returns with the witness's key, and stores it; the checkpoint is
then served with it (:func:`esibook.book.log.checkpoint_note`).

This runs in its own thread (or ``esibook witness push``), never inside the sequencer: a witness that is down or
slow delays no integration and no issuance; its cosignature is simply missing until it answers.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from esibook.book import log
from esibook.book.models import LogCosignature
from esibook.config import Settings
from esibook.db import end_reads, transaction
from esibook.errors import DomainError
from esibook.trust.note import NoteError, NoteVerifier, cosigned_at, cosigner_from_vkey, cosigner_vkey

SIZE_TYPE = "text/x.tlog.size"
_logger = logging.getLogger("esibook.witnessing")
#: The size each witness (by URL) last said it holds, so the next request sends the right ``old`` line.
_known_sizes: dict[str, int] = {}


@dataclass(frozen=True)
class ConfiguredWitness:
    url: str
    """The submission prefix: ``<url>/add-checkpoint``."""
    key: NoteVerifier

    @property
    def vkey(self) -> str:
        return cosigner_vkey(self.key)


def configured_witnesses(settings: Settings) -> list[ConfiguredWitness]:
    """``ESIBOOK_LOG_WITNESSES`` read; a malformed entry is a configuration error (:class:`DomainError`)."""
    found = []
    for entry in (e.strip() for e in re.split(r"[;\n]", settings.log_witnesses)):
        if not entry:
            continue
        parts = entry.split()
        try:
            if len(parts) != 2 or not parts[0].startswith(("http://", "https://")):
                raise NoteError("expected '<URL> <cosigner verifier key>'")
            found.append(ConfiguredWitness(parts[0].rstrip("/"), cosigner_from_vkey(parts[1])))
        except NoteError as error:
            raise DomainError("config.log_witnesses", f"ESIBOOK_LOG_WITNESSES: {entry!r}: {error}",
                              f"ESIBOOK_LOG_WITNESSES không hợp lệ: {entry!r}") from error
    if not 0 <= settings.log_witness_quorum <= len(found):
        raise DomainError("config.log_witness_quorum",
                          f"ESIBOOK_LOG_WITNESS_QUORUM must be between 0 and the {len(found)} configured witnesses",
                          "ESIBOOK_LOG_WITNESS_QUORUM phải từ 0 đến số nhân chứng đã cấu hình")
    return found


@dataclass(frozen=True)
class Signed:
    """A checkpoint as the log signed it (without cosignatures of witnesses)."""

    tree_size: int
    document: str


@dataclass(frozen=True)
class Outcome:
    witness: ConfiguredWitness
    tree_size: int
    cosigned: bool
    detail: str = ""


def push(session: Session, settings: Settings, client: httpx.Client | None = None) -> list[Outcome]:
    """Submit the latest checkpoint to every configured witness that has not cosigned it yet."""
    witnesses = configured_witnesses(settings)
    latest = log.latest_checkpoint(session) if witnesses else None
    if latest is None:
        return []
    row = Signed(latest.tree_size, latest.document)
    done = set(session.scalars(select(LogCosignature.witness).where(LogCosignature.tree_size == row.tree_size)))
    end_reads(session)  # no transaction stays open while the witnesses answer
    own = client or httpx.Client(timeout=settings.log_witness_timeout)
    try:
        return [_submit(session, own, witness, row) for witness in witnesses if witness.vkey not in done]
    finally:
        if client is None:
            own.close()


def _submit(session: Session, client: httpx.Client, witness: ConfiguredWitness, row: Signed) -> Outcome:
    old = _known_sizes.get(witness.url, 0)
    for _ in range(2):  # a 409 tells the size the witness holds: one retry with that one
        if old > row.tree_size:
            return Outcome(witness, row.tree_size, False, f"the witness holds a newer checkpoint (size {old})")
        try:
            answer = client.post(f"{witness.url}/add-checkpoint", content=_request(session, old, row))
        except httpx.HTTPError as error:
            return Outcome(witness, row.tree_size, False, f"unreachable: {error}")
        if answer.status_code == 409 and answer.headers.get("content-type", "").startswith(SIZE_TYPE):
            old = _size(answer.text)
            if old is None:
                break
            _known_sizes[witness.url] = old
            continue
        if answer.status_code == 200:
            return _keep(session, witness, row, answer.text)
        return Outcome(witness, row.tree_size, False, f"refused ({answer.status_code}): {answer.text.strip()[:200]}")
    return Outcome(witness, row.tree_size, False, "the witness does not say which size it holds")


def _request(session: Session, old: int, row: Signed) -> bytes:
    proof = log.consistency_proof(session, old, row.tree_size) if 0 < old < row.tree_size else []
    end_reads(session)  # no transaction stays open while the witness answers
    lines = "".join(base64.b64encode(bytes.fromhex(h)).decode() + "\n" for h in proof)
    return f"old {old}\n{lines}\n{row.document}".encode()


def _size(text: str) -> int | None:
    value = text.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 20 else None


def _keep(session: Session, witness: ConfiguredWitness, row: Signed, body: str) -> Outcome:
    """Store the one returned line that is this witness's valid cosignature of this checkpoint."""
    for line in body.splitlines():
        at = cosigned_at(row.document + line + "\n", witness.key)
        if at is None or at > time.time() + 3600:  # not its cosignature, or dated in the future
            continue
        _known_sizes[witness.url] = row.tree_size
        try:
            with transaction(session):
                session.add(LogCosignature(tree_size=row.tree_size, witness=witness.vkey, line=line + "\n",
                                           cosigned_at=datetime.fromtimestamp(at, UTC)))
        except IntegrityError:  # another pusher stored it first (the action rolled back: nothing to undo)
            pass
        return Outcome(witness, row.tree_size, True)
    return Outcome(witness, row.tree_size, False, "the answer holds no valid cosignature of this witness's key")


def start(sessions: sessionmaker[Session], settings: Settings) -> threading.Thread | None:
    """Push each new checkpoint to the witnesses, in a thread of its own; None when none are configured."""
    if not configured_witnesses(settings):
        return None

    def loop() -> None:
        said: dict[str, str] = {}
        with httpx.Client(timeout=settings.log_witness_timeout) as client:
            while True:
                try:
                    with sessions() as session:
                        for outcome in push(session, settings, client):
                            if said.get(outcome.witness.url) != outcome.detail and outcome.detail:
                                _logger.warning("witness %s: %s", outcome.witness.url, outcome.detail)
                            said[outcome.witness.url] = outcome.detail
                except Exception:  # noqa: BLE001 - the next round retries; the log goes on meanwhile
                    _logger.exception("witnessing failed; retrying")
                time.sleep(max(settings.log_batch_seconds, 1.0))

    thread = threading.Thread(target=loop, daemon=True, name="log-witnessing")
    thread.start()
    return thread
