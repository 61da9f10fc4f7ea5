"""Bounded integers for what callers send: each fits the column it is looked up in.

A path, query, form or body field typed :data:`RowId` refuses ``0``, negatives and anything past ``2**63 - 1``
with the usual 422 (``request.invalid``) before a route runs; :data:`SeqNo` and :data:`SmallNumber` stop at
``2**31 - 1`` for 32-bit columns. Unbounded, such a number reaches the database and fails there (SQLite cannot
bind it, PostgreSQL answers "integer out of range").
"""

from __future__ import annotations

import re
from typing import Annotated

from annotated_types import Ge, Le

#: The largest value of a signed 64-bit integer (SQL ``BIGINT``), the widest id column.
MAX_ROW_ID = 2**63 - 1

#: The id of a row (person, employer, dossier, document, share link, book version, attachment number).
RowId = Annotated[int, Ge(1), Le(MAX_ROW_ID)]

#: A position from 0 (a leaf of the transparency log).
RowIndex = Annotated[int, Ge(0), Le(MAX_ROW_ID)]

#: The largest value of a signed 32-bit integer (SQL ``INTEGER``).
MAX_INT32 = 2**31 - 1

#: A number within an owner, kept in a 32-bit column: a book's version, a dossier's attachment.
SeqNo = Annotated[int, Ge(1), Le(MAX_INT32)]

#: The largest value of a signed 16-bit integer (SQL ``SMALLINT``).
MAX_INT16 = 2**15 - 1

#: A number within a person kept in a 16-bit column: a benefit settlement's (and its payout's) seq.
SettlementSeq = Annotated[int, Ge(1), Le(MAX_INT16)]

#: A small number kept in a 32-bit column (a share link's parameter: months, a data group).
SmallNumber = Annotated[int, Ge(0), Le(MAX_INT32)]


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


#: A dossier's code as the engine makes it (``HS`` + the Vietnam day + the id), e.g. ``HS20261206-000042``.
DOSSIER_CODE = re.compile(r"HS\d{8}-\d{6,19}")


def dossier_code_shown(text: str | None) -> str | None:
    """A dossier code from a redirect's URL to show in a page's banner, or None for anything else: a link cannot
    put words of its own on an official page."""
    return text if text and DOSSIER_CODE.fullmatch(text) else None
