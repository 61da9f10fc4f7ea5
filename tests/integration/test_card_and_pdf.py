"""The HI card QR and the signed PDF, checked by general tools: a CWT/COSE library, poppler's pdfsig with an NSS
database that trusts only the exported root, and esibook verify."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from datetime import UTC, date, datetime

import cbor2
import cwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from esibook.access.principal import Identity, person_principal
from esibook.book import service as books
from esibook.book.content import book_id
from esibook.book.documents import signed_pdf
from esibook.book.models import BookVersion
from esibook.book.trust_list import trust_list
from esibook.health import card as hi_card
from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.trust import base45, jws
from esibook.trust.anchors import TrustAnchors
from esibook.trust.pki import root
from esibook.trust.signer import FileSigner
from esibook.trust.verify import Verdict, verify
from esibook.views.verification import DatabaseLog, verifier_state

IN_CI = os.environ.get("CI", "").lower() == "true"
#: When the one-time QR is shown in the test: within every seeded card's validity.
SHOWN_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC).timestamp()


def holder(engine) -> Person:
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(
            select(Person)
            .join(HICoverage, HICoverage.person_id == Person.id)
            .join(BookVersion, BookVersion.person_id == Person.id)
            .where(Person.authority == "civil", HICoverage.valid_to >= date(2026, 12, 31))
            .order_by(Person.id)
            .limit(1)
        )


def check(signed, data: bytes | str, now: float | None = None):
    """Online verification, as the server does it (its anchors, suspensions and log)."""
    with Session(signed.engine) as session:
        trust, status = verifier_state(session, signed.settings)
        return verify(data.encode() if isinstance(data, str) else data, trust, status, now=now,
                      log=DatabaseLog(session, signed.settings))


def exported(engine, settings) -> tuple[str, x509.Certificate]:
    """What a clinic has offline: the trust list and the root it pinned."""
    with Session(engine) as session:
        return trust_list(session, settings), x509.load_pem_x509_certificate(root(session).cert_pem.encode())


def test_the_card_qr_decodes_with_a_general_cwt_library_and_the_trust_list_only(signed):
    person = holder(signed.engine)
    with Session(signed.engine) as session:
        qr = hi_card.card_qr(session, signed.settings, person)
    listing, pinned = exported(signed.engine, signed.settings)
    anchors = TrustAnchors.from_trust_list(listing, pinned)
    cose = zlib.decompress(base45.decode(qr.payload.removeprefix("VNHI1:")))
    kid = cbor2.loads(cbor2.loads(cose).value[0])[4]
    certificate = anchors.find(kid.decode()).certificate
    key = cwt.COSEKey.from_pem(
        certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        kid=kid,
    )
    claims = cwt.decode(cose, keys=key)
    card = claims[hi_card.CARD_CLAIM]
    assert card["n"] == person.full_name and card["c"] == claims[2]
    assert len(qr.payload) < 700, "small enough for a QR a cheap phone camera reads"


def test_each_bad_card_gets_its_own_verdict(signed, tmp_path):
    person = holder(signed.engine)
    with Session(signed.engine) as session:
        good = hi_card.card_qr(session, signed.settings, person)
        one_time = hi_card.card_qr(session, signed.settings, person, one_time=True, now=SHOWN_AT)
        card = session.scalar(select(HICoverage).where(HICoverage.person_id == person.id))
        claims = {
            hi_card.ISS: "x",
            hi_card.SUB: card.card_code,
            hi_card.EXP: 1_900_000_000,
            hi_card.CARD_CLAIM: hi_card.card_claims(person, card),
        }
    assert check(signed, good.payload).verdict == Verdict.VALID
    stranger = FileSigner("stranger-key", "civil", None, [], ec.generate_private_key(ec.SECP256R1()))
    forged = hi_card.encode_qr(hi_card.sign_cwt(stranger, claims))
    assert check(signed, forged).verdict == Verdict.UNKNOWN_ISSUER
    after_validity = date(card.valid_to.year + 1, 1, 2)
    expired = check(signed, good.payload, now=_timestamp(after_validity))
    assert expired.verdict == Verdict.EXPIRED
    shown = check(signed, one_time.payload, now=SHOWN_AT + 60)
    assert shown.verdict == Verdict.VALID
    assert shown.shows["authority"] == "civil", "signed by the person's authority, as the trust list says"
    assert datetime.fromisoformat(shown.shows["issued_at"]).timestamp() == SHOWN_AT, "when the QR was signed"
    stale = check(signed, one_time.payload, now=SHOWN_AT + 301)
    assert stale.verdict == Verdict.EXPIRED and "one-time" in stale.reason
    tampered = good.payload[:-6] + ("000000" if not good.payload.endswith("000000") else "111111")
    assert check(signed, tampered).verdict == Verdict.ALTERED


def test_a_suspended_card_and_book_say_so_online_and_in_the_status_list(signed):
    person = holder(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        officer = _approver(session)
        books.suspend(session, officer, person.id, subject="card", reason="Thẻ bị làm giả")
        books.suspend(session, officer, person.id, subject="book", reason="Hồ sơ gian lận")
        qr = hi_card.card_qr(session, signed.settings, person)
        document = books.latest_version(session, person.id).document
    assert check(signed, qr.payload).verdict == Verdict.SUSPENDED
    assert check(signed, document).verdict == Verdict.SUSPENDED
    from esibook.book.status import StatusView, status_list

    with Session(signed.engine) as session:
        listing = status_list(session, signed.settings)
        anchors = TrustAnchors.from_database(session)
    offline = StatusView.from_status_list(listing, anchors)
    card_code = _card_code(signed.engine, person.id)
    assert offline.is_suspended("card", card_code) and offline.is_suspended("book", book_id(person))
    assert not offline.is_suspended("card", card_code[:-1] + ("0" if card_code[-1] != "0" else "1"))
    published = json.dumps(jws.parts(listing)[1])
    assert person.personal_id not in published and card_code not in published, "the public list names no one"
    with Session(signed.engine) as session:
        books.restore(session, officer, person.id, subject="card")
        books.restore(session, officer, person.id, subject="book")
    assert check(signed, qr.payload).verdict == Verdict.VALID


def test_only_an_approving_officer_of_the_persons_authority_may_suspend(signed):
    person = holder(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        reviewer = _officer(session, "defence")
    from esibook.errors import DomainError

    with Session(signed.engine) as session, pytest.raises(DomainError) as error:
        books.suspend(session, reviewer, person.id, subject="book", reason="thử")
    assert error.value.status in (403, 404)


def _approver(session):
    from esibook.access.models import RoleGrant

    grant = session.scalar(select(RoleGrant).where(RoleGrant.role == "officer", RoleGrant.authority == "civil"))
    return person_principal(session, Identity("officer", grant.personal_id, "Officer", 2))


def _officer(session, authority):
    from esibook.access.models import RoleGrant

    grant = session.scalar(select(RoleGrant).where(RoleGrant.role == "officer", RoleGrant.authority == authority))
    return person_principal(session, Identity("officer", grant.personal_id, "Officer", 2))


def _card_code(engine, person_id):
    with Session(engine) as session:
        return session.scalar(select(HICoverage.card_code).where(HICoverage.person_id == person_id))


def _timestamp(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def book_pdf(signed, tmp_path_factory):
    person = holder(signed.engine)
    with Session(signed.engine) as session:
        data = signed_pdf(session, signed.settings, person.id)
    path = tmp_path_factory.mktemp("pdf") / "book.pdf"
    path.write_bytes(data)
    return path, person


@pytest.fixture(scope="module")
def nss_trusting_the_root(signed, tmp_path_factory):
    """An NSS database (as pdfsig uses) that trusts only the exported esibook root."""
    if not shutil.which("pdfsig") or not shutil.which("certutil"):
        if IN_CI:
            pytest.fail("pdfsig and certutil are required when CI=true (poppler-utils, libnss3-tools)")
        pytest.skip("poppler-utils / libnss3-tools not installed")
    folder = tmp_path_factory.mktemp("nss")
    export = tmp_path_factory.mktemp("export")
    env = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(signed.settings.data_dir),
    }
    subprocess.run([sys.executable, "-m", "esibook", "trust", "export", str(export)], check=True, env=env)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{folder}", "-n", "esibook-root", "-t", "C,C,C", "-i", str(export / "root.pem")],
        check=True,
    )
    return folder


def pdfsig(path, nss) -> str:
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True).stdout


def test_pdfsig_says_the_signature_is_valid_and_the_certificate_trusted(book_pdf, nss_trusting_the_root):
    path, person = book_pdf
    report = pdfsig(path, nss_trusting_the_root)
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Total document signed" in report


def test_one_changed_byte_fails_pdfsig_and_esibook_verify(signed, book_pdf, nss_trusting_the_root, tmp_path):
    path, _ = book_pdf
    data = bytearray(path.read_bytes())
    offset = data.index(b"/Producer") if b"/Producer" in data else len(data) // 3
    data[offset + 2] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert "Signature is Valid." not in pdfsig(tampered, nss_trusting_the_root)
    assert check(signed, bytes(data)).verdict == Verdict.ALTERED


def test_esibook_verify_command_exit_code_and_offline_mode(signed, book_pdf, tmp_path):
    path, person = book_pdf
    env = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(signed.settings.data_dir),
    }
    run = [sys.executable, "-m", "esibook", "verify"]
    valid = subprocess.run([*run, str(path), "--json"], capture_output=True, text=True, env=env)
    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout)["shows"]["full_name"] == person.full_name
    export = tmp_path / "export"
    subprocess.run([sys.executable, "-m", "esibook", "trust", "export", str(export)], check=True, env=env)
    offline = subprocess.run(
        [*run, str(path), "--trust-list", str(export / "trust-list.jws"), "--root", str(export / "root.pem")],
        capture_output=True,
        text=True,
        env={**env, "ESIBOOK_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    assert offline.returncode == 0 and offline.stdout.startswith("VALID"), offline.stdout + offline.stderr
    junk = subprocess.run([*run, "-"], input="just some text", capture_output=True, text=True, env=env)
    assert junk.returncode == 1 and junk.stdout.startswith("NOT_ESIBOOK")


def test_the_pdf_is_readable_vietnamese_with_a_verification_qr_on_every_page(signed, book_pdf, tmp_path):
    if not shutil.which("pdftotext"):
        if IN_CI:
            pytest.fail("pdftotext is required when CI=true (poppler-utils)")
        pytest.skip("poppler-utils not installed")
    path, person = book_pdf
    text_out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "SỔ BẢO HIỂM XÃ HỘI ĐIỆN TỬ" in text_out and person.full_name in text_out
    from esibook.health.models import Clinic
    from esibook.health.service import latest_card

    with Session(signed.engine) as session:
        card = latest_card(session, person.id)
        clinic = session.scalar(select(Clinic).where(Clinic.code == card.initial_clinic_code))
    words = " ".join(text_out.split())
    assert clinic is not None and f"({clinic.code})" in words, "the initial clinic by name, then its code"
    assert " ".join(clinic.name.split()[:2]) in words
    pages = text_out.count("\f")
    assert text_out.count("Kiểm tra tính hợp lệ") >= max(pages, 1)


def test_verify_endpoint_and_log_rewrite_detection_via_api(signed, book_pdf):
    from fastapi.testclient import TestClient

    from esibook.app import create_app

    path, _ = book_pdf
    client = TestClient(create_app(signed.settings))
    answer = client.post("/api/v1/verify", files={"file": ("book.pdf", path.read_bytes(), "application/pdf")})
    assert answer.status_code == 200 and answer.json()["verdict"] == "valid"
    assert client.post("/api/v1/verify", content=b"").json()["error"]["code"] == "verify.empty"
    with signed.engine.begin() as connection:
        size = connection.execute(text("SELECT size FROM log_head")).scalar()
    assert client.get("/api/v1/log/proof/inclusion", params={"leaf_index": 0, "tree_size": size + 5}).status_code == 400


def test_verification_checks_the_log_offline_and_online_and_reads_a_downloaded_status_list(signed, tmp_path):
    from fastapi.testclient import TestClient

    from esibook.app import create_app
    from esibook.book.status import status_list
    from esibook.trust.pki import signer_for

    person = holder(signed.engine)
    with Session(signed.engine, expire_on_commit=False) as session:
        logged = books.bundle(session, signed.settings, person.id)
        header, payload, _, _ = jws.parts(logged.version.document)
        unlogged = jws.sign(signer_for(session, signed.settings, "issuing", person.authority),
                            {**payload, "version": payload["version"] + 100}, "esibook-book+jws")
    env = {**os.environ, "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
           "ESIBOOK_DATA_DIR": str(signed.settings.data_dir)}
    export = tmp_path / "export"
    subprocess.run([sys.executable, "-m", "esibook", "trust", "export", str(export)], check=True, env=env)
    offline_env = {**env, "ESIBOOK_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    trusted = ["--trust-list", str(export / "trust-list.jws"), "--root", str(export / "root.pem")]

    def offline(name: str, content: str, *extra: str) -> subprocess.CompletedProcess:
        (tmp_path / name).write_text(content)
        return subprocess.run([sys.executable, "-m", "esibook", "verify", str(tmp_path / name), *trusted, *extra],
                              capture_output=True, text=True, env=offline_env)

    bundle = json.dumps(logged.as_dict())
    valid = offline("bundle.json", bundle)
    assert valid.returncode == 0 and valid.stdout.startswith("VALID"), valid.stdout + valid.stderr
    assert f"logged at index {logged.version.leaf_index} of {logged.tree_size}, checkpoint time 20" in valid.stdout
    bare = offline("book.jws", logged.version.document)
    assert bare.returncode == 1 and bare.stdout.startswith("NOT_LOGGED"), "offline, a bare book proves no logging"
    forged = offline("forged.json", json.dumps({**logged.as_dict(), "document": unlogged}))
    assert forged.returncode == 1 and forged.stdout.startswith("NOT_LOGGED")
    assert check(signed, unlogged).verdict == Verdict.NOT_LOGGED, "signed by the State's key, but never logged"
    assert check(signed, logged.version.document).shows["log"]["leaf_index"] == logged.version.leaf_index

    with Session(signed.engine, expire_on_commit=False) as session:
        officer = _approver(session)
        books.suspend(session, officer, person.id, subject="book", reason="Hồ sơ gian lận")
        downloaded = status_list(session, signed.settings)
    try:
        suspended = offline("bundle.json", bundle, "--status-list", str(_write(tmp_path / "status.jws", downloaded)))
        assert suspended.returncode == 1 and suspended.stdout.startswith("SUSPENDED"), suspended.stdout
        assert offline("bundle.json", bundle).stdout.startswith("VALID"), "without the list, offline cannot know"
    finally:
        with Session(signed.engine) as session:
            books.restore(session, officer, person.id, subject="book")

    client = TestClient(create_app(signed.settings))
    page = client.post("/verify", data={"text": bundle})
    assert "Đã ghi vào nhật ký ở vị trí" in page.text
    assert f"{logged.version.leaf_index} trên {logged.tree_size}" in page.text
    api = client.post("/api/v1/verify", content=unlogged.encode()).json()
    assert api["verdict"] == "not_logged" and not api["valid"]


def _write(path, text: str):
    path.write_text(text)
    return path
