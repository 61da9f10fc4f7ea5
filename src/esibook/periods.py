"""Months (tháng): the period of every contribution, salary and benefit.

A :class:`Month` is written ``2026-01`` (ISO), read also as ``01/2026`` (the Vietnamese way, "tháng 01/2026")
and ``202601`` (the compact form of reports and database keys). Adding an ``int`` moves by months; subtracting
two months gives the number of months between them.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from esibook.dates import vietnam_today
from esibook.errors import InvalidIdentifier

_ISO = re.compile(r"(\d{4})-(\d{2})", re.ASCII)  # ASCII: only 0-9 are digits of a month
_VIETNAMESE = re.compile(r"(\d{2})/(\d{4})", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})", re.ASCII)

MIN_YEAR, MAX_YEAR = 1, 9999
#: How far ahead a month sent as input may be: a year, as far as voluntary SI may be paid in advance at once.
MONTHS_AHEAD = 12


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. ``Month(2026, 1)`` for tháng 01/2026."""

    year: int
    month: int

    def __post_init__(self) -> None:
        _check_range(self.year, self.month, f"{self.year}-{self.month}", "month")

    # --- reading and writing --------------------------------------------------------------------------------

    @classmethod
    def parse(cls, value: str, *, field: str = "month") -> Month:
        """Read ``"2026-01"``, ``"01/2026"`` or ``"202601"``; anything else is rejected."""
        text = str(value).strip()
        if match := _ISO.fullmatch(text) or _COMPACT.fullmatch(text):
            year, month = int(match[1]), int(match[2])
        elif match := _VIETNAMESE.fullmatch(text):
            year, month = int(match[2]), int(match[1])
        else:
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise InvalidIdentifier(
                "month.format",
                f"the month '{shown}' is not written as YYYY-MM, MM/YYYY or YYYYMM (e.g. 2026-01)",
                f"tháng '{shown}' không đúng dạng YYYY-MM, MM/YYYY hoặc YYYYMM (ví dụ 2026-01)",
                field=field,
            )
        _check_range(year, month, text, field)
        return cls(year, month)

    @classmethod
    def parse_input(
        cls, value: str, *, field: str = "month", today: date | None = None, earliest: Month | None = None
    ) -> Month:
        """:meth:`parse` for a month someone sends (a form, a file, a command): it must also lie between
        :data:`FIRST_SI_MONTH` (or ``earliest``) and :data:`MONTHS_AHEAD` months after the current one."""
        month = cls.parse(value, field=field)
        check_input_range(month, field=field, today=today, earliest=earliest)
        return month

    @classmethod
    def from_int(cls, value: int) -> Month:
        """``202601`` -> ``Month(2026, 1)``."""
        year, month = divmod(int(value), 100)
        _check_range(year, month, str(value), "month")
        return cls(year, month)

    @classmethod
    def from_date(cls, day: date) -> Month:
        """The month a day falls in."""
        return cls(day.year, day.month)

    def as_int(self) -> int:
        """``Month(2026, 1)`` -> ``202601``."""
        return self.year * 100 + self.month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    # --- days -----------------------------------------------------------------------------------------------

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    # --- arithmetic -----------------------------------------------------------------------------------------

    def _index(self) -> int:
        return self.year * 12 + (self.month - 1)

    @classmethod
    def _from_index(cls, index: int) -> Month:
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    def __add__(self, months: int) -> Month:
        if not isinstance(months, int):
            return NotImplemented
        return Month._from_index(self._index() + months)

    __radd__ = __add__

    def __sub__(self, other: int | Month) -> Month | int:
        if isinstance(other, Month):
            return self._index() - other._index()
        if isinstance(other, int):
            return Month._from_index(self._index() - other)
        return NotImplemented

    @staticmethod
    def range(start: Month, end: Month) -> Iterator[Month]:
        """Every month from ``start`` to ``end``, both included (nothing when ``end`` is before ``start``)."""
        for index in range(start._index(), end._index() + 1):  # the builtin: class scope does not enclose
            yield Month._from_index(index)


def _check_range(year: int, month: int, text: str, field: str) -> None:
    if not 1 <= month <= 12:
        raise InvalidIdentifier(
            "month.range",
            f"the month '{text}' has month number {month}; it must be 01–12",
            f"tháng '{text}' có số tháng {month}; số tháng phải từ 01 đến 12",
            field=field,
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidIdentifier(
            "month.range",
            f"the month '{text}' has year {year}; it must be {MIN_YEAR}–{MAX_YEAR}",
            f"tháng '{text}' có năm {year}; năm phải từ {MIN_YEAR} đến {MAX_YEAR}",
            field=field,
        )


#: The first month of Vietnam's compulsory social insurance as esibook runs it (the 1995 Labour Code and Decree
#: 12/CP, in force from 1995-01-01); nothing filed online, posted or declared is for a month before it.
FIRST_SI_MONTH = Month(1995, 1)
#: Periods read from a paper book may go back further: service in the State sector before 1995 counts (the benefit
#: rules adjust such salaries by the ``before_1995`` coefficient); the State's SI regime began in 1962 (Decree
#: 218/CP of 1961).
FIRST_LEGACY_MONTH = Month(1962, 1)


def check_input_range(
    month: Month, *, field: str = "month", today: date | None = None, earliest: Month | None = None
) -> None:
    """Refuse (``month.out_of_range``) a month before ``earliest`` (default :data:`FIRST_SI_MONTH`) or more than
    :data:`MONTHS_AHEAD` months after the current one."""
    first = earliest or FIRST_SI_MONTH
    last = Month.from_date(today or vietnam_today()) + MONTHS_AHEAD
    if not first <= month <= last:
        raise InvalidIdentifier(
            "month.out_of_range",
            f"the month {month} is outside {first} – {last} (from the start of social insurance to "
            f"{MONTHS_AHEAD} months ahead)",
            f"tháng {month} nằm ngoài khoảng {first} – {last} (từ khi bắt đầu bảo hiểm xã hội đến "
            f"{MONTHS_AHEAD} tháng tới)",
            field=field,
        )
