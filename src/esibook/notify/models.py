"""The notification outbox and the demo mailbox (delivered messages, the in-app inbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, created_at_column
from esibook.db import Base, BigIntKey


class OutboxMessage(Base):
    """A message to send after the transaction that decided it commits: email or in-app, sent once."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'inapp')", name="channel"),
        Index("ix_outbox_pending", "sent_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    channel: Mapped[str] = mapped_column(String(6))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))


class DeliveredMessage(Base):
    """The demo's local mail sink and the in-app inbox: what was delivered, keyed by the outbox message."""

    __tablename__ = "delivered_messages"
    __table_args__ = (Index("ix_delivered_messages_recipient", "recipient", "read_at"),)

    outbox_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(6))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the person opened their messages (in-app only); None while unread."""
