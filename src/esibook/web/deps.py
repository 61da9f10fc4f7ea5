"""Request-scoped dependencies shared by every router."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session
