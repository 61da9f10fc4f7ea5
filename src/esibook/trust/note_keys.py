"""Ed25519 signed-note keys in the key store (``<data_dir>/keys``): the transparency log's and the audit chain's
checkpoint keys. Made at first use: the private key encrypted with the key store's passphrase (mode 0600), the
verifier key ``<name>+<key id>+<base64 key>`` beside it. The name, which is the checkpoints' origin, is fixed then."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from esibook.config import Settings
from esibook.errors import DomainError
from esibook.trust.note import NoteSigner, NoteVerifier
from esibook.trust.pki import decrypt_private_key, encrypt_private_key

_signers: dict[Path, NoteSigner] = {}


def stored_note_signer(settings: Settings, key_file: str, vkey_file: str, origin: str) -> NoteSigner:
    """The key named ``key_file`` (its verifier key in ``vkey_file``), made now with ``origin`` if it is missing."""
    folder = settings.data_dir.resolve() / "keys"
    path = folder / key_file
    if path not in _signers:
        if not path.exists():
            _create_key(settings, folder, key_file, vkey_file, origin)
        public = NoteVerifier.from_vkey((folder / vkey_file).read_text())
        signer = NoteSigner(public.name, decrypt_private_key(settings, path.read_bytes()))
        if signer.verifier.vkey != public.vkey:
            raise DomainError(
                "keys.note_key_mismatch",
                f"{folder / vkey_file} is not the public key of {path}",
                f"khóa công khai {vkey_file} không khớp với khóa bí mật {key_file}",
            )
        _signers[path] = signer
    return _signers[path]


def _create_key(settings: Settings, folder: Path, key_file: str, vkey_file: str, origin: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(folder / key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return
    temporary = folder / f"{vkey_file}.{os.getpid()}"
    temporary.write_text(NoteSigner(origin, key).verifier.vkey + "\n")
    temporary.replace(folder / vkey_file)
    with os.fdopen(fd, "wb") as handle:
        handle.write(encrypt_private_key(settings, key))
