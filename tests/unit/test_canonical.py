"""Canonical JSON is written by orjson; it must be byte for byte what the standard library writes with sorted
keys, no spaces and UTF-8 as it is (the books signed before the switch keep their content hashes)."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.canonical import canonical_bytes, canonical_json

scalars = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                             max_size=4), max_leaves=20)


def standard(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@given(values)
def test_canonical_json_is_what_the_standard_library_writes(value):
    try:
        expected = standard(value).encode()
    except UnicodeEncodeError:  # an unpaired surrogate has no UTF-8 form: refused by both
        with pytest.raises(orjson.JSONEncodeError):
            canonical_bytes(value)
        return
    assert canonical_bytes(value) == expected
    assert canonical_json(value) == expected.decode()


def test_control_characters_and_vietnamese_text_are_written_the_same():
    value = {"tên": "Nguyễn Thị Hương\n\t\"\\\x00\x1f\x7f\u2028", "b": [1, None, True]}
    assert canonical_json(value) == standard(value)


def test_what_has_no_canonical_form_is_refused():
    for value in (2**64, {1: "non-string key"}, "\ud800"):
        with pytest.raises(orjson.JSONEncodeError):
            canonical_json(value)
