"""The HI card in a QR code: a CWT (RFC 8392) signed as COSE_Sign1 with ES256, compressed, base45-encoded, with a
version prefix (``VNHI1:``), in the manner of the EU Digital COVID Certificate. A clinic checks it offline with the
trust list. A one-time QR carries the same card but expires five minutes after it is shown, so a screenshot passed
around is useless.
"""

from __future__ import annotations

import secrets
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as day_time

import cbor2
from sqlalchemy.orm import Session

from esibook.config import Settings
from esibook.errors import NotFound
from esibook.health.identifiers import BENEFIT_LEVELS
from esibook.health.models import HICoverage
from esibook.health.service import latest_card
from esibook.people.models import Person
from esibook.trust import base45
from esibook.trust.pki import signer_for
from esibook.trust.signer import Signer, der_to_raw

PREFIX = "VNHI1:"
ONE_TIME_SECONDS = 300
#: CWT claim keys (RFC 8392) and esibook's private claim for the card.
ISS, SUB, EXP, IAT, CTI = 1, 2, 4, 6, 7
CARD_CLAIM = -70001
COSE_ALG, COSE_KID, ES256 = 1, 4, -7
SIGN1_TAG = 18


@dataclass(frozen=True)
class CardQr:
    payload: str
    expires_at: datetime
    one_time: bool


def card_claims(person: Person, card: HICoverage) -> dict:
    return {
        "n": person.full_name,
        "dob": person.date_of_birth.isoformat(),
        "s": person.sex,
        "c": card.card_code,
        "l": card.benefit_level,
        "ic": card.initial_clinic_code,
        "vf": card.valid_from.isoformat(),
        "vt": card.valid_to.isoformat(),
        "5y": card.five_years_since.isoformat() if card.five_years_since else None,
    }


def _end_of(day: date) -> int:
    return int(datetime.combine(day, day_time(23, 59, 59), tzinfo=UTC).timestamp())


def sign_cwt(signer: Signer, claims: dict) -> bytes:
    protected = cbor2.dumps({COSE_ALG: ES256, COSE_KID: signer.kid.encode()})
    payload = cbor2.dumps(claims)
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    signature = der_to_raw(signer.sign(to_sign))
    return cbor2.dumps(cbor2.CBORTag(SIGN1_TAG, [protected, {}, payload, signature]))


def encode_qr(cose: bytes) -> str:
    return PREFIX + base45.encode(zlib.compress(cose, 9))


def decode_qr(text: str) -> bytes:
    """The COSE_Sign1 bytes inside a QR payload; ValueError if it is not one of ours."""
    if not text.startswith(PREFIX):
        raise ValueError("no VNHI1: prefix")
    return zlib.decompress(base45.decode(text[len(PREFIX) :]))


def card_qr(
    session: Session, settings: Settings, person: Person, *, one_time: bool = False, now: float | None = None
) -> CardQr:
    """The signed QR of the person's latest card; ``one_time`` expires in five minutes."""
    card = latest_card(session, person.id)
    if card is None:
        raise NotFound("card.none", "This person has no HI card.", "Người này chưa có thẻ BHYT.")
    now = int(now if now is not None else time.time())
    expires = min(now + ONE_TIME_SECONDS, _end_of(card.valid_to)) if one_time else _end_of(card.valid_to)
    claims = {
        ISS: settings.base_url.rstrip("/"),
        SUB: card.card_code,
        IAT: now,
        EXP: expires,
        CARD_CLAIM: {**card_claims(person, card), "ot": one_time},
    }
    if one_time:
        claims[CTI] = secrets.token_bytes(12)
    signer = signer_for(session, settings, "issuing", person.authority)
    return CardQr(encode_qr(sign_cwt(signer, claims)), datetime.fromtimestamp(expires, UTC), one_time)


def level_text(level: int, lang: str = "vi") -> str:
    vi, en = BENEFIT_LEVELS[level]
    return vi if lang == "vi" else en
