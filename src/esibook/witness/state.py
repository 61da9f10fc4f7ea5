"""The witness's own state: the latest checkpoint it cosigned per log origin, and the signed checkpoints it refused
(evidence of a log that forked or rolled back), in one SQLite file in its data directory. It shares nothing with
the log's database: a witness is another party."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL CHECK (size >= 0),
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    old_size INTEGER NOT NULL,
    request TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Seen:
    """The latest checkpoint the witness cosigned for a log."""

    size: int
    root: bytes
    note: str


class Ledger:
    """Read and advance one log's record inside :meth:`WitnessState.exclusive` (check and update are atomic)."""

    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    def latest(self, origin: str) -> Seen | None:
        row = self._db.execute("SELECT size, root, note FROM checkpoints WHERE origin = ?", (origin,)).fetchone()
        return Seen(row[0], bytes(row[1]), row[2]) if row else None

    def advance(self, origin: str, size: int, root: bytes, note: str, at: int) -> None:
        self._db.execute(
            "INSERT INTO checkpoints (origin, size, root, note, cosigned_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, "
            "cosigned_at = excluded.cosigned_at WHERE excluded.size >= checkpoints.size",
            (origin, size, root, note, at),
        )


class WitnessState:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        return connection

    @contextmanager
    def exclusive(self) -> Iterator[Ledger]:
        """One write transaction taken before reading (``BEGIN IMMEDIATE``): no other request, thread or process
        checks against the same record until this one is committed, so no race can roll a log back."""
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield Ledger(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def latest(self, origin: str) -> Seen | None:
        connection = self._connect()
        try:
            return Ledger(connection).latest(origin)
        finally:
            connection.close()

    def keep_evidence(self, origin: str, reason: str, old_size: int, request: str, at: int) -> None:
        connection = self._connect()
        try:
            connection.execute(
                "INSERT INTO evidence (origin, reason, old_size, request, received_at) VALUES (?, ?, ?, ?, ?)",
                (origin, reason, old_size, request, at),
            )
        finally:
            connection.close()

    def evidence(self, origin: str) -> list[tuple[str, str]]:
        """(reason, request) of each signed checkpoint of ``origin`` the witness refused, oldest first."""
        connection = self._connect()
        try:
            return [tuple(row) for row in connection.execute(
                "SELECT reason, request FROM evidence WHERE origin = ? ORDER BY id", (origin,))]
        finally:
            connection.close()
