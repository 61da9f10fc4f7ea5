"""Files kept by their SHA-256 under ``<data_dir>/files/``: scans, attachments, printouts. Content-addressed, so a
file written twice is one file, and a file is never changed or deleted."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from esibook.config import Settings
from esibook.errors import NotFound


def _folder(settings: Settings) -> Path:
    folder = Path(settings.data_dir).resolve() / "files"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_file(settings: Settings, data: bytes) -> str:
    """Keep the bytes (atomically: a crash leaves no half-written file) and return their SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = _folder(settings) / sha256
    if not path.exists():
        temporary = path.with_name(f"{sha256}.{uuid.uuid4().hex}.tmp")  # two writers never share one
        temporary.write_bytes(data)
        temporary.replace(path)
    return sha256


def load_file(settings: Settings, sha256: str) -> bytes:
    path = _folder(settings) / sha256
    if len(sha256) != 64 or not path.is_file():
        raise NotFound("file.not_found", "The file is not kept here.", "Tệp không được lưu tại đây.")
    return path.read_bytes()
