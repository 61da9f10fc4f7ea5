"""The audit log table and its head (the last record's number and hash, locked by each writer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, created_at_column
from esibook.db import Base


class AuditRecord(Base):
    """One audited event. ``hash`` = SHA-256 over the previous hash and this record's canonical content."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    """Who acted: a subject reference (``citizen:0791******23``, ``officer:civil:…``, ``system:client-id``)."""
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(120))
    authority: Mapped[str | None] = mapped_column(String(8))
    details: Mapped[str] = mapped_column(Text)
    """Canonical JSON (sorted keys, no spaces) of what changed; never personal data in clear."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row: the newest record. Writers lock it, so the chain never forks under concurrency."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed checkpoint of the chain (a C2SP signed note: origin, seq, base64 head hash), also appended to the
    anchor file outside the database."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
