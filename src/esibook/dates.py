"""Vietnam's time (giờ Việt Nam): stored in UTC, computed and shown in ``Asia/Ho_Chi_Minh``.

A day in the domain (a filing's working-day due date, "today" for a card's validity, the month of a contribution)
is Vietnam's day, whatever the server's clock zone: a dossier filed at 00:47 on 02/12 in Hà Nội was filed on 02/12,
though it is still 01/12 in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_now() -> datetime:
    return datetime.now(VIETNAM)


def vietnam_today() -> date:
    return vietnam_now().date()


def in_vietnam(moment: datetime) -> datetime:
    """The moment on Vietnam's clock; a naive value is taken as UTC (how the database returns stored times)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VIETNAM)


def vietnam_day(moment: datetime) -> date:
    """The day in Vietnam at ``moment``."""
    return in_vietnam(moment).date()
