"""Issuing book versions, reading them with their proofs, and suspending or restoring books and cards."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.errors import forbidden, person_not_found
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.book import log
from esibook.book.content import contribution_months, gather, render
from esibook.book.models import BookVersion, Suspension
from esibook.canonical import canonical_bytes
from esibook.config import Settings
from esibook.db import DriverRead, end_reads, scoped_to, transaction, within_action
from esibook.employers.service import names_by_unit_code
from esibook.errors import DomainError
from esibook.loop_reads import LoopReads
from esibook.people.models import Person
from esibook.trust import jws
from esibook.trust.pki import signer_for
from esibook.trust.signer import Signer

BOOK_TYPE = "esibook-book+jws"
SUBJECTS = ("book", "card")


def latest_version(session: Session, person_id: int) -> BookVersion | None:
    return session.scalar(
        select(BookVersion).where(BookVersion.person_id == person_id).order_by(BookVersion.version.desc()).limit(1)
    )


def versions(session: Session, person_id: int) -> list[BookVersion]:
    return list(
        session.scalars(
            select(BookVersion).where(BookVersion.person_id == person_id).order_by(BookVersion.version.desc())
        )
    )


def versions_of_book(session: Session, book_id: str) -> list[BookVersion]:
    """Every version of a book by its id (the personal ID number, as a printed page's QR names it), newest first."""
    return list(
        session.scalars(select(BookVersion).where(BookVersion.book_id == book_id).order_by(BookVersion.version.desc()))
    )


def book_version(session: Session, book_id: str, version) -> BookVersion | None:
    """One version of a book by its id and number (as a signed book names itself), or None."""
    return session.scalar(
        select(BookVersion).where(BookVersion.book_id == book_id, BookVersion.version == version)
    )


def my_book(session: Session, person_id: int) -> dict:
    """What the book page shows: the latest version's content, every version, the names of the employers its
    months name, and whether the book is suspended."""
    found = versions(session, person_id)
    payload = jws.parts(found[0].document)[1] if found else None
    employers, months = {}, contribution_months(payload) if payload else []
    if payload:
        employers = names_by_unit_code(session, (m["unit_code"] for m in months if m["unit_code"]))
    suspended = active_suspension(session, person_id, "book") is not None
    return {"book": payload, "months": months, "versions": found, "employers": employers, "suspended": suspended}


def issue_book(
    session: Session, settings: Settings, person_id: int, *, reason: str, actor: str = "system"
) -> tuple[BookVersion, bool]:
    """Sign a new version if the record changed since the last one; returns (version, whether it is new). A step
    of the caller's action (a dossier's approval issues the book with its result; alone: ``with transaction``)."""
    within_action(session)
    # Locked: a concurrent issuer of this person's book (bulk issuance, another approval) waits, then sees ours.
    person = session.get(Person, person_id, with_for_update=True)
    if person is None:
        raise person_not_found()
    version, created = _sign_if_changed(session, settings, person, reason)
    if created:
        audit.append(
            session,
            actor=actor,
            action="book.issued",
            target=f"person:{person.id}",  # the book id is the personal ID number: never in the audit chain
            authority=person.authority,
            details={"version": version.version, "reason": reason},
        )
    return version, created


def _sign_if_changed(session: Session, settings: Settings, person: Person, reason: str) -> tuple[BookVersion, bool]:
    content = render(gather(session, person.id, person.id, persons=[person])[person.id])
    digest = content_hash(content)
    latest = latest_version(session, person.id)
    if latest and latest.content_hash == digest:
        return latest, False
    signer = signer_for(session, settings, "issuing", person.authority)
    columns = signed_version(signer, person, content, digest, reason=reason,
                             previous=(latest.version, latest.document) if latest else None)
    log.pool(session, document=columns["document"], person_id=person.id, version=columns["version"])
    row = BookVersion(**columns)
    session.add(row)
    return row, True


def content_hash(content: dict) -> str:
    """SHA-256 of the canonical content, without version metadata: equal hashes mean nothing changed."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def signed_version(signer: Signer, person, content: dict, digest: str, *, reason: str,
                   previous: tuple[int, str] | None, issued_at: datetime | None = None) -> dict:
    """The columns of the next version of a person's book, signed; ``previous`` is the latest version's (number,
    document), which the new one names by hash."""
    issued_at = issued_at or datetime.now(UTC)
    number = previous[0] + 1 if previous else 1
    payload = {
        "type": "esibook/book",
        "version": number,
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "previous": hashlib.sha256(previous[1].encode()).hexdigest() if previous else None,
        "reason": reason,
        "issuer": {"authority": person.authority, "kid": signer.kid},
        **content,
    }
    return {
        "person_id": person.id,
        "version": number,
        "book_id": content["book_id"],
        "authority": person.authority,
        "content_hash": digest,
        "document": jws.sign(signer, payload, BOOK_TYPE),
        "kid": signer.kid,
        "reason": reason,
        "issued_at": issued_at,
        "leaf_index": None,
    }


@dataclass(frozen=True)
class BookBundle:
    """A version with what proves it was logged: its leaf index, the tree size and inclusion proof, and the signed
    checkpoint (a C2SP note) the proof leads to."""

    version: BookVersion
    inclusion_proof: list[str]
    checkpoint: str
    tree_size: int

    def log_proof(self) -> dict:
        """What a verifier needs, besides the signed book, to check that it was logged (embedded in the PDF)."""
        return {
            "leaf_index": self.version.leaf_index,
            "tree_size": self.tree_size,
            "inclusion_proof": self.inclusion_proof,
            "checkpoint": self.checkpoint,
        }

    def as_dict(self) -> dict:
        return {"book_id": self.version.book_id, "version": self.version.version, "document": self.version.document,
                **self.log_proof()}


#: The latest version's columns a book read serves, in one Core query (no ORM object for a read).
_versions = BookVersion.__table__
LATEST = DriverRead(
    select(_versions.c.book_id, _versions.c.version, _versions.c.document, _versions.c.leaf_index,
           log.leaf_tile(_versions.c.leaf_index).label("leaf_tile"),
           log.leaf_tile_nodes(_versions.c.leaf_index).label("leaf_nodes"))
    .where(_versions.c.person_id == bindparam("person_id"))
    .order_by(_versions.c.version.desc())
    .limit(1)
)


def latest_bundle(session: Session, settings: Settings, person_id: int) -> dict:
    """``bundle(session, settings, person_id).as_dict()`` at a read's cost: one query for the version, the
    checkpoint as kept per process for at most a second (``log.served_checkpoint``), and the proof from the leaf's
    tile that the same query read and the tiles above it that the process keeps.
    A version still in the pool (or none) takes :func:`bundle`'s way. The read's transaction ends here, in the
    request's thread (the request then hands no open transaction back to the event loop to close)."""
    row = LATEST.first(session, {"person_id": person_id})
    checkpoint = log.served_checkpoint(session, settings, row.leaf_index) if row and row.leaf_index is not None \
        else None
    if checkpoint is None:
        found = bundle(session, settings, person_id).as_dict()
    else:
        found = _served(row, checkpoint, log.checkpoint_inclusion_proof(
            session, row.leaf_index, checkpoint.tree_size, leaf_tile=row.leaf_tile, leaf_nodes=row.leaf_nodes))
    end_reads(session)
    return found


def _served(row, checkpoint: log.ServedCheckpoint, proof: list[str]) -> dict:
    """A :data:`LATEST` row as a book read serves it, with its proof against ``checkpoint``."""
    return {"book_id": row.book_id, "version": row.version, "document": row.document, "leaf_index": row.leaf_index,
            "tree_size": checkpoint.tree_size, "inclusion_proof": proof, "checkpoint": checkpoint.note}


async def latest_bundle_on_loop(reads: LoopReads, engine: Engine, person_id: int) -> dict | None:
    """:func:`latest_bundle` on the event loop: the version read on the loop's connections (one round trip), the
    checkpoint and the tiles above the leaf's from what this process keeps. None whenever something needs the
    database's way (no book, a version still in the pool, a checkpoint to read afresh, a tile not kept)."""
    row = await reads.first(LATEST, {"person_id": person_id})
    if row is None or row.leaf_index is None:
        return None
    checkpoint = log.kept_checkpoint(engine, row.leaf_index)
    proof = log.kept_inclusion_proof(engine, row.leaf_index, checkpoint.tree_size, leaf_tile=row.leaf_tile,
                                     leaf_nodes=row.leaf_nodes) if checkpoint else None
    return _served(row, checkpoint, proof) if proof is not None else None


def bundle(session: Session, settings: Settings, person_id: int, version: int | None = None) -> BookBundle:
    """The version with its proof against the latest checkpoint; a version still in the pool is integrated first
    (whoever asks for a fresh book does not wait for the sequencer)."""
    row = session.get(BookVersion, (person_id, version)) if version else latest_version(session, person_id)
    if row is None:
        raise DomainError(
            "book.none",
            "No book has been issued for this person yet.",
            "Chưa có sổ nào được cấp cho người này.",
            field=None,
        )
    if row.leaf_index is None:  # a leaf comes with the checkpoint that covers it: only a pooled version waits
        logged_until(session, settings, row)
    return proven(session, settings, row)


def proven(session: Session, settings: Settings, row: BookVersion) -> BookBundle | None:
    """The version with its proof against the latest (witnessed) checkpoint, reading only (inside the caller's
    transaction, e.g. a dossier's approval); None while it waits in the pool."""
    checkpoint = log.checkpoint_for(session, settings, row.leaf_index) if row.leaf_index is not None else None
    if row.leaf_index is None or checkpoint is None or checkpoint.tree_size <= row.leaf_index:
        return None
    proof = log.checkpoint_inclusion_proof(session, row.leaf_index, checkpoint.tree_size)
    return BookBundle(row, proof, log.checkpoint_note(session, checkpoint), checkpoint.tree_size)


def logged_until(session: Session, settings: Settings, row: BookVersion) -> None:
    """Integrate batches until ``row`` has its leaf index."""
    while row.leaf_index is None:
        done = log.integrate(session, settings)
        session.refresh(row)
        if not done and row.leaf_index is None:
            raise DomainError("log.not_pooled", "This version is not in the log's pool.",
                              "Phiên bản này không có trong hàng đợi của nhật ký.")


# --- suspension --------------------------------------------------------------------------------------------


def _require_approver(session: Session, principal: Principal, person_id: int) -> Person:
    """An approving officer of the person's authority, never on their own book or card (policy.officer_acts_on)."""
    person = policy.officer_acts_on(session, principal, person_id)
    if "approver" not in principal.officer_permissions:
        raise forbidden(
            "book.approver_only",
            "Only an approving officer may suspend or restore.",
            "Chỉ cán bộ có quyền phê duyệt mới được tạm dừng hoặc khôi phục.",
        )
    return person


def active_suspension(session: Session, person_id: int, subject: str) -> Suspension | None:
    return session.scalar(
        select(Suspension).where(
            Suspension.person_id == person_id, Suspension.subject == subject, Suspension.restored_at.is_(None)
        )
    )


def suspend(session: Session, principal: Principal, person_id: int, *, subject: str, reason: str) -> Suspension:
    if subject not in SUBJECTS:
        raise DomainError("book.subject", "suspend a 'book' or a 'card'", "chỉ tạm dừng 'book' hoặc 'card'")
    if not reason.strip():
        raise DomainError("book.reason", "give the reason for the suspension", "hãy nêu lý do tạm dừng")
    with scoped_to(principal.officer_authority or ""), transaction(session):
        person = _require_approver(session, principal, person_id)
        existing = active_suspension(session, person.id, subject)
        if existing:
            return existing
        row = Suspension(
            subject=subject, person_id=person.id, reason=reason.strip()[:200], suspended_by=principal.actor
        )
        session.add(row)
        audit.append(
            session,
            actor=principal.actor,
            action=f"{subject}.suspended",
            target=f"person:{person.id}",
            authority=person.authority,
            details={"reason": reason.strip()[:200]},
        )
    return row


def restore(session: Session, principal: Principal, person_id: int, *, subject: str) -> None:
    with scoped_to(principal.officer_authority or ""), transaction(session):
        person = _require_approver(session, principal, person_id)
        existing = active_suspension(session, person.id, subject)
        if existing is None:
            raise DomainError("book.not_suspended", f"this {subject} is not suspended", "không ở trạng thái tạm dừng")
        existing.restored_at, existing.restored_by = datetime.now(UTC), principal.actor
        audit.append(
            session,
            actor=principal.actor,
            action=f"{subject}.restored",
            target=f"person:{person.id}",
            authority=person.authority,
        )
