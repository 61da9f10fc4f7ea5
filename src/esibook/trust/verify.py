"""Checking an esibook document without trusting the server that made it: a signed book (JWS), an HI card QR
(CWT), a PDF (PAdES), a book bundle (the signed book with its log proof, JSON), a checkpoint or a trust list. Each
answer is one verdict: valid, altered, unknown_issuer, not_logged, not_witnessed, suspended, expired, or
not_esibook.

A book is valid only if it is in the transparency log: its inclusion proof (carried in the PDF or the bundle, or
found in the log by an online verifier, :class:`LogView`) must lead to a checkpoint signed by the log key of the
trust list. The witnesses of the trust list that cosigned that checkpoint are reported; when the trust list requires
k of them (``witness_quorum``), a checkpoint with fewer makes the verdict ``not_witnessed``: the log may be showing
this verifier a view of itself that no independent witness checked.
"""

from __future__ import annotations

import io
import json
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import cbor2
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from esibook.book import merkle, pdf
from esibook.book.content import contribution_months
from esibook.book.log import book_entry
from esibook.book.status import StatusView
from esibook.health import card as hi_card
from esibook.text import N_
from esibook.trust import jws
from esibook.trust.anchors import Anchor, TrustAnchors, public_key
from esibook.trust.checkpoint import parse_checkpoint
from esibook.trust.note import NoteError, cosigned_at
from esibook.trust.signer import raw_to_der

DOCUMENT_TYPES = {
    "esibook-book+jws": "book",
    "esibook-receipt+jws": "receipt",
    "esibook-printout+jws": "printout",
    "esibook-converted+jws": "converted",
    "esibook-decision+jws": "decision",
    "esibook-checkpoint+jws": "checkpoint",
    "esibook-status-list+jws": "status_list",
    "esibook-trust-list+jws": "trust_list",
}


#: What a receipt, decision, checkpoint or list shows when it verifies.
SHOWN_KEYS = ("dossier", "procedure_name", "filer", "received_at", "due_on", "decided_at", "result", "tree_size",
              "root_hash", "issued_at", "timestamp", "mark", "converted_at", "converter", "title", "content_sha256",
              "original", "version", "system", "printed_by", "printed_at")


class Verdict(StrEnum):
    """The one answer a verifier gives."""

    VALID = "valid"
    ALTERED = "altered"
    UNKNOWN_ISSUER = "unknown_issuer"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_ESIBOOK = "not_esibook"
    NOT_LOGGED = "not_logged"
    NOT_WITNESSED = "not_witnessed"


VERDICT_LABELS = {
    "valid": N_("Valid"), "altered": N_("Altered"), "unknown_issuer": N_("Unknown issuer"),
    "not_logged": N_("Not in the transparency log"), "not_witnessed": N_("Not confirmed by enough witnesses"),
    "suspended": N_("Suspended"), "expired": N_("Expired"), "not_esibook": N_("Not an esibook document"),
}


@dataclass
class Result:
    verdict: Verdict
    kind: str
    reason: str = ""
    shows: dict = field(default_factory=dict)
    """What the document says, for the person checking it (name, book id, card validity …)."""

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict.value,
            "valid": self.verdict == Verdict.VALID,
            "kind": self.kind,
            "reason": self.reason,
            "shows": self.shows,
        }


@dataclass(frozen=True)
class LogProof:
    """That a signed book is in the log: its leaf index, an inclusion proof and the checkpoint it leads to."""

    leaf_index: int
    tree_size: int
    path: list[bytes]
    checkpoint: str
    problem: str = ""
    """Set by an online log that found the book but whose tiles disagree with it."""

    @classmethod
    def from_dict(cls, data: object) -> LogProof | None:
        """From a bundle's (or an embedded log proof's) JSON; None if it carries none or a malformed one."""
        if not isinstance(data, dict):
            return None
        try:
            index, size, checkpoint = data["leaf_index"], data["tree_size"], data["checkpoint"]
            path = [bytes.fromhex(h) for h in data["inclusion_proof"]]
        except (KeyError, TypeError, ValueError):
            return None
        if not (isinstance(index, int) and isinstance(size, int) and isinstance(checkpoint, str)):
            return None
        return cls(index, size, path, checkpoint)


