"""Employer payments (nộp tiền): entered by an officer or read from a bank statement (CSV), matched to the employer
by its unit code, and allocated to the oldest dues first; each worker's month becomes paid or partly paid. Money an
allocation cannot use stays as the employer's credit and is used by the next one.

Late interest (lãi chậm đóng): 0.03% a day of the amount overdue, from the day after the due date (the last day of
the month after the contribution month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook import tabular
from esibook.audit import service as audit
from esibook.contributions.models import ContributionLine, Payment
from esibook.db import transaction, within_action
from esibook.employers.models import Employer
from esibook.employers.service import employer_id_by_unit_code
from esibook.errors import DomainError
from esibook.money import parse_vnd
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


def parse_amount(text_: str) -> int:
    """A whole amount in đồng as people and banks write it (:func:`esibook.money.parse_vnd`). Anything else (a
    fraction of a đồng, letters) is refused rather than guessed."""
    amount = parse_vnd(text_)
    if amount is None:
        raise DomainError(
            "payment.amount",
            f"'{text_.strip()[:20]}' is not a whole amount in đồng",
            f"'{text_.strip()[:20]}' không phải số tiền đồng",
            field="amount",
        )
    return amount


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool
    lines_paid: int


def enter_payment(
    session: Session,
    *,
    unit_code: str,
    authority: str,
    amount: str,
    paid_on: str,
    reference: str,
    entered_by: str,
) -> PaymentResult:
    """A payment an officer types: the employer by its unit code among those of the officer's authority, the amount
    as people write it, the day as YYYY-MM-DD; recorded as :func:`record_payment`, in an action of its own."""
    employer_id = employer_id_by_unit_code(session, unit_code, authority)
    if employer_id is None:
        raise DomainError("payment.employer", "no employer has this unit code", "không có đơn vị mang mã này")
    value = parse_amount(amount)
    day = _entered_day(paid_on)
    with transaction(session):
        return record_payment(
            session,
            employer_id=employer_id,
            amount=value,
            paid_on=day,
            reference=reference,
            source="entered",
            entered_by=entered_by,
        )


def _entered_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise DomainError("payment.date", "the date must be YYYY-MM-DD", "ngày phải theo dạng YYYY-MM-DD") from error


def recent_payments(session: Session, employer_id: int, *, limit: int = 50) -> list[Payment]:
    """An employer's payments, latest paid first."""
    return list(
        session.scalars(
            select(Payment).where(Payment.employer_id == employer_id).order_by(Payment.paid_on.desc()).limit(limit)
        )
    )


def recent_payments_of_authority(session: Session, authority: str, *, limit: int = 30) -> list:
    """The payments last recorded for employers of an authority, each with its employer, latest first."""
    return session.execute(
        select(Payment, Employer)
        .join(Employer, Employer.id == Payment.employer_id)
        .where(Employer.authority == authority)
        .order_by(Payment.id.desc())
        .limit(limit)
    ).all()


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
    """Record a payment once (by its reference) and allocate the employer's credit to the oldest dues: a step of
    the caller's action (:func:`enter_payment`, a bank statement's import). The same reference again is the same
    payment only if it matches (employer, amount, day); otherwise it is refused as a conflict, never merged."""
    within_action(session)
    if amount <= 0:
        raise DomainError("payment.amount", "the amount must be positive", "số tiền phải lớn hơn 0", field="amount")
    reference = reference.strip()[:120]
    if not reference:
        raise DomainError("payment.reference", "give the payment's reference", "hãy ghi số chứng từ", field="reference")
    existing = session.scalar(select(Payment).where(Payment.reference == reference))
    if existing:
        if (existing.employer_id, existing.amount, existing.paid_on) != (employer_id, amount, paid_on):
            raise DomainError(
                "payment.reference_conflict",
                f"the reference {reference} is already recorded for another payment",
                f"số chứng từ {reference} đã được ghi cho một khoản nộp khác",
                field="reference",
            )
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


def allocate_all_credit(session: Session) -> int:
    """Use every employer's credit on dues posted after it paid (the watchdog does this before judging)."""
    employers = session.scalars(
        select(Payment.employer_id).where(Payment.allocated < Payment.amount).group_by(Payment.employer_id)
    ).all()
    return sum(allocate_credit(session, employer_id) for employer_id in employers)


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


def import_bank_statement(
    session: Session, data: bytes, *, entered_by: str, authority: str = "civil"
) -> StatementResult:
    """A bank statement in CSV (date, amount, reference, description): each credit whose description names a unit
    code (of an employer of ``authority``) is that employer's payment. All or nothing, in one transaction; a
    statement read twice records nothing new. A line that cannot be matched (no reference, no known unit code, an
    unreadable date or amount) is reported, never guessed."""
    rows = _statement_rows(data)
    recorded = already = 0
    unmatched = []
    with transaction(session):
        units = dict(
            session.execute(select(Employer.unit_code, Employer.id).where(Employer.authority == authority)).all()
        )
        for number, row in rows:
            if row["amount"].startswith("-"):
                continue  # a debit, not a payment
            match = UNIT_CODE_IN_TEXT.search(row["description"].upper())
            employer_id = units.get(match.group(1)) if match else None
            try:
                amount = parse_amount(row["amount"].lstrip("+"))
                paid_on = _statement_date(row["date"])
            except (DomainError, ValueError):
                unmatched.append((number, "bad date or amount"))
                continue
            if not row["reference"]:
                unmatched.append((number, "no bank reference"))
                continue
            if employer_id is None:
                unmatched.append((number, "no known unit code in the description"))
                continue
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


def _statement_rows(data: bytes) -> list[tuple[int, dict]]:
    lines = tabular.read_rows(tabular.decode(data, code="statement", field="file"), code="statement", field="file")
    header = lines[0] if lines else []
    rows = [dict(zip(header, line + [""] * (len(header) - len(line)), strict=False)) for line in lines[1:]]
    if not rows or not {"date", "amount", "reference", "description"} <= {k.strip().lower() for k in header}:
        raise DomainError(
            "statement.header",
            "the first line must name the columns date, amount, reference, description",
            "dòng đầu phải là tên cột date, amount, reference, description",
        )
    return [
        (number, {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k})
        for number, raw in enumerate(rows, start=2)
    ]


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
