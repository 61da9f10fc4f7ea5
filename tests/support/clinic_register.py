"""The sample of the national register of HI clinics (demo codes, no personal data), as CSV and as XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

SAMPLE = Path(__file__).with_name("clinic_register_sample.csv")


def sample_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SAMPLE.read_text("utf-8"))))


def csv_bytes(rows: list[list[str]], *, bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A workbook as VSS publishes it; codes written as numbers, as a spreadsheet keeps them (01801 -> 1801)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() and len(cell) == 5 else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def without(rows: list[list[str]], code: str) -> list[list[str]]:
    return [row for row in rows if code not in row]


def replaced(rows: list[list[str]], code: str, column: int, value: str) -> list[list[str]]:
    return [[value if n == column and code in row else cell for n, cell in enumerate(row)] for row in rows]
