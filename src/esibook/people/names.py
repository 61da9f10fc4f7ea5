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


# --- searching lists by name (clinics, offices): the same folding, a rank per match -------------------------

#: How well a folded name matches a folded query, best first (:func:`match_rank`).
RANK_EXACT, RANK_PREFIX, RANK_WORD_PREFIX, RANK_WORDS, RANK_CONTAINS = range(5)


def search_terms(query: str) -> tuple[str, ...]:
    """The folded words of a query: ``"Bạch  MAI"`` -> ``("bach", "mai")``; punctuation separates words."""
    return tuple(re.findall(r"\w+", fold_name(query)))


def search_key(value: str) -> str:
    """The key a listed name is searched by: its folded words, one space apart (``"Sản - Nhi"`` -> ``"san nhi"``),
    so that SQL ``LIKE`` and :func:`match_rank` see the same word boundaries."""
    return " ".join(search_terms(value))


def match_rank(key: str, terms: tuple[str, ...]) -> int | None:
    """The rank of ``key`` (a :func:`search_key`) for the query ``terms``, or None if some term is not in it.

    Exact name, then the name's beginning, then the beginning of one of its words, then every term at the start of
    some word (in any order), then every term anywhere: "bach mai" ranks "benh vien bach mai" (word prefix) above
    "phong kham abach mai" (contains). ``health.clinics`` computes the same rank in SQL."""
    if not terms or any(term not in key for term in terms):
        return None
    phrase = " ".join(terms)
    spaced = f" {key}"
    if key == phrase:
        return RANK_EXACT
    if key.startswith(phrase):
        return RANK_PREFIX
    if f" {phrase}" in spaced:
        return RANK_WORD_PREFIX
    if all(f" {term}" in spaced for term in terms):
        return RANK_WORDS
    return RANK_CONTAINS
