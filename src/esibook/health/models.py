"""Data group 5: health insurance coverage (thẻ BHYT) and the clinics where it is used."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import authority_check, authority_column
from esibook.db import Base, BigIntKey

CLINIC_LEVELS = ("central", "province", "district", "commune", "private")


class Clinic(Base):
    """A health facility (cơ sở khám chữa bệnh), coded as in MA_CSKCB: 2-digit province + 3 digits."""

    __tablename__ = "clinics"
    __table_args__ = (CheckConstraint(f"level IN {CLINIC_LEVELS!r}", name="level"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(3))
    level: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    accepts_initial_registration: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether a card holder may register here for initial care (KCB ban đầu)."""


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