class LogView(Protocol):
    def proof_for(self, document: str) -> LogProof | None:
        """The proof that this exact signed book is in the log, None if it is not there."""
        ...


def verify(data: bytes, trust: TrustAnchors, status: StatusView, *, now: float | None = None,
           log: LogView | None = None) -> Result:
    now = now if now is not None else time.time()
    if data.lstrip().startswith(b"%PDF-"):
        return verify_pdf(data, trust, status, now=now, log=log)
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return Result(Verdict.NOT_ESIBOOK, "unknown", N_("not text, not a PDF"))
    if text.startswith(hi_card.PREFIX):
        return verify_card(text, trust, status, now=now)
    if text.startswith("{"):
        return verify_bundle(text, trust, status, now=now, log=log)
    if text.count(".") == 2:
        return verify_jws(text, trust, status, now=now, log=log)
    return Result(Verdict.NOT_ESIBOOK, "unknown", N_("not a signed esibook document, card QR or PDF"))


def verify_bundle(text: str, trust: TrustAnchors, status: StatusView, *, now: float,
                  log: LogView | None = None) -> Result:
    """A book bundle (``GET /api/v1/me/book``): the signed book and its log proof."""
    try:
        bundle = json.loads(text)
    except ValueError:
        return Result(Verdict.NOT_ESIBOOK, "unknown", N_("not a signed esibook document, card QR or PDF"))
    document = bundle.get("document") if isinstance(bundle, dict) else None
    if not isinstance(document, str) or document.count(".") != 2:
        return Result(Verdict.NOT_ESIBOOK, "unknown", N_("not a signed esibook document, card QR or PDF"))
    return verify_jws(document, trust, status, now=now, log=log, proof=LogProof.from_dict(bundle))


def verify_jws(token: str, trust: TrustAnchors, status: StatusView, *, now: float, log: LogView | None = None,
               proof: LogProof | None = None) -> Result:
    header = _header(token)
    kind = DOCUMENT_TYPES.get(header.get("typ", "")) if header else None
    if kind is None:
        return Result(Verdict.NOT_ESIBOOK, "unknown", N_("not an esibook signed document"))
    anchor = trust.find(header.get("kid", ""))
    if anchor is None or not _role_fits(anchor, kind):
        return Result(Verdict.UNKNOWN_ISSUER, kind, N_("signed by a key the trust list does not vouch for"))
    try:
        _, payload, signing_input, signature = jws.parts(token)
        jws.verify_with(public_key(anchor), signing_input, signature)
    except jws.JwsError:
        return Result(Verdict.ALTERED, kind, N_("the signature does not match the content: it was changed"))
    result = _judge(kind, payload, anchor, status, now)
    if kind != "book" or result.verdict not in (Verdict.VALID, Verdict.SUSPENDED):
        return result
    judged = _logged(token, trust, proof or (log.proof_for(token) if log else None), result)
    if judged.verdict == Verdict.NOT_WITNESSED and proof is not None and log is not None:
        return _logged(token, trust, log.proof_for(token), result)  # the online log may hold a witnessed checkpoint
    return judged


