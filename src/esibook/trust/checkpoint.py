"""C2SP tlog-checkpoint: the signed note of a transparency log's origin, tree size and root hash. The log signs it
with its Ed25519 key and adds its timestamped cosignature (``cosignature/v1``), which dates it; witnesses add
theirs (``esibook witness``)."""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass

from esibook.trust.note import NoteError, NoteSigner, NoteVerifier, cosign, cosigned_at, open_note


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: int | None
    """When the log cosigned it (POSIX seconds), None without a valid timestamped cosignature."""
    note: str

    @property
    def text(self) -> str:
        """The note's body (what every signature covers)."""
        return self.note.partition("\n\n")[0] + "\n"


def sign_checkpoint(signer: NoteSigner, size: int, root: bytes, now: int | None = None) -> str:
    text = f"{signer.name}\n{size}\n{base64.b64encode(root).decode()}\n"
    return signer.sign(text) + cosign(signer, text, int(time.time()) if now is None else now)


def parse_checkpoint(note: str, verifier: NoteVerifier) -> Checkpoint:
    """The checkpoint in a note signed by the log key, for its origin; :class:`NoteError` otherwise."""
    lines = open_note(note, verifier).split("\n")
    if len(lines) < 4 or lines[0] != verifier.name:
        raise NoteError(f"not a checkpoint of {verifier.name}")
    size = lines[1]
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError("the checkpoint's size is not a number")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error as error:
        raise NoteError("the checkpoint's root hash is not base64") from error
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(lines[0], int(size), root, cosigned_at(note, verifier), note)
