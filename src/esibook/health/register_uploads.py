"""The officer's upload of the national register of HI clinics: a preview first, then the confirmed import.

1. :func:`preview_upload` checks the file exactly as ``esibook clinics import --dry-run`` does (the same reader,
   :mod:`esibook.health.clinic_register`, the same counts) and, when no row is rejected, keeps the bytes as a
   :class:`ClinicRegisterUpload` with the counts, the file's SHA-256 and the latest import at that moment. Every
   preview of a readable file leaves an audit record ``clinics.register_previewed`` (counts, rejected rows,
   SHA-256, the upload kept or none) in the same transaction.
2. :func:`confirm_upload` imports **those bytes** (:func:`esibook.health.clinic_import.store_register`, the
   command's own writer and audit record), only if the confirmation names the previewed SHA-256
   (``clinics.register.changed`` otherwise) and no other import happened since the preview
   (``clinics.register.stale``: the counts shown would no longer hold). Confirming twice imports once: the second
   finds the upload imported and answers with the same import.

Only an officer who may load national reference data (``policy.reference_data_officer``) calls either; an upload
is found only by the officer who made it. No personal data: the register lists facilities.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.columns import utcnow
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.errors import Conflict, DomainError, NotFound, TooLarge
from esibook.health.clinic_import import MAX_SOURCE, RegisterImport, import_register, store_register
from esibook.health.clinic_register import CODE
from esibook.health.models import ClinicRegisterImport, ClinicRegisterUpload

MAX_BYTES = 20 * 1024 * 1024
#: How many rejected rows a preview lists (the count is of them all).
SHOWN_REJECTS = 200
#: An upload never confirmed is deleted (its bytes with it) by a later preview after this long.
KEPT_UNCONFIRMED = timedelta(days=1)


@dataclass
class Preview:
    """A checked upload: its counts and rejected rows, and the upload to confirm (None when rows were rejected)."""

    report: RegisterImport
    upload_id: int | None
    file_name: str

    def as_dict(self) -> dict:
        r = self.report
        rejected = [{"line": row.line, "message_en": row.message("en"), "message_vi": row.message("vi")}
                    for row in r.rejected[:SHOWN_REJECTS]]
        return {"upload_id": self.upload_id, "sha256": r.sha256, "as_of": r.as_of, "source": r.source,
                "rows": r.rows, "added": r.added, "updated": r.updated, "unchanged": r.unchanged,
                "withdrawn": r.withdrawn, "rejected_count": len(r.rejected), "rejected": rejected}


@dataclass(frozen=True)
class Confirmed:
    import_id: int
    already: bool
    """The upload had been imported already (a second confirmation): nothing was written now."""


def too_large() -> TooLarge:
    return TooLarge(f"{CODE}.too_large", "The register file is larger than 20 MB.", "Tệp danh mục lớn hơn 20 MB.",
                    field="file")


def refuse_size(data: bytes) -> None:
    if not data:
        raise DomainError(f"{CODE}.empty", "Choose the register file to upload.", "Hãy chọn tệp danh mục để tải lên.",
                          field="file")
    if len(data) > MAX_BYTES:
        raise too_large()


def parse_as_of(text: str) -> date:
    """The register's "as of" day from a form (YYYY-MM-DD; empty: today), not in the future."""
    if not text.strip():
        return vietnam_today()
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or day.year < 1995 or day > vietnam_today():
        raise DomainError(f"{CODE}.as_of", "The “as of” date must be a day (YYYY-MM-DD), not in the future.",
                          "Ngày hiệu lực của danh mục phải là một ngày (YYYY-MM-DD), không ở tương lai.",
                          field="as_of")
    return day


def preview_upload(session: Session, caller: Principal, data: bytes, *, as_of: date, source: str,
                   file_name: str = "") -> Preview:
    """Check a register file (writes nothing to the clinics) and keep it for the confirmation if every row passes."""
    policy.reference_data_officer(caller)
    refuse_size(data)
    source = " ".join(source.split())[:MAX_SOURCE] or file_name.strip()[:MAX_SOURCE] or "upload"
    report = import_register(session, data, as_of=as_of, source=source, actor=caller.actor, dry_run=True)
    with transaction(session):
        upload_id = None if report.rejected else _kept(session, caller, data, report)
        _record_preview(session, caller, report, upload_id)
    return Preview(report, upload_id, file_name)


