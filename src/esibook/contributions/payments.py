"""Employer payments (nộp tiền): entered by an officer or read from a bank statement (CSV), matched to the employer
by its unit code, and allocated to the oldest dues first; each worker's month becomes paid or partly paid. Money an
allocation cannot use stays as the employer's credit and is used by the next one.

Late interest (lãi chậm đóng): 0.03% a day of the amount overdue, from the day after the due date (the last day of
the month after the contribution month).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.contributions.models import ContributionLine, Payment
from esibook.db import transaction
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.periods import Month

LATE_INTEREST_BASIS_POINTS_PER_DAY = 3
"""0.03% a day (Law on Social Insurance 2024, Art. 40)."""
UNIT_CODE_IN_TEXT = re.compile(r"\b([A-Z]{2}[0-9]{5})\b")
OWED = ("declared", "unpaid", "partly_paid")


def due_date(month: Month) -> date:
    """A month's contributions are due by the last day of the following month."""
    return (month + 1).last_day()


def days_late(month: Month, as_of: date) -> int:
    return max(0, (as_of - due_date(month)).days)


def late_interest(amount: int, month: Month, as_of: date) -> int:
    """``amount × 0.03% × days late``, rounded half up to the đồng."""
    return (amount * LATE_INTEREST_BASIS_POINTS_PER_DAY * days_late(month, as_of) + 5000) // 10000


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool
    lines_paid: int


def record_payment(
    session: Session,
    *,
    employer_id: int,
    amount: int,
    paid_on: date,
    reference: str,
    source: str,
    entered_by: str,
) -> PaymentResult:
    """Record a payment once (by its reference) and allocate the employer's credit to the oldest dues."""
    if amount <= 0:
        raise DomainError("payment.amount", "the amount must be positive", "số tiền phải lớn hơn 0", field="amount")
    reference = reference.strip()[:120]
    if not reference:
        raise DomainError("payment.reference", "give the payment's reference", "hãy ghi số chứng từ", field="reference")
    with transaction(session):
        existing = session.scalar(select(Payment).where(Payment.reference == reference))
        if existing:
            return PaymentResult(existing, False, 0)
        if session.get(Employer, employer_id) is None:
            raise DomainError("payment.employer", "no such employer", "không có đơn vị này", field="employer_id")
        payment = Payment(
            employer_id=employer_id,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            source=source,
            allocated=0,
            entered_by=entered_by,
        )
        session.add(payment)
        session.flush()
        lines = allocate_credit(session, employer_id)
        audit.append(
            session,
            actor=entered_by,
            action="payment.recorded",
            target=f"employer:{employer_id}",
            authority="civil",
            details={"amount": amount, "reference": reference, "lines_paid": lines},
        )
    return PaymentResult(payment, True, lines)


def allocate_credit(session: Session, employer_id: int) -> int:
    """Spend the employer's unallocated money on the oldest owed lines (by month, then person); returns how many
    lines received money. The payments are marked allocated oldest first."""
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.employer_id == employer_id, Payment.allocated < Payment.amount)
            .order_by(Payment.paid_on, Payment.id)
            .with_for_update()
        )
    )
    credit = sum(p.amount - p.allocated for p in payments)
    spent, touched = 0, 0
    for line in session.scalars(
        select(ContributionLine)
        .where(
            ContributionLine.employer_id == employer_id,
            ContributionLine.status.in_(OWED),
            ContributionLine.paid_amount < ContributionLine.total,
        )
        .order_by(ContributionLine.month, ContributionLine.person_id)
        .with_for_update()
    ):
        if spent == credit:
            break
        take = min(credit - spent, line.total - line.paid_amount)
        line.paid_amount += take
        line.status = "paid" if line.paid_amount == line.total else "partly_paid"
        spent += take
        touched += 1
    for payment in payments:
        use = min(spent, payment.amount - payment.allocated)
        payment.allocated += use
        spent -= use
    return touched


def credit_of(session: Session, employer_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(Payment.amount - Payment.allocated), 0)).where(Payment.employer_id == employer_id)
    )


@dataclass(frozen=True)
class StatementResult:
    recorded: int
    already_recorded: int
    unmatched: list[tuple[int, str]]
    """(line number, why) for each statement line that could not be matched to an employer."""


def import_bank_statement(session: Session, data: bytes, *, entered_by: str) -> StatementResult:
    """A bank statement in CSV (date, amount, reference, description): each credit whose description names a unit
    code is that employer's payment; a statement read twice records nothing new."""
    try:
        text_ = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError("statement.encoding", "the file is not UTF-8 text", "tệp không phải văn bản UTF-8") from error
    rows = list(csv.DictReader(io.StringIO(text_)))
    if not rows or not {"date", "amount", "reference", "description"} <= {k.strip().lower() for k in rows[0]}:
        raise DomainError(
            "statement.header",
            "the first line must name the columns date, amount, reference, description",
            "dòng đầu phải là tên cột date, amount, reference, description",
        )
    recorded = already = 0
    unmatched = []
    units = dict(session.execute(select(Employer.unit_code, Employer.id)).all())
    for number, raw in enumerate(rows, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        match = UNIT_CODE_IN_TEXT.search(row["description"].upper())
        employer_id = units.get(match.group(1)) if match else None
        try:
            amount = int(row["amount"].replace(".", "").replace(",", ""))
            paid_on = _statement_date(row["date"])
        except ValueError:
            unmatched.append((number, "bad date or amount"))
            continue
        if employer_id is None:
            unmatched.append((number, "no known unit code in the description"))
            continue
        if amount <= 0:
            continue  # a debit, not a payment
        result = record_payment(
            session,
            employer_id=employer_id,
            amount=amount,
            paid_on=paid_on,
            reference=f"bank:{row['reference']}",
            source="bank_csv",
            entered_by=entered_by,
        )
        recorded, already = recorded + result.created, already + (not result.created)
    return StatementResult(recorded, already, unmatched)


def _statement_date(value: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


@dataclass(frozen=True)
class MonthDues:
    month: Month
    workers: int
    total: int
    paid: int
    due_on: date
    interest: int

    @property
    def owed(self) -> int:
        return self.total - self.paid


def dues_by_month(session: Session, employer_id: int, as_of: date, *, limit: int = 24) -> list[MonthDues]:
    """The employer's monthly declaration (from its posted lines) with what was paid and the late interest."""
    rows = session.execute(
        select(
            ContributionLine.month,
            func.count(),
            func.sum(ContributionLine.total),
            func.sum(ContributionLine.paid_amount),
        )
        .where(ContributionLine.employer_id == employer_id)
        .group_by(ContributionLine.month)
        .order_by(ContributionLine.month.desc())
        .limit(limit)
    ).all()
    result = []
    for month_int, workers, total, paid in rows:
        month = Month.from_int(month_int)
        result.append(
            MonthDues(month, workers, total, paid, due_date(month), late_interest(total - paid, month, as_of))
        )
    return result
