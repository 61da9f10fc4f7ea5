"""Benefit settlements (giải quyết hưởng chế độ): which regime, period, amount, decision."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import authority_check, authority_column
from esibook.db import Base

REGIMES = (
    "pension",
    "one_time",
    "sickness",
    "maternity",
    "unemployment",
    "oad",
    "survivorship",
    "funeral",
    "survivors_monthly",
    "survivors_lump",
    "sick_child",
    "oad_monthly",
)
"""``oad``: the occupational accident/disease lump sum; ``oad_monthly`` its monthly allowance; ``funeral`` the funeral
grant; ``survivors_monthly`` / ``survivors_lump`` the survivors' allowance (tuất hằng tháng / một lần);
``sick_child`` the leave to care for a sick child (own limit of days, apart from the person's own sickness)."""


class BenefitSettlement(Base):
    __tablename__ = "benefit_settlements"
    __table_args__ = (
        CheckConstraint(f"regime IN {REGIMES!r}", name="regime"),
        CheckConstraint("amount >= 0", name="amount"),
        authority_check(),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    regime: Mapped[str] = mapped_column(String(20))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    decision_no: Mapped[str] = mapped_column(String(40))
    decision_date: Mapped[date] = mapped_column(Date)
    authority: Mapped[str] = authority_column()
    related_person_id: Mapped[int | None] = mapped_column(BigInteger)
    """The other person the settlement concerns: the sick child cared for, the relative paid a survivors'
    allowance, the person who arranged the funeral (null for the person's own benefits)."""
