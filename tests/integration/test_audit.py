"""The audit chain detects any edited, deleted or reordered record, and says which; its signed checkpoints,
anchored outside the database, detect a cut tail, a reset head and a chain recomputed from genesis."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.audit.checkpoints import due
from esibook.audit.models import AuditCheckpoint, AuditRecord
from esibook.config import Settings
from esibook.db import transaction
from esibook.trust.note import NoteSigner
from support.signed_in import bearer_of


@pytest.fixture
def chained(empty_engine):
    with Session(empty_engine) as session:
        for number in range(1, 6):
            with transaction(session):
                audit.append(
                    session,
                    actor="person:0791******23",
                    action="test.event",
                    target=f"thing:{number}",
                    details={"n": number},
                )
    yield empty_engine
    empty_engine.dispose()  # many small databases: do not keep a pool of connections open for each


def verify(engine) -> audit.ChainReport:
    with Session(engine) as session:
        return audit.verify(session)


def test_an_untouched_chain_verifies(chained):
    report = verify(chained)
    assert report.intact and report.records == 5


def test_editing_one_record_is_detected_and_named(chained):
    with chained.begin() as connection:
        connection.execute(text("UPDATE audit_log SET details = :d WHERE seq = 3"), {"d": '{"n":99}'})
    report = verify(chained)
    assert not report.intact
    assert report.problems == ["record 3 was altered: its content no longer matches its hash"]


def test_deleting_a_record_is_detected(chained):
    with chained.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    problems = verify(chained).problems
    assert "records 2..2 are missing (deleted)" in problems


def test_swapping_two_records_is_detected(chained):
    with chained.begin() as connection:
        connection.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 4"))
        connection.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 5"))
        connection.execute(text("UPDATE audit_log SET seq = 5 WHERE seq = -1"))
    problems = verify(chained).problems
    assert any("record 4" in p for p in problems) and any("record 5" in p for p in problems)


def test_cutting_off_the_newest_records_is_detected(chained):
    with chained.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
    assert verify(chained).problems == ["the chain ends at record 3 but the head says 5: records after 3 were deleted"]


def run(engine, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(data_dir),
        "COLUMNS": "250",
        **env,
    }
    command = [sys.executable, "-m", "esibook", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)


def add_record(engine, number: int) -> None:
    with Session(engine) as session, transaction(session):
        audit.append(session, actor="system:test", action="test.event", target=f"thing:{number}")


@pytest.fixture
def anchored(chained, tmp_path) -> tuple:
    """The chain of 5 records, checkpointed once by the command: anchor file in the data directory."""
    made = run(chained, tmp_path, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr
    assert "checkpoint at seq 5 signed, appended to" in made.stdout
    return chained, tmp_path


def anchor_file(data_dir: Path) -> Path:
    return data_dir / "audit-checkpoints.txt"


def test_cli_verify_exits_1_and_names_the_record(chained, tmp_path):
    clean = run(chained, tmp_path, "audit", "verify")
    assert clean.returncode == 0 and "intact: 5 records" in clean.stdout
    assert "no checkpoint anchored yet" in clean.stdout
    with chained.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
    tampered = run(chained, tmp_path, "audit", "verify")
    assert tampered.returncode == 1
    assert "record 2 was altered" in tampered.stderr


def test_the_checkpoint_is_a_c2sp_signed_note_of_the_head_verifiable_with_the_public_key_alone(anchored):
    engine, data_dir = anchored
    with Session(engine) as session:
        head_hash = session.get(AuditRecord, 5).hash
    origin, size, root, blank, signature, end = anchor_file(data_dir).read_text().split("\n", 5)
    head = base64.b64encode(bytes.fromhex(head_hash)).decode()
    assert (origin, size, root, blank) == ("127.0.0.1:8000/audit", "5", head, "")
    # Checked here as any C2SP verifier would, from the vkey file only: name+keyid+base64(0x01 || Ed25519 key).
    name, key_hash, key = (data_dir / "keys" / "audit-checkpoint.vkey").read_text().strip().split("+", 2)
    raw_key = base64.b64decode(key)
    assert name == origin and raw_key[0] == 1
    assert hashlib.sha256(name.encode() + b"\n" + raw_key).digest()[:4].hex() == key_hash
    dash, signer, encoded = signature.split(" ")
    signed = base64.b64decode(encoded)
    assert (dash, signer, signed[:4].hex()) == ("—", name, key_hash)
    Ed25519PublicKey.from_public_bytes(raw_key[1:]).verify(signed[4:], f"{origin}\n{size}\n{root}\n".encode())
    assert not list((data_dir / "keys").glob("*.key.pem"))[0].read_bytes().startswith(b"-----BEGIN PRIVATE KEY")


def test_an_intact_anchored_chain_verifies_and_says_how_far_it_is_anchored(anchored):
    engine, data_dir = anchored
    add_record(engine, 6)
    result = run(engine, data_dir, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "audit log intact: 6 records, head at seq 6" in result.stdout
    assert "matches the last anchored checkpoint at seq 5" in result.stdout
    assert "1 anchored and 1 stored checkpoints agree; 1 newer records not yet anchored" in result.stdout


def test_checkpointing_again_without_new_records_adds_nothing(anchored):
    engine, data_dir = anchored
    again = run(engine, data_dir, "audit", "checkpoint")
    assert again.returncode == 0 and "checkpoint at seq 5 already signed, already in" in again.stdout
    assert anchor_file(data_dir).read_text().count("\n— ") == 1


def cut_the_last_record(engine) -> None:
    """What a database owner does to hide the newest record: delete it, point the head at the one before, and
    delete the stored checkpoints too."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 5"))
        connection.execute(text("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)"))
        connection.execute(text("DELETE FROM audit_checkpoints"))


