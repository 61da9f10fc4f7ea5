"""The messages pushed to the national systems (format: :mod:`esibook.portals.adapters`) and the deep links back to
esibook they carry. The context that issues a document queues its *facts* (plain JSON values: a couple of hundred
bytes a book version, so a log batch of a thousand versions stays small); the message is built from them when it
is pushed (:func:`build`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from esibook.config import Settings

ISSUER = "Bảo hiểm xã hội Việt Nam"
JWS_MEDIA_TYPE = "application/jose"
CARD_MEDIA_TYPE = "text/plain; profile=VNHI1"


def deep_link(settings: Settings, path: str) -> str:
    """A URL on esibook's base URL: opened from a portal or the wallet, it shows the page after sign-in."""
    return settings.base_url.rstrip("/") + path


def person(personal_id: str) -> dict:
    return {"kind": "person", "id": personal_id}


def organisation(tax_code: str) -> dict:
    return {"kind": "organisation", "id": tax_code}


def book_version(settings: Settings, *, personal_id: str, book_id: str, version: int, sha256: str,
                 issued_at: str, leaf_index: int | None) -> dict:
    """A new version of a person's e-book (sổ BHXH điện tử): a reference, its hash and where the log has it."""
    return {
        "document_id": book_id,
        "version": version,
        "document_type": "book_version",
        "holder": person(personal_id),
        "issuer": ISSUER,
        "title_vi": f"Sổ BHXH điện tử, phiên bản {version}",
        "title_en": f"Electronic social insurance book, version {version}",
        "issued_at": issued_at,
        "sha256": sha256,
        "media_type": JWS_MEDIA_TYPE,
        "link": deep_link(settings, f"/me/book?version={version}"),
        "supersedes": version - 1 if version > 1 else None,
        "log": {"leaf_index": leaf_index},
    }


def hi_card(settings: Settings, *, personal_id: str, card_code: str, seq: int, valid_from: str, valid_to: str,
            qr: str, sha256: str, issued_at: str) -> dict:
    """An HI card (thẻ BHYT) issued or renewed: the signed QR itself, so the wallet shows it offline."""
    return {
        "document_id": f"hi-card:{card_code}",
        "version": seq,
        "document_type": "hi_card",
        "holder": person(personal_id),
        "issuer": ISSUER,
        "title_vi": "Thẻ bảo hiểm y tế",
        "title_en": "Health insurance card",
        "issued_at": issued_at,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "sha256": sha256,
        "media_type": CARD_MEDIA_TYPE,
        "document": qr,
        "link": deep_link(settings, "/me/card"),
        "supersedes": seq - 1 if seq > 1 else None,
    }


def dossier_result(settings: Settings, *, holder: dict, dossier_code: str, procedure_vi: str, procedure_en: str,
                   decided_at: str, sha256: str, link_path: str) -> dict:
    """The result of a dossier (kết quả giải quyết hồ sơ): a reference to the signed decision and its hash."""
    return {
        "document_id": f"dossier:{dossier_code}",
        "version": 1,
        "document_type": "dossier_result",
        "holder": holder,
        "issuer": ISSUER,
        "title_vi": f"Kết quả giải quyết hồ sơ {dossier_code}: {procedure_vi}",
        "title_en": f"Result of dossier {dossier_code}: {procedure_en}",
        "issued_at": decided_at,
        "sha256": sha256,
        "media_type": JWS_MEDIA_TYPE,
        "result": "approved",
        "link": deep_link(settings, link_path),
        "supersedes": None,
    }


BUILDERS = {"book_version": book_version, "hi_card": hi_card, "dossier_result": dossier_result}


def build(settings: Settings, document_type: str, facts: dict[str, Any]) -> dict:
    """The message of a document from its queued facts (the keyword arguments of its builder)."""
    return BUILDERS[document_type](settings, **facts)


def when(moment: datetime) -> str:
    """A timestamp as the messages write it (ISO 8601 in UTC, to the second)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def day(value: date) -> str:
    return value.isoformat()


def is_for_organisation(facts: dict[str, Any]) -> bool:
    return facts.get("holder", {}).get("kind") == "organisation"
