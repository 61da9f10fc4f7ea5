"""Notifications through an outbox: written in the transaction that decides them, delivered after commit by a
worker, retried on failure, and delivered once.

On PostgreSQL each new message also enqueues its delivery job (``esibook.jobs``) in the same transaction, so
workers on any machine deliver it as soon as it is committed; on SQLite the in-process round finds it here.

Delivery to the demo's mail sink and to the in-app inbox writes ``delivered_messages`` in the same transaction
that marks the outbox row sent, so a crash anywhere delivers nothing twice. SMTP delivery is at-least-once; its
Message-ID is the outbox id, so a receiving system drops a rare duplicate.
"""

from __future__ import annotations

import os
import smtplib
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

import procrastinate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from esibook import jobs
from esibook.db import transaction
from esibook.notify.models import DeliveredMessage, OutboxMessage

MAX_ATTEMPTS = 8
#: Tests set this to make the worker die right before delivering (a crash between decision and email).
CRASH_BEFORE_SEND = "ESIBOOK_TEST_CRASH_BEFORE_SEND"
#: Tests set this to hold the worker mid-delivery (the message locked) until they kill it.
HANG_BEFORE_SEND = "ESIBOOK_TEST_HANG_BEFORE_SEND"


def enqueue(session: Session, *, channel: str, recipient: str, subject: str, body: str, dedupe_key: str) -> bool:
    """Add a message in the caller's transaction; the same ``dedupe_key`` twice is one message. True if added."""
    exists = session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    if exists is None:
        message = OutboxMessage(
            channel=channel,
            recipient=recipient[:200],
            subject=subject[:200],
            body=body,
            dedupe_key=dedupe_key[:120],
        )
        session.add(message)
        session.flush()  # a second enqueue of the same key in this transaction sees it
        jobs.defer(session, deliver_message, message_id=message.id)
    return exists is None


class EmailSender(Protocol):
    def send(self, session: Session, message: OutboxMessage) -> None: ...


class SinkSender:
    """The demo's local mail sink: delivered mail lands in ``delivered_messages`` (shown at /demo/mailbox)."""

    def send(self, session: Session, message: OutboxMessage) -> None:
        session.add(
            DeliveredMessage(
                outbox_id=message.id,
                channel=message.channel,
                recipient=message.recipient,
                subject=message.subject,
                body=message.body,
            )
        )


class SmtpSender(SinkSender):
    """Real email through SMTP (``ESIBOOK_SMTP_HOST``/``_PORT``/``_FROM``); in-app messages still go to the inbox."""

    def __init__(self, host: str, port: int, sender: str):
        self.host, self.port, self.sender = host, port, sender

    def send(self, session: Session, message: OutboxMessage) -> None:
        if message.channel == "email":
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = self.sender, message.recipient, message.subject
            mail["Message-ID"] = f"<outbox-{message.id}@esibook>"
            mail.set_content(message.body)
            with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
                smtp.send_message(mail)
        super().send(session, message)


def sender_from_environment() -> EmailSender:
    host = os.environ.get("ESIBOOK_SMTP_HOST")
    if host:
        return SmtpSender(
            host,
            int(os.environ.get("ESIBOOK_SMTP_PORT", "25")),
            os.environ.get("ESIBOOK_SMTP_FROM", "no-reply@esibook.local"),
        )
    return SinkSender()


def deliver_pending(sessions: sessionmaker[Session], sender: EmailSender, *, limit: int = 100) -> int:
    """Deliver up to ``limit`` pending messages, each in its own transaction; returns how many were delivered."""
    delivered = 0
    with sessions() as session:
        pending = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
    for message_id in pending:
        delivered += deliver_one(sessions, sender, message_id)
    return delivered


class DeliveryFailed(Exception):
    """A delivery attempt failed (recorded on the message); the job engine retries it."""


def deliver_one(sessions: sessionmaker[Session], sender: EmailSender, message_id: int, *, raise_failure=False) -> int:
    """Deliver one message unless it was delivered already; 1 if delivered now. A failure is recorded (attempts,
    error type) and, with ``raise_failure``, raised as :class:`DeliveryFailed`."""
    with sessions() as session:
        try:
            with transaction(session):
                message = session.get(OutboxMessage, message_id, with_for_update=True)
                if message is None or message.sent_at is not None:
                    return 0
                if os.environ.get(CRASH_BEFORE_SEND):
                    os._exit(17)
                while os.environ.get(HANG_BEFORE_SEND):
                    time.sleep(1)
                sender.send(session, message)
                message.sent_at, message.attempts = datetime.now(UTC), message.attempts + 1
            return 1
        except IntegrityError:  # delivered by another worker in the meantime
            return 0
        except Exception as error:  # noqa: BLE001 - any failure is retried later, and recorded without content
            with transaction(session):
                message = session.get(OutboxMessage, message_id)
                message.attempts += 1
                message.last_error = type(error).__name__
                gave_up = message.attempts >= MAX_ATTEMPTS
            if raise_failure and not gave_up:
                raise DeliveryFailed(f"outbox message {message_id}: {type(error).__name__}") from None
            return 0


# --- the jobs (esibook.jobs) -------------------------------------------------------------------------------------


def sender_of(rt: jobs.Runtime) -> EmailSender:
    """The worker's sender: the one it was configured with, else the environment's (chosen once)."""
    if rt.sender is None:
        rt.sender = sender_from_environment()
    return rt.sender


@jobs.app.task(
    name="outbox.deliver",
    queue=jobs.OUTBOX_QUEUE,
    retry=procrastinate.RetryStrategy(max_attempts=7, wait=5, exponential_wait=3),
)
def deliver_message(message_id: int) -> None:
    """Deliver one outbox message (a no-op if it was delivered already); a failure is raised, so retried."""
    rt = jobs.runtime()
    rt.count(deliver_one(rt.sessions, sender_of(rt), message_id, raise_failure=True))


@jobs.app.periodic(cron="*/10 * * * *", periodic_id="outbox-sweep")
@jobs.app.task(name="outbox.sweep", queue=jobs.OUTBOX_QUEUE, queueing_lock="outbox.sweep")
def sweep_outbox(timestamp: int | None = None) -> None:
    """Deliver whatever is pending without a job (messages of before the job engine, retries given up on by
    the job engine but still under the outbox's attempt limit)."""
    rt = jobs.runtime()
    rt.count(deliver_pending(rt.sessions, sender_of(rt)))
