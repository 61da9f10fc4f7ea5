"""The daily reconciliation (đối soát) of online payments, as a job of the job engine (``esibook.jobs``): once a
day, orders past their expiry that never got a notification are marked ``expired`` (the gateway no longer accepts
them) and the day's count of orders without a notification, and of notifications refused in the last 24 hours, is
written to the audit chain. The report itself is
``esibook payments reconcile`` and the officers' page ``/officer/payments/reconciliation``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from esibook import jobs
from esibook.audit import service as audit
from esibook.dates import VIETNAM
from esibook.db import transaction
from esibook.payments import refusals
from esibook.payments.models import PaymentOrder
from esibook.payments.service import unreconciled

#: Orders older than this without a notification are reported by the daily job.
DAILY_OLDER_THAN_MINUTES = 60


def reconcile(session: Session, day: date, *, now: datetime | None = None) -> list[dict]:
    """Expire what the gateway no longer accepts, record the day's count, return the report."""
    now = now or datetime.now(UTC)
    with transaction(session):
        session.execute(
            update(PaymentOrder)
            .where(PaymentOrder.status == "pending", PaymentOrder.expires_at < now - timedelta(minutes=5))
            .values(status="expired")
        )
        rows = unreconciled(session, now=now, older_than_minutes=DAILY_OLDER_THAN_MINUTES)
        audit.append(session, actor="system", action="payments.reconciled", target=f"day:{day.isoformat()}",
                     details={"unnotified": len(rows), "amount": sum(r["amount"] for r in rows),
                              "refused_notifications": refusals.total(session, since=now - timedelta(hours=24))})
    return rows


def reconcile_once(sessions: sessionmaker[Session], day: date) -> bool:
    """Run the day's reconciliation unless it already ran for that day; True if it ran now."""
    with sessions() as session:
        if audit.ran_for_day(session, "payments.reconciled", day):
            return False
        reconcile(session, day)
    return True


@jobs.app.periodic(cron="15 0 * * *", periodic_id="payments-reconcile-daily")
@jobs.app.task(name="payments.reconcile", queue=jobs.DAILY_QUEUE, queueing_lock="payments.reconcile")
def payments_reconcile(timestamp: int) -> None:
    """The daily reconciliation, for the day it was scheduled."""
    reconcile_once(jobs.runtime().sessions, datetime.fromtimestamp(timestamp, VIETNAM).date())
