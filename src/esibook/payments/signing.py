"""Signing the gateway's messages as VNPay does (and the National Public Service Portal's payment platform, which
follows the same scheme): the parameters whose names start with the prefix, sorted by name, each value
URL-encoded (``quote_plus``), joined as ``k1=v1&k2=v2``; the signature is the hex HMAC-SHA512 of that string with
the merchant's secret, sent as ``vnp_SecureHash``. Pure functions, tested with a hand-computed HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus

PREFIX = "vnp_"
HASH_FIELD = "vnp_SecureHash"
#: Sent beside the hash by some merchants; never part of what is signed.
HASH_TYPE_FIELD = "vnp_SecureHashType"


def signed_fields(params: Mapping[str, str]) -> list[tuple[str, str]]:
    """The fields that are signed: the prefixed ones without the hash itself, sorted by name."""
    skip = (HASH_FIELD, HASH_TYPE_FIELD)
    return sorted((k, str(v)) for k, v in params.items() if k.startswith(PREFIX) and k not in skip and v != "")


def canonical_query(params: Mapping[str, str]) -> str:
    """``k1=v1&k2=v2``: the sorted signed fields, each value URL-encoded with ``+`` for a space."""
    return "&".join(f"{key}={quote_plus(value)}" for key, value in signed_fields(params))


def secure_hash(params: Mapping[str, str], secret: str) -> str:
    """HMAC-SHA512 of :func:`canonical_query` with the secret, in lowercase hex (128 characters)."""
    return hmac.new(secret.encode(), canonical_query(params).encode(), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, str], secret: str) -> dict[str, str]:
    """The parameters with their ``vnp_SecureHash``."""
    plain = {k: str(v) for k, v in params.items() if k not in (HASH_FIELD, HASH_TYPE_FIELD)}
    return {**plain, HASH_FIELD: secure_hash(plain, secret)}


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Whether ``vnp_SecureHash`` is the signature of the other fields (compared in constant time)."""
    given = str(params.get(HASH_FIELD, "")).lower()
    return bool(given) and hmac.compare_digest(given, secure_hash(params, secret))
