"""Scans filed with a dossier (hồ sơ đính kèm): only for a fact no database holds, checked like any scan (type from
the content, size, pages, pixels), kept by their hash. The reviewing officer sees them beside the pre-filled data
and may convert one into the person's repository (chuyển đổi từ văn bản giấy)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.principal import Principal
from esibook.config import Settings
from esibook.db import last_seq
from esibook.errors import DomainError, NotFound
from esibook.people.models import Person
from esibook.transactions.conversion import Scan, inspect_scan, record_conversion, require_converter
from esibook.transactions.files import load_file, store_file
from esibook.transactions.models import Dossier, DossierAttachment, RepositoryDocument

MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class Upload:
    """A file as received, before it is checked."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    data: bytes
    scan: Scan


def check_uploads(uploads: list[Upload]) -> list[CheckedUpload]:
    """Check every file before anything is stored: one bad file refuses them all."""
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(
            "scan.too_many",
            f"attach at most {MAX_ATTACHMENTS} files",
            f"đính kèm tối đa {MAX_ATTACHMENTS} tệp",
            field="attachments",
        )
    return [CheckedUpload(u.filename[:200], u.data, inspect_scan(u.data, u.filename)) for u in uploads]


def attach(session: Session, settings: Settings, dossier: Dossier, files: list[CheckedUpload], actor: str) -> None:
    """Add checked files to the dossier, within the caller's transaction."""
    seq = last_seq(session, DossierAttachment.seq, DossierAttachment.dossier_id, dossier.id)
    if seq + len(files) > MAX_ATTACHMENTS:
        raise DomainError(
            "scan.too_many",
            f"a dossier holds at most {MAX_ATTACHMENTS} files",
            f"một hồ sơ có tối đa {MAX_ATTACHMENTS} tệp",
            field="attachments",
        )
    for offset, upload in enumerate(files, start=1):
        session.add(
            DossierAttachment(
                dossier_id=dossier.id,
                seq=seq + offset,
                filename=upload.filename,
                media_type=upload.scan.media_type,
                pages=upload.scan.pages,
                size=len(upload.data),
                sha256=store_file(settings, upload.data),
                added_by=actor,
            )
        )


def attachments_of(session: Session, dossier_id: int) -> list[DossierAttachment]:
    return list(
        session.scalars(
            select(DossierAttachment).where(DossierAttachment.dossier_id == dossier_id).order_by(DossierAttachment.seq)
        )
    )


def attachment(session: Session, settings: Settings, dossier_id: int, seq: int) -> tuple[DossierAttachment, bytes]:
    row = session.get(DossierAttachment, (dossier_id, seq))
    if row is None:
        raise NotFound("attachment.not_found", "No such attachment.", "Không có tệp đính kèm này.")
    return row, load_file(settings, row.sha256)


def convert_attachment(
    session: Session, settings: Settings, officer: Principal, dossier: Dossier, seq: int, title: str
) -> RepositoryDocument:
    """The reviewing officer converts a filed scan into the person's repository: signed, marked, with their name.
    Within the caller's transaction; converting it again returns the first conversion."""
    require_converter(officer)
    row, data = attachment(session, settings, dossier.id, seq)
    if row.converted_document_id:
        return session.get(RepositoryDocument, row.converted_document_id)
    person = session.get(Person, dossier.person_id) if dossier.person_id else None
    if person is None:
        raise DomainError(
            "scan.no_person",
            "only a scan filed about a person can go into their repository",
            "chỉ chuyển đổi được tệp của hồ sơ cá nhân",
        )
    document = record_conversion(session, settings, officer, person, inspect_scan(data, row.filename), title)
    row.converted_document_id = document.id
    return document
