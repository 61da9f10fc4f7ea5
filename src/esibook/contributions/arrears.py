"""The arrears watchdog (giám sát nợ đóng): run daily (``esibook arrears run --date D``, or by the worker).

- A month's lines still owed after their due date become ``unpaid``: the worker's book shows them, with the
  employer responsible.
- An employer 30 or more days behind (counted from the due date of its oldest owed month) is in arrears, and
  listed on the public page; 60 or more days is evasion (trốn đóng).
- From the 10th of a month (the first run on or after it), every worker of an employer in arrears gets a notice
  (in-app and email) with the unpaid months and the unpaid amount of each fund; once per worker, employer and
  month, however often the job runs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from esibook import jobs
from esibook.audit import service as audit
from esibook.contributions.dues import FUNDS
from esibook.contributions.models import ContributionLine, EmployerArrears
from esibook.contributions.payments import OWED, allocate_all_credit, days_late, due_date, late_interest
from esibook.dates import VIETNAM
from esibook.db import transaction
from esibook.employers.models import Employer
from esibook.notify import outbox
from esibook.people.contacts import email_of
from esibook.periods import Month

ARREARS_DAYS = 30
EVASION_DAYS = 60
NOTICE_DAY = 10
FUND_NAMES_VI = {
    "retirement_employer": "Hưu trí (đơn vị)",
    "retirement_employee": "Hưu trí (người lao động)",
    "sickness_employer": "Ốm đau, thai sản",
    "oad_employer": "Tai nạn lao động, bệnh nghề nghiệp",
    "ui_employer": "Thất nghiệp (đơn vị)",
    "ui_employee": "Thất nghiệp (người lao động)",
    "hi_employer": "Y tế (đơn vị)",
    "hi_employee": "Y tế (người lao động)",
}


@dataclass(frozen=True)
class WatchdogRun:
    as_of: date
    lines_marked_unpaid: int
    employers_in_arrears: int
    employers_evading: int
    notices: int


def run(session: Session, as_of: date) -> WatchdogRun:
    """One run of the watchdog for the day ``as_of``; running it again the same day changes nothing more."""
    with transaction(session):
        allocate_all_credit(session)
        marked = _mark_unpaid(session, as_of)
        found = _employers_behind(session, as_of)
        session.execute(delete(EmployerArrears).where(EmployerArrears.as_of == as_of))
        notices = 0
        for employer_id, (oldest, months, total, interest) in found.items():
            days = days_late(oldest, as_of)
            notified = _notify_workers(session, employer_id, as_of) if as_of.day >= NOTICE_DAY else 0
            notices += notified
            session.add(
                EmployerArrears(
                    employer_id=employer_id,
                    as_of=as_of,
                    days_behind=days,
                    unpaid_months=months,
                    unpaid_total=total,
                    late_interest=interest,
                    evasion=days >= EVASION_DAYS,
                    workers_notified=notified,
                )
            )
        evading = sum(1 for oldest, *_ in found.values() if days_late(oldest, as_of) >= EVASION_DAYS)
        audit.append(
            session,
            actor="system:arrears-watchdog",
            action="arrears.run",
            target=f"day:{as_of.isoformat()}",
            authority="civil",
            details={"employers": len(found), "evasion": evading, "notices": notices},
        )
    return WatchdogRun(as_of, marked, len(found), evading, notices)


def _overdue_month_limit(as_of: date) -> int:
    """The last contribution month whose due date is before ``as_of``."""
    month = Month.from_date(as_of) - 1
    while due_date(month) >= as_of:
        month = month - 1
    return month.as_int()


def _mark_unpaid(session: Session, as_of: date) -> int:
    return session.execute(
        update(ContributionLine)
        .where(
            ContributionLine.status == "declared",
            ContributionLine.month <= _overdue_month_limit(as_of),
            ContributionLine.paid_amount < ContributionLine.total,
        )
        .values(status="unpaid")
        .execution_options(synchronize_session=False)
    ).rowcount


def _employers_behind(session: Session, as_of: date) -> dict[int, tuple[Month, int, int, int]]:
    """Employer → (oldest owed month, owed months, amount owed, late interest), for those 30+ days behind."""
    rows = session.execute(
        select(
            ContributionLine.employer_id,
            ContributionLine.month,
            func.sum(ContributionLine.total - ContributionLine.paid_amount),
        )
        .where(
            ContributionLine.employer_id != 0,
            ContributionLine.status.in_(OWED),
            ContributionLine.paid_amount < ContributionLine.total,
            ContributionLine.month <= _overdue_month_limit(as_of),
        )
        .group_by(ContributionLine.employer_id, ContributionLine.month)
    ).all()
    owed: dict[int, list[tuple[Month, int]]] = defaultdict(list)
    for employer_id, month, amount in rows:
        owed[employer_id].append((Month.from_int(month), amount))
    found = {}
    for employer_id, months in owed.items():
        oldest = min(m for m, _ in months)
        if days_late(oldest, as_of) >= ARREARS_DAYS:
            interest = sum(late_interest(amount, month, as_of) for month, amount in months)
            found[employer_id] = (oldest, len(months), sum(a for _, a in months), interest)
    return found


def _notify_workers(session: Session, employer_id: int, as_of: date) -> int:
    """The VssID notice: to each affected worker, the unpaid months and the amount of each fund. Returns how many
    workers got a notice now (not those already told this month)."""
    employer = session.get(Employer, employer_id)
    lines = session.scalars(
        select(ContributionLine)
        .where(
            and_(
                ContributionLine.employer_id == employer_id,
                ContributionLine.status.in_(OWED),
                ContributionLine.paid_amount < ContributionLine.total,
                ContributionLine.month <= _overdue_month_limit(as_of),
            )
        )
        .order_by(ContributionLine.person_id, ContributionLine.month)
    ).all()
    by_person: dict[int, list[ContributionLine]] = defaultdict(list)
    for line in lines:
        by_person[line.person_id].append(line)
    sent = 0
    for person_id, owed in by_person.items():
        subject = f"Đơn vị {employer.name} chưa đóng BHXH, BHYT, BHTN cho bạn"
        body = notice_text(employer, owed)
        key = f"arrears:{employer_id}:{person_id}:{as_of:%Y-%m}"
        sent += outbox.enqueue(
            session,
            channel="inapp",
            recipient=f"person:{person_id}",
            subject=subject,
            body=body,
            dedupe_key=f"{key}:inapp",
        )
        email = email_of(session, person_id)
        if email:
            outbox.enqueue(
                session, channel="email", recipient=email, subject=subject, body=body, dedupe_key=f"{key}:email"
            )
    return sent


def _unpaid_share(line: ContributionLine, fund: str) -> int:
    """A fund's part of what is still unpaid on a line (all of it when nothing was paid)."""
    amount = getattr(line, fund)
    if not line.paid_amount:
        return amount
    return (amount * (line.total - line.paid_amount) + line.total // 2) // line.total


def notice_text(employer: Employer, owed: list[ContributionLine]) -> str:
    months = ", ".join(str(Month.from_int(line.month)) for line in owed)
    funds = {fund: sum(_unpaid_share(line, fund) for line in owed) for fund in FUNDS}
    unpaid = sum(line.total - line.paid_amount for line in owed)
    parts = "; ".join(f"{FUND_NAMES_VI[f]} {v:,} đ" for f, v in funds.items() if v)
    return (
        f"{employer.name} (mã {employer.unit_code}) chưa đóng đủ các tháng {months}. "
        f"Số còn nợ: {unpaid:,} đồng ({parts}). Các tháng này hiện là 'chưa đóng' trong sổ BHXH điện tử của bạn; "
        "quyền lợi của bạn được bảo đảm khi đơn vị đóng đủ. Liên hệ cơ quan BHXH nếu cần hỗ trợ."
    )


def public_list(session: Session, *, limit: int = 500) -> tuple[date | None, list[tuple[Employer, EmployerArrears]]]:
    """The published list of employers in arrears, from the latest run. Units of Defence and Public Security are
    classified and never published."""
    latest = session.scalar(select(func.max(EmployerArrears.as_of)))
    if latest is None:
        return None, []
    rows = session.execute(
        select(Employer, EmployerArrears)
        .join(EmployerArrears, EmployerArrears.employer_id == Employer.id)
        .where(EmployerArrears.as_of == latest, Employer.authority == "civil")
        .order_by(EmployerArrears.days_behind.desc(), EmployerArrears.unpaid_total.desc())
        .limit(limit)
    ).all()
    return latest, [(e, a) for e, a in rows]


# --- the daily job (esibook.jobs) --------------------------------------------------------------------------------


def watchdog_once(sessions: sessionmaker[Session], day: date) -> bool:
    """Run the arrears watchdog for ``day`` unless it already ran for that day; True if it ran now."""
    with sessions() as session:
        if audit.ran_for_day(session, "arrears.run", day):
            return False
        run(session, day)
    return True


@jobs.app.periodic(cron="5 0 * * *", periodic_id="arrears-daily")
@jobs.app.task(name="arrears.watchdog", queue=jobs.DAILY_QUEUE, queueing_lock="arrears.watchdog")
def arrears_watchdog(timestamp: int) -> None:
    """The daily arrears watchdog, for the day it was scheduled (its notices go out from the 10th)."""
    watchdog_once(jobs.runtime().sessions, datetime.fromtimestamp(timestamp, VIETNAM).date())
