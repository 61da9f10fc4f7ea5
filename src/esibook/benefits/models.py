"""Benefit settlements (giải quyết hưởng chế độ): which regime, period, amount, decision; and the pensions in
payment (lương hưu): the award, each month paid, and where and how it is paid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, authority_column, created_at_column
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
    "pension_lump",
)
"""``oad``: the occupational accident/disease lump sum; ``oad_monthly`` its monthly allowance; ``funeral`` the funeral
grant; ``survivors_monthly`` / ``survivors_lump`` the survivors' allowance (tuất hằng tháng / một lần);
``sick_child`` the leave to care for a sick child (own limit of days, apart from the person's own sickness);
``pension_lump`` the lump sum at retirement for years above 35/30 (Law 41/2024 Art 68), paid once with the first
month of pension."""


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


PAYMENT_METHODS = ("bank", "cash")
PAYMENT_STATUSES = ("scheduled", "paid", "held")


class Stoppable:
    """Why and when a benefit paid by month stopped (dừng hưởng: :mod:`esibook.benefits.stops`); all null while it
    runs on."""

    stop_reason: Mapped[str | None] = mapped_column(String(40))
    """A key of :data:`esibook.benefits.stops.STOP_REASONS`."""
    stopped_by: Mapped[str | None] = mapped_column(String(120))
    """The actor: an officer, or ``system:death-claim`` when a death claim's approval stopped it."""
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Pension(Stoppable, Base):
    """A pension in payment (người hưởng lương hưu hằng tháng): the approved monthly amount from its first month,
    and the lump sum above 35/30 years paid once with it."""

    __tablename__ = "pensions"
    __table_args__ = (
        CheckConstraint("monthly_amount > 0", name="monthly_amount"),
        CheckConstraint("lump_sum >= 0", name="lump_sum"),
        authority_check(),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_month: Mapped[int] = mapped_column(Integer)
    """YYYYMM: the first month of pension."""
    last_month: Mapped[int | None] = mapped_column(Integer)
    """YYYYMM: the last month paid (the month of the pensioner's death); null while it runs on."""
    monthly_amount: Mapped[int] = mapped_column(BigInteger)
    lump_sum: Mapped[int] = mapped_column(BigInteger)
    decision_no: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    dossier_code: Mapped[str | None] = mapped_column(String(30))
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()


class PensionPayment(Base):
    """One month of a pension settled (chi trả lương hưu tháng): the amount, how and where it went, its status.
    One row a month and person: settling a month twice finds the row."""

    __tablename__ = "pension_payments"
    __table_args__ = (
        CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"),
        CheckConstraint(f"status IN {PAYMENT_STATUSES!r}", name="status"),
        CheckConstraint("amount >= 0", name="amount"),
        authority_check(),
        Index("ix_pension_payments_paid_in", "paid_in", "method"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(BigInteger)
    lump_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    """The lump sum at retirement, paid with the first month."""
    method: Mapped[str] = mapped_column(String(4))
    payee: Mapped[str] = mapped_column(String(160))
    """Where it went, as shown: a bank and a masked account number, or a post office."""
    status: Mapped[str] = mapped_column(String(10))
    """``scheduled``, ``paid``, or ``held`` (not paid: ``hold_reason`` says why; a later run pays it)."""
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    authority: Mapped[str] = authority_column()
    paid_in: Mapped[int | None] = mapped_column(Integer)
    """YYYYMM: the monthly run that paid (or held) it; a month paid in a later run is back pay (truy lĩnh)."""
    method_seq: Mapped[int | None] = mapped_column(SmallInteger)
    """The payment method row it went by (for the payout file)."""
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    """The authorised representative (người được ủy quyền nhận thay) who received it, by person id."""
    hold_reason: Mapped[str | None] = mapped_column(String(40))
    """Why a held month was not paid: the access policy's refusal code (e.g. ``authorisation.revoked``)."""


class PensionPaymentMethod(Base):
    """Where and how a pension is paid from a month on (nơi và hình thức nhận lương hưu): a bank account or cash at
    a post office. A change is a new row from the next month; the history stays."""

    __tablename__ = "pension_payment_methods"
    __table_args__ = (CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"), authority_check())

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    from_month: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(4))
    bank_code: Mapped[str | None] = mapped_column(String(12))
    account_number: Mapped[str | None] = mapped_column(String(19))
    post_office: Mapped[str | None] = mapped_column(String(120))
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()
    authorisation_id: Mapped[int | None] = mapped_column(BigInteger)
    """Paid to the pensioner's authorised representative under this authorisation (nhận thay theo ủy quyền): the
    bank account or post office is then the agent's, and the access policy decides each month paid."""
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    """The agent that authorisation names, by person id (to show whom the pensioner chose)."""


PAYOUT_STATUSES = ("paid", "held")


class BenefitPayout(Base):
    """Where a one-off benefit settled was paid (chi trả chế độ một lần): to the beneficiary's bank account or in
    cash at a post office, or to the person they authorised to receive it (nhận thay theo ủy quyền). One row a
    settlement; ``held`` when the authorisation was no longer in force at the payout (not paid; the beneficiary
    names another way)."""

    __tablename__ = "benefit_payouts"
    __table_args__ = (
        CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"),
        CheckConstraint(f"status IN {PAYOUT_STATUSES!r}", name="status"),
        authority_check(),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    """The settlement paid (``benefit_settlements`` of the same person and seq)."""
    beneficiary_id: Mapped[int] = mapped_column(BigInteger)
    """Whose money it is, who chose where it goes: the person, or the relative who filed a death claim."""
    method: Mapped[str] = mapped_column(String(4))
    bank_code: Mapped[str | None] = mapped_column(String(12))
    account_number: Mapped[str | None] = mapped_column(String(19))
    """In full, for the transfer; pages and logs show only :attr:`payee` (masked)."""
    post_office: Mapped[str | None] = mapped_column(String(120))
    payee: Mapped[str] = mapped_column(String(160))
    """Where it went, as shown: a bank and a masked account number, or a post office; and the agent, if any."""
    authorisation_id: Mapped[int | None] = mapped_column(BigInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    """The authorised representative named (by person id); on a paid row, the one who received it."""
    status: Mapped[str] = mapped_column(String(10))
    hold_reason: Mapped[str | None] = mapped_column(String(40))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()


#: The monthly benefits other than the pension, paid month by month by the same run (chi trả hằng tháng):
#: the unemployment allowance (for its number of months), the survivors' monthly allowance (to each relative) and
#: the monthly occupational accident/disease allowance.
MONTHLY_REGIMES = ("unemployment", "survivors_monthly", "oad_monthly")


class MonthlyBenefit(Stoppable, Base):
    """A monthly benefit in payment, other than the pension: the settlement (``person_id``, ``seq``: the book it is
    in, the worker's or the deceased's) paid ``monthly_amount`` a month to ``beneficiary_id`` from ``first_month``
    to ``last_month`` (none: until it is stopped)."""

    __tablename__ = "monthly_benefits"
    __table_args__ = (
        CheckConstraint(f"regime IN {MONTHLY_REGIMES!r}", name="regime"),
        CheckConstraint("monthly_amount > 0", name="monthly_amount"),
        authority_check(),
        Index("ix_monthly_benefits_beneficiary_id", "beneficiary_id"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    regime: Mapped[str] = mapped_column(String(20))
    beneficiary_id: Mapped[int] = mapped_column(BigInteger)
    """Whose money it is: the worker, or the relative paid a survivors' allowance."""
    first_month: Mapped[int] = mapped_column(Integer)
    last_month: Mapped[int | None] = mapped_column(Integer)
    """YYYYMM: the last month paid (the unemployment allowance's number of months); null while it runs on."""
    monthly_amount: Mapped[int] = mapped_column(BigInteger)
    decision_no: Mapped[str] = mapped_column(String(40))
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()


class MonthlyBenefitPayment(Base):
    """One month of a monthly benefit settled by the run, as :class:`PensionPayment` is for a pension: one row a
    benefit and month, so a month is never paid twice. ``method`` is null for a month held because no way of
    payment has been named (``hold_reason`` ``payout.no_way``)."""

    __tablename__ = "monthly_benefit_payments"
    __table_args__ = (
        CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"),
        CheckConstraint(f"status IN {PAYOUT_STATUSES!r}", name="status"),
        CheckConstraint("amount >= 0", name="amount"),
        authority_check(),
        Index("ix_monthly_benefit_payments_paid_in", "paid_in", "method"),
        Index("ix_monthly_benefit_payments_beneficiary_id", "beneficiary_id"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    beneficiary_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str | None] = mapped_column(String(4))
    payee: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(10))
    hold_reason: Mapped[str | None] = mapped_column(String(40))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_in: Mapped[int | None] = mapped_column(Integer)
    method_seq: Mapped[int | None] = mapped_column(SmallInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    authority: Mapped[str] = authority_column()


class MonthlyBenefitMethod(Base):
    """Where and how a monthly benefit is paid from a month on, as :class:`PensionPaymentMethod` for a pension: the
    way named on the claim form, then each change (from the next month) as a new row."""

    __tablename__ = "monthly_benefit_methods"
    __table_args__ = (CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"), authority_check())

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    """The benefit (``monthly_benefits`` of the same person and seq)."""
    method_seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    from_month: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(4))
    bank_code: Mapped[str | None] = mapped_column(String(12))
    account_number: Mapped[str | None] = mapped_column(String(19))
    post_office: Mapped[str | None] = mapped_column(String(120))
    authorisation_id: Mapped[int | None] = mapped_column(BigInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()
