"""The transparency log audited by Go's reference implementation (sumdb/tlog, sumdb/note) over real HTTP, as any
C2SP tlog-tiles client would; and what one altered tile, entry or checkpoint, or a fork, looks like to it and to
esibook's own verification."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from esibook.book import bulk, log, merkle, tiles
from esibook.book import service as books
from esibook.book.models import BookVersion, LogCheckpoint, LogPoolEntry, LogTile
from esibook.config import Settings
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.checkpoint import parse_checkpoint, sign_checkpoint
from esibook.trust.pki import init_pki
from esibook.trust.verify import Verdict
from esibook.views.verification import check_online
from support import goaudit
from support.rfc9162 import verify_consistency
from support.rfc9162 import verify_inclusion as independent_inclusion

SYNTHETIC = 600
"""Entries that are no book (the log takes any entry), so the tree has full tiles and a level-1 tile."""


@dataclass
class Log:
    base: str
    engine: object
    settings: Settings
    vkey: str
    first: str
    """The checkpoint after the books were issued (before the synthetic entries)."""
    book: BookVersion


@pytest.fixture(scope="module")
def go_verifier(tmp_path_factory):
    return goaudit.build(tmp_path_factory.mktemp("go"))


@pytest.fixture(scope="module")
def served_log(databases, tmp_path_factory, serve) -> Log:
    engine = databases.engine()
    seed(engine, SeedPlan(persons=30, months=3, seed=5, end_month=Month(2026, 10)))
    data_dir = tmp_path_factory.mktemp("tiled-log")
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), env="test", data_dir=data_dir,
                        log_batch_size=128)
    with Session(engine, expire_on_commit=False) as session:
        init_pki(session, settings)
        bulk.issue_all(session, settings)
        first = log.latest_checkpoint(session).document
        session.rollback()
        with session.begin():
            session.add_all(LogPoolEntry(entry=b"synthetic/v1\n" + hashlib.sha256(str(i).encode()).digest())
                            for i in range(SYNTHETIC))
        log.integrate_all(session, settings)
        vkey = log.log_verifier(settings).vkey
        book = session.scalar(select(BookVersion).order_by(BookVersion.leaf_index).limit(1))
    with serve(settings.database_url, data_dir) as base:
        yield Log(base, engine, settings, vkey, first, book)
    engine.dispose()


def go(go_verifier, served: Log, old: str | None = None, tmp_path=None):
    path = None
    if old is not None:
        path = tmp_path / "old-checkpoint"
        path.write_text(old)
    return goaudit.audit(go_verifier, f"{served.base}/log", served.vkey, path)


def online(served: Log, document: str):
    with Session(served.engine) as session:
        return check_online(session, served.settings, document.encode())


def test_the_go_reference_verifier_accepts_the_log_and_its_history(go_verifier, served_log, tmp_path):
    result = go(go_verifier, served_log, served_log.first, tmp_path)
    assert result.ok, result.output
    with Session(served_log.engine) as session:
        size = log.log_size(session)
        checkpoints = session.scalar(select(func.count()).select_from(LogCheckpoint))
    assert f"entries={size}" in result.output and size > SYNTHETIC
    assert checkpoints >= SYNTHETIC // served_log.settings.log_batch_size, "one checkpoint per batch of 128"
    assert online(served_log, served_log.book.document).verdict == Verdict.VALID


def test_the_log_is_served_as_c2sp_says(served_log):
    http = httpx.Client(base_url=served_log.base)
    note = http.get("/log/checkpoint")
    assert note.headers["content-type"].startswith("text/plain") and note.text.startswith(log.log_verifier(
        served_log.settings).name + "\n")
    assert http.get("/log/key").text.strip() == served_log.vkey
    size = int(note.text.split("\n")[1])
    full = http.get("/log/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 8192 and "immutable" in full.headers["cache-control"]
    partial = http.get(f"/log/tile/0/{tiles.index_path(size // 256)}.p/{size % 256}")
    assert len(partial.content) == 32 * (size % 256)
    level1 = http.get(f"/log/tile/1/000.p/{size // 256}")
    assert level1.content[:32] == merkle.perfect_root(tiles.hashes(full.content))
    assert http.get("/log/tile/entries/000").status_code == 200
    for bad in ("/log/tile/0/0", "/log/tile/0/x000/000", "/log/tile/00/000", "/log/tile/0/000.p/256",
                "/log/tile/64/000", f"/log/tile/0/{tiles.index_path(size // 256 + 1)}"):
        answer = http.get(bad)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "log.tile", bad
    assert "authorization" not in note.request.headers


def _tamper(served: Log, level: int, n: int, width: int, change) -> bytes:
    with served.engine.begin() as connection:
        original = connection.execute(select(LogTile.data).where(
            LogTile.level == level, LogTile.n == n, LogTile.width == width)).scalar_one()
        connection.execute(update(LogTile).where(LogTile.level == level, LogTile.n == n, LogTile.width == width)
                           .values(data=change(original)))
    return original


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def test_one_altered_tile_is_caught_by_go_and_by_esibook_verify(go_verifier, served_log):
    leaf = served_log.book.leaf_index
    original = _tamper(served_log, 0, 0, 256, lambda data: _flip(data, leaf * 32 + 5))
    try:
        result = go(go_verifier, served_log)
        assert not result.ok and "FAIL" in result.output, result.output
        assert online(served_log, served_log.book.document).verdict == Verdict.NOT_LOGGED
    finally:
        _tamper(served_log, 0, 0, 256, lambda _: original)
    sibling = _tamper(served_log, 0, 0, 256, lambda data: _flip(data, (leaf ^ 1) * 32))
    try:
        assert not go(go_verifier, served_log).ok
        assert online(served_log, served_log.book.document).verdict == Verdict.NOT_LOGGED
    finally:
        _tamper(served_log, 0, 0, 256, lambda _: sibling)
    assert go(go_verifier, served_log).ok


def test_one_altered_entry_is_caught_by_go_and_by_esibook_verify(go_verifier, served_log):
    leaf = served_log.book.leaf_index
    at = 2 + leaf * (2 + 24 + 32) + 30  # inside the digest of the book's entry
    original = _tamper(served_log, tiles.ENTRIES, 0, 256, lambda data: _flip(data, at))
    try:
        result = go(go_verifier, served_log)
        assert not result.ok and "does not hash to its leaf" in result.output, result.output
        verdict = online(served_log, served_log.book.document)
        assert verdict.verdict == Verdict.NOT_LOGGED and "entry" in verdict.reason
    finally:
        _tamper(served_log, tiles.ENTRIES, 0, 256, lambda _: original)


def test_one_altered_checkpoint_is_caught_by_go_and_by_esibook_verify(go_verifier, served_log):
    with Session(served_log.engine) as session:
        row = log.latest_checkpoint(session)
        size, note = row.tree_size, row.document
    origin, count, root, rest = note.split("\n", 3)
    altered_root = base64.b64encode(_flip(base64.b64decode(root), 0)).decode()
    with served_log.engine.begin() as connection:
        connection.execute(update(LogCheckpoint).where(LogCheckpoint.tree_size == size)
                           .values(document="\n".join([origin, count, altered_root, rest])))
    try:
        result = go(go_verifier, served_log)
        assert not result.ok and "signature" in result.output, result.output
        assert online(served_log, served_log.book.document).verdict == Verdict.ALTERED
    finally:
        with served_log.engine.begin() as connection:
            connection.execute(update(LogCheckpoint).where(LogCheckpoint.tree_size == size).values(document=note))


def test_a_forked_log_fails_consistency(go_verifier, served_log, tmp_path):
    """A checkpoint of the same size as an earlier one, signed by the log key, over a tree with one other entry:
    no consistency proof joins it to the current tree."""
    with Session(served_log.engine) as session:
        first = parse_checkpoint(served_log.first, log.log_verifier(served_log.settings))
        proofs = log.proofs(session, log.log_size(session))
        leaves = [proofs.leaf(i) for i in range(first.size)]
        current = log.latest_checkpoint(session)
        consistency = log.consistency_proof(session, first.size, current.tree_size)
    leaves[3] = merkle.leaf_hash(b"esibook/book-version/v1\n" + bytes(32))
    forked_root = merkle.Tree(leaves).root()
    forked = sign_checkpoint(log.log_signer(served_log.settings), first.size, forked_root)
    result = go(go_verifier, served_log, forked, tmp_path)
    assert not result.ok and "not consistent" in result.output, result.output
    proof = [bytes.fromhex(h) for h in consistency]
    current_root = bytes.fromhex(current.root_hash)
    assert verify_consistency(first.size, current.tree_size, first.root, current_root, proof)
    assert not verify_consistency(first.size, current.tree_size, forked_root, current_root, proof)
    assert go(go_verifier, served_log, served_log.first, tmp_path).ok


def test_the_book_bundle_carries_a_proof_an_independent_verifier_accepts(served_log):
    with Session(served_log.engine) as session:
        bundle = books.bundle(session, served_log.settings, served_log.book.person_id).as_dict()
    checkpoint = parse_checkpoint(bundle["checkpoint"], log.log_verifier(served_log.settings))
    assert checkpoint.size == bundle["tree_size"] and checkpoint.time is not None
    leaf = merkle.leaf_hash(log.book_entry(bundle["document"]))
    path = [bytes.fromhex(h) for h in bundle["inclusion_proof"]]
    assert independent_inclusion(leaf, bundle["leaf_index"], bundle["tree_size"], path, checkpoint.root)
    assert len(path) <= (bundle["tree_size"] - 1).bit_length()
