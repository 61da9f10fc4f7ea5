"""Sending the reminders due, in batches of persons, each once; a person's choices; the history of what was sent.

A batch is one transaction: the reminders due to its persons (``reminders.due``, a few set-based queries), less
those already sent (one query), are written to ``reminders`` and to the outbox (in-app and, where chosen and an
address is on file, email), with one audit row. The primary key of ``reminders`` (person, kind, subject) is the
wall: two workers on the same batch cannot both send, and a batch run again sends nothing new.

Jobs (``esibook.jobs``): on PostgreSQL the daily job (``reminders.daily``, 00:20 Vietnam time) cuts the persons into
ranges and defers one ``reminders.batch`` job per range, so every worker on every machine takes a share; on the
SQLite default the worker's round runs the batches in-process once a day. ``esibook reminders send`` does the same
from the command line.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from esibook import jobs
from esibook.access import policy
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.canonical import canonical_json
from esibook.columns import utcnow
from esibook.dates import VIETNAM, in_vietnam
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.notify import outbox
from esibook.people.contacts import email_of
from esibook.people.models import Contact, Person
from esibook.reminders import rules
from esibook.reminders.due import Due, due_reminders
from esibook.reminders.messages import message_of
from esibook.reminders.models import ReminderPreference, SentReminder

BATCH_SIZE = 5000
ACTOR = "system:reminders"


@dataclass(frozen=True)
class Preferences:
    """Which kinds a person wants, on which channels; ``has_email``: an email address is on file."""

    kinds: tuple[str, ...]
    inapp: bool
    email: bool
    has_email: bool = False


DEFAULT = Preferences(kinds=rules.KINDS, inapp=True, email=True)


def _preferences(row: ReminderPreference | None) -> Preferences:
    if row is None:
        return DEFAULT
    kinds = tuple(k for k in rules.KINDS if k in row.kinds.split(","))
    return Preferences(kinds, row.inapp, row.email)


# --- sending ---------------------------------------------------------------------------------------------------


def send_batch(session: Session, as_of: date, lo: int, hi: int) -> int:
    """Send the reminders due on ``as_of`` to persons ``lo``…``hi`` not sent before; returns how many were sent."""
    with transaction(session):
        dues = list({(d.person_id, d.kind, d.subject_key): d for d in due_reminders(session, as_of, lo, hi)}.values())
        if not dues:
            return 0
        persons = {d.person_id for d in dues}
        sent_before = set(
            session.execute(
                select(SentReminder.person_id, SentReminder.kind, SentReminder.subject_key).where(
                    SentReminder.person_id.in_(persons), SentReminder.subject_key.in_({d.subject_key for d in dues})
                )
            ).all()
        )
        chosen = {
            row.person_id: _preferences(row)
            for row in session.scalars(select(ReminderPreference).where(ReminderPreference.person_id.in_(persons)))
        }
        emails = dict(
            session.execute(
                select(Contact.person_id, Contact.email).where(
                    Contact.person_id.in_(persons), Contact.email.is_not(None)
                )
            ).all()
        )
        sent: Counter[str] = Counter()
        for due in dues:
            if (due.person_id, due.kind, due.subject_key) not in sent_before:
                if _send(session, due, chosen.get(due.person_id, DEFAULT), emails.get(due.person_id)):
                    sent[due.kind] += 1
        if sent:
            audit.append(
                session,
                actor=ACTOR,
                action="reminders.sent",
                target=f"persons:{lo}-{hi}",
                details={"day": as_of.isoformat(), **dict(sent)},
            )
    return sum(sent.values())


def _send(session: Session, due: Due, chosen: Preferences, email: str | None) -> bool:
    if due.kind not in chosen.kinds:
        return False
    channels = [c for c, on in (("inapp", chosen.inapp), ("email", chosen.email and bool(email))) if on]
    if not channels:
        return False
    subject, body = message_of(due)
    key = f"reminder:{due.person_id}:{due.kind}:{due.subject_key}"
    recipients = {"inapp": f"person:{due.person_id}", "email": email or ""}
    for channel in channels:
        outbox.enqueue(
            session,
            channel=channel,
            recipient=recipients[channel],
            subject=subject,
            body=body,
            dedupe_key=f"{key}:{channel}",
        )
    session.add(
        SentReminder(
            person_id=due.person_id,
            kind=due.kind,
            subject_key=due.subject_key,
            details=canonical_json(due.details),
            channels=",".join(channels),
        )
    )
    return True


def batch_ranges(session: Session, size: int = BATCH_SIZE) -> Iterator[tuple[int, int]]:
    """The persons cut into ranges of ``size`` ids in use (by the primary key: a seek per range, no count)."""
    after = 0
    while True:
        first = session.scalar(select(func.min(Person.id)).where(Person.id > after))
        if first is None:
            return
        last = session.scalar(select(Person.id).where(Person.id > after).order_by(Person.id).offset(size - 1).limit(1))
        last = last if last is not None else session.scalar(select(func.max(Person.id)))
        yield first, last
        after = last


@dataclass(frozen=True)
class RunResult:
    as_of: date
    batches: int
    sent: int


def send_due(
    sessions: sessionmaker[Session],
    as_of: date,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Every batch in this process (SQLite's worker round, the command line); ``progress(done_id, last_id)``."""
    batches = sent = 0
    with sessions() as session:
        top = session.scalar(select(func.max(Person.id))) or 0
        for lo, hi in list(batch_ranges(session, batch_size)):
            sent += send_batch(session, as_of, lo, hi)
            batches += 1
            if progress:
                progress(hi, top)
        with transaction(session):
            _record_run(session, as_of, batches, sent)
    return RunResult(as_of, batches, sent)


