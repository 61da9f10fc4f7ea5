"""Working days (ngày làm việc): Monday to Friday, except public holidays kept as dated data."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources

from esibook.dates import vietnam_day


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


def due_date(filed_at: datetime, service_days: int) -> date:
    """A receipt's due date: ``service_days`` working days after the day the dossier was filed in Vietnam."""
    return add_working_days(vietnam_day(filed_at), service_days)
