"""Witnesses (C2SP tlog-witness, tlog-cosignature): an independent ``esibook witness serve`` process cosigns the
log's checkpoints only when they are consistent with the last one it cosigned, refuses forks and rollbacks, keeps
its state across a restart; the trust list can require its cosignature, and verification reports it. A witness that
is down delays no issuance."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.book import log, witnessing
from esibook.book import service as books
from esibook.book.documents import signed_pdf
from esibook.book.models import LogPoolEntry
from esibook.book.status import StatusView
from esibook.book.trust_list import trust_list
from esibook.config import Settings
from esibook.db import transaction
from esibook.people.models import Person
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.anchors import TrustAnchors
from esibook.trust.checkpoint import parse_checkpoint, sign_checkpoint
from esibook.trust.note import NoteSigner, cosign, cosigned_at, cosigner_from_vkey
from esibook.trust.pki import init_pki, root
from esibook.trust.verify import Verdict, verify
from esibook.views.verification import check_online
from esibook.witness.state import WitnessState

WITNESS_NAME = "witness.test/w1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WitnessProcess:
    """``esibook witness serve`` in its own process, on its own data directory."""

    def __init__(self, data_dir: Path, log_vkey: str):
        self.data_dir, self.log_vkey = data_dir, log_vkey
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "esibook", "witness", "serve", "--data-dir", str(self.data_dir),
                   "--name", WITNESS_NAME, "--log", self.log_vkey, "--port", str(self.port)]
        self.process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.vkey = httpx.get(f"{self.url}/key").text.strip()
                return
            except httpx.TransportError:
                assert self.process.poll() is None, self.process.stderr.read().decode()
                time.sleep(0.1)
        raise AssertionError("the witness did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def add(self, body: str | bytes) -> httpx.Response:
        return httpx.post(f"{self.url}/add-checkpoint", content=body if isinstance(body, bytes) else body.encode())


@dataclass
class Witnessed:
    engine: object
    settings: Settings
    """The log, with the witness configured and required (k = 1)."""
    witness: WitnessProcess
    root: x509.Certificate


@pytest.fixture(scope="module")
def witnessed(databases, tmp_path_factory):
    engine = databases.engine()
    seed(engine, SeedPlan(persons=12, months=2, seed=3, end_month=Month(2026, 10)))
    plain = Settings(database_url=engine.url.render_as_string(hide_password=False), env="test",
                     data_dir=tmp_path_factory.mktemp("witnessed-log"))
    witness = WitnessProcess(tmp_path_factory.mktemp("witness"), log.log_verifier(plain).vkey)
    witness.start()
    settings = plain.model_copy(update={"log_witnesses": f"{witness.url} {witness.vkey}", "log_witness_quorum": 1})
    with Session(engine) as session:
        init_pki(session, settings)
        pem = root(session).cert_pem
    setup = Witnessed(engine, settings, witness, x509.load_pem_x509_certificate(pem.encode()))
    with Session(engine) as session:
        for person_id in _persons(setup)[:-1]:  # the last one is issued while the witness is down
            with transaction(session):
                books.issue_book(session, settings, person_id, reason="issued")
        log.integrate_all(session, settings)
    yield setup
    witness.stop()
    engine.dispose()


def _grow(setup: Witnessed, entries: int) -> None:
    """Append entries that are no book (the log takes any entry) and integrate them."""
    with Session(setup.engine) as session:
        with session.begin():
            session.add_all(LogPoolEntry(entry=b"synthetic/v1\n" + os.urandom(32)) for _ in range(entries))
        log.integrate_all(session, setup.settings)


def _push(setup: Witnessed, settings: Settings | None = None) -> list[witnessing.Outcome]:
    with Session(setup.engine) as session:
        return witnessing.push(session, settings or setup.settings)


def _persons(setup: Witnessed) -> list[int]:
    with Session(setup.engine) as session:
        return list(session.scalars(select(Person.id).order_by(Person.id)))


def _book(setup: Witnessed, person_id: int, settings: Settings | None = None) -> dict:
    """A person's book bundle, as GET /api/v1/me/book serves it."""
    with Session(setup.engine) as session:
        return books.bundle(session, settings or setup.settings, person_id).as_dict()


def _offline(setup: Witnessed, bundle: dict, settings: Settings | None = None):
    """``esibook verify --trust-list``: only the root-signed trust list and what the bundle carries."""
    with Session(setup.engine) as session:
        token = trust_list(session, settings or setup.settings)
    trust = TrustAnchors.from_trust_list(token, setup.root)
    return verify(json.dumps(bundle).encode(), trust, StatusView())


def _current(setup: Witnessed):
    with Session(setup.engine) as session:
        row = log.latest_checkpoint(session)
        return row.tree_size, row.document


