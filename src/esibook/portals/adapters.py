"""The national systems esibook pushes documents to, as interfaces, and their local stand-ins.

Three systems keep a citizen's (or an organisation's) documents for them. esibook pushes to each what it issues,
as DigiLocker's issuers push to a citizen's locker ("push URI"): a **reference** to the document, its SHA-256 and
a deep link back to esibook, not the document itself, except the HI card, which the wallet shows offline at a
clinic (docs/portals.md, docs/decisions/0007-portal-push.md).

A message (one JSON object, the same for the three systems)::

    {"document_id": "VN-SBH-001085012345", "version": 3, "document_type": "book_version",
     "holder": {"kind": "person", "id": "001085012345"},          # or {"kind": "organisation", "id": <tax code>}
     "issuer": "BHXH Việt Nam", "title_vi": "...", "title_en": "...", "issued_at": "2026-12-02T05:00:00+00:00",
     "sha256": "<hex SHA-256 of the signed document>", "media_type": "application/jose",
     "link": "https://esibook.example/me/book?version=3", "supersedes": 2,
     "log": {"leaf_index": 1234}}                                 # book versions: where the transparency log has it
    # an HI card also carries "document": the signed QR payload (VNHI1:...); a dossier result "result": "approved"

Every system must keep a message **once per (document_id, version)**: esibook pushes at least once (a push
retried after a crash arrives twice), so receiving the same document id and version again changes nothing.
"""

from __future__ import annotations

import json
import os
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from esibook.db import is_postgres, transaction
from esibook.portals.models import PortalHolding

#: Tests set this to system keys (comma-separated): their stand-ins are unreachable (a push to them fails).
SYSTEMS_DOWN = "ESIBOOK_TEST_PORTALS_DOWN"

#: The systems by their key, with their names (Vietnamese, English).
SYSTEMS: dict[str, tuple[str, str]] = {
    "ndpp": ("Kho dữ liệu điện tử trên Cổng Dịch vụ công quốc gia",
             "Electronic data repository on the National Public Service Portal"),
    "mof": ("Kho dữ liệu điện tử trên Hệ thống thông tin giải quyết TTHC của Bộ Tài chính",
            "Electronic data repository on the Ministry of Finance's administrative procedure system"),
    "vneid": ("Ví giấy tờ VNeID", "VNeID document wallet"),
}


class DocumentRepository(Protocol):
    """A national system that keeps documents for a person or an organisation and receives them by push."""

    destination: str
    """Its key in :data:`SYSTEMS`."""

    def receive(self, messages: list[dict]) -> int:
        """Deliver ``messages`` (the format above), all for this system, in one call. Returns how many the system
        did not hold yet. Idempotent per (``document_id``, ``version``). Raises on any failure (unreachable,
        refused); the caller retries the whole batch later."""
        ...


class NationalPortalRepository(DocumentRepository, Protocol):
    """The electronic data repository of organisations and individuals on the National Public Service Portal
    (kho quản lý dữ liệu điện tử của tổ chức, cá nhân trên Cổng Dịch vụ công quốc gia, dichvucong.gov.vn;
    Decree 45/2020/NĐ-CP). A person's repository is reached with their VNeID account (personal ID), an
    organisation's with its tax code. It receives each new book version (a reference), each HI card and each
    dossier result, so that the next procedure on the portal reuses them instead of asking for paper."""


class FinanceRepository(DocumentRepository, Protocol):
    """The electronic data repository on the Ministry of Finance's administrative procedure information system
    (Hệ thống thông tin giải quyết thủ tục hành chính của Bộ Tài chính), which Vietnam Social Security reports to
    since 2025. Same holders and same documents as the national portal's repository: book versions, HI cards and
    dossier results."""


class DocumentWallet(DocumentRepository, Protocol):
    """The document wallet of the VNeID app (ví giấy tờ trên ứng dụng VNeID, Ministry of Public Security), which
    shows a person's papers on their phone; it shows the HI card today. Persons only (by personal ID), never
    organisations. It receives the HI card itself (its signed QR, shown at a clinic even offline) and each new
    book version as a reference with its deep link."""


class LocalRepository:
    """The stand-in of any of the three systems for development and tests: it stores what it receives in
    ``portal_holdings`` in a transaction of its own (as the real system commits on its side before it answers),
    one row per (document id, version) whatever the number of pushes."""

    def __init__(self, destination: str, sessions: sessionmaker[Session]):
        self.destination, self.sessions = destination, sessions

    def receive(self, messages: list[dict]) -> int:
        if self.destination in os.environ.get(SYSTEMS_DOWN, "").split(","):
            raise ConnectionError(f"{self.destination} does not answer")
        rows = [
            {"destination": self.destination, "document_id": m["document_id"], "version": m["version"],
             "document_type": m["document_type"], "holder": f"{m['holder']['kind']}:{m['holder']['id']}",
             "message": json.dumps(m, ensure_ascii=False, sort_keys=True)}
            for m in messages
        ]
        if not rows:
            return 0
        with self.sessions() as session, transaction(session):
            dialect = postgresql if is_postgres(session) else sqlite
            stored = 0
            for chunk in range(0, len(rows), 1000):
                stored += len(session.execute(
                    dialect.insert(PortalHolding).values(rows[chunk : chunk + 1000])
                    .on_conflict_do_nothing(index_elements=["destination", "document_id", "version"])
                    .returning(PortalHolding.version)
                ).all())
            return stored


def stand_ins(sessions: sessionmaker[Session]) -> dict[str, DocumentRepository]:
    """The three systems as their local stand-ins (a system with ``ESIBOOK_PORTAL_<KEY>_URL`` is reached over HTTPS
    instead: :func:`esibook.portals.http.systems`)."""
    return {destination: LocalRepository(destination, sessions) for destination in SYSTEMS}


def holdings(session: Session, destination: str, *, limit: int = 100) -> list[PortalHolding]:
    """What a stand-in holds, newest first (the development page and CLI)."""
    return list(session.scalars(
        select(PortalHolding).where(PortalHolding.destination == destination)
        .order_by(PortalHolding.received_at.desc(), PortalHolding.document_id, PortalHolding.version).limit(limit)
    ))


def held_by(session: Session, holder: str) -> list[PortalHolding]:
    """Every copy the stand-ins hold for one holder (``person:<personal ID>`` or ``organisation:<tax code>``)."""
    return list(session.scalars(
        select(PortalHolding).where(PortalHolding.holder == holder)
        .order_by(PortalHolding.destination, PortalHolding.document_id, PortalHolding.version)
    ))
