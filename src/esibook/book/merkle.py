"""The Merkle tree of RFC 6962 (section 2.1): hashes, roots, inclusion and consistency proofs, and checking an
inclusion proof (RFC 9162 section 2.1.3.2).

:class:`Proofs` makes proofs from any source of subtree roots: the tiles of the log (``book/tiles.py``) or, for
tests, a list of leaf hashes (:class:`Tree`). The verifier used by tests is a separate implementation.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_root(hashes: list[bytes]) -> bytes:
    """The root over a power-of-two number of hashes (a perfect subtree). :func:`node_hash` written inline: a book
    read's proof hashes up to 247 nodes of its leaf's tile, and the call costs more than the hash."""
    sha256 = hashlib.sha256
    while len(hashes) > 1:
        pairs = iter(hashes)
        hashes = [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=True)]
    return hashes[0]


class Proofs:
    """RFC 6962 proofs over subtree roots given by :meth:`root` (MTH(D[start:end]))."""

    def root(self, start: int, end: int) -> bytes:
        raise NotImplementedError

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[0:size])."""
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n <= 1:
            return []
        k = split(n)
        if m < k:
            return self._path(m, start, start + k) + [self.root(start + k, end)]
        return self._path(m - k, start + k, end) + [self.root(start, start + k)]

    def consistency(self, first: int, second: int) -> list[bytes]:
        """PROOF(first, D[0:second])."""
        return self._subproof(first, 0, second, True)

    def _subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self.root(start, end)]
        k = split(n)
        if m <= k:
            return self._subproof(m, start, start + k, complete) + [self.root(start + k, end)]
        return self._subproof(m - k, start + k, end, False) + [self.root(start, start + k)]


class Tree(Proofs):
    """Proofs over a fixed list of leaf hashes; subtree roots are memoised."""

    def __init__(self, leaves: list[bytes]):
        self.leaves = leaves
        self._root = lru_cache(maxsize=None)(self._compute_root)

    def root(self, start: int = 0, end: int | None = None) -> bytes:
        return self._root(start, len(self.leaves) if end is None else end)

    def _compute_root(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n == 1:
            return self.leaves[start]
        k = split(n)
        return node_hash(self.root(start, start + k), self.root(start + k, end))


def frontier_append(frontier: list[tuple[int, bytes]], leaf: bytes) -> list[tuple[int, bytes]]:
    """Add a leaf to the right edge: (size, root) of perfect subtrees, largest first."""
    frontier = [*frontier, (1, leaf)]
    while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
        (size, left), (_, right) = frontier[-2], frontier[-1]
        frontier[-2:] = [(size * 2, node_hash(left, right))]
    return frontier


def frontier_root(frontier: list[tuple[int, bytes]]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def inclusion_root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """The root an inclusion proof leads to (RFC 9162 section 2.1.3.2), or None if the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistent(first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]) -> bool:
    """Whether ``proof`` shows the tree of ``first`` leaves with ``first_root`` to be a prefix of the tree of
    ``second`` leaves with ``second_root`` (RFC 9162 section 2.1.4.2); what a witness checks before it cosigns."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    if first & (first - 1) == 0:  # the old tree is a perfect subtree: its root starts the path
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old = new = proof[0]
    for p in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old, new = node_hash(p, old), node_hash(p, new)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            new = node_hash(new, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and old == first_root and new == second_root
