"""A person's contribution record as the benefit rules read it, and the two averages they share.

- the **career average** (pension, one-time withdrawal): each year's salaries adjusted by that year's coefficient,
  then averaged over every month;
- the **recent average** (maternity, unemployment): the plain average of the last six months contributed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import groupby

from esibook.benefits.coefficients import AdjustmentTable
from esibook.benefits.worksheet import MONTHS, VND, Sheet, num, round_vnd
from esibook.periods import Month

COMPULSORY, VOLUNTARY = "compulsory", "voluntary"


@dataclass(frozen=True)
class ContributedMonth:
    """One month of contribution time: the SI salary (or voluntary income), the UI salary, and what kind."""

    month: Month
    salary: int
    """The SI salary basis of the month (all employers together), VND."""
    ui_salary: int = 0
    """The unemployment-insurance salary basis, 0 when no UI was paid that month."""
    kind: str = COMPULSORY
    """``compulsory`` or ``voluntary``."""
    region: int | None = None
    """Minimum-wage region (1–4) of the employer, when known."""
    projected: bool = False
    """Not in the book yet: assumed for an estimate (the person keeps contributing at their latest salary)."""


def runs(values: Iterable[int]) -> str:
    """Consecutive equal salaries written compactly: ``8000000 × 7 + 8500000 × 5``."""
    parts = []
    for value, group in groupby(values):
        count = len(list(group))
        parts.append(num(value) if count == 1 else f"{num(value)} × {count}")
    return " + ".join(parts) or "0"


@dataclass(frozen=True)
class CareerAverage:
    average: int
    total: int
    months: int
    groups: tuple[tuple[int, str, int, int], ...]
    """``(year, kind, months, adjusted salaries)`` per year and kind; the months assumed ahead are year 0."""

    def adjusted_of(self, kind: str) -> list[int]:
        return [value for _, k, _, value in self.groups if k == kind]


def career_average(sheet: Sheet, months: Sequence[ContributedMonth], table: AdjustmentTable) -> CareerAverage:
    """The average monthly salary over the whole career, each year's salaries adjusted by the year's coefficient.

    Writes one step per year (and kind) ``(salaries of the year) × coefficient``, one for the months assumed ahead,
    the total, the number of months and the average (rounded by the one rule).
    """
    sheet.rule(
        "Mức bình quân tiền lương tháng đóng BHXH của toàn bộ thời gian đóng; tiền lương của từng năm được điều "
        "chỉnh theo hệ số của năm đó (bảng do Chính phủ công bố).",
        "The average monthly salary over the whole time contributed; each year's salaries are adjusted by that "
        "year's coefficient (a table the Government publishes).",
        f"Luật BHXH 2024 (41/2024/QH15), Điều 72; {table.source}",
    )
    sheet.parameters["adjustment_coefficients"] = table.version
    ordered = sorted(months, key=lambda m: m.month)
    past = [m for m in ordered if not m.projected]
    ahead = [m for m in ordered if m.projected]
    groups: list[tuple[int, str, int, int]] = []
    past.sort(key=lambda m: (m.month.year, m.kind, m.month))
    for (year, kind), group in groupby(past, key=lambda m: (m.month.year, m.kind)):
        group = list(group)
        coefficient = table.coefficient(year, kind)
        value = round_vnd(sum(Fraction(m.salary) for m in group) * Fraction(coefficient))
        voluntary = kind == VOLUNTARY
        shown = num(coefficient)
        sheet.step(
            f"adjusted_{year}{'_voluntary' if voluntary else ''}",
            f"Năm {year}{' (tự nguyện)' if voluntary else ''}: {len(group)} tháng, hệ số {shown.replace('.', ',')}",
            f"{year}{' (voluntary)' if voluntary else ''}: {len(group)} months, coefficient {shown}",
            f"({runs(m.salary for m in group)}) × {shown}",
            value,
            VND,
        )
        groups.append((year, kind, len(group), value))
    if ahead:
        value = sum(m.salary for m in ahead)
        sheet.step(
            "assumed_ahead",
            f"Giả định đóng tiếp từ {ahead[0].month} đến {ahead[-1].month}: {len(ahead)} tháng, hệ số 1",
            f"Assumed from {ahead[0].month} to {ahead[-1].month}: {len(ahead)} months, coefficient 1",
            f"({runs(m.salary for m in ahead)}) × 1",
            value,
            VND,
        )
        groups.append((0, ahead[-1].kind, len(ahead), value))
    adjusted = [g[3] for g in groups]
    counts = [g[2] for g in groups]
    total = sheet.step(
        "adjusted_total",
        "Tổng tiền lương đã điều chỉnh",
        "Total of the adjusted salaries",
        " + ".join(num(v) for v in adjusted) or "0",
        sum(adjusted),
        VND,
    )
    count = sheet.step(
        "months_total",
        "Tổng số tháng đóng",
        "Months contributed",
        " + ".join(map(str, counts)) or "0",
        sum(counts),
        MONTHS,
    )
    average = 0
    if count:
        average = sheet.step(
            "average_salary",
            "Bình quân tiền lương tháng",
            "Average monthly salary",
            f"{num(total)} ÷ {count}",
            round_vnd(Fraction(total, count)),
            VND,
        )
    return CareerAverage(average, total, count, tuple(groups))


def recent_average(
    sheet: Sheet, months: Sequence[ContributedMonth], *, key: str, vi: str, en: str, ui: bool = False
) -> int:
    """The plain average of the months given (the last six contributed), UI salaries when ``ui``."""
    values = [m.ui_salary if ui else m.salary for m in sorted(months, key=lambda m: m.month)]
    if not values:
        return 0
    return sheet.step(
        key, vi, en, f"({runs(values)}) ÷ {len(values)}", round_vnd(Fraction(sum(values), len(values))), VND
    )
