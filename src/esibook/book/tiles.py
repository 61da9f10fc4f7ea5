"""C2SP tlog-tiles: tile paths, entry bundles, and Merkle subtree roots read from stored tiles.

A tile at level L holds up to 256 consecutive hashes of the tree at height 8·L: hash i of tile (L, n) is
MTH(D[(256·n + i)·256^L : (256·n + i + 1)·256^L]). Entry bundles (stored as level -1) hold the entries
themselves, each prefixed by its big-endian uint16 length. The heights in between are hashed again from a tile
when a proof needs them, so a proof reads O(log n) tiles and never the leaves.

Inner nodes (esibook's own, beside the standard tiles): a full level-0 tile's nodes at heights 4 to 7
(16 + 8 + 4 + 2 hashes, 960 bytes, :func:`tile_root_and_inner_nodes`) are stored when the tile is written, so a
book read's proof hashes at most 26 nodes of its leaf's tile instead of 247. They only spare work: a proof built from a
wrong one does not verify against the signed checkpoint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from esibook.book import merkle

HEIGHT = 8
WIDTH = 1 << HEIGHT
HASH_SIZE = 32
ENTRIES = -1
"""The level under which entry bundles are stored."""

#: The heights of a full level-0 tile's inner nodes that are stored, and where each height starts among them.
INNER_HEIGHTS = (4, 5, 6, 7)
_INNER_START = {4: 0, 5: 16, 6: 24, 7: 28}
INNER_SIZE = 30 * HASH_SIZE

_INDEX = re.compile(r"^((?:x\d{3}/)*)(\d{3})(?:\.p/([1-9]\d{0,2}))?$")


def index_path(n: int) -> str:
    """``1234067`` → ``x001/x234/067``."""
    groups = []
    while True:
        n, rest = divmod(n, 1000)
        groups.append(f"{rest:03d}")
        if n == 0:
            break
    return "/".join([f"x{g}" for g in reversed(groups[1:])] + [groups[0]])


def tile_path(level: int, n: int, width: int = WIDTH) -> str:
    """The C2SP path of a tile (``level`` -1: an entry bundle), without the log's prefix."""
    kind = "entries" if level == ENTRIES else str(level)
    return f"tile/{kind}/{index_path(n)}" + (f".p/{width}" if width < WIDTH else "")


def parse_index(path: str) -> tuple[int, int] | None:
    """``x001/x234/067.p/5`` → (1234067, 5); a full tile has width 256; None if not a C2SP index path."""
    match = _INDEX.match(path)
    if not match:
        return None
    prefix, last, width = match.groups()
    groups = [g[1:] for g in prefix.split("/") if g] + [last]
    if (len(groups) > 1 and groups[0] == "000") or len(groups) > 6:
        return None  # no leading zero groups (every tile has exactly one path); no index past 10^18
    width_value = int(width) if width else WIDTH
    if width and width_value >= WIDTH:
        return None
    return int("".join(groups)), width_value


def width_at(level: int, size: int, n: int) -> int:
    """How many hashes (entries for level -1) tile ``n`` at ``level`` holds in a tree of ``size`` leaves."""
    count = size >> (HEIGHT * max(level, 0))
    return max(0, min(WIDTH, count - n * WIDTH))


def tile_root_and_inner_nodes(leaves: list[bytes]) -> tuple[bytes, bytes]:
    """The root of a full level-0 tile's 256 leaf hashes and its inner nodes at :data:`INNER_HEIGHTS`, hashed
    once (the sequencer needs the root anyway)."""
    sha256 = hashlib.sha256
    kept, level, height = [], leaves, 0
    while len(level) > 1:
        pairs = iter(level)
        level = [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=True)]
        height += 1
        if height in _INNER_START:
            kept.append(b"".join(level))
    return level[0], b"".join(kept)


def inner_node(nodes: bytes, height: int, k: int) -> bytes:
    """Node ``k`` (0-based within the tile) at ``height`` of a tile's stored inner nodes."""
    at = (_INNER_START[height] + k) * HASH_SIZE
    return nodes[at : at + HASH_SIZE]


def bundle(entries: list[bytes]) -> bytes:
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


def unbundle(data: bytes) -> list[bytes]:
    entries, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at : at + 2], "big")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    if at != len(data):
        raise ValueError("an entry bundle ends inside an entry")
    return entries


def hashes(data: bytes) -> list[bytes]:
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


MAX_KEPT_ROOTS = 65_536