def test_deleting_the_last_record_and_rewriting_the_head_is_detected_by_the_anchor(anchored):
    engine, data_dir = anchored
    cut_the_last_record(engine)
    with Session(engine) as session:
        assert audit.verify(session).intact, "the hashes alone cannot see this"
    result = run(engine, data_dir, "audit", "verify")
    assert result.returncode == 1
    assert "the chain ends at seq 4 but a checkpoint at seq 5 was anchored: records 5..5 are missing" in result.stderr
    assert "the head row says seq 4 but seq 5 was anchored: the head was reset" in result.stderr
    assert "the checkpoint at seq 5 is in the anchor file but missing from audit_checkpoints" in result.stderr


def rewrite_from_genesis(engine, *, drop: int) -> None:
    """Recompute the whole chain without record ``drop``: every number, link and hash valid again."""
    with Session(engine) as session, transaction(session):
        columns = (AuditRecord.at, AuditRecord.actor, AuditRecord.action, AuditRecord.target, AuditRecord.authority)
        fields = session.execute(
            select(*columns, AuditRecord.details).where(AuditRecord.seq != drop).order_by(AuditRecord.seq)
        ).all()
        session.execute(text("DELETE FROM audit_log"))
        session.execute(text("DELETE FROM audit_checkpoints"))
        prev = audit.GENESIS
        for seq, (at, actor, action, target, authority, details) in enumerate(fields, 1):
            digest = audit.record_hash(
                prev, seq=seq, at=at, actor=actor, action=action, target=target, authority=authority, details=details
            )
            session.add(AuditRecord(seq=seq, at=at, actor=actor, action=action, target=target, authority=authority,
                                    details=details, prev_hash=prev, hash=digest))
            prev = digest
        session.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"), {"seq": len(fields), "hash": prev})


