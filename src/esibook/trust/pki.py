"""The development public-key infrastructure: a national root CA, one issuing certificate per authority, and a
key for the transparency log; private keys encrypted at rest; key rollover.

``esibook keys init`` makes it once (at first run in the demo). Certificates are in the database
(``trust_certificates``); private keys are PKCS#8 files in ``<data_dir>/trust/``, encrypted with the passphrase
from ``ESIBOOK_KEY_PASSPHRASE`` (development: generated once into ``<data_dir>/trust/passphrase``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.config import Settings
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.trust.models import TrustCertificate
from esibook.trust.signer import FileSigner

#: RFC 9336 id-kp-documentSigning.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ROOT_YEARS, ISSUING_YEARS = 20, 3


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(spki).digest()).rstrip(b"=").decode()


def _passphrase(settings: Settings) -> bytes:
    configured = os.environ.get("ESIBOOK_KEY_PASSPHRASE")
    if configured:
        return configured.encode()
    if settings.env == "production":
        raise DomainError(
            "keys.passphrase",
            "ESIBOOK_KEY_PASSPHRASE must be set in production",
            "ESIBOOK_KEY_PASSPHRASE phải được đặt khi chạy thật",
        )
    path = _store(settings) / "passphrase"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def _store(settings: Settings) -> Path:
    folder = settings.data_dir.resolve() / "trust"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save_key(settings: Settings, kid: str, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(settings)),
    )
    fd = os.open(_store(settings) / f"{kid}.key.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _load_key(settings: Settings, kid: str) -> ec.EllipticCurvePrivateKey:
    path = _store(settings) / f"{kid}.key.pem"
    if not path.exists():
        raise DomainError(
            "keys.missing",
            f"the private key {kid} is not in the key store {path.parent}",
            f"khóa bí mật {kid} không có trong kho khóa",
        )
    return serialization.load_pem_private_key(path.read_bytes(), _passphrase(settings))


def encrypt_private_key(settings: Settings, key) -> bytes:
    """A private key as PKCS#8 PEM, encrypted with the key store's passphrase (for keys kept outside the PKI)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(settings)),
    )


def decrypt_private_key(settings: Settings, pem: bytes):
    return serialization.load_pem_private_key(pem, _passphrase(settings))


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    years: int,
    *,
    ca: bool,
) -> x509.Certificate:
    now = datetime.now(UTC) - timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=1 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _record(session: Session, cert: x509.Certificate, role: str, authority: str | None) -> TrustCertificate:
    row = TrustCertificate(
        kid=key_id(cert.public_key()),
        role=role,
        authority=authority,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        active=True,
    )
    session.add(row)
    return row


def root(session: Session) -> TrustCertificate | None:
    return session.scalar(
        select(TrustCertificate).where(TrustCertificate.role == "root", TrustCertificate.active.is_(True))
    )


def init_pki(session: Session, settings: Settings) -> bool:
    """Create the root, one issuing key per authority and the log key, unless they exist. True if created."""
    with transaction(session):
        if root(session) is not None:
            return False
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_cert = _certificate(
            _name("esibook National Root CA (development)", "esibook"), root_key, None, root_key, ROOT_YEARS, ca=True
        )
        _save_key(settings, key_id(root_key.public_key()), root_key)
        _record(session, root_cert, "root", None)
        for authority in Authority:
            _issue(session, settings, "issuing", authority.value, root_cert, root_key)
        _issue(session, settings, "log", None, root_cert, root_key)
    return True


def _issue(session, settings, role: str, authority: str | None, root_cert, root_key) -> TrustCertificate:
    key = ec.generate_private_key(ec.SECP256R1())
    if authority:
        vi, en = AUTHORITY_NAMES[Authority(authority)]
        subject = _name(f"{en}: e-book signing", vi)
    else:
        subject = _name("esibook transparency log", "esibook")
    cert = _certificate(subject, key, root_cert, root_key, ISSUING_YEARS, ca=False)
    _save_key(settings, key_id(key.public_key()), key)
    return _record(session, cert, role, authority)


def rotate(session: Session, settings: Settings, authority: str) -> TrustCertificate:
    """Key rollover: a new issuing key signs new documents; the old one is retired but still verifies."""
    with transaction(session):
        root_row = _require_root(session)
        for old in session.scalars(
            select(TrustCertificate).where(
                TrustCertificate.role == "issuing",
                TrustCertificate.authority == authority,
                TrustCertificate.active.is_(True),
            )
        ):
            old.active = False
        root_cert = x509.load_pem_x509_certificate(root_row.cert_pem.encode())
        new = _issue(session, settings, "issuing", authority, root_cert, _load_key(settings, root_row.kid))
    return new


def _require_root(session: Session) -> TrustCertificate:
    found = root(session)
    if found is None:
        raise DomainError(
            "keys.not_initialised",
            "there are no keys yet: run `esibook keys init`",
            "chưa có khóa: hãy chạy `esibook keys init`",
        )
    return found


def _active(session: Session, role: str, authority: str | None) -> TrustCertificate:
    query = select(TrustCertificate).where(TrustCertificate.role == role, TrustCertificate.active.is_(True))
    if authority:
        query = query.where(TrustCertificate.authority == authority)
    found = session.scalar(query.order_by(TrustCertificate.created_at.desc()).limit(1))
    if found is None:
        _require_root(session)
        raise DomainError("keys.no_active", f"no active {role} key for {authority}", f"không có khóa {role} hiệu lực")
    return found


_signers: dict[tuple[str, str], FileSigner] = {}


def signer_for(session: Session, settings: Settings, role: str, authority: str | None = None) -> FileSigner:
    """The active signer for a role ("root", "issuing" with an authority, or "log").

    Parsed once per key and process: decrypting the key for every signature would dominate signing time.
    """
    row = _active(session, role, authority)
    cache_key = (str(settings.data_dir.resolve()), row.kid)
    if cache_key not in _signers:
        cert = x509.load_pem_x509_certificate(row.cert_pem.encode())
        chain = (
            [cert]
            if row.role == "root"
            else [cert, x509.load_pem_x509_certificate(_require_root(session).cert_pem.encode())]
        )
        _signers[cache_key] = FileSigner(
            kid=row.kid,
            authority=row.authority,
            certificate=cert,
            chain=chain,
            private_key=_load_key(settings, row.kid),
        )
    return _signers[cache_key]


def all_certificates(session: Session) -> list[TrustCertificate]:
    return list(session.scalars(select(TrustCertificate).order_by(TrustCertificate.role, TrustCertificate.created_at)))
