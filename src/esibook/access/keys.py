"""Signing keys for tokens: ES256 (ECDSA P-256) JSON Web Keys kept in the data directory.

Development keys are generated at first run (never committed): one for esibook's own API access tokens, one for
the built-in development identity provider. Each key's id is its RFC 7638 thumbprint.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from joserfc.jwk import ECKey, KeySet


@cache
def signing_key(data_dir: Path, name: str) -> ECKey:
    """Load ``<data_dir>/keys/<name>.jwk.json``, creating it (mode 0600) if it does not exist."""
    path = Path(data_dir).resolve() / "keys" / f"{name}.jwk.json"
    if path.exists():
        return ECKey.import_key(json.loads(path.read_text()))
    key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": "ES256"}, private=True)
    key.ensure_kid()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key.as_dict(private=True), handle)
    return key


def public_jwks(key: ECKey) -> dict:
    return KeySet([key]).as_dict(private=False)