def test_the_witness_cosigns_consistent_checkpoints_and_verification_reports_it(witnessed):
    _grow(witnessed, 1)
    first = _push(witnessed)
    assert [o.cosigned for o in first] == [True], first
    _grow(witnessed, 300)  # a full tile later: the witness needs a consistency proof from the size it holds
    second = _push(witnessed)
    assert [o.cosigned for o in second] == [True], second
    assert _push(witnessed) == [], "a checkpoint is cosigned once"

    size, _ = _current(witnessed)
    with Session(witnessed.engine) as session:
        note = log.checkpoint_note(session, log.latest_checkpoint(session))
    key = cosigner_from_vkey(witnessed.witness.vkey)
    assert cosigned_at(note, key) is not None and note.count("\n— ") == 3, "log signature, log and witness cosign"
    held = witnessed.witness.add(f"old 0\n\n{note}")
    assert held.status_code == 409 and held.text == f"{size}\n"
    assert held.headers["content-type"] == "text/x.tlog.size"

    bundle = _book(witnessed, _persons(witnessed)[0])
    for result in (_offline(witnessed, bundle), _online(witnessed, bundle["document"])):
        assert result.verdict == Verdict.VALID, result.reason
        assert [w["name"] for w in result.shows["log"]["witnesses"]] == [WITNESS_NAME]
        assert result.shows["log"]["witness_quorum"] == 1


def _online(setup: Witnessed, document: str, settings: Settings | None = None):
    with Session(setup.engine) as session:
        return check_online(session, settings or setup.settings, document.encode())


def test_the_log_serves_the_witness_cosignature_with_its_checkpoint(witnessed, serve):
    _push(witnessed)
    with serve(witnessed.settings.database_url, witnessed.settings.data_dir,
               log_witnesses=witnessed.settings.log_witnesses, log_witness_quorum=1) as base:
        note = httpx.get(f"{base}/log/checkpoint").text
        listed = httpx.get(f"{base}/.well-known/esibook/trust-list.jws").text
    assert cosigned_at(note, cosigner_from_vkey(witnessed.witness.vkey)) is not None
    trust = TrustAnchors.from_trust_list(listed, witnessed.root)
    assert [w.name for w in trust.witnesses] == [WITNESS_NAME] and trust.witness_quorum == 1


def test_every_verifier_reports_the_witnesses_that_cosigned(witnessed, tmp_path):
    _push(witnessed)
    bundle = _book(witnessed, _persons(witnessed)[0])
    with Session(witnessed.engine) as session:
        (tmp_path / "trust-list.jws").write_text(trust_list(session, witnessed.settings))
        (tmp_path / "root.pem").write_text(root(session).cert_pem)
    key = cosigner_from_vkey(witnessed.witness.vkey)
    stripped = {**bundle, "checkpoint": "".join(
        line for line in bundle["checkpoint"].splitlines(keepends=True) if not line.startswith(f"— {key.name} "))}

    def offline(name: str, content: dict) -> subprocess.CompletedProcess:
        (tmp_path / name).write_text(json.dumps(content))
        return subprocess.run([sys.executable, "-m", "esibook", "verify", str(tmp_path / name), "--trust-list",
                               str(tmp_path / "trust-list.jws"), "--root", str(tmp_path / "root.pem")],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})

    good = offline("bundle.json", bundle)
    assert good.returncode == 0 and f"witnessed by 1 (required 1): {WITNESS_NAME} at " in good.stdout, good.stdout
    missing = offline("stripped.json", stripped)
    assert missing.returncode == 1 and missing.stdout.startswith("NOT_WITNESSED"), missing.stdout
    assert "witnessed by 0 (required 1): none" in missing.stdout

    client = TestClient(create_app(witnessed.settings))
    api = client.post("/api/v1/verify", content=json.dumps(bundle).encode()).json()
    assert api["verdict"] == "valid" and api["shows"]["log"]["witnesses"][0]["name"] == WITNESS_NAME
    page = client.post("/verify", data={"text": json.dumps(stripped)})
    assert "Nhân chứng đã đồng ký điểm kiểm tra: 1 (yêu cầu: 1)" in page.text, \
        "online, a carried checkpoint without the quorum is checked again against the log's witnessed one"
    assert f"<li>{WITNESS_NAME} · " in page.text, "each witness with the time it cosigned, in Vietnam's time"


def _forged(setup: Witnessed, size: int, root_hash: bytes) -> str:
    """A checkpoint signed with the log's own key (as a compromised or misbehaving log would)."""
    return sign_checkpoint(log.log_signer(setup.settings), size, root_hash)


