"""Documents built from book versions on request: the signed PDF (cached per version) and the certified printout.
(Checking a document against this installation is :mod:`esibook.views.verification`.)"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from esibook.book import log, pdf
from esibook.book.models import BookVersion
from esibook.book.service import bundle, latest_version, proven, versions_of_book
from esibook.book.status import StatusView
from esibook.config import Settings
from esibook.errors import DomainError
from esibook.health.visit_service import clinic_names
from esibook.trust import jws
from esibook.trust.pki import signer_for


def document_digest(document: str) -> str:
    """A short digest of a signed version, printed in its QR: only someone holding the paper can look it up."""
    return hashlib.sha256(document.encode()).hexdigest()[:32]


def verify_url(settings: Settings, version: BookVersion) -> str:
    """The address the QR of a printed page opens: this version of this book, with its digest."""
    base = settings.base_url.rstrip("/")
    return f"{base}/verify?book={version.book_id}&v={version.version}&d={document_digest(version.document)}"


def printed_version(session: Session, book_id: str, version: int | None, digest: str) -> dict:
    """What the QR on a printed page asks: is this version of this book genuine and current? Only with the
    digest printed in that QR: typing a personal ID number tells nothing about its holder."""
    rows = versions_of_book(session, book_id)
    found = next((r for r in rows if r.version == version), None) if version else None
    if found is None or not hmac.compare_digest(document_digest(found.document), digest):
        return {"found": False, "book_id": book_id}
    payload = jws.parts(found.document)[1]
    status = StatusView.from_database(session)
    return {
        "found": True,
        "book_id": book_id,
        "version": found.version,
        "latest": rows[0].version,
        "issued_at": payload["issued_at"],
        "suspended": status.is_suspended("book", book_id),
    }


def signed_pdf(session: Session, settings: Settings, person_id: int, version: int | None = None) -> bytes:
    """The book's signed PDF, with the signed book and its log proof embedded."""
    logged = bundle(session, settings, person_id, version)
    found = logged.version
    _, payload, _, _ = jws.parts(found.document)

    def make() -> bytes:
        signer = signer_for(session, settings, "issuing", found.authority)
        unsigned = pdf.render_book(payload, found.document, verify_url(settings, found),
                                   clinics=_clinic_names(session, payload))
        return pdf.sign_book_pdf(unsigned, found.document, signer, reason=f"Sổ BHXH điện tử {found.book_id}",
                                 log_proof=json.dumps(logged.log_proof()))

    witnessed = log.witness_count(logged.checkpoint)  # made again once witnesses have cosigned its checkpoint
    return pdf.cached_pdf(settings.data_dir.resolve() / "cache" / "books", found.book_id, found.version, make,
                          variant=f"-w{witnessed}" if witnessed else "")


def _clinic_names(session: Session, payload: dict) -> dict[str, str]:
    """The name of the card's initial clinic, by code, for the PDF to print beside the code."""
    card = payload.get("health_insurance") or {}
    return clinic_names(session, [card["initial_clinic_code"]]) if card.get("initial_clinic_code") else {}


PRINTOUT_TYPE = "esibook-printout+jws"


def printout_pdf(session: Session, settings: Settings, person_id: int, *, printed_by: str) -> tuple[bytes, str]:
    """A certified paper copy (electronic → paper): the book's PDF with a signed statement of the electronic
    original, the system holding it, who printed it and when. Returns (PDF, the signed statement)."""
    found = latest_version(session, person_id)
    if found is None:
        raise DomainError("book.none", "No book has been issued for this person yet.",
                          "Chưa có sổ nào được cấp cho người này.")
    # inside a dossier's approval: a version still pooled goes without its proof
    logged = proven(session, settings, found)
    _, payload, _, _ = jws.parts(found.document)
    signer = signer_for(session, settings, "issuing", found.authority)
    statement = {"type": "esibook/printout", "original": found.book_id, "version": found.version,
                 "system": f"esibook, Cơ sở dữ liệu quốc gia về bảo hiểm ({settings.base_url.rstrip('/')})",
                 "printed_by": printed_by, "printed_at": datetime.now(UTC).isoformat(timespec="seconds")}
    signed_statement = jws.sign(signer, statement, PRINTOUT_TYPE)
    unsigned = pdf.render_book(payload, found.document, verify_url(settings, found),
                               printout={**statement, "printed_at": statement["printed_at"].replace("T", " ")},
                               clinics=_clinic_names(session, payload))
    return pdf.sign_book_pdf(unsigned, found.document, signer, reason=f"Bản in sổ {found.book_id}",
                             printout=signed_statement,
                             log_proof=json.dumps(logged.log_proof()) if logged else None), signed_statement
