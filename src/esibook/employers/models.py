"""Data group 7: employers (thông tin về đơn vị sử dụng lao động)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import authority_check, authority_column, created_at_column
from esibook.db import Base, BigIntKey, ascii_key


class Employer(Base):
    __tablename__ = "employers"
    __table_args__ = (
        CheckConstraint("region BETWEEN 1 AND 4", name="region"),
        authority_check(),
        Index("ix_employers_name_key", "name_key", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(7), unique=True)
    """The unit code (mã đơn vị) the social insurance agency assigns."""
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(ascii_key(200))
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    business_type: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[str] = mapped_column(String(3))
    region: Mapped[int] = mapped_column(SmallInteger)
    """Minimum-wage region I–IV (vùng), which sets the regional minimum wage."""
    representative_name: Mapped[str | None] = mapped_column(String(100))
    representative_id: Mapped[str | None] = mapped_column(String(12))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    managing_agency: Mapped[str] = mapped_column(String(120))
    """The social insurance agency that manages the unit (cơ quan BHXH quản lý)."""
    reduced_oad_rate: Mapped[bool] = mapped_column(Boolean, default=False)
    """Eligible for the 0.3% occupational accident and disease rate instead of 0.5%."""
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()
