"""Payment orders (đơn thanh toán): what a person chose to pay, at what price, and what the gateway said.

An order is priced when it is made (its ``lines`` are the months, or the members and months, with their amounts)
and marked paid only by the gateway's signed server-to-server notification, never by the browser's return.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, authority_column, created_at_column
from esibook.db import Base, BigIntKey

ORDER_KINDS = ("voluntary_si", "household_hi")
ORDER_STATUSES = ("pending", "paid", "cancelled", "expired")


class PaymentOrder(Base):
    """One order sent to the gateway. ``code`` is the gateway's order reference (``vnp_TxnRef``); ``amount`` is
    whole VND (the gateway is sent ×100, as VNPay expects)."""

    __tablename__ = "payment_orders"
    __table_args__ = (
        CheckConstraint("kind IN ('voluntary_si', 'household_hi')", name="kind"),
        CheckConstraint("status IN ('pending', 'paid', 'cancelled', 'expired')", name="status"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("months > 0", name="months"),
        authority_check(),
        Index("ix_payment_orders_person_id", "person_id", "kind", "status"),
        Index("ix_payment_orders_pending", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(12))
    first_month: Mapped[int] = mapped_column(Integer)
    """YYYYMM of the first month paid for."""
    months: Mapped[int] = mapped_column(SmallInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[str] = mapped_column(Text)
    """The priced lines as canonical JSON (months with their contribution and support, or members)."""
    parameters_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the gateway's accepted notification arrived (None: it never came)."""
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    gateway_transaction: Mapped[str | None] = mapped_column(String(40), unique=True)
    """The gateway's transaction number (``vnp_TransactionNo``) of the accepted notification."""
    bank_code: Mapped[str | None] = mapped_column(String(20))
    authority: Mapped[str] = authority_column()


class PaymentRefusal(Base):
    """Refused notifications, coalesced (thông báo bị từ chối): one row per (answer code, order reference, hour)
    with how many came. Only the first of each hour writes its audit record (``payment.notification_refused``), so
    a flood of forged or replayed notifications writes a bounded number of rows; no personal data (the reference
    is the sanitised ``vnp_TxnRef`` the caller sent)."""

    __tablename__ = "payment_refusals"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    """The answer given (``97`` bad signature, ``01`` no such order, ``04`` wrong amount, ``02`` replay, ``99``)."""
    order_ref: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    """The UTC hour the refusals fell in (minutes and seconds zero)."""
    count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
