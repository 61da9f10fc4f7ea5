"""Dossiers and their history, the electronic data repository and the population database's local copy. (The
notification outbox and the mailbox are :mod:`esibook.notify.models`.)"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, created_at_column
from esibook.db import Base, BigIntKey
from esibook.text import N_

STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "needs_info": N_("More information needed"),
    "resubmitted": N_("Resubmitted"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "result_issued": N_("Result issued"),
    "withdrawn": N_("Withdrawn"),
}
DOC_LABELS = {
    "receipt": N_("Receipt and appointment slip"),
    "decision": N_("Decision"),
    "ebook": N_("E-book"),
    "hi_card": N_("HI card"),
    "converted": N_("Converted from paper"),
    "printout": N_("Certified printout"),
}
REFILED_DOSSIER = "esibook.refiled_dossier"
"""``session.info`` key: the dossier whose form is being checked again on resubmission (checks for "another open
dossier" skip it)."""
OPEN = ("submitted", "resubmitted")
"""The statuses of a dossier waiting for an officer."""
DOSSIER_STATUSES = (
    "draft",
    "submitted",
    "needs_info",
    "resubmitted",
    "approved",
    "rejected",
    "result_issued",
    "withdrawn",
)


class Dossier(Base):
    """One filing of one procedure (hồ sơ), from submission to result."""

    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint(f"status IN {DOSSIER_STATUSES!r}", name="status"),
        UniqueConstraint("filer_ref", "idempotency_key", name="uq_dossiers_filer_idempotency"),
        Index("ix_dossiers_queue", "authority", "status", "due_on"),
        authority_check(),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(24), unique=True)
    """The receipt number (số biên nhận), given at submission."""
    procedure: Mapped[str] = mapped_column(String(40))
    filer_kind: Mapped[str] = mapped_column(String(8))
    filer_ref: Mapped[str] = mapped_column(String(40))
    """Who filed: ``person:<personal ID>`` or ``employer:<id>``."""
    filer_name: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int | None] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(BigInteger)
    authority: Mapped[str] = mapped_column(String(8), default="civil")
    status: Mapped[str] = mapped_column(String(14), default="draft")
    form: Mapped[str] = mapped_column(Text)
    """The submitted form as canonical JSON."""
    idempotency_key: Mapped[str] = mapped_column(String(80))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()


class DossierEvent(Base):
    __tablename__ = "dossier_events"

    dossier_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = created_at_column()
    actor: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(14))
    to_status: Mapped[str] = mapped_column(String(14))
    note: Mapped[str | None] = mapped_column(String(500))


class RepositoryDocument(Base):
    """A result document in a person's or employer's electronic data repository (kho dữ liệu điện tử). Nothing is
    deleted; a newer document supersedes an older one."""

    __tablename__ = "repository_documents"
    __table_args__ = (
        CheckConstraint("owner_kind IN ('person', 'employer')", name="owner_kind"),
        Index("ix_repository_documents_owner", "owner_kind", "owner_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    doc_type: Mapped[str] = mapped_column(String(20))
    """receipt, decision, ebook, hi_card, converted, printout."""
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = created_at_column()
    document: Mapped[str] = mapped_column(Text)
    """The signed document (a JWS, or a QR payload for a card)."""
    dossier_id: Mapped[int | None] = mapped_column(BigInteger)
    supersedes_id: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    """A file kept with the document (a printout's PDF, a converted scan), stored by this hash."""


class DossierAttachment(Base):
    """A scan filed with a dossier (PDF, JPEG, PNG), only for a fact no database holds. Kept by its hash."""

    __tablename__ = "dossier_attachments"

    dossier_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    pages: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = created_at_column()
    converted_document_id: Mapped[int | None] = mapped_column(BigInteger)
    """Once an officer converts it: the converted document in the person's repository."""


class PopulationRecord(Base):
    """The local stand-in of the national population database (CSDL quốc gia về dân cư)."""

    __tablename__ = "population_records"

    personal_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    ethnicity_code: Mapped[str] = mapped_column(String(2))
    nationality: Mapped[str] = mapped_column(String(2))
    permanent_residence: Mapped[str | None] = mapped_column(String(300))
    birth_province_code: Mapped[str | None] = mapped_column(String(3))
