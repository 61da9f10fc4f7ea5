"""Monthly range partitions of ``contribution_lines`` on PostgreSQL (a no-op on SQLite).

History before :data:`FIRST_MONTHLY` lives in one partition; from then on each month has its own, created by the
first migration up to :data:`INITIAL_LAST` and afterwards by ``esibook db partitions --until YYYY-MM``.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from esibook.periods import Month

FIRST_MONTHLY = Month(2020, 1)
INITIAL_LAST = Month(2027, 12)
TABLE = "contribution_lines"


def partition_name(month: Month) -> str:
    return f"{TABLE}_{month.year:04d}_{month.month:02d}"


def history_partition_ddl() -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {TABLE}_history PARTITION OF {TABLE} "
        f"FOR VALUES FROM (MINVALUE) TO ({FIRST_MONTHLY.as_int()})"
    )


def month_partition_ddl(month: Month) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ({month.as_int()}) TO ({(month + 1).as_int()})"
    )


def existing_partitions(connection: Connection) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :table"
        ),
        {"table": TABLE},
    )
    return {row[0] for row in rows}


def ensure_partitions(connection: Connection, until: Month, start: Month = FIRST_MONTHLY) -> list[str]:
    """Create the missing monthly partitions from ``start`` through ``until``; returns the names created."""
    if connection.dialect.name != "postgresql":
        return []
    have = existing_partitions(connection)
    created = []
    for month in Month.range(max(start, FIRST_MONTHLY), until):
        if partition_name(month) not in have:
            connection.execute(text(month_partition_ddl(month)))
            created.append(partition_name(month))
    return created
