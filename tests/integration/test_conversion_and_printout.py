"""Paper → electronic (a converted document with the mark, time, converter and signature) and electronic → paper
(a certified printout naming the original); each verifies with `esibook verify`."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib

import pytest
import segno
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.book.models import BookVersion
from esibook.people.models import Person
from esibook.transactions.models import RepositoryDocument
from support.signed_in import bearer_of


@pytest.fixture(scope="module")
def world(signed, signed_app, signed_identities):
    officer = signed_identities["officer-civil"]
    with Session(signed.engine) as session:
        person = session.scalar(
            select(Person)
            .join(BookVersion, BookVersion.person_id == Person.id)
            .where(Person.authority == "civil")
            .order_by(Person.id.desc())
            .limit(1)
        )
    return signed_app, bearer_of(signed.settings, officer, 2), officer, person


def scanned_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "So BHXH giay - trang 1 (ban quet)")
    page.save()
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    """A PNG header claiming the given size (enough for the size check), then a tiny valid image body."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    ihdr = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + ihdr
        + struct.pack(">I", zlib.crc32(ihdr))
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def verify_cli(signed, data: bytes) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
        "ESIBOOK_DATA_DIR": str(signed.settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "esibook", "verify", "-", "--json"], input=data, capture_output=True, env=env
    )


def repository_size(engine, person_id: int) -> int:
    with Session(engine) as session:
        return session.scalar(
            select(func.count()).select_from(RepositoryDocument).where(RepositoryDocument.owner_id == person_id)
        )


def test_a_converted_paper_document_carries_the_mark_time_and_converter_and_verifies(signed, world):
    client, headers, officer, person = world
    response = client.post(
        f"/api/v1/officer/persons/{person.id}/conversions",
        headers=headers,
        files={"file": ("so-giay.pdf", scanned_pdf(), "application/pdf")},
        data={"title": "Sổ BHXH giấy 1998-2010"},
    )
    assert response.status_code == 201, response.text
    result = verify_cli(signed, response.json()["document"].encode())
    assert result.returncode == 0, result.stdout
    shows = json.loads(result.stdout)["shows"]
    assert shows["mark"].startswith("Chuyển đổi từ văn bản giấy")
    assert shows["converter"]["full_name"] == officer.name and shows["converted_at"]
    assert len(shows["content_sha256"]) == 64


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("scan.pdf", png(100, 100), "scan.mismatch"),
        ("scan.png", png(50_000, 50_000), "scan.bomb"),
        ("scan.png", b"GIF89a" + b"\x00" * 100, "scan.type"),
        ("scan.pdf", b"%PDF-1.7\nnot really", "scan.malformed"),
        ("scan.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "scan.too_large"),
    ],
)
def test_bad_scans_are_refused_with_a_reason_and_nothing_stored(signed, world, name, data, code):
    client, headers, _, person = world
    before = repository_size(signed.engine, person.id)
    response = client.post(
        f"/api/v1/officer/persons/{person.id}/conversions",
        headers=headers,
        files={"file": (name, data)},
        data={"title": "Giấy tờ"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert repository_size(signed.engine, person.id) == before


def test_an_image_scan_is_accepted(signed, world):
    client, headers, _, person = world
    out = io.BytesIO()
    segno.make("quyet dinh").save(out, kind="png", scale=8)
    response = client.post(
        f"/api/v1/officer/persons/{person.id}/conversions",
        headers=headers,
        files={"file": ("quyet-dinh.png", out.getvalue())},
        data={"title": "Quyết định nghỉ việc"},
    )
    assert response.status_code == 201


def test_a_certified_printout_names_the_original_and_who_printed_it_and_verifies(signed, world):
    client, headers, officer, person = world
    response = client.get(f"/api/v1/officer/persons/{person.id}/printout.pdf", headers=headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    result = verify_cli(signed, response.content)
    assert result.returncode == 0, result.stdout
    answer = json.loads(result.stdout)
    assert answer["kind"] == "printout"
    assert answer["shows"]["printed_by"] == officer.name and answer["shows"]["original"].startswith("VN-SBH-")
    with Session(signed.engine) as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(RepositoryDocument)
                .where(RepositoryDocument.owner_id == person.id, RepositoryDocument.doc_type == "printout")
            )
            >= 1
        )
