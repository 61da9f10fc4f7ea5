"""The demo's mail sink, read back: every email the system sent (``SinkSender`` writes them, /demo/mailbox shows
them; development only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.notify.models import DeliveredMessage


def sent_emails(session: Session, *, limit: int = 200) -> list[DeliveredMessage]:
    """The emails delivered, newest first."""
    return list(
        session.scalars(
            select(DeliveredMessage)
            .where(DeliveredMessage.channel == "email")
            .order_by(DeliveredMessage.outbox_id.desc())
            .limit(limit)
        )
    )
