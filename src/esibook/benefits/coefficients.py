"""The yearly salary adjustment coefficients (mức điều chỉnh tiền lương và thu nhập tháng đã đóng BHXH), as dated
data.

``adjustment_coefficients.json`` holds one table per claim year (the circular, or from 2026 the announcement, of
that year), each with the period it applies to (``from`` … ``until``) and its legal source. A claim is computed
with the table in force on the day it is computed; a day no table covers is refused (``benefits.no_coefficients``),
never computed with another year's table. A table may be known only in part (``complete`` false): a salary of a year it
does not give is refused the same way, naming the year, rather than guessed.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from esibook.errors import DomainError

COMPULSORY, VOLUNTARY = "compulsory", "voluntary"
FIRST_VOLUNTARY_YEAR = 2008
"""Voluntary SI began on 2008-01-01 (Law on Social Insurance 2006): the voluntary tables start there."""


def _missing(applies_from: date, source: str, what_en: str, what_vi: str) -> DomainError:
    return DomainError(
        "benefits.no_coefficients",
        f"the salary adjustment table of {applies_from.year} ({source}) gives no coefficient for {what_en}; "
        "it is not known here and is not guessed",
        f"bảng hệ số điều chỉnh năm {applies_from.year} ({source}) không có hệ số cho {what_vi}; "
        "hệ số này chưa có ở đây và không được ước đoán",
    )


@dataclass(frozen=True)
class AdjustmentTable:
    """One published table: a coefficient per year of contribution, for the claims of its period."""

    applies_from: date
    source: str
    """The circular (or announcement) that publishes the table, as cited on the worksheet."""
    before_1995: Decimal | None
    years: dict[int, Decimal]
    version: str
    until: date | None = None
    """The last day the table applies (the end of its claim year); None for the latest, in force until the next."""
    complete: bool = True
    """False when the table is known only in part: a year it does not list, up to its last listed year, is refused."""
    voluntary_years: dict[int, Decimal] | None = field(default=None)
    """The separate table for voluntary-SI incomes (from 2008); None when it is not known (or, for a table built in
    code without one, the salary table serves)."""
    voluntary_known: bool = True
    voluntary_complete: bool | None = None
    """Like ``complete``, for the voluntary table alone (None: as ``complete``)."""

    def coefficient(self, year: int, kind: str = COMPULSORY) -> Decimal:
        """The coefficient for salaries (or, ``kind`` voluntary, incomes) of ``year``: before 1995 one figure; a year
        after the last one listed (the claim year, or a projected year) is not adjusted (1.00). A year the table does
        not give is refused; in a partial table that includes every unlisted year before the claim year, even one
        after the last listed year (a table known for 2008-2012 only refuses 2013 in a claim of 2024)."""
        if kind == VOLUNTARY:
            return self._voluntary(year)
        if year < 1995:
            if self.before_1995 is None:
                raise _missing(self.applies_from, self.source, "salaries before 1995", "tiền lương trước năm 1995")
            return self.before_1995
        return self._lookup(self.years, year, self.complete, f"salaries of {year}", f"tiền lương năm {year}")

    def _voluntary(self, year: int) -> Decimal:
        what_en, what_vi = f"voluntary-SI incomes of {year}", f"thu nhập đóng BHXH tự nguyện năm {year}"
        if not self.voluntary_known or (self.voluntary_years is not None and year < FIRST_VOLUNTARY_YEAR):
            raise _missing(self.applies_from, self.source, what_en, what_vi)
        if self.voluntary_years is None:
            return self.coefficient(year)
        complete = self.complete if self.voluntary_complete is None else self.voluntary_complete
        return self._lookup(self.voluntary_years, year, complete, what_en, what_vi)

    def _lookup(self, figures: dict[int, Decimal], year: int, complete: bool, what_en: str, what_vi: str) -> Decimal:
        if year in figures:
            return figures[year]
        if complete or (figures and year > max(figures) and year >= self.applies_from.year):
            return Decimal(1)
        raise _missing(self.applies_from, self.source, what_en, what_vi)


@dataclass(frozen=True)
class AdjustmentTables:
    version: str
    label: str
    tables: tuple[AdjustmentTable, ...]

    def on(self, day: date) -> AdjustmentTable:
        """The table in force on ``day`` (the day the benefit is computed); refused when no table covers it."""
        index = bisect_right([t.applies_from for t in self.tables], day) - 1
        table = self.tables[index] if index >= 0 else None
        if table is None or (table.until is not None and day > table.until):
            raise DomainError(
                "benefits.no_coefficients",
                f"no salary adjustment table applies on {day.isoformat()}: the table of claim year {day.year} is "
                "not known here",
                f"không có bảng hệ số điều chỉnh tiền lương nào áp dụng vào ngày {day.isoformat()}: bảng của năm "
                f"{day.year} chưa có ở đây",
            )
        return table

    def claim_years(self) -> list[int]:
        """The claim years a table is shipped for (the latest one counts for its own year)."""
        return [t.applies_from.year for t in self.tables]


def _figures(raw: dict[str, str] | None) -> dict[int, Decimal] | None:
    return None if raw is None else {int(year): Decimal(value) for year, value in raw.items()}


def _table(t: dict, version: str) -> AdjustmentTable:
    before = t.get("before_1995")
    return AdjustmentTable(
        applies_from=date.fromisoformat(t["from"]),
        source=t["circular"],
        before_1995=None if before is None else Decimal(before),
        years=_figures(t["years"]),
        version=version,
        until=date.fromisoformat(t["until"]) if t.get("until") else None,
        complete=t.get("complete", True),
        voluntary_complete=t.get("voluntary_complete"),
        voluntary_years=_figures(t.get("voluntary_years")),
        voluntary_known=t.get("voluntary_years") is not None,
    )


def tables_from(raw: dict) -> AdjustmentTables:
    entries = sorted(raw["tables"], key=lambda t: t["from"])
    return AdjustmentTables(
        version=raw["version"], label=raw["label"], tables=tuple(_table(t, raw["version"]) for t in entries)
    )


@cache
def current_coefficients() -> AdjustmentTables:
    raw = json.loads(resources.files("esibook.benefits").joinpath("adjustment_coefficients.json").read_text("utf-8"))
    return tables_from(raw)
