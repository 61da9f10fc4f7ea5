"""Contact information (group 2) other contexts use: where to send a person's notifications."""

from __future__ import annotations

from sqlalchemy.orm import Session

from esibook.people.models import Contact


def email_of(session: Session, person_id: int) -> str | None:
    contact = session.get(Contact, person_id)
    return contact.email if contact else None
