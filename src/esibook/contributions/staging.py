"""An employer's file, read into the temporary staging table of a posting: its digest (the batch's key), its
header (Vietnamese or English names) and its rows (``COPY`` on PostgreSQL, batched inserts on SQLite)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import psycopg
from sqlalchemy import Connection, text

from esibook import tabular
from esibook.errors import DomainError

HEADERS = {
    "personal_id": ("personal_id", "so_dinh_danh"),
    "unit_code": ("unit_code", "ma_don_vi"),
    "month": ("month", "thang"),
    "salary": ("salary", "muc_luong"),
}
STAGING_COLUMNS = {
    "personal_id": "personal_id",
    "unit_code": "unit_code",
    "month": "month_text",
    "salary": "salary_text",
}
CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_header(path: Path) -> list[str]:
    """The staging columns in the file's order, from its header line (Vietnamese or English names)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(tabular.iter_rows(handle, code="posting", field="file"), [])
    names = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
    columns = [names.get(h.strip().lower()) for h in header]
    if sorted(c for c in columns if c) != sorted(HEADERS) or None in columns:
        raise DomainError(
            "posting.header",
            "the first line must name the columns personal_id, unit_code, month, salary "
            "(or so_dinh_danh, ma_don_vi, thang, muc_luong)",
            "dòng đầu phải là tên cột so_dinh_danh, ma_don_vi, thang, muc_luong",
            field="file",
        )
    return [STAGING_COLUMNS[c] for c in columns]


def stage_file(connection: Connection, path: Path, columns: list[str]) -> int:
    create_staging(connection)
    if connection.dialect.name == "postgresql":
        _copy(connection, path, columns)
    else:
        _insert_rows(connection, path, columns)
    return connection.execute(text("SELECT count(*) FROM posting_staging")).scalar_one()


def create_staging(connection: Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    identity = "BIGINT GENERATED ALWAYS AS IDENTITY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
    on_commit = " ON COMMIT DROP" if postgres else ""
    connection.execute(text("DROP TABLE IF EXISTS posting_staging"))
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE posting_staging (line_no {identity}, personal_id TEXT, unit_code TEXT, "
            f"month_text TEXT, salary_text TEXT){on_commit}"
        )
    )


def _copy(connection: Connection, path: Path, columns: list[str]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    try:
        with (
            path.open("rb") as handle,
            cursor.copy(f"COPY posting_staging ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy,
        ):
            handle.readline()  # the header, already read
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                copy.write(chunk)
    except psycopg.DataError as error:  # a line with too few or too many fields, or bytes that are not UTF-8
        raise _unreadable(error) from error


def _unreadable(error: psycopg.DataError) -> DomainError:
    found = re.search(r"line (\d+)", error.diag.context or "")
    where = f"line {int(found.group(1)) + 1}" if found else "a line"  # COPY counts from the line after the header
    where_vi = f"dòng {int(found.group(1)) + 1}" if found else "một dòng"
    return DomainError(
        "posting.unreadable",
        f"{where} of the file is not a line of four fields ({error.diag.message_primary}); nothing was posted",
        f"{where_vi} của tệp không đủ bốn trường; chưa ghi nhận dòng nào",
        field="file",
    )


def _insert_rows(connection: Connection, path: Path, columns: list[str]) -> None:
    statement = text(
        f"INSERT INTO posting_staging ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = tabular.iter_rows(handle, code="posting", field="file")
        next(reader)
        batch = []
        for row in reader:
            batch.append(dict(zip(columns, (row + [""] * 4)[:4], strict=True)))
            if len(batch) == 10_000:
                connection.execute(statement, batch)
                batch = []
        if batch:
            connection.execute(statement, batch)
