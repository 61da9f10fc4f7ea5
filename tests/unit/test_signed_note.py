"""Signed notes are the C2SP format other checkpoint tools read: Go's sumdb/note test vector signs and opens."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from esibook.trust.note import NoteError, NoteSigner, NoteVerifier, open_note

# golang.org/x/mod/sumdb/note, example_test.go
SKEY_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNED = (
    TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def go_signer() -> NoteSigner:
    return NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(base64.b64decode(SKEY_SEED)[1:]))


def test_signing_gives_the_same_bytes_as_go_sumdb_note():
    assert go_signer().verifier.vkey == VKEY
    assert go_signer().sign(TEXT) == SIGNED


def test_a_note_signed_by_go_opens_with_its_verifier_key():
    assert open_note(SIGNED, NoteVerifier.from_vkey(VKEY)) == TEXT


@pytest.mark.parametrize(
    "note",
    [
        SIGNED.replace("the answer", "an answer"),
        SIGNED.replace("x08go", "x08gp"),
        TEXT,
        SIGNED.replace("PeterNeumann x08", "SomeoneElse x08"),
    ],
    ids=["text changed", "signature changed", "unsigned", "other signer"],
)
def test_a_changed_or_foreign_note_does_not_open(note):
    with pytest.raises(NoteError):
        open_note(note, NoteVerifier.from_vkey(VKEY))


def test_the_same_name_with_another_key_does_not_open():
    impostor = NoteSigner("PeterNeumann", Ed25519PrivateKey.generate())
    with pytest.raises(NoteError):
        open_note(impostor.sign(TEXT), NoteVerifier.from_vkey(VKEY))


@pytest.mark.parametrize(
    "vkey", ["PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "PeterNeumann+c74f20a3", "x"]
)
def test_a_wrong_verifier_key_is_refused(vkey):
    with pytest.raises(NoteError):
        NoteVerifier.from_vkey(vkey)


def test_a_timestamped_cosignature_dates_a_checkpoint_and_binds_its_text():
    from esibook.trust.note import cosign, cosigned_at

    signer = NoteSigner("example.com/log", Ed25519PrivateKey.generate())
    text = "example.com/log\n5\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = signer.sign(text) + cosign(signer, text, 1_700_000_000)
    assert open_note(note, signer.verifier) == text, "the plain signature still opens the note"
    assert cosigned_at(note, signer.verifier) == 1_700_000_000
    raw = base64.b64decode(note.splitlines()[-1].split(" ")[-1])
    assert len(raw) == 4 + 8 + 64 and raw[:4] != signer.verifier.key_id, "a cosignature/v1 key id (0x04)"
    assert cosigned_at(note.replace("\n5\n", "\n6\n"), signer.verifier) is None
    assert cosigned_at(signer.sign(text), signer.verifier) is None


def test_a_cosigner_key_is_type_0x04_and_names_its_key_id():
    from esibook.trust.note import cosignature_key_id, cosigner_from_vkey, cosigner_vkey

    signer = go_signer()
    vkey = cosigner_vkey(signer.verifier)
    name, key_id, encoded = vkey.split("+")
    assert base64.b64decode(encoded)[:1] == b"\x04"
    assert key_id == cosignature_key_id(name, signer.verifier.public_key).hex() != signer.verifier.key_id.hex()
    assert cosigner_from_vkey(vkey) == signer.verifier
    for wrong in (VKEY, vkey.replace(key_id, "00000000"), "no-plus-signs", f"{name}+{key_id}+!!"):
        with pytest.raises(NoteError):
            cosigner_from_vkey(wrong)
