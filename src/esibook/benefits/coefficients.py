"""The yearly salary adjustment coefficients (mức điều chỉnh tiền lương đã đóng BHXH), as dated data.

``adjustment_coefficients.json`` holds every published table with the date it applies from; the table in force on
the day a benefit is computed adjusts each year's salaries before they are averaged.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from esibook.errors import DomainError


@dataclass(frozen=True)
class AdjustmentTable:
    """One published table: a coefficient per year of contribution."""

    applies_from: date
    source: str
    before_1995: Decimal
    years: dict[int, Decimal]
    version: str

    def coefficient(self, year: int) -> Decimal:
        """The coefficient for salaries of ``year``: before 1995 one figure; a year not listed (the current year,
        or later) is not adjusted (1.00)."""
        if year < 1995:
            return self.before_1995
        return self.years.get(year, Decimal(1))


@dataclass(frozen=True)
class AdjustmentTables:
    version: str
    label: str
    tables: tuple[AdjustmentTable, ...]

    def on(self, day: date) -> AdjustmentTable:
        """The table in force on ``day`` (the day the benefit is computed)."""
        index = bisect_right([t.applies_from for t in self.tables], day) - 1
        if index < 0:
            raise DomainError(
                "benefits.no_coefficients",
                f"no salary adjustment table applies on {day.isoformat()}",
                f"không có bảng hệ số điều chỉnh tiền lương nào áp dụng vào ngày {day.isoformat()}",
            )
        return self.tables[index]


def tables_from(raw: dict) -> AdjustmentTables:
    entries = sorted(raw["tables"], key=lambda t: t["from"])
    return AdjustmentTables(
        version=raw["version"],
        label=raw["label"],
        tables=tuple(
            AdjustmentTable(
                applies_from=date.fromisoformat(t["from"]),
                source=t["source"],
                before_1995=Decimal(t["before_1995"]),
                years={int(year): Decimal(value) for year, value in t["years"].items()},
                version=raw["version"],
            )
            for t in entries
        ),
    )


@cache
def current_coefficients() -> AdjustmentTables:
    raw = json.loads(resources.files("esibook.benefits").joinpath("adjustment_coefficients.json").read_text("utf-8"))
    return tables_from(raw)
