"""The portal pushes waiting or done (an outbox of pushes) and what the local stand-ins of the national systems
received."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, created_at_column
from esibook.db import Base, BigIntKey

DESTINATIONS = ("ndpp", "mof", "vneid")
DOCUMENT_TYPES = ("book_version", "hi_card", "dossier_result")


class PortalPush(Base):
    """One push to one national system: a batch of documents (the book versions of one log batch, or the card or
    the dossier result of one approval), written in the transaction that made them and pushed after commit by a
    job, retried until the system has them. ``done_at`` is set in the same transaction as the access-log entries of
    the push, so a push done twice is logged once."""

    __tablename__ = "portal_pushes"
    __table_args__ = (
        CheckConstraint(f"destination IN {DESTINATIONS!r}", name="destination"),
        CheckConstraint(f"document_type IN {DOCUMENT_TYPES!r}", name="document_type"),
        Index("ix_portal_pushes_pending", "done_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    destination: Mapped[str] = mapped_column(String(5))
    document_type: Mapped[str] = mapped_column(String(14))
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    """What the batch is (e.g. ``ndpp:book:leaves:0-299``, ``vneid:card:12:3``): the same batch twice is one push."""
    messages: Mapped[str] = mapped_column(Text)
    """A JSON list of ``{"person_id": ..., "message": {...}}``: each message as the system receives it, with the
    person it is about (for the access log; None for an organisation), never sent."""
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))


class PortalHolding(Base):
    """What a local stand-in of a national system holds (the development and test double of its repository): one
    row per document id and version, whatever the number of times it was pushed."""

    __tablename__ = "portal_holdings"
    __table_args__ = (
        CheckConstraint(f"destination IN {DESTINATIONS!r}", name="destination"),
        Index("ix_portal_holdings_holder", "destination", "holder"),
    )

    destination: Mapped[str] = mapped_column(String(5), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document_type: Mapped[str] = mapped_column(String(14))
    holder: Mapped[str] = mapped_column(String(40))
    """Whose repository: ``person:<personal ID>`` or ``organisation:<tax code>``."""
    message: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = created_at_column()
