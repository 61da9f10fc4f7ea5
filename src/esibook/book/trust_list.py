"""The trust list this installation publishes, signed by the root: every certificate, the transparency log's
checkpoint key and its witnesses (what an offline verifier builds :class:`~esibook.trust.anchors.TrustAnchors`
from)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy.orm import Session

from esibook.book.log import log_verifier
from esibook.book.witnessing import configured_witnesses
from esibook.config import Settings
from esibook.trust import jws
from esibook.trust.anchors import TRUST_LIST_DAYS, TRUST_LIST_TYPE
from esibook.trust.pki import all_certificates, signer_for


def trust_list(session: Session, settings: Settings) -> str:
    """The trust list, signed by the root: every certificate, its validity and whether it signs new documents, the
    transparency log's checkpoint key, its witnesses' keys and how many of them a checkpoint needs."""
    now = datetime.now(UTC)
    base = settings.base_url.rstrip("/")
    entries = [
        {
            "kid": row.kid,
            "role": row.role,
            "authority": row.authority,
            "active": row.active,
            "not_before": row.not_before.isoformat(),
            "not_after": row.not_after.isoformat(),
            "certificate": base64.b64encode(
                x509.load_pem_x509_certificate(row.cert_pem.encode()).public_bytes(serialization.Encoding.DER)
            ).decode(),
        }
        for row in all_certificates(session)
    ]
    payload = {
        "type": "esibook/trust-list",
        "issued_at": now.isoformat(timespec="seconds"),
        "next_update": (now + timedelta(days=TRUST_LIST_DAYS)).isoformat(timespec="seconds"),
        "status_list": f"{base}/.well-known/esibook/status-list.jws",
        "transparency_log": f"{base}/log/",
        "log_key": log_verifier(settings).vkey,
        "witnesses": [witness.vkey for witness in configured_witnesses(settings)],
        "witness_quorum": settings.log_witness_quorum,
        "certificates": entries,
    }
    return jws.sign(signer_for(session, settings, "root"), payload, TRUST_LIST_TYPE)
