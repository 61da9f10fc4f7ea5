"""The witness's one operation, ``add-checkpoint`` (C2SP tlog-witness): check the log's signature, check that the
old size is the size it last cosigned, check the consistency proof from there to the new checkpoint, record it and
return its timestamped cosignature (C2SP tlog-cosignature, ``cosignature/v1``).

Answers as the protocol says: 200 with the cosignature line; 400 for a malformed request; 403 when no signature of
a trusted log key verifies; 404 for an unknown log; 409 (``text/x.tlog.size``: the size it holds) when the old size
is not the one it cosigned; 409 for another root at the same size (a fork); 422 when the proof does not verify. A
refused checkpoint that the log did sign is kept as evidence."""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from esibook.book.merkle import EMPTY_ROOT, consistent
from esibook.config import Settings
from esibook.trust.checkpoint import Checkpoint, parse_checkpoint
from esibook.trust.note import NoteError, NoteSigner, NoteVerifier, cosign, cosigner_vkey, open_note
from esibook.trust.note_keys import stored_note_signer
from esibook.witness.state import WitnessState

MAX_REQUEST_BYTES = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_TYPE = "text/x.tlog.size"
_OLD = re.compile(r"old (0|[1-9][0-9]{0,18})")


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Refusal(Exception):
    def __init__(self, status: int, message: str, *, evidence: bool = False, size: int | None = None):
        super().__init__(message)
        self.status, self.message, self.evidence, self.size = status, message, evidence, size

    def answer(self) -> Answer:
        if self.size is not None:
            return Answer(self.status, f"{self.size}\n", SIZE_TYPE)
        return Answer(self.status, self.message + "\n")


@dataclass(frozen=True)
class Request:
    old: int
    proof: list[bytes]
    note: str


@dataclass
class Witness:
    signer: NoteSigner
    logs: dict[str, NoteVerifier]
    """The log keys it trusts, by origin (a log key's name is its checkpoints' origin)."""
    state: WitnessState
    clock: Callable[[], float] = field(default=time.time)

    @property
    def vkey(self) -> str:
        return cosigner_vkey(self.signer.verifier)

    def add_checkpoint(self, body: bytes) -> Answer:
        try:
            request = parse_request(body)
            checkpoint = self._signed(request.note)
            return Answer(200, self._cosign(request, checkpoint))
        except Refusal as refusal:
            return refusal.answer()

    def _signed(self, note: str) -> Checkpoint:
        origin = note.split("\n", 1)[0]
        verifier = self.logs.get(origin)
        if verifier is None:
            raise Refusal(404, f"this witness does not witness the log {origin!r}")
        try:
            open_note(note, verifier)
        except NoteError as error:
            raise Refusal(403, f"no signature by a trusted key of {origin}: {error}") from error
        try:
            return parse_checkpoint(note, verifier)
        except NoteError as error:
            raise Refusal(400, f"not a checkpoint: {error}") from error

    def _cosign(self, request: Request, checkpoint: Checkpoint) -> str:
        now = int(self.clock())
        if request.old > checkpoint.size:
            raise Refusal(400, f"the old size {request.old} is larger than the checkpoint's size {checkpoint.size}")
        try:
            with self.state.exclusive() as ledger:
                seen = ledger.latest(checkpoint.origin)
                _check(request, checkpoint, seen.size if seen else 0, seen.root if seen else EMPTY_ROOT)
                ledger.advance(checkpoint.origin, checkpoint.size, checkpoint.root, checkpoint.note, now)
        except Refusal as refusal:
            if refusal.evidence:
                self.state.keep_evidence(checkpoint.origin, refusal.message, request.old, request.note, now)
            raise
        return cosign(self.signer, checkpoint.text, now)


def open_witness(data_dir: Path, name: str, log_keys: list[NoteVerifier], *, env: str = "development") -> Witness:
    """The witness kept in ``data_dir``: its Ed25519 key (made at first use, named ``name``; the name is fixed
    then) in ``keys/``, its state in ``witness.db``."""
    keys = Settings(data_dir=data_dir, env=env)
    signer = stored_note_signer(keys, "witness.key.pem", "witness.note.vkey", name)
    return Witness(signer, {key.name: key for key in log_keys}, WitnessState(data_dir.resolve() / "witness.db"))


def _check(request: Request, checkpoint: Checkpoint, size: int, root: bytes) -> None:
    if request.old != size:
        raise Refusal(409, "the old size is not the size this witness last cosigned", size=size)
    if checkpoint.size == size and checkpoint.root != root:
        raise Refusal(409, f"a checkpoint of size {size} with another root hash than the one cosigned: a fork",
                      evidence=True)
    if not consistent(size, checkpoint.size, root, checkpoint.root, request.proof):
        raise Refusal(422, f"the consistency proof from size {size} to {checkpoint.size} does not verify",
                      evidence=True)


def parse_request(body: bytes) -> Request:
    """``old <size>``, up to 63 base64 hashes, an empty line, then the checkpoint note; :class:`Refusal` (400)."""
    if len(body) > MAX_REQUEST_BYTES:
        raise Refusal(413, f"a request is at most {MAX_REQUEST_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refusal(400, "the request is not UTF-8 text") from error
    head, separator, note = text.partition("\n\n")
    if not separator or not note:
        raise Refusal(400, "expected 'old <size>', the proof lines, an empty line and the checkpoint")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if not match:
        raise Refusal(400, "the first line must be 'old <size>' (a decimal without leading zeros)")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise Refusal(400, f"at most {MAX_PROOF_LINES} consistency proof lines")
    return Request(int(match.group(1)), [_hash(line) for line in lines[1:]], note)


def _hash(line: str) -> bytes:
    try:
        value = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Refusal(400, "a consistency proof line is not base64") from error
    if len(value) != 32:
        raise Refusal(400, "a consistency proof line is not a 32-byte hash")
    return value
