"""The trust anchors a verifier uses: the root (pinned out of band) and the certificates it vouches for.

A verifier builds them from the database (online) or from an exported, root-signed trust list (offline), so a
document can be checked without trusting the server that produced it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from esibook.errors import DomainError
from esibook.trust import jws
from esibook.trust.note import NoteError, NoteVerifier, cosigner_from_vkey
from esibook.trust.pki import all_certificates, key_id

TRUST_LIST_TYPE = "esibook-trust-list+jws"
TRUST_LIST_DAYS = 7


@dataclass(frozen=True)
class Anchor:
    kid: str
    role: str
    authority: str | None
    certificate: x509.Certificate
    active: bool


@dataclass
class TrustAnchors:
    root: x509.Certificate
    anchors: dict[str, Anchor] = field(default_factory=dict)
    log_key: NoteVerifier | None = None
    """The transparency log's checkpoint key (signed-note verifier key)."""
    witnesses: list[NoteVerifier] = field(default_factory=list)
    """The witnesses whose cosignatures on a checkpoint count (C2SP tlog-cosignature keys)."""
    witness_quorum: int = 0
    """How many of them must have cosigned a book's checkpoint (0: witnesses are reported, not required)."""

    def find(self, kid: str) -> Anchor | None:
        return self.anchors.get(kid)

    @classmethod
    def from_database(cls, session: Session) -> TrustAnchors:
        rows = all_certificates(session)
        root_row = next((r for r in rows if r.role == "root"), None)
        if root_row is None:
            raise DomainError(
                "keys.not_initialised",
                "This installation has no keys yet, so nothing can be verified here.",
                "Hệ thống chưa có khóa nên chưa kiểm tra được văn bản nào.",
            )
        root = x509.load_pem_x509_certificate(root_row.cert_pem.encode())
        trust = cls(root)
        for row in rows:
            cert = x509.load_pem_x509_certificate(row.cert_pem.encode())
            if row.role == "root" or _issued_by(cert, root):
                trust.anchors[row.kid] = Anchor(row.kid, row.role, row.authority, cert, row.active)
        return trust

    @classmethod
    def from_trust_list(cls, token: str, root: x509.Certificate) -> TrustAnchors:
        """Check the list's signature with the pinned root, then take the certificates the root issued."""
        header, payload, signing_input, signature = jws.parts(token)
        if header.get("typ") != TRUST_LIST_TYPE or header.get("kid") != key_id(root.public_key()):
            raise jws.JwsError("unknown_key", "the trust list is not signed by this root")
        jws.verify_with(root.public_key(), signing_input, signature)
        trust = cls(root)
        for entry in payload["certificates"]:
            cert = x509.load_der_x509_certificate(base64.b64decode(entry["certificate"]))
            if entry["role"] == "root" or _issued_by(cert, root):
                trust.anchors[entry["kid"]] = Anchor(
                    entry["kid"], entry["role"], entry["authority"], cert, entry["active"]
                )
        if payload.get("log_key"):
            try:
                trust.log_key = NoteVerifier.from_vkey(payload["log_key"])
            except NoteError as error:
                raise jws.JwsError("malformed", "the trust list's log key is malformed") from error
        _read_witnesses(trust, payload.get("witnesses", []), payload.get("witness_quorum", 0))
        return trust


def _read_witnesses(trust: TrustAnchors, keys: object, quorum: object) -> None:
    if not isinstance(keys, list) or not isinstance(quorum, int) or not 0 <= quorum <= len(keys):
        raise jws.JwsError("malformed", "the trust list's witnesses are malformed")
    try:
        trust.witnesses = [cosigner_from_vkey(key) for key in keys]
    except (NoteError, AttributeError) as error:
        raise jws.JwsError("malformed", "a witness key of the trust list is malformed") from error
    trust.witness_quorum = quorum


def _issued_by(cert: x509.Certificate, root: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def public_key(anchor: Anchor) -> ec.EllipticCurvePublicKey:
    return anchor.certificate.public_key()
