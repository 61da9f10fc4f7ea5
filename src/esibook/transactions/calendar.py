"""Working days (ngày làm việc): Monday to Friday, except public holidays kept as dated data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from importlib import resources


@cache
def holidays() -> frozenset[date]:
    raw = json.loads(resources.files("esibook.transactions").joinpath("holidays.json").read_text("utf-8"))
    return frozenset(date.fromisoformat(day) for day in raw["holidays"])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (a filing on a holiday counts from the next working day)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
