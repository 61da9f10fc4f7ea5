"""CSV files at the edge: read what people send without crashing, write what no spreadsheet will run.

Reading: a file that is not UTF-8, has no recognisable delimiter, holds a NUL byte or a field longer than the
``csv`` module's limit (128 KiB) is refused with a :class:`DomainError` naming the line, never an exception from
the ``csv`` module. Writing: spreadsheet programs run a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula ("CSV injection", OWASP); :func:`safe_cell` writes such a text cell behind a
``'`` so it shows as text. Numbers are left as they are (``-5`` stays a number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from esibook.errors import DomainError

#: What makes a spreadsheet read a cell as a formula (or hide what follows).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run, written as text (``'=cmd…``); other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def write_rows(handle, rows: Iterable[Iterable[Any]]) -> int:
    """Write rows as CSV to an open text file, every text cell through :func:`safe_cell`; the number written."""
    writer = csv.writer(handle)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


def decode(data: bytes, *, code: str, field: str | None = None) -> str:
    """UTF-8 text (a byte-order mark is dropped), or ``<code>.encoding``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(
            f"{code}.encoding", "the file is not UTF-8 text", "tệp không phải văn bản UTF-8", field=field
        ) from error


def sniff_dialect(sample: str, delimiters: str = ",;\t") -> type[csv.Dialect] | csv.Dialect:
    """The dialect of a sample; plain comma-separated when it has no recognisable delimiter (one column)."""
    if "," in sample[:200]:
        return csv.excel
    try:
        return csv.Sniffer().sniff(sample, delimiters=delimiters)
    except csv.Error:
        return csv.excel


def read_rows(text: str, *, code: str, field: str | None = None, sniff: bool = False) -> list[list[str]]:
    """Every row of a CSV text (rows with only blank cells are skipped)."""
    dialect = sniff_dialect(text[:2048]) if sniff else csv.excel
    return [row for row in iter_rows(io.StringIO(text, newline=""), code=code, field=field, dialect=dialect)
            if any(cell.strip() for cell in row)]


def iter_rows(handle, *, code: str, field: str | None = None, dialect=csv.excel) -> Iterator[list[str]]:
    """The rows of an open CSV file one by one; a malformed line is refused as ``<code>.unreadable``, with its
    number, and a file that is not UTF-8 as ``<code>.encoding``."""
    reader = csv.reader(handle, dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _unreadable(code, field, reader.line_num, str(error)) from error
        except UnicodeDecodeError as error:
            raise DomainError(
                f"{code}.encoding", "the file is not UTF-8 text", "tệp không phải văn bản UTF-8", field=field
            ) from error
        if any("\x00" in cell for cell in row):  # Python's csv reads NUL since 3.11; no record may hold it
            raise _unreadable(code, field, reader.line_num, "NUL")
        yield row


def _unreadable(code: str, field: str | None, line: int, problem: str) -> DomainError:
    if "field larger than field limit" in problem:
        limit = csv.field_size_limit()
        en, vi = f"a field is longer than {limit:,} characters", f"có trường dài hơn {limit:,} ký tự"
    elif "NUL" in problem:
        en, vi = "it holds a NUL byte (this is not a text file)", "có ký tự NUL (đây không phải tệp văn bản)"
    else:
        en, vi = "it is not a well-formed CSV line", "dòng không đúng định dạng CSV"
    return DomainError(
        f"{code}.unreadable", f"line {line} of the file cannot be read: {en}", f"không đọc được dòng {line}: {vi}",
        field=field,
    )
