"""The e-book: signed, versioned, logged with proofs, checkable without trusting the server."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.benefits.models import BenefitSettlement
from esibook.book import log
from esibook.book import service as books
from esibook.book.content import contribution_months
from esibook.book.log import book_entry
from esibook.book.models import BookVersion
from esibook.db import transaction
from esibook.people.models import Person
from esibook.trust.pki import all_certificates, rotate
from esibook.trust.verify import Verdict
from esibook.views.verification import check_online
from support.rfc9162 import leaf_hash, verify_consistency, verify_inclusion
from support.signed_in import bearer


@pytest.fixture(scope="module")
def client(signed) -> TestClient:
    return TestClient(create_app(signed.settings))


def a_person(engine, authority: str = "civil") -> Person:
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(
            select(Person)
            .join(BookVersion, BookVersion.person_id == Person.id)
            .where(Person.authority == authority)
            .order_by(Person.id)
            .limit(1)
        )


def check(signed, data: bytes):
    with Session(signed.engine, expire_on_commit=False) as session:
        return check_online(session, signed.settings, data)


def test_the_pki_has_a_root_one_key_per_authority_and_encrypted_private_keys(signed):
    with Session(signed.engine, expire_on_commit=False) as session:
        rows = all_certificates(session)
    roles = sorted((r.role, r.authority or "") for r in rows)
    assert roles == [("issuing", "civil"), ("issuing", "defence"), ("issuing", "security"), ("log", ""), ("root", "")]
    issuing = x509.load_pem_x509_certificate(next(r for r in rows if r.role == "issuing").cert_pem.encode())
    usage = issuing.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = issuing.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    for key_file in (signed.settings.data_dir / "trust").glob("*.key.pem"):
        assert key_file.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_a_book_is_a_jws_any_library_verifies_with_the_published_certificate(signed):
    person = a_person(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        document = books.latest_version(session, person.id).document
    header = json.loads(base64.urlsafe_b64decode(document.split(".")[0] + "=="))
    leaf_cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    key = ECKey.import_key(
        leaf_cert.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    registry = joserfc_jws.JWSRegistry(algorithms=["ES256"])
    registry.max_header_length = 4096  # the header carries the certificate chain (x5c)
    payload = json.loads(joserfc_jws.deserialize_compact(document, key, registry=registry).payload)
    assert payload["person"]["full_name"] == person.full_name
    assert payload["version"] == 1 and payload["previous"] is None
    assert contribution_months(payload), "the whole contribution process is in the book"


def test_a_change_makes_a_new_version_naming_its_predecessor_and_old_versions_still_verify(signed):
    person = a_person(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        first = books.latest_version(session, person.id)
        with transaction(session):
            _, created = books.issue_book(session, signed.settings, person.id, reason="recheck")
        assert not created, "nothing changed, no new version"
        session.add(
            BenefitSettlement(
                person_id=person.id,
                seq=99,
                regime="sickness",
                period_from=first.issued_at.date(),
                period_to=first.issued_at.date(),
                days=3,
                amount=1_234_000,
                decision_no="9/QĐ-BHXH",
                decision_date=first.issued_at.date(),
                authority=person.authority,
            )
        )
        session.commit()
        with transaction(session):
            second, created = books.issue_book(session, signed.settings, person.id, reason="benefit settled")
    assert created and second.version == first.version + 1
    _, payload = (
        second.document.split(".")[:2],
        json.loads(base64.urlsafe_b64decode(second.document.split(".")[1] + "==")),
    )
    assert payload["previous"] == hashlib.sha256(first.document.encode()).hexdigest()
    assert payload["benefits"][-1]["amount"] == 1_234_000
    assert check(signed, first.document.encode()).verdict == Verdict.VALID
    assert check(signed, second.document.encode()).verdict == Verdict.VALID


def test_one_changed_character_is_altered_and_a_stranger_key_is_unknown(signed):
    person = a_person(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        document = books.latest_version(session, person.id).document
    head, body, signature = document.split(".")
    tampered_body = body[:40] + ("A" if body[40] != "A" else "B") + body[41:]
    assert check(signed, f"{head}.{tampered_body}.{signature}".encode()).verdict == Verdict.ALTERED
    stranger = ECKey.generate_key("P-256", private=True)
    forged = joserfc_jws.serialize_compact(
        {"alg": "ES256", "kid": "not-a-state-key", "typ": "esibook-book+jws"},
        base64.urlsafe_b64decode(body + "=="),
        stranger,
    )
    assert check(signed, forged.encode()).verdict == Verdict.UNKNOWN_ISSUER
    assert check(signed, b"hello").verdict == Verdict.NOT_ESIBOOK


def test_proofs_from_the_api_verify_with_an_independent_rfc9162_implementation(signed, client):
    first = client.get("/api/v1/log/checkpoint").json()
    person = a_person(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        session.add(
            BenefitSettlement(
                person_id=person.id,
                seq=98,
                regime="maternity",
                period_from=person.date_of_birth,
                period_to=person.date_of_birth,
                days=1,
                amount=5_000_000,
                decision_no="8/QĐ-BHXH",
                decision_date=person.date_of_birth,
                authority=person.authority,
            )
        )
        session.commit()
        with transaction(session):
            version, _ = books.issue_book(session, signed.settings, person.id, reason="benefit settled")
        assert version.leaf_index is None, "pooled: the sequencer gives the leaf index"
        assert log.integrate(session, signed.settings) >= 1
        session.refresh(version)
    second = client.get("/api/v1/log/checkpoint").json()
    assert second["tree_size"] > version.leaf_index >= first["tree_size"]
    proof = client.get(
        "/api/v1/log/proof/inclusion", params={"leaf_index": version.leaf_index, "tree_size": second["tree_size"]}
    ).json()
    assert verify_inclusion(
        leaf_hash(book_entry(version.document)),
        version.leaf_index,
        second["tree_size"],
        [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(second["root_hash"]),
    )
    consistency = client.get(
        "/api/v1/log/proof/consistency", params={"first": first["tree_size"], "second": second["tree_size"]}
    ).json()
    assert verify_consistency(
        first["tree_size"],
        second["tree_size"],
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]),
        [bytes.fromhex(h) for h in consistency["consistency"]],
    )
    assert second["checkpoint"] == client.get("/log/checkpoint").text
    assert check(signed, version.document.encode()).shows["log"]["leaf_index"] == version.leaf_index


def test_rewriting_a_logged_version_is_detected(signed, client):
    person = a_person(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        version = books.latest_version(session, person.id)
    checkpoint = client.get("/api/v1/log/checkpoint").json()
    rewritten = version.document[:-8] + "AAAAAAAA"
    try:
        with signed.engine.begin() as connection:
            connection.execute(
                text("UPDATE book_versions SET document = :d WHERE person_id = :p AND version = :v"),
                {"d": rewritten, "p": person.id, "v": version.version},
            )
        _check_rewrite_is_caught(signed, client, version, checkpoint, rewritten)
    finally:
        with signed.engine.begin() as connection:
            connection.execute(
                text("UPDATE book_versions SET document = :d WHERE person_id = :p AND version = :v"),
                {"d": version.document, "p": person.id, "v": version.version},
            )


def _check_rewrite_is_caught(signed, client, version, checkpoint, rewritten: str) -> None:
    logged = client.get(f"/api/v1/log/entries/{version.leaf_index}").json()
    assert logged["entry"] == book_entry(version.document).hex() != book_entry(rewritten).hex()
    assert logged["leaf_hash"] == leaf_hash(book_entry(version.document)).hex()
    proof = client.get(
        "/api/v1/log/proof/inclusion", params={"leaf_index": version.leaf_index, "tree_size": checkpoint["tree_size"]}
    ).json()
    assert not verify_inclusion(
        leaf_hash(book_entry(rewritten)),
        version.leaf_index,
        checkpoint["tree_size"],
        [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(checkpoint["root_hash"]),
    )
    assert check(signed, rewritten.encode()).verdict == Verdict.ALTERED


def test_a_defence_book_verifies_with_the_defence_key_and_carries_no_classified_detail(signed):
    person = a_person(signed.engine, "defence")
    with Session(signed.engine, expire_on_commit=False) as session:
        row = books.latest_version(session, person.id)
        units = session.execute(
            text(
                "SELECT classified_unit, classified_rank FROM participation_periods "
                "WHERE person_id = :p AND classified_unit IS NOT NULL"
            ),
            {"p": person.id},
        ).all()
    result = check(signed, row.document.encode())
    assert result.verdict == Verdict.VALID and result.shows["authority"] == "defence"
    payload = base64.urlsafe_b64decode(row.document.split(".")[1] + "==").decode()
    assert units
    for unit, rank in units:
        assert unit not in payload and rank not in payload
    assert '"classified_details_withheld":true' in payload


def test_key_rollover_new_books_use_the_new_key_old_books_still_verify(signed):
    person = a_person(signed.engine, "security")
    with Session(signed.engine, expire_on_commit=False) as session:
        old = books.latest_version(session, person.id)
        new_key = rotate(session, signed.settings, "security")
        session.add(
            BenefitSettlement(
                person_id=person.id,
                seq=97,
                regime="sickness",
                period_from=person.date_of_birth,
                period_to=person.date_of_birth,
                days=2,
                amount=800_000,
                decision_no="7/QĐ-BHXH",
                decision_date=person.date_of_birth,
                authority="security",
            )
        )
        session.commit()
        with transaction(session):
            new, _ = books.issue_book(session, signed.settings, person.id, reason="after rollover")
    assert new.kid == new_key.kid != old.kid
    assert check(signed, old.document.encode()).verdict == Verdict.VALID
    assert check(signed, new.document.encode()).verdict == Verdict.VALID


def test_a_version_integrated_after_a_read_gets_a_checkpoint_that_covers_it(signed, client):
    """The checkpoint a book read serves is kept by the process for up to a second; a version the sequencer
    integrated since is still served with a checkpoint that covers its leaf, and its proof verifies."""
    with Session(signed.engine, expire_on_commit=False) as session:
        readers = session.scalars(
            select(Person).join(BookVersion, BookVersion.person_id == Person.id)
            .where(Person.personal_id.is_not(None)).order_by(Person.id).limit(2)
        ).all()
    first, second = (bearer(signed.settings, p.personal_id, p.full_name) for p in readers)
    assert client.get("/api/v1/me/book", headers=first).status_code == 200  # the checkpoint is now kept
    with Session(signed.engine, expire_on_commit=False) as session:
        person = readers[1]
        session.add(BenefitSettlement(
            person_id=person.id, seq=97, regime="maternity", period_from=person.date_of_birth,
            period_to=person.date_of_birth, days=1, amount=4_000_000, decision_no="9/QĐ-BHXH",
            decision_date=person.date_of_birth, authority=person.authority))
        session.commit()
        with transaction(session):
            version, created = books.issue_book(session, signed.settings, person.id, reason="benefit settled")
        assert created and log.integrate(session, signed.settings) >= 1
        session.refresh(version)
    read = client.get("/api/v1/me/book", headers=second).json()
    assert read["version"] == version.version and read["leaf_index"] == version.leaf_index
    assert read["tree_size"] > version.leaf_index
    root = base64.b64decode(read["checkpoint"].split("\n")[2])
    assert verify_inclusion(leaf_hash(book_entry(version.document)), version.leaf_index, read["tree_size"],
                            [bytes.fromhex(h) for h in read["inclusion_proof"]], root)
