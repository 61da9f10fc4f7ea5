"""Reads on the event loop (PostgreSQL): the few reads a hot route makes, on connections of their own, awaited.

A synchronous route hands each request to a thread, and each of its reads waits for PostgreSQL holding that thread;
under load the hand-offs and the contention of threads for the interpreter cost as much as the reads (measured in
docs/performance.md, "Book reads under load"). :class:`LoopReads` runs a :class:`~esibook.db.DriverRead` on a pool
of asynchronous psycopg connections in **autocommit**: a read that needs one statement's consistency takes one
round trip, with no ``BEGIN`` and no ``COMMIT``. Each statement runs in the authority scope of the code that makes
it (row-level security: ``esibook.authorities``, set on the connection when it differs) and passes the same NUL
check as every statement (:func:`esibook.db.refuse_nul_text`). A failed read raises SQLAlchemy's error without its
parameters; no free connection within the pool's timeout raises SQLAlchemy's pool timeout (the web answers 503).

Opened when the app starts serving (its lifespan), on PostgreSQL only; elsewhere (SQLite, or a test client that runs
no lifespan) :func:`loop_reads` is None and the route takes its synchronous way, which decides the same things.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from weakref import WeakKeyDictionary

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout

from esibook.db import DriverRead, authority_scope, refuse_nul_text

DIALECT = PGDialect_psycopg()
#: How the loop's connections are named in ``pg_stat_activity``.
APPLICATION_NAME = "esibook-loop-reads"


class LoopReads:
    """The connections of one process's event loop (``app.state.loop_reads``): at most ``size``, made when first
    needed, each used by one read at a time. They live on one loop, so taking one is a list's ``pop`` and a read
    that finds none free waits for the next one handed back (at most ``timeout`` seconds). A connection that comes
    back broken (or, wrongly, in a transaction) is closed and its place freed for a new one."""

    def __init__(self, database_url: str, size: int, timeout: float):
        self.conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.size, self.timeout = size, timeout
        self.loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[psycopg.AsyncConnection] = []
        self._waiting: deque[asyncio.Future] = deque()
        self._made = 0  # connections open or being opened
        self._scopes: WeakKeyDictionary[psycopg.AsyncConnection, str] = WeakKeyDictionary()

    async def open(self) -> LoopReads:
        self.loop = asyncio.get_running_loop()
        return self

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def all(self, read: DriverRead, params: Mapping) -> list:
        compiled = read.compiled(DIALECT)
        if compiled is None:
            raise TypeError("this statement needs SQLAlchemy's type processing: it cannot be read on the loop")
        args = compiled.arguments(params)
        refuse_nul_text(None, None, compiled.sql, args, None, False)
        connection = await self._take()
        try:
            await self._in_scope(connection)
            cursor = await connection.execute(compiled.sql, args)
            return [compiled.row._make(found) for found in await cursor.fetchall()]
        except psycopg.Error as error:
            raise DBAPIError.instance(compiled.sql, None, error, psycopg.Error, hide_parameters=True,
                                      dialect=DIALECT) from error
        finally:
            self._give_back(connection)

    async def first(self, read: DriverRead, params: Mapping):
        rows = await self.all(read, params)
        return rows[0] if rows else None

    async def _take(self) -> psycopg.AsyncConnection:
        while True:
            if self._idle:
                return self._idle.pop()
            if self._made < self.size:
                return await self._connect()
            found = await self._wait()
            if found is not None:
                return found  # else a broken connection freed its place: open one

    async def _wait(self) -> psycopg.AsyncConnection | None:
        waiter = self.loop.create_future()
        self._waiting.append(waiter)
        try:
            return await asyncio.wait_for(waiter, self.timeout)
        except (TimeoutError, asyncio.CancelledError) as error:
            if waiter.done() and not waiter.cancelled():  # handed over just as the wait ended: not lost
                self._give_back(waiter.result()) if waiter.result() is not None else self._free_place()
            if isinstance(error, TimeoutError):
                raise SQLAlchemyPoolTimeout("no connection of the loop's reads is free") from None
            raise

    async def _connect(self) -> psycopg.AsyncConnection:
        self._made += 1
        try:
            return await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True,
                                                         application_name=APPLICATION_NAME)
        except BaseException as error:
            self._free_place()
            if isinstance(error, psycopg.Error):
                raise DBAPIError.instance("connect", None, error, psycopg.Error, hide_parameters=True,
                                          dialect=DIALECT) from error
            raise

    def _give_back(self, connection: psycopg.AsyncConnection) -> None:
        if connection.closed or connection.info.transaction_status != TransactionStatus.IDLE:
            self.loop.create_task(connection.close())
            self._free_place()
        elif not self._hand_over(connection):
            self._idle.append(connection)

    def _free_place(self) -> None:
        self._made -= 1
        self._hand_over(None)

    def _hand_over(self, connection: psycopg.AsyncConnection | None) -> bool:
        """``connection`` (None: a free place) to the longest waiting read; False when none waits."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return True
        return False

    async def _in_scope(self, connection: psycopg.AsyncConnection) -> None:
        """Autocommit: the scope is the connection's (``is_local`` false), set when it is not the one wanted."""
        scope = authority_scope.get()
        if self._scopes.get(connection) != scope:
            await connection.execute("SELECT set_config('esibook.authorities', %s, false)", (scope,))
            self._scopes[connection] = scope


def loop_reads(app) -> LoopReads | None:
    """The app's loop reads, if it opened them on the loop now running; else None (take the synchronous way)."""
    reads = getattr(app.state, "loop_reads", None)
    if reads is None or reads.loop is not asyncio.get_running_loop():
        return None
    return reads
