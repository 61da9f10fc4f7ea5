"""Refused payment notifications, coalesced: the public IPN must not let forged or replayed calls flood the audit
chain or the database.

Each refusal counts in ``payment_refusals`` under (answer code, order reference, UTC hour); only the first of a
bucket writes the audit record ``payment.notification_refused`` (the code, the reason and the hour; the count
stays in the bucket). Together with the per-address rate limit the route puts in front of every refusal
(``web.ratelimit.limit_payment_refusal``), 10,000 forged calls write at most a limit's worth of rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.db import is_postgres
from esibook.payments.models import PaymentRefusal

ACTION = "payment.notification_refused"


def hour_of(moment: datetime) -> datetime:
    """The hour a refusal is counted in (UTC, minutes and seconds dropped)."""
    return moment.replace(minute=0, second=0, microsecond=0)


def record(
    session: Session, *, actor: str, ref: str, code: tuple[str, str], authority: str | None, now: datetime
) -> int:
    """Count one refusal in its bucket; the first of the bucket writes the audit record. Returns the bucket's
    count so far (1: this one opened it). Runs inside the caller's action."""
    hour = hour_of(now)
    dialect_insert = postgresql_insert if is_postgres(session) else sqlite_insert
    upsert = dialect_insert(PaymentRefusal).values(
        code=code[0], order_ref=ref, hour=hour, count=1, first_at=now, last_at=now
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["code", "order_ref", "hour"],
        set_={"count": PaymentRefusal.count + 1, "last_at": now},
    ).returning(PaymentRefusal.count)
    count = session.execute(upsert).scalar_one()
    if count == 1:
        audit.append(
            session,
            actor=actor,
            action=ACTION,
            target=f"order:{ref}",
            authority=authority,
            details={"code": code[0], "reason": code[1], "hour": hour.isoformat(timespec="minutes")},
        )
    return count


def counts(session: Session, *, since: datetime) -> list[dict]:
    """The buckets from ``since`` on, newest first: what an officer or the reconciliation reads (no personal
    data)."""
    rows = session.scalars(
        select(PaymentRefusal)
        .where(PaymentRefusal.hour >= hour_of(since))
        .order_by(PaymentRefusal.hour.desc(), PaymentRefusal.count.desc())
        .limit(1000)
    )
    return [
        {"code": r.code, "order_ref": r.order_ref, "hour": r.hour.isoformat(timespec="minutes"), "count": r.count}
        for r in rows
    ]


def total(session: Session, *, since: datetime) -> int:
    """How many notifications were refused (and counted) from ``since``'s hour on."""
    return session.scalar(
        select(func.coalesce(func.sum(PaymentRefusal.count), 0)).where(PaymentRefusal.hour >= hour_of(since))
    )
