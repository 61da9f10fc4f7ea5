"""Vietnamese names: stored as Unicode NFC, searched through a folded key without diacritics.

``fold_name("Nguyễn Văn  An") == "nguyen van an"``; the letter đ/Đ folds to d.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def normalize_name(value: str) -> str:
    """NFC, single spaces, no surrounding space: the form a name is stored in."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold_name(value: str) -> str:
    """Lower case, no diacritics, single spaces: the search key of a name."""
    decomposed = unicodedata.normalize("NFD", normalize_name(value).translate(_FOLD_TABLE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.lower()


def has_diacritics(value: str) -> bool:
    return fold_name(value) != normalize_name(value).lower()
