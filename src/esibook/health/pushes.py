"""Each HI card issued or renewed, to the national portals and the VNeID wallet (esibook.portals)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.portals import messages
from esibook.portals.service import enqueue


def card_issued(session: Session, person: Person, card: HICoverage, qr: str) -> None:
    """Queue the push of the card (``qr``: its signed QR payload) in the caller's action; a card already pushed
    (the same validity span, ``seq``) is not pushed again."""
    holder_id = person.personal_id or person.passport_no
    if not holder_id:
        return
    facts = {"personal_id": holder_id, "card_code": card.card_code, "seq": card.seq,
             "valid_from": messages.day(card.valid_from), "valid_to": messages.day(card.valid_to), "qr": qr,
             "sha256": hashlib.sha256(qr.encode()).hexdigest(), "issued_at": messages.when(datetime.now(UTC))}
    enqueue(session, document_type="hi_card", key=f"card:{person.id}:{card.seq}", items=[(person.id, facts)])