class TileProofs(merkle.Proofs):
    """Proofs for a tree of ``size`` leaves, from tiles got by ``read(level, n)`` (the widest stored version of
    tile n: tiles are written once, so a wider one starts with the same hashes). Tiles are read once per proof."""

    def __init__(self, size: int, read: Callable[[int, int], bytes | None],
                 kept_roots: dict[tuple[int, int], bytes] | None = None, inner: dict[int, bytes] | None = None):
        self.size = size
        self._read = read
        self._inner = inner or {}
        """Stored inner nodes of full level-0 tiles already read, by tile number (:func:`tile_root_and_inner_nodes`)."""
        self._tiles: dict[tuple[int, int], bytes] = {}
        self._roots: dict[tuple[int, int], bytes] = {}
        self._kept = kept_roots
        """Roots of ranges of at least a tile's width, shared by later proofs (a range's root never changes: the
        log only grows); bounded by :data:`MAX_KEPT_ROOTS`."""

    def tile(self, level: int, n: int) -> bytes:
        if (level, n) not in self._tiles:
            data = self._read(level, n)
            need = width_at(level, self.size, n)
            if data is None or (level >= 0 and len(data) < need * HASH_SIZE):
                raise LookupError(f"the log lacks {tile_path(level, n, need)}")
            self._tiles[level, n] = data
        return self._tiles[level, n]

    def node(self, height: int, k: int) -> bytes:
        """The root of the perfect subtree of 2^height leaves starting at leaf k·2^height."""
        level, rest = divmod(height, HEIGHT)
        first = k << rest  # the first hash at the tile level, then 2^rest of them hashed up
        if level == 0 and rest in _INNER_START and len(self._inner.get(first >> HEIGHT, b"")) == INNER_SIZE:
            return inner_node(self._inner[first >> HEIGHT], rest, (first % WIDTH) >> rest)
        data = self.tile(level, first >> HEIGHT)
        offset = (first % WIDTH) * HASH_SIZE
        return merkle.perfect_root(hashes(data[offset : offset + (HASH_SIZE << rest)]))

    def root(self, start: int, end: int) -> bytes:
        if (start, end) in self._roots:
            return self._roots[start, end]
        n = end - start
        if self._kept is not None and n >= WIDTH:
            found = self._kept.get((start, end))
            if found is None:
                found = self._compute_root(start, end)
                if len(self._kept) >= MAX_KEPT_ROOTS:
                    self._kept.clear()
                self._kept[start, end] = found
            self._roots[start, end] = found
            return found
        found = self._compute_root(start, end)
        self._roots[start, end] = found
        return found

    def _compute_root(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            found = merkle.EMPTY_ROOT
        elif n & (n - 1) == 0:  # in RFC 6962's recursion a power-of-two range is aligned: a perfect subtree
            height = n.bit_length() - 1
            found = self.node(height, start >> height)
        else:
            k = merkle.split(n)
            found = merkle.node_hash(self.root(start, start + k), self.root(start + k, end))
        return found

    def leaf(self, index: int) -> bytes:
        return self.node(0, index)

    def entry(self, index: int) -> bytes:
        data = self._read(ENTRIES, index >> HEIGHT)
        entries = unbundle(data) if data else []
        if index % WIDTH >= len(entries):
            raise LookupError(f"the log lacks the entry bundle of entry {index}")
        return entries[index % WIDTH]


class TileWriter:
    """The right edge of the tree while a batch is appended: the unfinished tile of each level. Full tiles and,
    at the end, the partial tiles of the new size come out through ``write(level, n, width, data)``."""

    def __init__(self, size: int, edges: dict[int, list[bytes]], write: Callable[[int, int, int, bytes], None],
                 write_inner: Callable[[int, bytes], None] | None = None):
        self.size = size
        self.edges = edges
        self._write = write
        self._write_inner = write_inner
        """Gets (n, inner nodes) of each full level-0 tile written (:func:`tile_root_and_inner_nodes`)."""
        self._touched: set[int] = set()

    def append(self, entry: bytes) -> bytes:
        """Add one entry; returns its leaf hash."""
        leaf = merkle.leaf_hash(entry)
        self._push(ENTRIES, entry, self.size >> HEIGHT)
        self._push(0, leaf, self.size >> HEIGHT)
        self.size += 1
        return leaf

    def _push(self, level: int, item: bytes, n: int) -> None:
        edge = self.edges.setdefault(level, [])
        edge.append(item)
        self._touched.add(level)
        if len(edge) < WIDTH:
            return
        self._write(level, n, WIDTH, bundle(edge) if level == ENTRIES else b"".join(edge))
        if level == 0 and self._write_inner is not None:
            root, inner = tile_root_and_inner_nodes(edge)
            self._write_inner(n, inner)
            self._push(1, root, n >> HEIGHT)
        elif level >= 0:
            self._push(level + 1, merkle.perfect_root(edge), n >> HEIGHT)
        self.edges[level] = []

    def finish(self) -> None:
        """Write the partial tiles of the new size, at every level that changed."""
        for level in sorted(self._touched):
            edge = self.edges.get(level, [])
            if edge:
                n = (self.size >> (HEIGHT * max(level, 0))) >> HEIGHT
                self._write(level, n, len(edge), bundle(edge) if level == ENTRIES else b"".join(edge))
        self._touched.clear()
