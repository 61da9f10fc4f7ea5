"""Column shapes that several bounded contexts share."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from esibook.access.authorities import Authority

AUTHORITY_VALUES = ", ".join(f"'{a.value}'" for a in Authority)


def authority_column() -> Mapped[str]:
    """The managing authority of a row: civil, defence or security."""
    return mapped_column(String(8), nullable=False, default=Authority.CIVIL.value, index=False)


def authority_check(table_column: str = "authority") -> CheckConstraint:
    return CheckConstraint(f"{table_column} IN ({AUTHORITY_VALUES})", name="authority")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp with time zone that always comes back aware (SQLite hands back naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow, server_default=func.now())
