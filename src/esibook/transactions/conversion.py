"""Paper → electronic conversion (Law on Electronic Transactions 2023 Art. 12; Decree 137/2024 Art. 4), and the
certified printout (electronic → paper).

An officer uploads a scan (PDF, JPEG or PNG). The type is read from the content, not the name; size, pages and
pixels are limited (a decompression bomb is refused). The result is a converted document: the mark *converted from
paper*, the time, the converter's full name, the content hash, signed by the converting authority, and filed in the
person's repository. The scan is kept by its hash.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.book import service as books
from esibook.book.content import book_id
from esibook.book.documents import printout_pdf
from esibook.config import Settings
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.people.labels import GROUPS
from esibook.people.models import Person
from esibook.transactions.files import store_file
from esibook.transactions.models import RepositoryDocument
from esibook.trust import jws
from esibook.trust.pki import signer_for

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 50
MAX_PIXELS = 40_000_000
CONVERTED_TYPE = "esibook-converted+jws"
MARK = "Chuyển đổi từ văn bản giấy / Converted from paper"
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


@dataclass(frozen=True)
class Scan:
    media_type: str
    pages: int
    sha256: str


def refuse(code: str, en: str, vi: str) -> DomainError:
    return DomainError(f"scan.{code}", en, vi, field="file")


def inspect_scan(data: bytes, filename: str) -> Scan:
    if len(data) > MAX_BYTES:
        raise refuse("too_large", "a scan may be at most 10 MB", "tệp quét tối đa 10 MB")
    media_type = _sniff(data)
    if media_type is None:
        raise refuse("type", "this is not a PDF, JPEG or PNG file", "đây không phải tệp PDF, JPEG hoặc PNG")
    if not filename.lower().endswith(EXTENSIONS[media_type]):
        raise refuse(
            "mismatch",
            f"the file is named {filename} but its content is {media_type}",
            f"tệp tên {filename} nhưng nội dung là {media_type}",
        )
    pages = _pdf_pages(data) if media_type == "application/pdf" else _image_pages(data, media_type)
    return Scan(media_type, pages, hashlib.sha256(data).hexdigest())


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _pdf_pages(data: bytes) -> int:
    try:
        pages = int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except Exception as error:  # noqa: BLE001 - any parser failure means a malformed PDF
        raise refuse("malformed", "the PDF is malformed", "tệp PDF bị lỗi") from error
    if not 1 <= pages <= MAX_PAGES:
        raise refuse(
            "pages",
            f"a scan may have 1 to {MAX_PAGES} pages; this one has {pages}",
            f"tệp quét có từ 1 đến {MAX_PAGES} trang; tệp này có {pages}",
        )
    return pages


def _image_pages(data: bytes, media_type: str) -> int:
    width, height = _png_size(data) if media_type == "image/png" else _jpeg_size(data)
    if width * height > MAX_PIXELS:
        raise refuse(
            "bomb",
            f"the image is {width}×{height} pixels: too large to open safely",
            f"ảnh {width}×{height} điểm ảnh: quá lớn để mở an toàn",
        )
    return 1


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise refuse("malformed", "the PNG is malformed", "tệp PNG bị lỗi")
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            break
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise refuse("malformed", "the JPEG is malformed", "tệp JPEG bị lỗi")


def convert_paper(
    session: Session, settings: Settings, officer: Principal, person_id: int, *, data: bytes, filename: str, title: str
) -> RepositoryDocument:
    """Convert a scanned paper document into the person's repository, signed by the officer's authority."""
    require_converter(officer)
    scan = inspect_scan(data, filename)
    with transaction(session):
        person = policy.officer_acts_on(session, officer, person_id)
        row = record_conversion(session, settings, officer, person, scan, title)
        store_file(settings, data)
    return row


def require_converter(officer: Principal) -> None:
    if not policy.reviews(officer, officer.officer_authority or ""):
        raise forbidden(
            "access.officer_only",
            "Only a social insurance officer converts paper documents.",
            "Chỉ cán bộ bảo hiểm xã hội mới chuyển đổi văn bản giấy.",
        )


def record_conversion(
    session: Session, settings: Settings, officer: Principal, person: Person, scan: Scan, title: str
) -> RepositoryDocument:
    """The signed converted document in the person's repository (within the caller's transaction)."""
    if not 3 <= len(title.strip()) <= 200:
        raise DomainError(
            "scan.title",
            "give the document a title (3 to 200 characters)",
            "hãy đặt tên văn bản (3 đến 200 ký tự)",
            field="title",
        )
    statement = {
        "type": "esibook/converted",
        "mark": MARK,
        "title": title.strip(),
        "converted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "converter": {"full_name": officer.name, "authority": officer.officer_authority},
        "content_sha256": scan.sha256,
        "media_type": scan.media_type,
        "pages": scan.pages,
        "person": {"book_id": book_id(person), "full_name": person.full_name},
    }
    document = jws.sign(signer_for(session, settings, "issuing", officer.officer_authority), statement, CONVERTED_TYPE)
    row = RepositoryDocument(
        owner_kind="person",
        owner_id=person.id,
        doc_type="converted",
        title=title.strip(),
        issuer=AUTHORITY_NAMES[Authority(officer.officer_authority)][0],
        document=document,
        file_sha256=scan.sha256,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=officer.actor,
        action="document.converted",
        target=f"person:{person.id}",
        authority=person.authority,
        details={"sha256": scan.sha256, "pages": scan.pages},
    )
    return row


def certified_printout(session: Session, settings: Settings, caller: Principal, person: Person) -> bytes:
    """A certified paper printout of the person's book (electronic → paper), for the person or an officer who may
    act on them: the signed statement goes to the person's repository, the printing to the audit chain and, when
    someone else prints it, to the person's access log. Returns the PDF."""
    books.bundle(session, settings, person.id)  # logged first, so the printout carries its proof
    pdf, statement = printout_pdf(session, settings, person.id, printed_by=caller.name)
    with transaction(session):
        session.add(RepositoryDocument(owner_kind="person", owner_id=person.id, doc_type="printout",
                                       title="Bản in sổ BHXH có xác thực", issuer="esibook", document=statement))
        audit.append(session, actor=caller.actor, action="book.printed", target=f"person:{person.id}",
                     authority=person.authority)
        if caller.person_id != person.id:
            record_access(session, person_id=person.id, principal=caller, groups=list(GROUPS), purpose="TTHC",
                          outcome="allowed", channel="web")
    return pdf