def _kept(session: Session, caller: Principal, data: bytes, report: RegisterImport) -> int:
    """The previewed bytes kept for the confirmation (uploads never confirmed within a day deleted)."""
    cutoff = utcnow() - KEPT_UNCONFIRMED
    session.execute(delete(ClinicRegisterUpload).where(ClinicRegisterUpload.import_id.is_(None),
                                                       ClinicRegisterUpload.uploaded_at < cutoff))
    upload = ClinicRegisterUpload(
        sha256=report.sha256, data=data, as_of=report.as_of, source=report.source, rows=report.rows,
        added=report.added, updated=report.updated, unchanged=report.unchanged, withdrawn=report.withdrawn,
        rejected=0, basis_import_id=_latest_import_id(session), uploaded_by=caller.actor,
    )
    session.add(upload)
    session.flush()
    return upload.id


def _record_preview(session: Session, caller: Principal, report: RegisterImport, upload_id: int | None) -> None:
    """The audit record of a preview, as the import writes its own: the counts, the rejected rows' count and the
    file's SHA-256 (the register lists facilities: no personal data)."""
    audit.append(
        session,
        actor=caller.actor,
        action="clinics.register_previewed",
        target="clinics:register",
        details={"rows": report.rows, "added": report.added, "updated": report.updated,
                 "unchanged": report.unchanged, "withdrawn": report.withdrawn, "rejected": len(report.rejected),
                 "as_of": report.as_of.isoformat(), "source": report.source, "sha256": report.sha256,
                 "upload_id": upload_id},
    )


def confirm_upload(session: Session, caller: Principal, upload_id: int, sha256: str) -> Confirmed:
    """Import the previewed file, once. The transaction's first statement writes the upload row (a row lock on
    PostgreSQL, the database's write lock on SQLite), so two confirmations at once queue and the second finds it
    imported."""
    policy.reference_data_officer(caller)
    with transaction(session):
        session.execute(update(ClinicRegisterUpload).where(ClinicRegisterUpload.id == upload_id)
                        .values(import_id=ClinicRegisterUpload.import_id))
        upload = session.get(ClinicRegisterUpload, upload_id, populate_existing=True)
        if upload is None or upload.uploaded_by != caller.actor:
            raise NotFound(f"{CODE}.upload_not_found", "No such upload of yours; upload the file again.",
                           "Không có tệp bạn đã tải lên này; hãy tải tệp lên lại.")
        if upload.import_id is not None:
            return Confirmed(upload.import_id, already=True)
        if sha256.strip().lower() != upload.sha256 or hashlib.sha256(upload.data).hexdigest() != upload.sha256:
            raise Conflict(f"{CODE}.changed", "This is not the file that was previewed; nothing was imported. "
                           "Upload it again to see its preview.",
                           "Đây không phải tệp đã xem trước; chưa nhập gì. Hãy tải tệp lên lại để xem trước.")
        if _latest_import_id(session) != upload.basis_import_id:
            raise Conflict(f"{CODE}.stale", "The register was imported again since this preview; nothing was "
                           "imported. Upload the file again to see what it would change now.",
                           "Danh mục đã được nhập lại sau lần xem trước này; chưa nhập gì. Hãy tải tệp lên lại để "
                           "xem thay đổi hiện nay.")
        report = store_register(session, upload.data, as_of=upload.as_of, source=upload.source, actor=caller.actor)
        if report.rejected or report.import_id is None:  # the same bytes are read the same way: never expected
            raise Conflict(f"{CODE}.changed", "The file no longer reads as it did in the preview.",
                           "Tệp không còn đọc được như khi xem trước.")
        upload.import_id, upload.data = report.import_id, b""
        return Confirmed(report.import_id, already=False)


def _latest_import_id(session: Session) -> int | None:
    return session.scalar(select(func.max(ClinicRegisterImport.id)))


def register_page(session: Session, caller: Principal, *, imported: int | None = None) -> dict:
    """What the officer's register page shows: the latest imports, and the one just imported."""
    policy.reference_data_officer(caller)
    recent = list(session.scalars(select(ClinicRegisterImport).order_by(ClinicRegisterImport.id.desc()).limit(5)))
    done = session.get(ClinicRegisterImport, imported) if imported else None
    return {"recent": recent, "done": done, "today": vietnam_today().isoformat()}
