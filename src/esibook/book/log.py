"""The transparency log of book versions (Certificate-Transparency style): append, signed checkpoints, proofs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.book import merkle
from esibook.book.models import LogCheckpoint, LogHead, LogLeaf
from esibook.config import Settings
from esibook.errors import DomainError
from esibook.trust import jws
from esibook.trust.pki import signer_for

CHECKPOINT_TYPE = "esibook-checkpoint+jws"


def append(session: Session, *, data: bytes, person_id: int, version: int) -> int:
    """Append one leaf in the caller's transaction (the head row is locked); returns its index."""
    head = session.execute(select(LogHead).where(LogHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = LogHead(id=1, size=0, frontier="[]")
        session.add(head)
        session.flush()
    leaf = merkle.leaf_hash(data)
    frontier = merkle.frontier_append(_frontier(head), leaf)
    index = head.size
    session.add(LogLeaf(leaf_index=index, leaf_hash=leaf.hex(), person_id=person_id, version=version))
    head.size, head.frontier = index + 1, json.dumps([[size, h.hex()] for size, h in frontier])
    return index


def _frontier(head: LogHead) -> list[tuple[int, bytes]]:
    return [(size, bytes.fromhex(h)) for size, h in json.loads(head.frontier)]


def checkpoint(session: Session, settings: Settings) -> LogCheckpoint:
    """The signed checkpoint of the current tree, made if the tree grew since the last one."""
    head = session.get(LogHead, 1)
    size = head.size if head else 0
    existing = session.get(LogCheckpoint, size)
    if existing:
        return existing
    root = merkle.frontier_root(_frontier(head) if head else [])
    payload = {
        "type": "esibook/checkpoint",
        "log": settings.base_url.rstrip("/"),
        "tree_size": size,
        "root_hash": root.hex(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    row = LogCheckpoint(
        tree_size=size,
        root_hash=root.hex(),
        document=jws.sign(signer_for(session, settings, "log"), payload, CHECKPOINT_TYPE),
    )
    session.add(row)
    session.flush()
    return row


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    return session.scalar(select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1))


def _tree(session: Session, size: int) -> merkle.Tree:
    hashes = session.scalars(select(LogLeaf.leaf_hash).where(LogLeaf.leaf_index < size).order_by(LogLeaf.leaf_index))
    return merkle.Tree([bytes.fromhex(h) for h in hashes])


def _check_size(session: Session, size: int) -> None:
    head = session.get(LogHead, 1)
    if size < 0 or size > (head.size if head else 0):
        raise DomainError(
            "log.size",
            f"the log has {head.size if head else 0} entries; {size} is out of range",
            "kích thước cây vượt quá số mục của nhật ký",
        )


def inclusion_proof(session: Session, leaf_index: int, tree_size: int) -> list[str]:
    _check_size(session, tree_size)
    if not 0 <= leaf_index < tree_size:
        raise DomainError(
            "log.leaf_index", "the leaf index must be below the tree size", "chỉ số lá phải nhỏ hơn kích thước cây"
        )
    return [h.hex() for h in _tree(session, tree_size).inclusion(leaf_index, tree_size)]


def consistency_proof(session: Session, first: int, second: int) -> list[str]:
    _check_size(session, second)
    if not 0 < first <= second:
        raise DomainError("log.consistency", "need 0 < first ≤ second", "cần 0 < first ≤ second")
    return [h.hex() for h in _tree(session, second).consistency(first, second)]
