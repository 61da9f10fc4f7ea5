"""Online verification: a document checked with this installation's own anchors, suspensions and transparency
log (``POST /api/v1/verify``, the verify page, ``esibook verify``). It combines the book's log with the verifier."""

from __future__ import annotations

from sqlalchemy.orm import Session

from esibook.book import log, merkle
from esibook.book.service import book_version, logged_until
from esibook.book.status import StatusView
from esibook.book.witnessing import configured_witnesses
from esibook.config import Settings
from esibook.text import N_
from esibook.trust import jws
from esibook.trust.anchors import TrustAnchors
from esibook.trust.verify import LogProof, Result, verify

#: The largest document the verifier takes (the page and the API).
MAX_VERIFY_BYTES = 10 * 1024 * 1024


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
        row = book_version(self.session, str(payload.get("book_id")), payload.get("version"))
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
