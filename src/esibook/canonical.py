"""Canonical JSON (RFC 8785 for the values esibook writes: strings, integers, booleans, null, lists, objects)."""

from __future__ import annotations

import json


def canonical_json(value) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 characters as they are: the same bytes every time."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
