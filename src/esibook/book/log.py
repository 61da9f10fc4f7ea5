"""The transparency log of book versions: a C2SP tiled log (tlog-tiles) with signed-note checkpoints.

Issuing a version *pools* its entry (:func:`pool`, a plain insert in the issuing transaction, no lock). The
*sequencer* (:func:`integrate`) takes a batch of pooled entries under the log head's lock, appends them as
leaves, writes the new tiles once (full tiles, and the partial tiles of the new size) and signs one checkpoint
per batch. A crash before integration loses nothing: the entries stay in the pool until the transaction that
integrates them commits. Proofs read O(log n) tiles (``book/tiles.py``), never the leaves.

An entry carries no personal data: a type tag and the SHA-256 of the signed book (:func:`book_entry`), so the
public log can be copied anywhere. Checkpoints are signed with the log's Ed25519 key, whose verifier key
(``<origin>+<key id>+<base64>``) is published at ``/log/key`` and in the root-signed trust list; the log also
adds its timestamped cosignature (``cosignature/v1``), which dates the checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from esibook.book import merkle, pushes, tiles
from esibook.book.models import (
    BookVersion,
    LogCheckpoint,
    LogCosignature,
    LogHead,
    LogPoolEntry,
    LogTile,
    LogTileNodes,
)
from esibook.config import Settings
from esibook.db import is_postgres, locked_head, transaction
from esibook.errors import DomainError
from esibook.trust.checkpoint import sign_checkpoint
from esibook.trust.note import NoteSigner, NoteVerifier
from esibook.trust.note_keys import stored_note_signer

BOOK_ENTRY_TAG = b"esibook/book-version/v1\n"
KEY_FILE, VKEY_FILE = "log-checkpoint.key.pem", "log-checkpoint.vkey"


def book_entry(document: str) -> bytes:
    """The log entry of a signed book: its type tag and the SHA-256 of the compact JWS (no personal data)."""
    return BOOK_ENTRY_TAG + hashlib.sha256(document.encode()).digest()


def pool(session: Session, *, document: str, person_id: int | None, version: int | None) -> None:
    """Pool a version's entry in the caller's transaction; the sequencer gives it its leaf index."""
    session.add(LogPoolEntry(entry=book_entry(document), person_id=person_id, version=version))


# --- the log key --------------------------------------------------------------------------------------------


def log_signer(settings: Settings) -> NoteSigner:
    """The Ed25519 checkpoint key (:mod:`esibook.trust.note_keys`), named after the log origin when it is made."""
    return stored_note_signer(settings, KEY_FILE, VKEY_FILE, settings.resolved_log_origin())


def log_verifier(settings: Settings) -> NoteVerifier:
    return log_signer(settings).verifier


# --- checkpoints --------------------------------------------------------------------------------------------


def checkpoint_note(session: Session, row: LogCheckpoint) -> str:
    """The checkpoint as served: the log's signed note with every witness cosignature collected for it appended."""
    lines = session.scalars(select(LogCosignature.line).where(LogCosignature.tree_size == row.tree_size)
                            .order_by(LogCosignature.witness)).all()
    return row.document + "".join(lines)


def checkpoint_for(session: Session, settings: Settings, leaf_index: int) -> LogCheckpoint | None:
    """The checkpoint a proof for ``leaf_index`` leads to: when the log has witnesses, the latest one they cosigned
    that covers the leaf; else (or while none does: a new checkpoint waits a moment for its cosignatures) the
    latest."""
    witnessed = session.scalar(select(func.max(LogCosignature.tree_size)).where(
        LogCosignature.tree_size > leaf_index)) if settings.log_witnesses.strip() else None
    found = session.get(LogCheckpoint, witnessed) if witnessed is not None else None
    return found or latest_checkpoint(session)


@dataclass(frozen=True)
class ServedCheckpoint:
    tree_size: int
    note: str
    """As :func:`checkpoint_note` serves it."""