def test_the_witness_refuses_a_fork_and_a_rollback_and_keeps_the_evidence(witnessed):
    _push(witnessed)
    size, note = _current(witnessed)
    verifier = log.log_verifier(witnessed.settings)
    held = parse_checkpoint(note, verifier)

    fork = witnessed.witness.add(f"old {size}\n\n{_forged(witnessed, size, hashlib.sha256(b'fork').digest())}")
    assert fork.status_code == 409 and "fork" in fork.text

    with Session(witnessed.engine) as session:
        proof = log.consistency_proof(session, size // 2, size)
    lines = "".join(base64.b64encode(bytes.fromhex(h)).decode() + "\n" for h in proof)
    bigger = _forged(witnessed, size + 5, hashlib.sha256(b"elsewhere").digest())
    inconsistent = witnessed.witness.add(f"old {size}\n{lines}\n{bigger}")
    assert inconsistent.status_code == 422 and "consistency proof" in inconsistent.text

    with Session(witnessed.engine) as session:
        older_size = size // 2
        older_root = log.proofs(session, size).root(0, older_size)
    rollback = witnessed.witness.add(f"old {size}\n\n{_forged(witnessed, older_size, older_root)}")
    assert rollback.status_code == 400 and "larger than" in rollback.text
    stale = witnessed.witness.add(f"old {older_size}\n\n{_forged(witnessed, older_size, older_root)}")
    assert stale.status_code == 409 and stale.text == f"{size}\n"

    again = witnessed.witness.add(f"old {size}\n\n{note}")
    assert again.status_code == 200, "the same checkpoint it holds is cosigned again"
    assert cosigned_at(note + again.text, cosigner_from_vkey(witnessed.witness.vkey)) is not None
    evidence = WitnessState(witnessed.witness.data_dir.resolve() / "witness.db").evidence(held.origin)
    assert [reason.split(":")[0] for reason, _ in evidence][-2:] == [
        f"a checkpoint of size {size} with another root hash than the one cosigned",
        f"the consistency proof from size {size} to {size + 5} does not verify"]


def test_the_witness_keeps_what_it_cosigned_across_a_restart(witnessed):
    _push(witnessed)
    size, note = _current(witnessed)
    witnessed.witness.stop()
    witnessed.witness.start()
    held = witnessed.witness.add(f"old 0\n\n{note}")
    assert held.status_code == 409 and held.text == f"{size}\n", "it still holds the size it cosigned"
    _grow(witnessed, 7)
    assert [o.cosigned for o in _push(witnessed)] == [True]


def test_a_required_witness_missing_from_the_checkpoint_is_not_valid(witnessed):
    _push(witnessed)
    bundle = _book(witnessed, _persons(witnessed)[0])
    key = cosigner_from_vkey(witnessed.witness.vkey)
    stripped = {**bundle, "checkpoint": "".join(
        line for line in bundle["checkpoint"].splitlines(keepends=True) if not line.startswith(f"— {key.name} "))}
    result = _offline(witnessed, stripped)
    assert result.verdict == Verdict.NOT_WITNESSED and result.shows["log"]["witnesses"] == []
    assert "witness" in result.reason and result.as_dict()["valid"] is False

    text = bundle["checkpoint"].partition("\n\n")[0] + "\n"
    other = NoteSigner(WITNESS_NAME, Ed25519PrivateKey.generate())
    impostor = {**stripped, "checkpoint": stripped["checkpoint"] + cosign(other, text, int(time.time()))}
    assert _offline(witnessed, impostor).verdict == Verdict.NOT_WITNESSED, "a cosignature by another key counts not"

    not_required = witnessed.settings.model_copy(update={"log_witness_quorum": 0})
    reported = _offline(witnessed, stripped, not_required)
    assert reported.verdict == Verdict.VALID and reported.shows["log"]["witnesses"] == []


def test_a_witness_that_is_down_delays_no_issuance(witnessed):
    down = witnessed.settings.model_copy(
        update={"log_witnesses": f"http://127.0.0.1:{_free_port()} {witnessed.witness.vkey}"})
    last = _persons(witnessed)[-1]
    with Session(witnessed.engine) as session:
        with transaction(session):
            version, created = books.issue_book(session, down, last, reason="issued")
        document = version.document
    assert created
    bundle = _book(witnessed, last, down)  # integrated and proven at once, whatever the witness does
    assert bundle["leaf_index"] is not None and bundle["leaf_index"] < bundle["tree_size"]
    outcomes = _push(witnessed, down)
    assert [o.cosigned for o in outcomes] == [False] and "unreachable" in outcomes[0].detail
    key = cosigner_from_vkey(witnessed.witness.vkey)
    assert cosigned_at(bundle["checkpoint"], key) is None, "served without the cosignature"
    missing = _online(witnessed, document, down)
    assert missing.verdict == Verdict.NOT_WITNESSED, "no witnessed checkpoint holds this book yet"
    assert _offline_pdf(witnessed, last).verdict == Verdict.NOT_WITNESSED
    relaxed = down.model_copy(update={"log_witness_quorum": 0})
    assert _online(witnessed, document, relaxed).verdict == Verdict.VALID

    assert [o.cosigned for o in _push(witnessed)] == [True], "the witness, back, cosigns the new checkpoint"
    back = _online(witnessed, document)
    assert back.verdict == Verdict.VALID and [w["name"] for w in back.shows["log"]["witnesses"]] == [WITNESS_NAME]
    assert cosigned_at(_book(witnessed, last)["checkpoint"], key) is not None
    assert _offline_pdf(witnessed, last).verdict == Verdict.VALID, "the PDF is made again with the cosignature"


def _offline_pdf(setup: Witnessed, person_id: int):
    with Session(setup.engine) as session:
        data = signed_pdf(session, setup.settings, person_id)
        trust = TrustAnchors.from_trust_list(trust_list(session, setup.settings), setup.root)
    return verify(data, trust, StatusView())


@pytest.mark.parametrize("body, status, says", [
    (b"", 400, "expected"),
    (b"\xff\xfe", 400, "UTF-8"),
    (b"old 1\nnot base64!\n\nx\n", 400, "base64"),
    (b"old -1\n\nx\n", 400, "old <size>"),
    (b"old 01\n\nx\n", 400, "old <size>"),
    (b"new 1\n\nx\n", 400, "old <size>"),
    (("old 1\n" + "AAAA\n" * 3 + "\nx\n").encode(), 400, "32-byte"),
    (("old 1\n" + (base64.b64encode(bytes(32)).decode() + "\n") * 64 + "\nx\n").encode(), 400, "at most 63"),
    (b"old 0\n\nexample.com/other-log\n1\nAAAA\n\n\xe2\x80\x94 x y\n", 404, "does not witness"),
    (b"old 1" + b"0" * 70000, 413, "at most"),
], ids=["empty", "not utf-8", "proof not base64", "negative", "leading zero", "no old line", "short hash",
        "64 proof lines", "unknown log", "too large"])
def test_bad_requests_get_a_4xx_with_a_reason(witnessed, body, status, says):
    answer = witnessed.witness.add(body)
    assert answer.status_code == status and says in answer.text, answer.text


def test_a_checkpoint_not_signed_by_the_log_key_is_forbidden(witnessed):
    _, note = _current(witnessed)
    text = note.partition("\n\n")[0] + "\n"
    impostor = NoteSigner(text.split("\n")[0], Ed25519PrivateKey.generate())
    for forged in (impostor.sign(text), note.replace(text.split("\n")[2], base64.b64encode(bytes(32)).decode())):
        answer = witnessed.witness.add(f"old 0\n\n{forged}")
        assert answer.status_code == 403 and "signature" in answer.text, answer.text
    assert httpx.get(f"{witnessed.witness.url}/add-checkpoint").status_code == 405


def _esibook(setup: Witnessed, *args: str, witnesses: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "ESIBOOK_DATABASE_URL": setup.settings.database_url,
           "ESIBOOK_DATA_DIR": str(setup.settings.data_dir), "ESIBOOK_ENV": "test", "ESIBOOK_LOG_WITNESSES": witnesses}
    return subprocess.run([sys.executable, "-m", "esibook", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_operator_commands(witnessed):
    shown = _esibook(witnessed, "witness", "key", "--data-dir", str(witnessed.witness.data_dir), witnesses="")
    assert shown.returncode == 0 and shown.stdout.strip() == witnessed.witness.vkey
    _grow(witnessed, 2)
    size, _ = _current(witnessed)
    pushed = _esibook(witnessed, "witness", "push", witnesses=witnessed.settings.log_witnesses)
    assert pushed.returncode == 0 and f"checkpoint {size}: {witnessed.witness.url} cosigned" in pushed.stdout
    _grow(witnessed, 2)
    dead = f"http://127.0.0.1:{_free_port()} {witnessed.witness.vkey}"
    refused = _esibook(witnessed, "witness", "push", witnesses=dead)
    assert refused.returncode == 1 and "not cosigned: unreachable" in refused.stdout
    malformed = _esibook(witnessed, "witness", "push", witnesses="http://127.0.0.1:1 not-a-key")
    assert malformed.returncode == 2 and "ESIBOOK_LOG_WITNESSES" in malformed.stderr
    assert len(malformed.stderr.strip().splitlines()) == 1
