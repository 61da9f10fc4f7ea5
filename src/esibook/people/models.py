"""Data groups 1–3: basic personal information, contacts, households."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import authority_check, authority_column, created_at_column
from esibook.db import Base, BigIntKey, ascii_key


class Person(Base):
    """Group 1: basic personal information (thông tin cơ bản về cá nhân). One person, one book, one code."""

    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint("sex IN ('male', 'female')", name="sex"),
        CheckConstraint(
            "personal_id IS NOT NULL OR passport_no IS NOT NULL OR si_code_legacy IS NOT NULL", name="identified"
        ),
        authority_check(),
        Index("ix_persons_name_key", "name_key", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    """The 12-digit personal identification number (số định danh cá nhân), the SI code since 2025-08-01."""
    passport_no: Mapped[str | None] = mapped_column(String(20))
    si_code_legacy: Mapped[str | None] = mapped_column(String(10), unique=True)
    """The 10-digit social insurance code (mã số BHXH) issued before the personal ID number replaced it."""
    full_name: Mapped[str] = mapped_column(String(100))
    """Unicode NFC, as written: "Nguyễn Văn An"."""
    name_key: Mapped[str] = mapped_column(ascii_key(100))
    """The folded name for accent-insensitive search: "nguyen van an"."""
    date_of_birth: Mapped[date] = mapped_column(Date)
    died_on: Mapped[date | None] = mapped_column(Date)
    """The day of death, as the approval of a death claim records it (:func:`esibook.people.service.record_death`)."""
    sex: Mapped[str] = mapped_column(String(6))
    ethnicity_code: Mapped[str] = mapped_column(String(2), default="01")
    nationality: Mapped[str] = mapped_column(String(2), default="VN")
    birth_registration_place: Mapped[str | None] = mapped_column(String(200))
    birth_province_code: Mapped[str | None] = mapped_column(String(3))
    hometown: Mapped[str | None] = mapped_column(String(200))
    permanent_residence: Mapped[str | None] = mapped_column(String(300))
    father_name: Mapped[str | None] = mapped_column(String(100))
    father_id: Mapped[str | None] = mapped_column(String(12))
    mother_name: Mapped[str | None] = mapped_column(String(100))
    mother_id: Mapped[str | None] = mapped_column(String(12))
    spouse_name: Mapped[str | None] = mapped_column(String(100))
    spouse_id: Mapped[str | None] = mapped_column(String(12))
    representative_name: Mapped[str | None] = mapped_column(String(100))
    representative_id: Mapped[str | None] = mapped_column(String(12))
    authority: Mapped[str] = authority_column()
    merged_into_id: Mapped[int | None] = mapped_column(BigInteger)
    """Set on a duplicate book's record (a legacy SI code never linked to a personal ID) once it is merged into the
    person's book (gộp sổ); the record is kept, never deleted."""
    created_at: Mapped[datetime] = created_at_column()


class Contact(Base):
    """Group 2: citizen contact information (thông tin liên hệ)."""

    __tablename__ = "contacts"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))


class Household(Base):
    """Group 3: household information (thông tin hộ gia đình)."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    household_code: Mapped[str] = mapped_column(String(12), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[str] = mapped_column(String(3))


class HouseholdMember(Base):
    __tablename__ = "household_members"
    __table_args__ = (Index("ix_household_members_person_id", "person_id", unique=True),)

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    relationship: Mapped[str] = mapped_column(String(12))
    """Relationship to the head of household (quan hệ với chủ hộ): a code of ``people.reference.RELATIONSHIPS``, e.g.
    chu_ho (the head), vo, chong, con, bo, me, chau, khac."""
