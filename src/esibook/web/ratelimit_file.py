"""Rate-limit counts shared by the server processes of one machine, in an SQLite file (``sqlite-file://<path>``).

``memory://`` counts per process: when ``esibook serve`` or ``esibook demo`` runs one process per core, a guesser
would get the limit once per process. This storage keeps the moving window of every key in one small SQLite file
(WAL, each hit one short write transaction), so every process counts the same hits. Several machines need a
shared server instead (``redis://…``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

SCHEME = "sqlite-file"
SWEEP_EVERY = 1000
LONGEST_WINDOW = 86_400  #: the longest window a limit of esibook's settings uses ("N/day")


class SqliteFileStorage(Storage, MovingWindowSupport):
    """A ``limits`` storage for the moving-window strategy (the one :mod:`esibook.web.ratelimit` uses)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        self.path = Path(uri.split("://", 1)[1])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._hits = 0  #: hits counted by this process, for the periodic sweep
        with self._connection() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL)")
            connection.execute("CREATE INDEX IF NOT EXISTS hits_by_key ON hits (key, at)")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count ``amount`` hits of ``key`` unless that would pass ``limit`` within the last ``expiry`` seconds."""
        if amount > limit:
            return False
        now = time.time()
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")  # one writer at a time: two processes never both take the last hit
        try:
            connection.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - expiry))
            self._hits += 1
            if self._hits % SWEEP_EVERY == 0:  # keys nobody hits again: their rows go once past any window
                connection.execute("DELETE FROM hits WHERE at <= ?", (now - max(expiry, LONGEST_WINDOW),))
            (count,) = connection.execute("SELECT count(*) FROM hits WHERE key = ?", (key,)).fetchone()
            if count + amount > limit:
                connection.execute("COMMIT")
                return False
            connection.executemany("INSERT INTO hits (key, at) VALUES (?, ?)", [(key, now)] * amount)
            connection.execute("COMMIT")
            return True
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(when the oldest counted hit was made, how many hits) within the last ``expiry`` seconds."""
        oldest, count = self._connection().execute(
            "SELECT min(at), count(*) FROM hits WHERE key = ? AND at > ?", (key, time.time() - expiry)).fetchone()
        return (oldest if oldest is not None else time.time()), count

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:  # the fixed-window API: not used here
        raise NotImplementedError("sqlite-file:// counts moving windows only")

    def get(self, key: str) -> int:
        (count,) = self._connection().execute("SELECT count(*) FROM hits WHERE key = ?", (key,)).fetchone()
        return count

    def get_expiry(self, key: str) -> float:
        (newest,) = self._connection().execute("SELECT max(at) FROM hits WHERE key = ?", (key,)).fetchone()
        return newest or time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._connection() as connection:
            return connection.execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM hits WHERE key = ?", (key,))
