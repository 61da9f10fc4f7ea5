"""Certificates of the national root, the authorities' issuing keys and the transparency log key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esibook.columns import UTCDateTime, created_at_column
from esibook.db import Base

CERT_ROLES = ("root", "issuing", "log")


class TrustCertificate(Base):
    """A certificate esibook signs with (its private key lives encrypted in the key store, never here)."""

    __tablename__ = "trust_certificates"
    __table_args__ = (
        CheckConstraint(f"role IN {CERT_ROLES!r}", name="role"),
        Index("ix_trust_certificates_authority", "role", "authority", "active"),
    )

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Key id: base64url SHA-256 of the public key (SubjectPublicKeyInfo, DER)."""
    role: Mapped[str] = mapped_column(String(8))
    authority: Mapped[str | None] = mapped_column(String(8))
    cert_pem: Mapped[str] = mapped_column(Text)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """The key that signs new documents; retired keys still verify what they signed."""
    created_at: Mapped[datetime] = created_at_column()