def test_recomputing_the_whole_chain_is_detected_and_never_signed(anchored):
    engine, data_dir = anchored
    rewrite_from_genesis(engine, drop=3)
    add_record(engine, 6)  # back to 5 records: the same length as anchored
    with Session(engine) as session:
        assert audit.verify(session).intact, "a recomputed chain is internally valid"
    result = run(engine, data_dir, "audit", "verify")
    assert result.returncode == 1
    assert "record 5 does not have the hash signed in the checkpoint at seq 5: the chain was rewritten" in result.stderr
    before = anchor_file(data_dir).read_text()
    refused = run(engine, data_dir, "audit", "checkpoint")
    assert refused.returncode == 1 and "the chain was rewritten" in refused.stderr
    assert anchor_file(data_dir).read_text() == before, "no checkpoint vouches for the rewritten chain"


def test_a_middle_record_altered_after_anchoring_is_detected(anchored):
    engine, data_dir = anchored
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET target = 'thing:99' WHERE seq = 3"))
    result = run(engine, data_dir, "audit", "verify")
    assert result.returncode == 1
    assert "record 3 was altered: its content no longer matches its hash" in result.stderr


def test_stored_checkpoints_must_match_their_signature_and_the_anchor(anchored):
    engine, data_dir = anchored
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoints SET hash = :h"), {"h": "ab" * 32})
    result = run(engine, data_dir, "audit", "verify")
    assert result.returncode == 1
    assert "the checkpoint row at seq 5 does not match its signed note" in result.stderr


def test_a_checkpoint_not_signed_by_the_audit_key_is_refused(anchored):
    engine, data_dir = anchored
    forger = NoteSigner("127.0.0.1:8000/audit", Ed25519PrivateKey.generate())
    with anchor_file(data_dir).open("a") as anchor:
        anchor.write(forger.sign(f"127.0.0.1:8000/audit\n9\n{base64.b64encode(bytes(32)).decode()}\n") + "\n")
    result = run(engine, data_dir, "audit", "verify")
    assert result.returncode == 1
    assert f"{anchor_file(data_dir)} line 7: a checkpoint that does not verify" in result.stderr


def test_verifying_with_a_pinned_key_and_an_anchor_elsewhere(chained, tmp_path):
    elsewhere = tmp_path / "worm" / "audit.anchor"
    made = run(chained, tmp_path / "data", "audit", "checkpoint", "--anchor", str(elsewhere))
    assert made.returncode == 0 and str(elsewhere) in made.stdout
    pinned = tmp_path / "pinned.vkey"
    pinned.write_text(made.stdout.split("audit public key: ")[1])
    ok = run(chained, tmp_path / "other", "audit", "verify", "--anchor", str(elsewhere), "--key", str(pinned))
    assert ok.returncode == 0 and "matches the last anchored checkpoint at seq 5" in ok.stdout
    cut_the_last_record(chained)
    cut = run(chained, tmp_path / "other", "audit", "verify", "--anchor", str(elsewhere), "--key", str(pinned))
    assert cut.returncode == 1 and "records 5..5 are missing" in cut.stderr
    missing = run(chained, tmp_path / "other", "audit", "verify", "--key", str(tmp_path / "none.vkey"))
    assert missing.returncode == 2 and "audit.key_missing" in missing.stderr


def test_the_worker_anchors_a_checkpoint_when_one_is_due(chained, tmp_path):
    first = run(chained, tmp_path, "worker", "--once")
    assert first.returncode == 0 and "audit checkpoint at seq 5 anchored" in first.stdout
    add_record(chained, 6)
    not_yet = run(chained, tmp_path, "worker", "--once")
    assert "audit checkpoint" not in not_yet.stdout, "one new record, not an hour old: not due"
    after_n = run(chained, tmp_path, "worker", "--once", ESIBOOK_AUDIT_CHECKPOINT_RECORDS="1")
    assert "audit checkpoint at seq 6 anchored" in after_n.stdout
    assert anchor_file(tmp_path).read_text().count("\n— ") == 2
    assert run(chained, tmp_path, "audit", "verify").returncode == 0