#: Per process and database: when the checkpoints a book read leads to were read, the latest witnessed one (None
#: without witnesses) and the latest. Kept for at most :data:`SERVED_SECONDS`, as long as ``/log/checkpoint`` may
#: be cached (``max-age=1``).
_SERVED: WeakKeyDictionary[Engine, tuple[float, ServedCheckpoint | None, ServedCheckpoint | None]] = (
    WeakKeyDictionary())
SERVED_SECONDS = 1.0


def served_checkpoint(session: Session, settings: Settings, leaf_index: int) -> ServedCheckpoint | None:
    """:func:`checkpoint_for` as served (its note with the cosignatures), kept per process for at most a second;
    read afresh when the kept one does not cover ``leaf_index`` (a version just integrated gets a checkpoint that
    covers its leaf). None while the log has no checkpoint covering it."""
    engine = _engine(session)
    found = kept_checkpoint(engine, leaf_index)
    if found is None:
        kept = _SERVED[engine] = (time.monotonic(), *_read_served(session, settings))
        found = _covering(kept, leaf_index)
    return found


def kept_checkpoint(engine: Engine, leaf_index: int) -> ServedCheckpoint | None:
    """The checkpoint :func:`served_checkpoint` keeps for ``leaf_index``, without the database: None when none is
    kept, it is older than :data:`SERVED_SECONDS`, or it does not cover the leaf."""
    kept = _SERVED.get(engine)
    if kept is None or time.monotonic() - kept[0] >= SERVED_SECONDS:
        return None
    return _covering(kept, leaf_index)


def _covering(kept: tuple, leaf_index: int) -> ServedCheckpoint | None:
    _, witnessed, latest = kept
    for found in (witnessed, latest):
        if found is not None and found.tree_size > leaf_index:
            return found
    return None


def _read_served(session: Session, settings: Settings) -> tuple[ServedCheckpoint | None, ServedCheckpoint | None]:
    latest = latest_checkpoint(session)
    witnessed_size = session.scalar(select(func.max(LogCosignature.tree_size))) if settings.log_witnesses.strip() \
        else None
    witnessed = session.get(LogCheckpoint, witnessed_size) if witnessed_size is not None else None

    def served(row: LogCheckpoint | None) -> ServedCheckpoint | None:
        return ServedCheckpoint(row.tree_size, checkpoint_note(session, row)) if row is not None else None

    return served(witnessed), served(latest)


def witness_count(note: str) -> int:
    """How many signature lines a served checkpoint carries beyond the log's own two."""
    return max(0, note.partition("\n\n")[2].count("\n") - 2)


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    return session.scalar(select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1))


def current_checkpoint(session: Session, settings: Settings) -> LogCheckpoint:
    """The latest signed checkpoint; the empty tree's is signed when the log has none yet."""
    found = latest_checkpoint(session)
    if found is None:
        integrate(session, settings)
        found = latest_checkpoint(session)
    return found


# --- the sequencer ------------------------------------------------------------------------------------------


def pending(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(LogPoolEntry.id.is_not(None)))))


def integrate(session: Session, settings: Settings, *, limit: int | None = None) -> int:
    """One batch, in its own transaction: up to ``limit`` pooled entries become leaves, tiles and one signed
    checkpoint. Returns how many entries were integrated. Concurrent sequencers queue on the head row."""
    signer = log_signer(settings)
    with transaction(session):
        head = locked_head(session, LogHead, size=0, frontier="[]")
        rows = session.execute(
            select(LogPoolEntry.id, LogPoolEntry.entry, LogPoolEntry.person_id, LogPoolEntry.version)
            .order_by(LogPoolEntry.id)
            .limit(limit or settings.log_batch_size)
        ).all()
        if not rows and session.get(LogCheckpoint, head.size) is not None:
            return 0
        start = head.size
        _append(session, head, rows)
        pushes.versions_logged(session, [(row.person_id, row.version, start + k,
                                                    row.entry[len(BOOK_ENTRY_TAG):].hex())
                                                   for k, row in enumerate(rows) if row.person_id is not None])
        root = merkle.frontier_root(_frontier(head))
        session.add(LogCheckpoint(tree_size=head.size, root_hash=root.hex(),
                                  document=sign_checkpoint(signer, head.size, root)))
    return len(rows)


