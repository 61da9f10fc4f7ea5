"""Data group 5: health insurance coverage (thẻ BHYT), the clinics where it is used, and the visits they report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import authority_check, authority_column, created_at_column
from esibook.db import Base, BigIntKey, ascii_key
from esibook.people.names import search_key

CLINIC_LEVELS = ("central", "province", "district", "commune", "private")
VISIT_SOURCES = ("json", "xml1")


def _folded_name(context) -> str:
    return search_key(context.get_current_parameters()["name"])


class Clinic(Base):
    """A health facility (cơ sở khám chữa bệnh), coded as in MA_CSKCB: 2-digit province + 3 digits."""

    __tablename__ = "clinics"
    __table_args__ = (
        CheckConstraint(f"level IN {CLINIC_LEVELS!r}", name="level"),
        Index("ix_clinics_province_level_name_key", "province_code", "level", "name_key"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(ascii_key(200), default=_folded_name)
    """The name's search key without accents (``search_key``): "benh vien bach mai"."""
    province_code: Mapped[str] = mapped_column(String(3))
    level: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    accepts_initial_registration: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether a card holder may register here for initial care (KCB ban đầu)."""
    in_register: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether the latest import of the national register lists it (a clinic left out is kept, never deleted:
    visits and cards name it)."""


class ClinicRegisterImport(Base):
    """One import of the national register of HI clinics (danh mục cơ sở KCB BHYT): when it was in force, where it
    came from, the file's SHA-256 and the counts. No personal data."""

    __tablename__ = "clinic_register_imports"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[int] = mapped_column(Integer)
    """Clinics in the table that this register leaves out (kept, no longer taking initial registrations)."""
    imported_by: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = created_at_column()


class ClinicRegisterUpload(Base):
    """A register file an officer uploaded and previewed (the dry run's counts), waiting for the confirmation that
    imports exactly these bytes. ``import_id`` is set once imported (a second confirmation changes nothing) and the
    bytes are then dropped; ``basis_import_id`` is the latest import when previewed (another import since then
    makes the preview stale). No personal data."""

    __tablename__ = "clinic_register_uploads"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    as_of: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    basis_import_id: Mapped[int | None] = mapped_column(BigInteger)
    import_id: Mapped[int | None] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = created_at_column()


class HICoverage(Base):
    """One validity span of a person's HI card."""

    __tablename__ = "hi_coverages"
    __table_args__ = (
        CheckConstraint("benefit_level BETWEEN 1 AND 5", name="benefit_level"),
        CheckConstraint("valid_to >= valid_from", name="validity"),
        authority_check(),
        Index("ix_hi_coverages_card_code", "card_code"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    card_code: Mapped[str] = mapped_column(String(15))
    """The 15-character HI card code (mã thẻ BHYT)."""
    beneficiary_group: Mapped[str] = mapped_column(String(2))
    benefit_level: Mapped[int] = mapped_column(SmallInteger)
    province_code: Mapped[str] = mapped_column(String(2))
    initial_clinic_code: Mapped[str] = mapped_column(String(5))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    five_years_since: Mapped[date | None] = mapped_column(Date)
    """The date 5 consecutive years of participation were reached (thời điểm đủ 5 năm liên tục)."""
    authority: Mapped[str] = authority_column()


class MedicalVisit(Base):
    """One visit (lượt khám chữa bệnh BHYT) as the clinic reported it after discharge: the XML1 summary of
    Decision 130/QĐ-BYT, or the same fields in JSON.

    Keyed by the person (a big table); the clinic's own visit reference (MA_LK) is unique per clinic, so the same
    record sent twice is stored once. Times are the clinic's local time (UTC+7), as the standard writes them.
    Money is integer VND.
    """

    __tablename__ = "medical_visits"
    __table_args__ = (
        CheckConstraint(f"source IN {VISIT_SOURCES!r}", name="source"),
        CheckConstraint("discharged_at >= admitted_at", name="dates"),
        CheckConstraint("total_cost >= 0 AND hi_paid >= 0 AND patient_paid >= 0 AND other_paid >= 0", name="amounts"),
        authority_check(),
        UniqueConstraint("clinic_code", "visit_ref", name="uq_medical_visits_clinic_visit_ref"),
        Index("ix_medical_visits_person_admitted", "person_id", "admitted_at"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    clinic_code: Mapped[str] = mapped_column(String(5))
    """MA_CSKCB: the facility that treated the person."""
    visit_ref: Mapped[str] = mapped_column(String(100))
    """MA_LK (mã liên kết): the clinic's own reference of the visit."""
    card_code: Mapped[str] = mapped_column(String(15))
    admitted_at: Mapped[datetime] = mapped_column(DateTime())
    """NGAY_VAO, local time."""
    discharged_at: Mapped[datetime] = mapped_column(DateTime())
    """NGAY_RA, local time."""
    main_diagnosis: Mapped[str] = mapped_column(String(10))
    """MA_BENH_CHINH: the ICD-10 code of the main diagnosis."""
    total_cost: Mapped[int] = mapped_column(BigInteger)
    """T_TONGCHI_BV: the whole cost of the visit."""
    hi_paid: Mapped[int] = mapped_column(BigInteger)
    """T_BHTT: paid by the health insurance fund."""
    patient_paid: Mapped[int] = mapped_column(BigInteger)
    """T_BNCCT + T_BNTT: the co-payment and what the patient paid themself."""
    other_paid: Mapped[int] = mapped_column(BigInteger)
    """T_NGUONKHAC: other sources (state budget, aid, …)."""
    source: Mapped[str] = mapped_column(String(4))
    sent_by: Mapped[str] = mapped_column(String(120))
    """Who sent it, as the audit log names callers (no personal data in clear)."""
    received_at: Mapped[datetime] = created_at_column()
    authority: Mapped[str] = authority_column()
