"""C2SP tlog-tiles: paths, the tiles a tree of a given size has, and proofs read from tiles equal to the proofs
over the leaves (checked by an independent RFC 9162 verifier)."""

from __future__ import annotations

import hashlib
import random

import pytest

from esibook.book import merkle, tiles
from esibook.book.log import _right_edge
from support.rfc9162 import verify_consistency, verify_inclusion


def test_tile_paths_are_c2sp_paths():
    assert tiles.index_path(1234067) == "x001/x234/067"
    assert tiles.index_path(0) == "000" and tiles.index_path(1000) == "x001/000"
    assert tiles.tile_path(0, 1234067, 1) == "tile/0/x001/x234/067.p/1"
    assert tiles.tile_path(tiles.ENTRIES, 5) == "tile/entries/005"
    assert tiles.parse_index("x001/x234/067.p/5") == (1234067, 5)
    assert tiles.parse_index("067") == (67, 256)


@pytest.mark.parametrize("path", ["67", "0067", "x000/067", "067.p/0", "067.p/256", "067.p/07", "x1/067", "067/",
                                  "x001/x002/x003/x004/x005/x006/007", "../067", "067.p/5/1"])
def test_a_path_that_is_not_exactly_one_tiles_is_refused(path):
    assert tiles.parse_index(path) is None


def test_the_partial_tiles_of_a_tree_are_those_of_the_spec_example():
    """tlog-tiles: a tree of 70,000 has a partial level-0 tile of width 112, level 1 of 17, level 2 of 1."""
    assert sorted(_right_edge(70_000)) == [(-1, 273, 112), (0, 273, 112), (1, 1, 17), (2, 0, 1)]
    assert sorted(_right_edge(256)) == [(1, 0, 1)]
    assert _right_edge(0) == []


def _entry(i: int) -> bytes:
    return b"test/v1\n" + hashlib.sha256(str(i).encode()).digest()


def _grow(batches: list[int], inner: dict[int, bytes] | None = None):
    """Append batches the way the sequencer does (reading back the right edge each time); the stored tiles (and, in
    ``inner``, the inner nodes of full level-0 tiles)."""
    store: dict[tuple[int, int, int], bytes] = {}

    def write_inner(n, data):
        assert n not in inner, "a tile's inner nodes are written once"
        inner[n] = data

    def write(level, n, width, data):
        assert (level, n, width) not in store, "a tile is written once"
        store[level, n, width] = data

    size, leaves, sizes = 0, [], []
    for batch in batches:
        edges = {}
        for level, n, width in _right_edge(size):
            data = store[level, n, width]
            edges[level] = tiles.unbundle(data) if level == tiles.ENTRIES else tiles.hashes(data)
        writer = tiles.TileWriter(size, edges, write, write_inner if inner is not None else None)
        leaves += [writer.append(_entry(size + i)) for i in range(batch)]
        writer.finish()
        size = writer.size
        sizes.append(size)
    return store, leaves, sizes


def _reader(store):
    def widest(level, n):
        found = sorted((w, d) for (lv, m, w), d in store.items() if lv == level and m == n)
        return found[-1][1] if found else None

    return widest


def test_proofs_from_tiles_are_the_proofs_over_the_leaves():
    store, leaves, sizes = _grow([1, 5, 250, 1, 99, 65_180, 7, 3])
    tree, rng = merkle.Tree(leaves), random.Random(4)
    for size in sizes:
        proofs = tiles.TileProofs(size, _reader(store))
        root = tree.root(0, size)
        assert proofs.root(0, size) == root
        for index in rng.sample(range(size), min(size, 12)):
            path = proofs.inclusion(index, size)
            assert path == tree.inclusion(index, size)
            assert verify_inclusion(leaves[index], index, size, path, root)
            assert proofs.entry(index) == _entry(index) and proofs.leaf(index) == leaves[index]
        for first in rng.sample(range(1, size + 1), min(size, 6)):
            proof = proofs.consistency(first, size)
            assert verify_consistency(first, size, tree.root(0, first), root, proof)


def test_every_checkpoint_size_keeps_its_partial_tiles_and_a_full_tile_replaces_none():
    store, _, sizes = _grow([3, 300, 10])
    for size in sizes:
        for level, n, width in _right_edge(size):
            assert (level, n, width) in store or (level, n, 256) in store
    assert len(store[0, 0, 256]) == 8192 and len(tiles.unbundle(store[tiles.ENTRIES, 0, 256])) == 256


def test_an_entry_bundle_is_length_prefixed_entries():
    assert tiles.bundle([b"ab", b""]) == b"\x00\x02ab\x00\x00"
    assert tiles.unbundle(b"\x00\x02ab\x00\x00") == [b"ab", b""]
    with pytest.raises(ValueError):
        tiles.unbundle(b"\x00\x05ab")


def test_the_empty_tree_root_is_the_hash_of_nothing():
    assert tiles.TileProofs(0, lambda *_: None).root(0, 0) == hashlib.sha256(b"").digest()


def test_a_full_tiles_inner_nodes_are_the_roots_of_its_subtrees_and_its_root_the_tiles():
    leaves = [merkle.leaf_hash(_entry(i)) for i in range(256)]
    root, inner = tiles.tile_root_and_inner_nodes(leaves)
    assert root == merkle.perfect_root(leaves) and len(inner) == tiles.INNER_SIZE
    for height in tiles.INNER_HEIGHTS:
        for k in range(256 >> height):
            assert tiles.inner_node(inner, height, k) == merkle.perfect_root(leaves[k << height : (k + 1) << height])


def test_proofs_with_the_stored_inner_nodes_are_the_same_proofs_and_a_wrong_node_fails_verification():
    inner: dict[int, bytes] = {}
    store, leaves, sizes = _grow([300, 1, 700, 20], inner)
    assert sorted(inner) == [0, 1, 2]  # 1,021 leaves: every full level-0 tile, once; the partial fourth has none
    tree, rng = merkle.Tree(leaves), random.Random(9)
    for size in sizes:
        for index in rng.sample(range(size), min(size, 40)):
            n = index // tiles.WIDTH
            with_nodes = tiles.TileProofs(size, _reader(store), inner={n: inner[n]} if n in inner else None)
            path = with_nodes.inclusion(index, size)
            assert path == tree.inclusion(index, size)
            assert verify_inclusion(leaves[index], index, size, path, tree.root(0, size))
    index = 5  # in tile 0, whose sibling subtrees at heights 4–7 come from the stored nodes
    wrong = bytearray(inner[0])
    wrong[-1] ^= 1  # the height-7 node of the other half of tile 0
    path = tiles.TileProofs(sizes[-1], _reader(store), inner={0: bytes(wrong)}).inclusion(index, sizes[-1])
    assert not verify_inclusion(leaves[index], index, sizes[-1], path, tree.root(0, sizes[-1]))
