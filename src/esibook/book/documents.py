"""Documents built from book versions on request: the signed PDF (cached per version) and the verifier's state."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.book import log, merkle, pdf
from esibook.book.models import BookVersion
from esibook.book.service import bundle, latest_version, logged_until, proven
from esibook.book.status import StatusView
from esibook.book.witnessing import configured_witnesses
from esibook.config import Settings
from esibook.errors import DomainError
from esibook.text import N_
from esibook.trust import jws
from esibook.trust.anchors import TrustAnchors
from esibook.trust.pki import signer_for
from esibook.trust.verify import LogProof, Result, verify


def document_digest(document: str) -> str:
    """A short digest of a signed version, printed in its QR: only someone holding the paper can look it up."""
    return hashlib.sha256(document.encode()).hexdigest()[:32]


def verify_url(settings: Settings, version: BookVersion) -> str:
    """The address the QR of a printed page opens: this version of this book, with its digest."""
    base = settings.base_url.rstrip("/")
    return f"{base}/verify?book={version.book_id}&v={version.version}&d={document_digest(version.document)}"


def signed_pdf(session: Session, settings: Settings, person_id: int, version: int | None = None) -> bytes:
    """The book's signed PDF, with the signed book and its log proof embedded."""
    logged = bundle(session, settings, person_id, version)
    found = logged.version
    _, payload, _, _ = jws.parts(found.document)

    def make() -> bytes:
        signer = signer_for(session, settings, "issuing", found.authority)
        unsigned = pdf.render_book(payload, found.document, verify_url(settings, found))
        return pdf.sign_book_pdf(unsigned, found.document, signer, reason=f"Sổ BHXH điện tử {found.book_id}",
                                 log_proof=json.dumps(logged.log_proof()))

    witnessed = log.witness_count(logged.checkpoint)  # made again once witnesses have cosigned its checkpoint
    return pdf.cached_pdf(settings.data_dir.resolve() / "cache" / "books", found.book_id, found.version, make,
                          variant=f"-w{witnessed}" if witnessed else "")


def verifier_state(session: Session, settings: Settings) -> tuple[TrustAnchors, StatusView]:
    """Online verification: anchors, the log key, its witnesses and suspensions straight from this installation."""
    trust = TrustAnchors.from_database(session)
    trust.log_key = log.log_verifier(settings)
    trust.witnesses = [witness.key for witness in configured_witnesses(settings)]
    trust.witness_quorum = settings.log_witness_quorum
    return trust, StatusView.from_database(session)


def check_online(session: Session, settings: Settings, data: bytes) -> Result:
    """``verify`` with this installation's anchors, suspensions and log (a bare signed book is looked up there)."""
    trust, status = verifier_state(session, settings)
    return verify(data, trust, status, log=DatabaseLog(session, settings))


class DatabaseLog:
    """The online verifier's view of the log: the proof for a signed book, from the tiles; the log's own leaf and
    entry for it must be this book's too (a changed tile or entry bundle shows here)."""

    def __init__(self, session: Session, settings: Settings):
        self.session, self.settings = session, settings

    def proof_for(self, document: str) -> LogProof | None:
        try:
            _, payload, _, _ = jws.parts(document)
        except jws.JwsError:
            return None
        row = self.session.scalar(select(BookVersion).where(
            BookVersion.book_id == str(payload.get("book_id")), BookVersion.version == payload.get("version")))
        if row is None or row.document != document:
            return None
        logged_until(self.session, self.settings, row)
        log.current_checkpoint(self.session, self.settings)
        checkpoint = log.checkpoint_for(self.session, self.settings, row.leaf_index)
        proofs = log.proofs(self.session, checkpoint.tree_size)
        entry = log.book_entry(document)
        try:
            path = proofs.inclusion(row.leaf_index, checkpoint.tree_size)
            agrees = proofs.entry(row.leaf_index) == entry and proofs.leaf(row.leaf_index) == merkle.leaf_hash(entry)
        except (LookupError, ValueError):
            path, agrees = [], False
        problem = "" if agrees else N_("the log's tiles do not hold this book's entry")
        return LogProof(row.leaf_index, checkpoint.tree_size, path, log.checkpoint_note(self.session, checkpoint),
                        problem)


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
                               printout={**statement, "printed_at": statement["printed_at"].replace("T", " ")})
    return pdf.sign_book_pdf(unsigned, found.document, signer, reason=f"Bản in sổ {found.book_id}",
                             printout=signed_statement,
                             log_proof=json.dumps(logged.log_proof()) if logged else None), signed_statement