def _record_run(session: Session, as_of: date, batches: int, sent: int | None) -> None:
    details = {"batches": batches, **({"sent": sent} if sent is not None else {})}
    audit.append(session, actor=ACTOR, action="reminders.run", target=f"day:{as_of.isoformat()}", details=details)


def ran_on(session: Session, day: date) -> bool:
    return audit.ran_for_day(session, "reminders.run", day)


def send_daily_once(sessions: sessionmaker[Session], day: date) -> bool:
    """The day's reminders unless they were sent already that day (SQLite's worker round); True if run now."""
    with sessions() as session:
        if ran_on(session, day):
            return False
    send_due(sessions, day)
    return True


def defer_batches(sessions: sessionmaker[Session], day: date, *, batch_size: int = BATCH_SIZE) -> int:
    """PostgreSQL: one ``reminders.batch`` job per range of persons, deferred with the day's run record in one
    transaction (so a day is planned once); returns how many jobs."""
    with sessions() as session:
        if ran_on(session, day):
            return 0
        ranges = list(batch_ranges(session, batch_size))
        with transaction(session):
            for lo, hi in ranges:
                jobs.defer(session, send_reminder_batch, day=day.isoformat(), lo=lo, hi=hi)
            _record_run(session, day, len(ranges), None)
    return len(ranges)


@jobs.app.periodic(cron="20 0 * * *", periodic_id="reminders-daily")
@jobs.app.task(name="reminders.daily", queue=jobs.DAILY_QUEUE, queueing_lock="reminders.daily")
def reminders_daily(timestamp: int) -> None:
    """The day's reminders: one batch job per range of persons, for the day it was scheduled (Vietnam's day)."""
    defer_batches(jobs.runtime().sessions, datetime.fromtimestamp(timestamp, VIETNAM).date())


@jobs.app.task(name="reminders.batch", queue=jobs.DAILY_QUEUE)
def send_reminder_batch(day: str, lo: int, hi: int) -> None:
    """The reminders of one range of persons for one day (a second run sends nothing more)."""
    with jobs.runtime().sessions() as session:
        send_batch(session, date.fromisoformat(day), lo, hi)


# --- a person's choices and history ---------------------------------------------------------------------------


def my_preferences(session: Session, caller: Principal) -> Preferences:
    person_id = policy.own_person_id(caller)
    chosen = _preferences(session.get(ReminderPreference, person_id))
    return Preferences(chosen.kinds, chosen.inapp, chosen.email, bool(email_of(session, person_id)))


def set_preferences(session: Session, caller: Principal, *, kinds: list[str], inapp: bool, email: bool) -> Preferences:
    """Keep the person's choice of kinds and channels (an unknown kind is refused, nothing kept)."""
    person_id = policy.own_person_id(caller)
    unknown = sorted(set(kinds) - set(rules.KINDS))
    if unknown:
        raise DomainError(
            "reminders.kind",
            f"unknown reminder kind '{unknown[0][:30]}'; choose among {', '.join(rules.KINDS)}",
            f"không có loại nhắc việc '{unknown[0][:30]}'; hãy chọn trong {', '.join(rules.KINDS)}",
            field="kinds",
        )
    with transaction(session):
        row = session.get(ReminderPreference, person_id, with_for_update=True)
        if row is None:
            row = ReminderPreference(person_id=person_id)
            session.add(row)
        row.kinds = ",".join(k for k in rules.KINDS if k in kinds)
        row.inapp, row.email, row.updated_at = inapp, email, utcnow()
        audit.append(
            session,
            actor=caller.actor,
            action="reminders.preferences",
            target=f"reminder_preferences:{person_id}",
            details={"kinds": len(kinds), "inapp": inapp, "email": email},
        )
    return my_preferences(session, caller)


def my_reminders(session: Session, caller: Principal, *, limit: int = 200) -> list[SentReminder]:
    """The reminders sent to me, newest first."""
    person_id = policy.own_person_id(caller)
    return list(
        session.scalars(
            select(SentReminder)
            .where(SentReminder.person_id == person_id)
            .order_by(SentReminder.sent_at.desc(), SentReminder.kind)
            .limit(limit)
        )
    )


def reminder_dict(row: SentReminder) -> dict:
    """A sent reminder as the API gives it: the time in UTC and in Vietnam's time."""
    return {
        "kind": row.kind,
        "subject_key": row.subject_key,
        "details": json.loads(row.details),
        "channels": row.channels.split(","),
        "sent_at": row.sent_at.isoformat(),
        "sent_at_vietnam": in_vietnam(row.sent_at).isoformat(),
    }


def preferences_dict(chosen: Preferences) -> dict:
    return {"kinds": list(chosen.kinds), "inapp": chosen.inapp, "email": chosen.email, "has_email": chosen.has_email}