def integrate_all(session: Session, settings: Settings) -> int:
    """Integrate batch after batch until the pool is empty (bulk issuance, tests)."""
    total = 0
    while True:
        done = integrate(session, settings)
        total += done
        if not done:
            return total


def _frontier(head: LogHead) -> list[tuple[int, bytes]]:
    return [(size, bytes.fromhex(h)) for size, h in json.loads(head.frontier)]


def _append(session: Session, head: LogHead, rows) -> None:
    start = head.size
    partials = {level: (n, width) for level, n, width in _right_edge(start)}
    edges = {level: _edge(session, level, n, width) for level, (n, width) in partials.items()}
    written: list[dict] = []

    def write(level: int, n: int, width: int, data: bytes) -> None:
        written.append({"level": level, "n": n, "width": width, "data": data})
        if width == tiles.WIDTH and partials.get(level, (None,))[0] == n:  # superseded by its full tile
            session.execute(delete(LogTile).where(LogTile.level == level, LogTile.n == n, LogTile.width < width))

    inner: list[dict] = []
    writer = tiles.TileWriter(start, edges, write, lambda n, data: inner.append({"n": n, "data": data}))
    frontier = _frontier(head)
    for row in rows:
        frontier = merkle.frontier_append(frontier, writer.append(row.entry))
    writer.finish()
    if written:
        session.execute(insert(LogTile), written)
    if inner:
        session.execute(insert(LogTileNodes), inner)
    leaves = [{"person_id": row.person_id, "version": row.version, "leaf_index": start + k}
              for k, row in enumerate(rows) if row.person_id is not None]
    _number_leaves(session, leaves)
    _unpool(session, [row.id for row in rows])
    head.size = start + len(rows)
    head.frontier = json.dumps([[size, h.hex()] for size, h in frontier])


def _number_leaves(session: Session, leaves: list[dict]) -> None:
    """Each integrated book version learns its leaf index: one statement on PostgreSQL (a batch is thousands)."""
    if not leaves:
        return
    if not is_postgres(session):
        session.execute(update(BookVersion), leaves)
        return
    session.execute(text(
        "UPDATE book_versions AS b SET leaf_index = v.leaf_index"
        " FROM unnest(CAST(:person_ids AS bigint[]), CAST(:versions AS int[]), CAST(:leaf_indexes AS bigint[]))"
        " AS v(person_id, version, leaf_index) WHERE b.person_id = v.person_id AND b.version = v.version"),
        {"person_ids": [leaf["person_id"] for leaf in leaves], "versions": [leaf["version"] for leaf in leaves],
         "leaf_indexes": [leaf["leaf_index"] for leaf in leaves]})


def _unpool(session: Session, ids: list[int]) -> None:
    """Delete exactly the integrated rows (a row pooled meanwhile by a later commit, even with an id between
    theirs, stays)."""
    if not ids:
        return
    if is_postgres(session):
        session.execute(text("DELETE FROM log_pool WHERE id = ANY(:ids)"), {"ids": ids})
        return
    for chunk in range(0, len(ids), 5000):
        session.execute(delete(LogPoolEntry).where(LogPoolEntry.id.in_(ids[chunk : chunk + 5000])))


def _right_edge(size: int) -> list[tuple[int, int, int]]:
    """(level, n, width) of every partial tile of a tree of ``size`` leaves (entry bundles at level -1)."""
    found = []
    if size % tiles.WIDTH:
        found.append((tiles.ENTRIES, size >> tiles.HEIGHT, size % tiles.WIDTH))
    level = 0
    while size >> (tiles.HEIGHT * level):
        count = size >> (tiles.HEIGHT * level)
        if count % tiles.WIDTH:
            found.append((level, count >> tiles.HEIGHT, count % tiles.WIDTH))
        level += 1
    return found


