"""The transparency log's Merkle tree against RFC 6962 test vectors and an independent RFC 9162 verifier."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.book import merkle
from esibook.book.merkle import Tree, consistent, frontier_append, frontier_root, leaf_hash
from support.rfc9162 import leaf_hash as independent_leaf_hash
from support.rfc9162 import verify_consistency, verify_inclusion

#: The 8 leaf inputs and roots of the RFC 6962 reference tests (certificate-transparency-go, transparency-dev).
INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
#: (leaf index, tree size, audit path) from the same reference tests.
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
#: (first size, second size, consistency proof) from the same reference tests.
CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
TREE = Tree([leaf_hash(d) for d in INPUTS])


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference(size):
    assert TREE.root(0, size).hex() == ROOTS[size - 1]


@pytest.mark.parametrize("index, size, path", INCLUSION)
def test_inclusion_proofs_match_the_reference(index, size, path):
    assert [h.hex() for h in TREE.inclusion(index, size)] == path


@pytest.mark.parametrize("first, second, proof", CONSISTENCY)
def test_consistency_proofs_match_the_reference(first, second, proof):
    assert [h.hex() for h in TREE.consistency(first, second)] == proof


def test_every_proof_of_a_small_tree_passes_the_independent_verifier():
    data = [f"book version {i}".encode() for i in range(21)]
    tree = Tree([leaf_hash(d) for d in data])
    for size in range(1, 22):
        root = tree.root(0, size)
        for index in range(size):
            assert verify_inclusion(independent_leaf_hash(data[index]), index, size, tree.inclusion(index, size), root)
        for first in range(1, size + 1):
            assert verify_consistency(first, size, tree.root(0, first), root, tree.consistency(first, size))


def test_a_rewritten_leaf_fails_inclusion_and_consistency():
    data = [f"v{i}".encode() for i in range(9)]
    tree = Tree([leaf_hash(d) for d in data])
    old_root = tree.root(0, 9)
    data[4] = b"rewritten"
    forged = Tree([leaf_hash(d) for d in data])
    assert not verify_inclusion(independent_leaf_hash(b"rewritten"), 4, 9, forged.inclusion(4, 9), old_root)
    assert not verify_consistency(9, 12, old_root, forged.root(0, 9), forged.consistency(9, 9) or [old_root])


def test_the_witness_check_of_consistency_accepts_every_true_proof_and_no_forged_one():
    tree = Tree([leaf_hash(f"v{i}".encode()) for i in range(40)])
    forged = Tree([leaf_hash(b"other" if i == 2 else f"v{i}".encode()) for i in range(40)])
    for second in range(1, 41):
        for first in range(0, second + 1):
            proof = tree.consistency(first, second) if first else []
            assert consistent(first, second, tree.root(0, first), tree.root(0, second), proof), (first, second)
            if first > 2:  # the forked tree's old root joins no proof of the true tree
                assert not consistent(first, second, forged.root(0, first), tree.root(0, second), proof)
            if proof:
                assert not consistent(first, second, tree.root(0, first), tree.root(0, second), proof[:-1])
    assert not consistent(0, 5, merkle.EMPTY_ROOT, tree.root(0, 5), [tree.root(0, 1)]), "from 0: no proof lines"
    assert not consistent(6, 5, tree.root(0, 6), tree.root(0, 5), [])


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40))
def test_the_frontier_gives_the_same_root_as_the_tree(leaves):
    frontier = []
    hashes = [leaf_hash(d) for d in leaves]
    for i, h in enumerate(hashes):
        frontier = frontier_append(frontier, h)
        assert frontier_root(frontier) == Tree(hashes[: i + 1]).root()


def test_the_empty_tree_root_is_the_hash_of_nothing():
    assert Tree([]).root() == hashlib.sha256(b"").digest()