def _logged(token: str, trust: TrustAnchors, proof: LogProof | None, result: Result) -> Result:
    """The book's verdict once its inclusion in the log is checked: ``not_logged`` unless a proof leads to a
    checkpoint signed by the trust list's log key (``altered`` if the checkpoint's signature fails)."""
    if trust.log_key is None:
        return Result(Verdict.NOT_LOGGED, "book", N_("the trust list names no transparency log key"), result.shows)
    if proof is None:
        return Result(Verdict.NOT_LOGGED, "book", N_("this signed book is not in the transparency log"), result.shows)
    if proof.problem:
        return Result(Verdict.NOT_LOGGED, "book", proof.problem, result.shows)
    try:
        checkpoint = parse_checkpoint(proof.checkpoint, trust.log_key)
    except NoteError:
        return Result(Verdict.ALTERED, "book", N_("the log checkpoint's signature does not verify: it was changed"),
                      result.shows)
    leaf = merkle.leaf_hash(book_entry(token))
    root = merkle.inclusion_root(leaf, proof.leaf_index, checkpoint.size, proof.path)
    if checkpoint.size != proof.tree_size or root != checkpoint.root:
        return Result(Verdict.NOT_LOGGED, "book", N_("the inclusion proof does not lead to the signed checkpoint"),
                      result.shows)
    witnesses = _cosigners(proof.checkpoint, trust)
    result.shows["log"] = {"leaf_index": proof.leaf_index, "tree_size": checkpoint.size,
                           "checkpoint_time": _iso(checkpoint.time), "witnesses": witnesses,
                           "witness_quorum": trust.witness_quorum}
    if result.verdict == Verdict.VALID and len(witnesses) < trust.witness_quorum:
        return Result(Verdict.NOT_WITNESSED, "book",
                      N_("the log checkpoint lacks the witness cosignatures the trust list requires"), result.shows)
    return result


def _cosigners(note: str, trust: TrustAnchors) -> list[dict]:
    """The trust list's witnesses with a valid cosignature on the checkpoint, and when each signed."""
    found = ((witness.name, cosigned_at(note, witness)) for witness in trust.witnesses)
    return [{"name": name, "cosigned_at": _iso(at)} for name, at in found if at is not None]


def _iso(timestamp: int | None) -> str | None:
    try:
        return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp else None
    except (OverflowError, OSError, ValueError):  # a signed time past the calendar
        return None


def _header(token: str) -> dict | None:
    try:
        value = json.loads(jws.b64url_decode(token.split(".")[0]))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _role_fits(anchor: Anchor, kind: str) -> bool:
    roles = {"book": "issuing", "receipt": "issuing", "decision": "issuing", "printout": "issuing",
             "converted": "issuing", "checkpoint": "log",
             "status_list": "log", "trust_list": "root"}
    return roles[kind] == anchor.role


def _judge(kind: str, payload: dict, anchor: Anchor, status: StatusView, now: float) -> Result:
    if kind != "book":
        return Result(
            Verdict.VALID,
            kind,
            shows={k: payload.get(k) for k in SHOWN_KEYS if k in payload},
        )
    person = payload.get("person", {})
    shows = {
        "book_id": payload.get("book_id"),
        "version": payload.get("version"),
        "full_name": person.get("full_name"),
        "date_of_birth": person.get("date_of_birth"),
        "issued_at": payload.get("issued_at"),
        "authority": payload.get("issuer", {}).get("authority"),
        "months": len(contribution_months(payload)),
    }
    if anchor.authority != shows["authority"]:
        return Result(Verdict.UNKNOWN_ISSUER, kind, N_("signed by another authority's key"), shows)
    issued = datetime.fromisoformat(payload["issued_at"])
    cert = anchor.certificate
    if not cert.not_valid_before_utc <= issued <= cert.not_valid_after_utc:
        return Result(Verdict.EXPIRED, kind, N_("signed outside its certificate's validity"), shows)
    if status.is_suspended("book", shows["book_id"]):
        return Result(Verdict.SUSPENDED, kind, N_("the managing authority has suspended this book"), shows)
    return Result(Verdict.VALID, kind, shows=shows)


