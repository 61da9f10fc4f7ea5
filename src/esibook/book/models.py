"""Book versions, the transparency log (pool, tiles, head, checkpoints, witness cosignatures) and suspensions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, created_at_column
from esibook.db import Base, BigIntKey


class BookVersion(Base):
    """One signed version of a person's book. A change makes a new version naming its predecessor; nothing is
    overwritten."""

    __tablename__ = "book_versions"
    __table_args__ = (
        authority_check(),
        Index("ix_book_versions_leaf_index", "leaf_index", unique=True),
        Index("ix_book_versions_book_id", "book_id", "version"),
    )

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
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)
    """Its index in the transparency log; None while its entry waits in the pool for the next batch."""


class LogPoolEntry(Base):
    """An entry waiting for the sequencer (one batch becomes leaves, tiles and one checkpoint). Issuing a version
    only inserts here, in the issuing transaction: nothing is locked, and nothing committed is lost in a crash
    before integration. Bulk issuance may insert many rows at once (batched INSERT or COPY)."""

    __tablename__ = "log_pool"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    """The log entry: a type tag and the SHA-256 of the signed document (no personal data)."""
    person_id: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int | None] = mapped_column(Integer)
    """The book version whose ``leaf_index`` integration sets (None for an entry that is no book version)."""
    pooled_at: Mapped[datetime] = created_at_column()


class LogTile(Base):
    """A C2SP tlog-tiles tile, written once: hashes at level ``level`` ≥ 0, entry bundles at level -1. Width 256 is
    a full tile; a partial one (1–255) is kept for the checkpoints that need it until its full tile exists."""

    __tablename__ = "log_tiles"
    __table_args__ = (CheckConstraint("level >= -1 AND level < 64 AND width BETWEEN 1 AND 256", name="tile"),)

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    width: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LogTileNodes(Base):
    """The inner nodes at heights 4–7 of full level-0 tile ``n`` (``book.tiles.tile_root_and_inner_nodes``),
    written with the tile: a book read's proof takes them instead of hashing them again. Not part of the C2SP
    log and never served: a wrong one only yields a proof that fails against the signed checkpoint."""

    __tablename__ = "log_tile_nodes"

    n: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LogHead(Base):
    """The tree's size and right-edge frontier (the roots of its perfect subtrees); locked by the sequencer only."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[str] = mapped_column(Text)


class LogCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint note, Ed25519, with the log's timestamped cosignature), one per
    batch."""

    __tablename__ = "log_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class LogCosignature(Base):
    """A witness's cosignature (C2SP tlog-cosignature, one note signature line) on a checkpoint, collected by
    :mod:`esibook.book.witnessing`; served appended to the checkpoint."""

    __tablename__ = "log_cosignatures"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(300), primary_key=True)
    """The witness's cosigner verifier key (``<name>+<key id>+<base64 key>``)."""
    line: Mapped[str] = mapped_column(Text)
    cosigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """The timestamp the witness signed."""


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
