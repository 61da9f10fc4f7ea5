"""Bounded integers for what callers send: row ids and log indexes fit a signed 64-bit column.

A path, query, form or body field typed :data:`RowId` refuses ``0``, negatives and anything past
``2**63 - 1`` with the usual 422 (``request.invalid``) before a route runs; unbounded, such a number reaches the
database and fails there (SQLite cannot bind it, PostgreSQL answers "bigint out of range").
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

#: The largest value of a signed 64-bit integer (SQL ``BIGINT``), the widest id column.
MAX_ROW_ID = 2**63 - 1

#: The id of a row (person, employer, dossier, document, share link, book version, attachment number).
RowId = Annotated[int, Ge(1), Le(MAX_ROW_ID)]

#: A position from 0 (a leaf of the transparency log).
RowIndex = Annotated[int, Ge(0), Le(MAX_ROW_ID)]


def is_ascii_number(text: str) -> bool:
    """Only the digits 0–9. ``str.isdigit`` is not enough: ``"²".isdigit()`` is true and ``int("²")`` fails, and
    ``"٣".isdigit()`` (an Arabic-Indic three) is true and ``int("٣")`` is 3."""
    return text.isascii() and text.isdecimal()


def ascii_int(text: str) -> int | None:
    """The whole number ``text`` writes in the digits 0–9 (up to :data:`MAX_ROW_ID`), else None. Length is checked
    before ``int()``, which refuses strings of more than 4,300 digits with a ``ValueError``."""
    text = text.strip()
    if not is_ascii_number(text) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None