def _edge(session: Session, level: int, n: int, width: int) -> list[bytes]:
    data = read_tile(session, level, n, width)
    if data is None:
        raise DomainError("log.tile_missing", f"the log lacks {tiles.tile_path(level, n, width)}",
                          "nhật ký thiếu một ô (tile)")
    return tiles.unbundle(data) if level == tiles.ENTRIES else tiles.hashes(data)


# --- reading ------------------------------------------------------------------------------------------------


def read_tile(session: Session, level: int, n: int, width: int) -> bytes | None:
    return session.scalar(select(LogTile.data).where(LogTile.level == level, LogTile.n == n, LogTile.width == width))


_tiles = LogTile.__table__
WIDEST = (select(_tiles.c.data).where(_tiles.c.level == bindparam("level"), _tiles.c.n == bindparam("n"))
          .order_by(_tiles.c.width.desc()).limit(1))


def _widest(session: Session, level: int, n: int) -> bytes | None:
    """The widest stored version of a tile (a Core statement: a proof reads one or two tiles per book read)."""
    return session.connection().execute(WIDEST, {"level": level, "n": n}).scalar()


def log_size(session: Session) -> int:
    head = session.get(LogHead, 1)
    return head.size if head else 0


def leaf_tile(leaf_index) -> ScalarSelect:
    """SQL for the widest stored level-0 tile holding the leaf at ``leaf_index`` (a column): a book read fetches
    it with the version, in the same statement, instead of asking for it afterwards."""
    return (select(_tiles.c.data).where(_tiles.c.level == 0, _tiles.c.n == leaf_index // tiles.WIDTH)
            .order_by(_tiles.c.width.desc()).limit(1).scalar_subquery())


def leaf_tile_nodes(leaf_index) -> ScalarSelect:
    """SQL for the stored inner nodes of the leaf's level-0 tile (NULL while that tile is partial), read with the
    tile."""
    nodes = LogTileNodes.__table__
    return select(nodes.c.data).where(nodes.c.n == leaf_index // tiles.WIDTH).scalar_subquery()


def proofs(session: Session, size: int, known: dict[tuple[int, int], bytes] | None = None,
           inner: dict[int, bytes] | None = None) -> tiles.TileProofs:
    """Proofs for a tree of ``size`` leaves; ``known`` holds tiles the caller has already read, ``inner`` the
    inner nodes of full level-0 tiles (:func:`leaf_tile_nodes`)."""
    cache = _kept_tiles(session)
    roots = _KEPT_ROOTS.setdefault(_engine(session), {})

    def read(level: int, n: int) -> bytes | None:
        data = known.get((level, n)) if known else None
        if data is not None and len(data) >= tiles.width_at(level, size, n) * tiles.HASH_SIZE:
            return data
        return _widest_kept(session, cache, level, n, size)

    return tiles.TileProofs(size, read, roots, inner)


#: Tiles kept by each process, per database, for the proofs of book reads: a tile is written once and a wider
#: version starts with the same hashes, so one read serves every later proof that needs no more of it. Kept: the
#: full tiles above level 0 (1/256 of the leaves' tiles: ~12 MB at 100 M leaves) and the right edge's partial
#: tiles; a leaf's own full level-0 tile and the entry bundles are read each time.
_KEPT: WeakKeyDictionary[Engine, dict[tuple[int, int], bytes]] = WeakKeyDictionary()
MAX_KEPT_TILES = 8192
#: Roots of ranges spanning at least a tile, per database (``tiles.TileProofs``): the right edge of the tree that
#: every proof against one checkpoint shares is hashed once.
_KEPT_ROOTS: WeakKeyDictionary[Engine, dict[tuple[int, int], bytes]] = WeakKeyDictionary()


def _kept_tiles(session: Session) -> dict[tuple[int, int], bytes]:
    return _KEPT.setdefault(_engine(session), {})


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _widest_kept(session: Session, kept: dict, level: int, n: int, size: int) -> bytes | None:
    if level < 0:
        return _widest(session, level, n)
    need = tiles.width_at(level, size, n) * tiles.HASH_SIZE
    data = kept.get((level, n))
    if data is not None and len(data) >= need:
        return data
    data = _widest(session, level, n)
    if data is not None and (level > 0 or len(data) < tiles.WIDTH * tiles.HASH_SIZE):
        if len(kept) >= MAX_KEPT_TILES:
            kept.clear()
        kept[level, n] = data
    return data


def _check_size(session: Session, size: int) -> None:
    logged = log_size(session)
    if size < 0 or size > logged:
        raise DomainError("log.size", f"the log has {logged} entries; {size} is out of range",
                          "kích thước cây vượt quá số mục của nhật ký")


def inclusion_proof(session: Session, leaf_index: int, tree_size: int) -> list[str]:
    """The audit path of a leaf in the tree of ``tree_size`` leaves, read from O(log n) tiles."""
    _check_size(session, tree_size)
    if not 0 <= leaf_index < tree_size:
        raise DomainError("log.leaf_index", "the leaf index must be below the tree size",
                          "chỉ số lá phải nhỏ hơn kích thước cây")
    return [h.hex() for h in proofs(session, tree_size).inclusion(leaf_index, tree_size)]


def checkpoint_inclusion_proof(session: Session, leaf_index: int, tree_size: int, *,
                               leaf_tile: bytes | None = None, leaf_nodes: bytes | None = None) -> list[str]:
    """:func:`inclusion_proof` for a tree size a stored checkpoint signed (so within the log: not checked again);
    ``leaf_tile``: the leaf's level-0 tile, if already read (:func:`leaf_tile`), and ``leaf_nodes`` its inner
    nodes (:func:`leaf_tile_nodes`)."""
    n = leaf_index // tiles.WIDTH
    known = {(0, n): leaf_tile} if leaf_tile is not None else None
    inner = {n: leaf_nodes} if leaf_nodes is not None else None
    return [h.hex() for h in proofs(session, tree_size, known, inner).inclusion(leaf_index, tree_size)]


class _NotKept(LookupError):
    """A tile a proof needs is not kept by this process."""


def kept_inclusion_proof(engine: Engine, leaf_index: int, tree_size: int, *, leaf_tile: bytes | None,
                         leaf_nodes: bytes | None) -> list[str] | None:
    """:func:`checkpoint_inclusion_proof` from the leaf's tile already read and the tiles this process keeps, without
    the database (on the event loop): None when a tile it needs is not kept (the caller takes the database's way)."""
    n = leaf_index // tiles.WIDTH
    kept = _KEPT.setdefault(engine, {})

    def read(level: int, k: int) -> bytes:
        data = leaf_tile if (level, k) == (0, n) else kept.get((level, k)) if level >= 0 else None
        if data is None or len(data) < tiles.width_at(level, tree_size, k) * tiles.HASH_SIZE:
            raise _NotKept
        return data

    inner = {n: leaf_nodes} if leaf_nodes is not None else None
    try:
        proof = tiles.TileProofs(tree_size, read, _KEPT_ROOTS.setdefault(engine, {}), inner).inclusion(leaf_index,
                                                                                                     tree_size)
    except _NotKept:
        return None
    return [h.hex() for h in proof]


def consistency_proof(session: Session, first: int, second: int) -> list[str]:
    _check_size(session, second)
    if not 0 < first <= second:
        raise DomainError("log.consistency", "need 0 < first ≤ second", "cần 0 < first ≤ second")
    return [h.hex() for h in proofs(session, second).consistency(first, second)]