def test_a_checkpoint_is_due_an_hour_after_the_last_one(anchored):
    engine, data_dir = anchored
    add_record(engine, 6)
    settings = Settings(data_dir=data_dir)
    with Session(engine) as session:
        signed_at = session.get(AuditCheckpoint, 5).created_at
        assert not due(session, settings, now=signed_at + timedelta(minutes=59))
        assert due(session, settings, now=signed_at + timedelta(minutes=60))


# --- no personal ID number in the chain ------------------------------------------------------------------------


@pytest.fixture
def flows(signed):
    """Officers, a citizen and a connected system do what leaves audit records, on the signed demo database."""
    from fastapi.testclient import TestClient
    from sqlalchemy import exists

    from esibook.access.clients import register_client
    from esibook.access.demo import demo_identities
    from esibook.app import create_app
    from esibook.book.models import BookVersion
    from esibook.book.service import issue_book
    from esibook.people.models import Person

    engine, settings = signed.engine, signed.settings
    with Session(engine) as session:
        ids = {i.key: i for i in demo_identities(session)}
        person = session.scalar(select(Person).where(Person.authority == "civil").order_by(Person.id.desc()).limit(1))
        unbooked = session.scalar(
            select(Person).where(
                Person.authority == "civil",
                Person.personal_id.is_not(None),
                ~exists().where(BookVersion.person_id == Person.id),
            )
        )
        person_id, involved = person.id, [person.personal_id, unbooked.personal_id]
        with transaction(session):
            assert issue_book(session, settings, unbooked.id, reason="issued")[1], "a first version: book.issued"
    client = TestClient(create_app(settings))

    def bearer(key: str) -> dict:
        return bearer_of(settings, ids[key], 2)

    officer = bearer("officer-civil")
    assert client.get(f"/api/v1/officer/persons/{person_id}?purpose=TTHC", headers=officer).status_code == 200
    assert client.get(f"/api/v1/officer/persons/{person_id}/printout.pdf", headers=officer).status_code == 200
    body = {"subject": "card", "reason": "thẻ giả mạo"}
    suspensions = f"/api/v1/officer/persons/{person_id}/suspensions"
    assert client.post(suspensions, json=body, headers=officer).status_code == 201
    assert client.delete(f"{suspensions}/card", headers=officer).status_code == 204
    citizen = bearer("citizen-l2")
    link = client.post("/api/v1/me/share-links", json={"extract": "hi_card_valid"}, headers=citizen).json()
    assert client.delete(f"/api/v1/me/share-links/{link['id']}", headers=citizen).status_code == 204
    with Session(engine) as session:
        client_id, secret = register_client(session, name="HIS", groups="1,5", purposes="KCB")
    token = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert client.post("/oauth/token", data=token).status_code == 200
    return engine, involved + [i.personal_id for i in ids.values()]


def test_no_personal_id_number_is_written_to_the_audit_chain(flows):
    from support.audit_privacy import personal_ids_in_audit

    engine, involved = flows
    with Session(engine) as session:
        rows = session.scalars(select(AuditRecord)).all()
    actions = {r.action for r in rows}
    assert {"book.issued", "person.viewed", "book.printed", "card.suspended", "share_link.created"} <= actions
    written = " ".join(f"{r.actor} {r.target} {r.details}" for r in rows)
    assert not [pid for pid in involved if pid in written]
    assert personal_ids_in_audit(engine) == []


def test_a_head_row_reset_below_the_anchor_is_named(anchored):
    from esibook.audit.checkpoints import load_verifier, verify_anchored

    engine, data_dir = anchored
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)"))
    with Session(engine) as session:
        report = verify_anchored(
            session, anchor=anchor_file(data_dir), verifier=load_verifier(data_dir / "keys" / "audit-checkpoint.vkey")
        )
    assert report.problems == [
        "the chain ends at record 5 but the head says 4: the head row was rewritten",
        "the head row says seq 4 but seq 5 was anchored: the head was reset",
    ]
