"""Request-scoped dependencies shared by every router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from esibook.db import end_reads


async def db_session(request: Request) -> AsyncIterator[Session]:
    """The request's one database session: the caller's lookup (``policy``, ``optional_principal``), the CSRF check
    and the route all take this one (FastAPI gives every dependant of a request the same value), so a request
    holds at most one pooled connection at a time."""
    async with request_session(request) as session:
        yield session


@asynccontextmanager
async def request_session(request: Request) -> AsyncIterator[Session]:
    """A request's session, closed when the block ends (``db_session``; ``access.routing`` opens it around a read).
    At most ``db_pool_size`` requests hold a session at once (``app.state.db_slots``); the others wait here,
    holding neither a connection nor a thread, so the pool cannot run dry under load."""
    async with request.app.state.db_slots:
        session = request.app.state.sessions()
        request.state.db = session  # the page header's unread count reads with it (web.pages.render)
        try:
            yield session
        finally:
            if session.in_transaction():
                await run_in_threadpool(session.close)  # a rollback on the connection: not on the event loop
            else:
                session.close()


async def form_data(request: Request) -> FormData:
    """The request's form (fields and files), read on the event loop, for a route that runs in the threadpool and
    reads fields it does not name in its signature (repeated fields, a procedure's own fields). The files are read
    with ``upload.file.read()``. A read transaction the caller's lookup left open is ended first: no transaction
    waits on a slow client's upload."""
    session = getattr(request.state, "db", None)
    if session is not None and session.in_transaction():
        await run_in_threadpool(end_reads, session)
    return await request.form()
