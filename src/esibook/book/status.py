"""The signed status list: which books and HI cards are suspended now. Verifiers check it online, or download it
periodically and check offline."""

from __future__ import annotations

import base64
import hashlib
import secrets
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


#: The public list names no one: each book id or card code is hashed with the list's salt by a slow function, so a
#: verifier holding a document checks it in milliseconds while harvesting personal ID numbers from the list costs
#: the same slow hash for every candidate number, list after list.
KDF = {"name": "scrypt", "n": 2**14, "r": 8, "p": 1}


def pseudonym(salt: bytes, subject: str, subject_id: str) -> str:
    digest = hashlib.scrypt(
        f"{subject}:{subject_id}".encode(), salt=salt, n=KDF["n"], r=KDF["r"], p=KDF["p"], dklen=16
    )
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def status_list(session: Session, settings: Settings) -> str:
    now = datetime.now(UTC)
    salt = secrets.token_bytes(16)
    payload = {
        "type": "esibook/status-list",
        "issued_at": now.isoformat(timespec="seconds"),
        "next_update": (now + timedelta(hours=REFRESH_HOURS)).isoformat(timespec="seconds"),
        "kdf": {**KDF, "salt": base64.urlsafe_b64encode(salt).decode().rstrip("=")},
        "entries": [
            {"subject": e["subject"], "id_hash": pseudonym(salt, e["subject"], e["id"]), "status": e["status"],
             "since": e["since"][:10]}
            for e in suspended_entries(session)
        ],
    }
    return jws.sign(signer_for(session, settings, "log"), payload, STATUS_TYPE)


@dataclass
class StatusView:
    """What a verifier knows of suspensions: a set of (subject, id)."""

    suspended: set[tuple[str, str]] = field(default_factory=set)
    salt: bytes | None = None
    """Set for a downloaded list, whose entries are pseudonyms (see :func:`pseudonym`)."""

    def is_suspended(self, subject: str, subject_id: str) -> bool:
        if self.salt is None:
            return (subject, subject_id) in self.suspended
        if not any(s == subject for s, _ in self.suspended):
            return False
        return (subject, pseudonym(self.salt, subject, subject_id)) in self.suspended

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
        kdf = payload.get("kdf") or {}
        if {k: kdf.get(k) for k in KDF} != KDF or "salt" not in kdf:
            raise jws.JwsError("malformed", "the status list uses an unknown hash")
        salt = base64.urlsafe_b64decode(payload["kdf"]["salt"] + "==")
        return cls({(e["subject"], e["id_hash"]) for e in payload["entries"]}, salt)
