"""Signed notes (C2SP signed-note) with Ed25519 keys, the format of transparency-log checkpoints.

A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
``— <key name> <base64(key id ‖ signature)>``. The key id is the first 4 bytes of
SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ public key); a verifier key is written ``<name>+<key id hex>+<base64(0x01 ‖ key)>``
(the "vkey" form Go's sumdb/note and other checkpoint tools read).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "— "


class NoteError(ValueError):
    """A note that is malformed or carries no valid signature of the expected key."""


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(public_key)).digest()[:4]


def _check_name(name: str) -> str:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"a key name is non-empty, without spaces or '+': {name!r}")
    return name


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(ED25519 + _raw(self.public_key)).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        try:
            name, hash_hex, encoded = vkey.strip().split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error) as error:
            raise NoteError("not a verifier key (name+keyid+base64)") from error
        if len(raw) != 33 or raw[:1] != ED25519:
            raise NoteError("the verifier key is not an Ed25519 key")
        verifier = cls(_check_name(name), Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_id.hex() != hash_hex.lower():
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier


@dataclass(frozen=True)
class NoteSigner:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.private_key.public_key())

    def sign(self, text: str) -> str:
        """The signed note: ``text`` (which must end in a newline), a blank line and this key's signature."""
        _check_text(text)
        signature = self.private_key.sign(text.encode())
        encoded = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{_check_name(self.name)} {encoded}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text ends in a newline, has no blank line and no control characters")


def open_note(note: str, verifier: NoteVerifier) -> str:
    """The text of ``note`` if the verifier's key signed it; :class:`NoteError` otherwise."""
    text, separator, block = note.partition("\n\n")
    if not separator or not block.endswith("\n"):
        raise NoteError("malformed note: no signature block")
    text += "\n"
    _check_text(text)
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("malformed note: a signature line must start with '— '")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if name != verifier.name:
            continue
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise NoteError("malformed note: a signature is not base64") from error
        if raw[:4] != verifier.key_id:
            continue
        try:
            verifier.public_key.verify(raw[4:], text.encode())
        except InvalidSignature as error:
            raise NoteError(f"the signature by {verifier.name} does not verify") from error
        return text
    raise NoteError(f"the note is not signed by the key {verifier.name}+{verifier.key_id.hex()}")


# --- timestamped cosignatures (C2SP tlog-cosignature, Ed25519 "cosignature/v1") -----------------------------------

COSIGNATURE = b"\x04"


def cosignature_key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE + _raw(public_key)).digest()[:4]


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(signer: NoteSigner, text: str, timestamp: int) -> str:
    """A cosignature line over a checkpoint's text: the signer's statement of it at ``timestamp`` (POSIX seconds)."""
    _check_text(text)
    signature = signer.private_key.sign(_cosigned_message(text, timestamp))
    raw = cosignature_key_id(signer.name, signer.private_key.public_key()) + timestamp.to_bytes(8, "big") + signature
    return f"{SIGNATURE_PREFIX}{_check_name(signer.name)} {base64.b64encode(raw).decode()}\n"


def cosigner_vkey(verifier: NoteVerifier) -> str:
    """A cosigner's (witness's) verifier key: ``<name>+<cosignature key id hex>+<base64(0x04 ‖ key)>``."""
    encoded = base64.b64encode(COSIGNATURE + _raw(verifier.public_key)).decode()
    return f"{verifier.name}+{cosignature_key_id(verifier.name, verifier.public_key).hex()}+{encoded}"


def cosigner_from_vkey(vkey: str) -> NoteVerifier:
    """The name and key of a cosigner from its verifier key (type 0x04, C2SP tlog-cosignature)."""
    try:
        name, hash_hex, encoded = vkey.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as error:
        raise NoteError("not a cosigner key (name+keyid+base64)") from error
    if len(raw) != 33 or raw[:1] != COSIGNATURE:
        raise NoteError("the cosigner key is not an Ed25519 cosignature/v1 key (type 0x04)")
    verifier = NoteVerifier(_check_name(name), Ed25519PublicKey.from_public_bytes(raw[1:]))
    if cosignature_key_id(verifier.name, verifier.public_key).hex() != hash_hex.lower():
        raise NoteError("the cosigner key's id does not match its name and key")
    return verifier


def cosigned_at(note: str, verifier: NoteVerifier) -> int | None:
    """The timestamp of the verifier key's valid cosignature on ``note``, None if it has none."""
    text, _, block = note.partition("\n\n")
    text += "\n"
    wanted = cosignature_key_id(verifier.name, verifier.public_key)
    for line in block.splitlines():
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not line.startswith(SIGNATURE_PREFIX) or name != verifier.name:
            continue
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        if len(raw) != 76 or raw[:4] != wanted:
            continue
        timestamp = int.from_bytes(raw[4:12], "big")
        try:
            verifier.public_key.verify(raw[12:], _cosigned_message(text, timestamp))
        except InvalidSignature:
            return None
        return timestamp
    return None
