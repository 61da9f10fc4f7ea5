"""Documents built from book versions on request: the signed PDF (cached per version) and the verifier's state."""

from __future__ import annotations

from sqlalchemy.orm import Session

from esibook.book import pdf
from esibook.book.service import bundle
from esibook.book.status import StatusView
from esibook.config import Settings
from esibook.trust import jws
from esibook.trust.anchors import TrustAnchors
from esibook.trust.pki import signer_for


def verify_url(settings: Settings, book_id: str, version: int) -> str:
    return f"{settings.base_url.rstrip('/')}/verify?book={book_id}&v={version}"


def signed_pdf(session: Session, settings: Settings, person_id: int, version: int | None = None) -> bytes:
    found = bundle(session, settings, person_id, version).version
    _, payload, _, _ = jws.parts(found.document)

    def make() -> bytes:
        signer = signer_for(session, settings, "issuing", found.authority)
        unsigned = pdf.render_book(payload, found.document, verify_url(settings, found.book_id, found.version))
        return pdf.sign_book_pdf(unsigned, found.document, signer, reason=f"Sổ BHXH điện tử {found.book_id}")

    return pdf.cached_pdf(settings.data_dir.resolve() / "cache" / "books", found.book_id, found.version, make)


def verifier_state(session: Session) -> tuple[TrustAnchors, StatusView]:
    """Online verification: anchors and suspensions straight from the database."""
    return TrustAnchors.from_database(session), StatusView.from_database(session)
