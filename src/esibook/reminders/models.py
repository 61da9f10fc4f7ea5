"""The reminders sent (one row per person, kind and subject: the wall that sends each once) and each person's
choice of kinds and channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, created_at_column
from esibook.db import Base


class SentReminder(Base):
    """One reminder sent to one person (nhắc việc đã gửi). Keyed by the person first (a big table, sharded by person
    later): the primary key itself is what makes a reminder go out once, however often the job runs."""

    __tablename__ = "reminders"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    """What the reminder is about, e.g. the card code and its end date, or the employer and the newest owed month."""
    details: Mapped[str] = mapped_column(Text)
    """The facts shown on the history page (canonical JSON: dates, months, amounts, names of employers)."""
    channels: Mapped[str] = mapped_column(String(20))
    """The channels it went out on, comma-separated: ``inapp``, ``email``."""
    sent_at: Mapped[datetime] = created_at_column()


class ReminderPreference(Base):
    """A person's choice (cài đặt nhắc việc); no row means the defaults: every kind, in the app and by email (email
    only reaches a person with an email address on file)."""

    __tablename__ = "reminder_preferences"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kinds: Mapped[str] = mapped_column(String(200))
    """The kinds wanted, comma-separated (empty: none)."""
    inapp: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
