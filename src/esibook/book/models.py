"""Book versions, the transparency log (leaves, head, checkpoints) and suspensions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, created_at_column
from esibook.db import Base, BigIntKey


class BookVersion(Base):
    """One signed version of a person's book. A change makes a new version naming its predecessor; nothing is
    overwritten."""

    __tablename__ = "book_versions"
    __table_args__ = (authority_check(), Index("ix_book_versions_leaf_index", "leaf_index", unique=True))

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    book_id: Mapped[str] = mapped_column(String(40))
    authority: Mapped[str] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the canonical content without version metadata: equal hashes mean nothing changed."""
    document: Mapped[str] = mapped_column(Text)
    """The signed book: a compact JWS over canonical JSON."""
    kid: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(60))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leaf_index: Mapped[int] = mapped_column(BigInteger)


class LogLeaf(Base):
    """A leaf of the RFC 6962 Merkle tree: SHA-256(0x00 ‖ the version's JWS)."""

    __tablename__ = "log_leaves"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    appended_at: Mapped[datetime] = created_at_column()


class LogHead(Base):
    """The tree's size and right-edge frontier (the roots of its perfect subtrees): O(log n) appends."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[str] = mapped_column(Text)


class LogCheckpoint(Base):
    """A signed statement of the tree: size, root hash, time."""

    __tablename__ = "log_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class Suspension(Base):
    """An officer's temporary revocation of a book or an HI card (fraud, forgery), and its restoration."""

    __tablename__ = "suspensions"
    __table_args__ = (
        CheckConstraint("subject IN ('book', 'card')", name="subject"),
        Index("ix_suspensions_person_id", "person_id", "subject"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    subject: Mapped[str] = mapped_column(String(4))
    person_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    suspended_at: Mapped[datetime] = created_at_column()
    suspended_by: Mapped[str] = mapped_column(String(120))
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    restored_by: Mapped[str | None] = mapped_column(String(120))