def verify_card(text: str, trust: TrustAnchors, status: StatusView, *, now: float) -> Result:
    try:
        tag = cbor2.loads(hi_card.decode_qr(text))
        protected_bytes, _, payload_bytes, signature = tag.value
        protected = cbor2.loads(protected_bytes)
        claims = cbor2.loads(payload_bytes)
    except (ValueError, zlib.error, cbor2.CBORDecodeError, AttributeError, TypeError):
        return Result(Verdict.ALTERED, "card", N_("the QR payload is damaged or was changed"))
    kid = protected.get(hi_card.COSE_KID, b"")
    anchor = trust.find(kid.decode() if isinstance(kid, bytes) else "")
    if anchor is None or anchor.role != "issuing":
        return Result(Verdict.UNKNOWN_ISSUER, "card", N_("signed by a key the trust list does not vouch for"))
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload_bytes])
    try:
        public_key(anchor).verify(raw_to_der(signature), to_sign, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return Result(Verdict.ALTERED, "card", N_("the signature does not match the card: it was changed"))
    card = claims.get(hi_card.CARD_CLAIM, {})
    shows = {
        "card_code": card.get("c"),
        "full_name": card.get("n"),
        "date_of_birth": card.get("dob"),
        "sex": card.get("s"),
        "benefit_level": card.get("l"),
        "initial_clinic_code": card.get("ic"),
        "valid_from": card.get("vf"),
        "valid_to": card.get("vt"),
        "five_years_since": card.get("5y"),
        "one_time": card.get("ot", False),
        "expires_at": datetime.fromtimestamp(claims.get(hi_card.EXP, 0), UTC).isoformat(timespec="seconds"),
        "authority": anchor.authority,
        "issued_at": datetime.fromtimestamp(claims[hi_card.IAT], UTC).isoformat(timespec="seconds")
        if isinstance(claims.get(hi_card.IAT), int)
        else None,
    }
    if claims.get(hi_card.EXP, 0) < now:
        reason = N_("this one-time QR has expired; ask for a fresh one") if shows["one_time"] else N_(
            "the card has expired")
        return Result(Verdict.EXPIRED, "card", reason, shows)
    if status.is_suspended("card", shows["card_code"]):
        return Result(Verdict.SUSPENDED, "card", N_("the managing authority has suspended this card"), shows)
    return Result(Verdict.VALID, "card", shows=shows)


def verify_pdf(data: bytes, trust: TrustAnchors, status: StatusView, *, now: float, log=None):
    """The PDF's signature against the pinned root, then the signed book embedded in it and its log proof."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - a damaged file is "altered", whatever the parser's complaint
        return Result(Verdict.ALTERED, "pdf", N_("the PDF is damaged"))
    if not signatures:
        return Result(Verdict.NOT_ESIBOOK, "pdf", N_("the PDF carries no signature"))
    root = asn1_x509.Certificate.load(trust.root.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], allow_fetching=False, moment=datetime.fromtimestamp(now, UTC))
    try:
        result = pdf.outside_event_loop(validate_pdf_signature, signatures[0], context)
    except Exception:  # noqa: BLE001
        return Result(Verdict.ALTERED, "pdf", N_("the signature cannot be read: the file was changed"))
    if not result.intact or not result.valid:
        return Result(Verdict.ALTERED, "pdf", N_("the signature does not match the content: it was changed"))
    if not result.trusted:
        return Result(Verdict.UNKNOWN_ISSUER, "pdf", N_("signed by a certificate the trust list does not vouch for"))
    if result.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Result(Verdict.ALTERED, "pdf", N_("content was added after the signature"))
    embedded = _embedded(reader)
    if pdf.EMBEDDED_NAME not in embedded:
        return Result(Verdict.NOT_ESIBOOK, "pdf", N_("a signed PDF, but not an esibook book"))
    try:
        proof = LogProof.from_dict(json.loads(embedded.get(pdf.LOG_PROOF_NAME, "null")))
    except ValueError:
        proof = None
    book = verify_jws(embedded[pdf.EMBEDDED_NAME], trust, status, now=now, log=log, proof=proof)
    book.kind = "pdf"
    if pdf.PRINTOUT_NAME in embedded and book.verdict == Verdict.VALID:
        printout = verify_jws(embedded[pdf.PRINTOUT_NAME], trust, status, now=now)
        if printout.verdict != Verdict.VALID:
            return printout
        book.kind = "printout"
        book.shows.update(printout.shows)
    return book


def _embedded(reader: PdfFileReader) -> dict[str, str]:
    """The files embedded in the PDF, by name."""
    found = {}
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            found[str(names[i])] = names[i + 1].get_object()["/EF"]["/F"].get_object().data.decode()
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return found
    return found
