"""The signed status list: which books and HI cards are suspended now. Verifiers check it online, or download it
periodically and check offline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.book.content import book_id
from esibook.book.models import Suspension
from esibook.config import Settings
from esibook.health.service import latest_card
from esibook.people.models import Person
from esibook.trust import jws
from esibook.trust.anchors import TrustAnchors, public_key
from esibook.trust.pki import signer_for

STATUS_TYPE = "esibook-status-list+jws"
REFRESH_HOURS = 24


def suspended_entries(session: Session) -> list[dict]:
    entries = []
    rows = session.execute(
        select(Suspension, Person)
        .join(Person, Person.id == Suspension.person_id)
        .where(Suspension.restored_at.is_(None))
        .order_by(Suspension.id)
    )
    for suspension, person in rows:
        if suspension.subject == "book":
            subject_id = book_id(person)
        else:
            card = latest_card(session, person.id)
            if card is None:
                continue
            subject_id = card.card_code
        entries.append(
            {
                "subject": suspension.subject,
                "id": subject_id,
                "status": "suspended",
                "since": suspension.suspended_at.isoformat(timespec="seconds"),
            }
        )
    return entries


def status_list(session: Session, settings: Settings) -> str:
    now = datetime.now(UTC)
    payload = {
        "type": "esibook/status-list",
        "issued_at": now.isoformat(timespec="seconds"),
        "next_update": (now + timedelta(hours=REFRESH_HOURS)).isoformat(timespec="seconds"),
        "entries": suspended_entries(session),
    }
    return jws.sign(signer_for(session, settings, "log"), payload, STATUS_TYPE)


@dataclass
class StatusView:
    """What a verifier knows of suspensions: a set of (subject, id)."""

    suspended: set[tuple[str, str]] = field(default_factory=set)

    def is_suspended(self, subject: str, subject_id: str) -> bool:
        return (subject, subject_id) in self.suspended

    @classmethod
    def from_database(cls, session: Session) -> StatusView:
        return cls({(e["subject"], e["id"]) for e in suspended_entries(session)})

    @classmethod
    def from_status_list(cls, token: str, trust: TrustAnchors) -> StatusView:
        header, payload, signing_input, signature = jws.parts(token)
        anchor = trust.find(header.get("kid", ""))
        if header.get("typ") != STATUS_TYPE or anchor is None or anchor.role != "log":
            raise jws.JwsError("unknown_key", "the status list is not signed by the status service")
        jws.verify_with(public_key(anchor), signing_input, signature)
        return cls({(e["subject"], e["id"]) for e in payload["entries"]})
