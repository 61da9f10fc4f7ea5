"""Data groups 4 and 6: social insurance participation, monthly contribution lines, unemployment reserve.

Big tables carry the person id first in their primary key and have no foreign key to another big table, so the
schema can later be sharded by person. On PostgreSQL ``contribution_lines`` is range-partitioned by month.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, authority_check, authority_column, created_at_column
from esibook.db import Base, BigIntKey

PARTICIPANT_TYPES = ("employee", "voluntary", "household", "armed_forces")
LINE_STATUSES = ("declared", "paid", "partly_paid", "unpaid")
PROVENANCES = ("electronic", "converted_from_paper")

#: ``employer_id`` of a contribution line the person pays themself (voluntary SI, household HI).
SELF_PAID = 0


def _in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=name)


class ParticipationPeriod(Base):
    """A stretch of participation (quá trình tham gia): one person with one employer from one month to another.

    ``to_month`` is NULL while the period is open. Months are integers ``YYYYMM``.
    """

    __tablename__ = "participation_periods"
    __table_args__ = (
        _in("participant_type", PARTICIPANT_TYPES, "participant_type"),
        _in("provenance", PROVENANCES, "provenance"),
        CheckConstraint("to_month IS NULL OR to_month >= from_month", name="months_ordered"),
        CheckConstraint("salary_basis >= 0", name="salary_basis"),
        authority_check(),
        Index("ix_participation_periods_employer_id", "employer_id", "from_month"),
        # one open period per person and employer (a second registration is refused; this is the last wall)
        Index(
            "uq_participation_periods_open",
            "person_id",
            "employer_id",
            unique=True,
            postgresql_where=text("to_month IS NULL"),
            sqlite_where=text("to_month IS NULL"),
        ),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    employer_id: Mapped[int] = mapped_column(BigInteger)
    """The employer, or 0 for self-paid participation (voluntary SI)."""
    from_month: Mapped[int] = mapped_column(Integer)
    to_month: Mapped[int | None] = mapped_column(Integer)
    job_title: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[str | None] = mapped_column(String(120))
    workplace: Mapped[str | None] = mapped_column(String(200))
    salary_basis: Mapped[int] = mapped_column(BigInteger)
    """Monthly salary plus allowances, VND, before the floor and the cap of each month are applied."""
    participant_type: Mapped[str] = mapped_column(String(12), default="employee")
    classified_unit: Mapped[str | None] = mapped_column(String(120))
    """Defence / security only: the unit, redacted in anything that leaves the authority."""
    classified_rank: Mapped[str | None] = mapped_column(String(60))
    provenance: Mapped[str] = mapped_column(String(24), default="electronic")
    source_document_id: Mapped[int | None] = mapped_column(BigInteger)
    """For a period entered from a scanned paper book: the converted document (repository) it was read from."""
    authority: Mapped[str] = authority_column()


class ContributionLine(Base):
    """One person's contribution for one month with one employer (dòng đóng góp tháng). Amounts in VND.

    ``salary_basis`` is the SI/HI basis after the floor and the 20 × reference-level cap; ``ui_basis`` the UI
    basis (capped at 20 × the regional minimum wage).
    """

    __tablename__ = "contribution_lines"
    __table_args__ = (
        _in("status", LINE_STATUSES, "status"),
        _in("provenance", PROVENANCES, "provenance"),
        authority_check(),
        Index("ix_contribution_lines_employer_id", "employer_id", "month"),
        {"postgresql_partition_by": "RANGE (month)"},
    )

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    employer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    participant_type: Mapped[str] = mapped_column(String(12), default="employee")
    salary_basis: Mapped[int] = mapped_column(BigInteger)
    ui_basis: Mapped[int] = mapped_column(BigInteger)
    retirement_employer: Mapped[int] = mapped_column(BigInteger)
    retirement_employee: Mapped[int] = mapped_column(BigInteger)
    sickness_employer: Mapped[int] = mapped_column(BigInteger)
    oad_employer: Mapped[int] = mapped_column(BigInteger)
    ui_employer: Mapped[int] = mapped_column(BigInteger)
    ui_employee: Mapped[int] = mapped_column(BigInteger)
    hi_employer: Mapped[int] = mapped_column(BigInteger)
    hi_employee: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    paid_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), default="declared")
    provenance: Mapped[str] = mapped_column(String(24), default="electronic")
    authority: Mapped[str] = authority_column()
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnemploymentReserve(Base):
    """Group 6: reserved unemployment-insurance contribution time (thời gian đóng BHTN được bảo lưu)."""

    __tablename__ = "unemployment_reserves"
    __table_args__ = (CheckConstraint("reserved_months >= 0", name="reserved_months"), authority_check())

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    reserved_months: Mapped[int] = mapped_column(Integer)
    since_month: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = authority_column()
    created_at: Mapped[datetime] = created_at_column()


class PostingBatch(Base):
    """One posted file of contribution lines (kết quả ghi nhận). Its id is the file's SHA-256: posting the same file
    again finds it here and changes nothing. Written in the transaction that inserts the lines."""

    __tablename__ = "posting_batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    lines_total: Mapped[int] = mapped_column(Integer)
    lines_posted: Mapped[int] = mapped_column(Integer)
    lines_rejected: Mapped[int] = mapped_column(Integer)
    parameters_version: Mapped[str] = mapped_column(String(40))
    posted_by: Mapped[str] = mapped_column(String(120))
    posted_at: Mapped[datetime] = created_at_column()


class PostingReject(Base):
    """A line of a posted file that was not posted, with the reason (the reject report)."""

    __tablename__ = "posting_rejects"

    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    personal_id: Mapped[str | None] = mapped_column(String(40))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    month: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))


class Payment(Base):
    """Money received from an employer (entered, or read from a bank statement), allocated to the oldest dues first."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("source IN ('entered', 'bank_csv')", name="source"),
        Index("ix_payments_employer_id", "employer_id", "paid_on"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    employer_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    """The bank's transaction reference (or one made for an entered payment): a statement read twice adds nothing."""
    source: Mapped[str] = mapped_column(String(10))
    allocated: Mapped[int] = mapped_column(BigInteger, default=0)
    """How much went to dues; the rest is the employer's credit."""
    entered_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = created_at_column()


class EmployerArrears(Base):
    """The arrears watchdog's finding for one employer on one day (nợ đóng): 30+ days behind; 60+ is evasion."""

    __tablename__ = "employer_arrears"

    employer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    days_behind: Mapped[int] = mapped_column(Integer)
    unpaid_months: Mapped[int] = mapped_column(Integer)
    unpaid_total: Mapped[int] = mapped_column(BigInteger)
    late_interest: Mapped[int] = mapped_column(BigInteger)
    evasion: Mapped[bool] = mapped_column(Boolean, default=False)
    workers_notified: Mapped[int] = mapped_column(Integer, default=0)


class ParameterVersion(Base):
    """A version of the dated parameters file, loaded into the database when first seen, kept for good: every
    posting names the version it used."""

    __tablename__ = "parameter_versions"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = created_at_column()
