"""Signing goes through one interface, so a hardware security module (PKCS#11) or a remote signing service can
replace the file keys: a :class:`Signer` knows its key id and certificate chain and signs bytes (ECDSA P-256 with
SHA-256, DER signature)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature


class Signer(Protocol):
    kid: str
    authority: str | None
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    """The signing certificate first, then its issuers up to the root."""

    def sign(self, data: bytes) -> bytes:
        """ECDSA P-256 / SHA-256 signature over ``data``, DER-encoded."""
        ...


@dataclass
class FileSigner:
    """A signer whose private key was read from the encrypted key store."""

    kid: str
    authority: str | None
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    private_key: ec.EllipticCurvePrivateKey

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def der_to_raw(signature: bytes) -> bytes:
    """DER ECDSA signature → the 64-byte r‖s form JWS and COSE use."""
    r, s = decode_dss_signature(signature)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def raw_to_der(signature: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
