"""JSON Web Signatures (RFC 7515, compact) over canonical JSON (RFC 8785), ES256, with the x5c chain."""

from __future__ import annotations

import base64
import json

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from esibook.canonical import canonical_bytes
from esibook.trust.signer import Signer, der_to_raw, raw_to_der


class JwsError(Exception):
    """Why a compact JWS could not be verified: ``malformed``, ``unknown_key`` or ``bad_signature``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(signer: Signer, payload: dict, typ: str) -> str:
    """A compact JWS whose payload is the canonical JSON of ``payload``."""
    signing_input = f"{_protected_header(signer, typ)}.{b64url(canonical_bytes(payload))}"
    signature = der_to_raw(signer.sign(signing_input.encode()))
    return f"{signing_input}.{b64url(signature)}"


_headers: dict[tuple[str, str, int], str] = {}


def _protected_header(signer: Signer, typ: str) -> str:
    """The encoded header of a signer's documents of one type (made once: its chain does not change)."""
    key = (signer.kid, typ, signer.certificate.serial_number)  # a serial is cheaper to read than a fingerprint
    if key not in _headers:
        chain = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in signer.chain]
        _headers[key] = b64url(canonical_bytes({"alg": "ES256", "kid": signer.kid, "typ": typ, "x5c": chain}))
    return _headers[key]


def parts(token: str) -> tuple[dict, dict, bytes, bytes]:
    """(header, payload, signing input, raw signature), or JwsError("malformed")."""
    try:
        head, body, signature = token.strip().split(".")
        header = json.loads(b64url_decode(head))
        payload = json.loads(b64url_decode(body))
        raw = b64url_decode(signature)
    except (ValueError, UnicodeDecodeError) as error:
        raise JwsError("malformed", str(error)) from error
    if not isinstance(header, dict) or not isinstance(payload, dict) or len(raw) != 64:
        raise JwsError("malformed", "not a JSON object signed with ES256")
    return header, payload, f"{head}.{body}".encode(), raw


def verify_with(public_key: ec.EllipticCurvePublicKey, signing_input: bytes, raw_signature: bytes) -> None:
    try:
        public_key.verify(raw_to_der(raw_signature), signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise JwsError("bad_signature") from error


def sign_detached(signer: Signer, content: bytes, typ: str) -> str:
    """A JWS with a detached payload (RFC 7515, appendix F): ``<header>..<signature>`` over ``content`` as sent,
    e.g. an HTTP body, which the receiver puts back in the middle before it verifies."""
    header = _protected_header(signer, typ)
    signature = der_to_raw(signer.sign(f"{header}.{b64url(content)}".encode()))
    return f"{header}..{b64url(signature)}"


def verify_detached(token: str, content: bytes) -> tuple[dict, list[x509.Certificate]]:
    """Check a detached JWS over ``content`` with the key of the first certificate of its ``x5c`` chain; returns its
    header and that chain (the caller decides whether it trusts the chain), or raises JwsError."""
    try:
        head, empty, signature = token.strip().split(".")
        header = json.loads(b64url_decode(head))
        raw = b64url_decode(signature)
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise JwsError("malformed", type(error).__name__) from error
    if empty or header.get("alg") != "ES256" or len(raw) != 64 or not chain:
        raise JwsError("malformed", "not a detached JWS signed with ES256")
    key = chain[0].public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise JwsError("unknown_key", "not an EC key")
    verify_with(key, f"{head}.{b64url(content)}".encode(), raw)
    return header, chain
