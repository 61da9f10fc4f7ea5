"""Amounts of money as people type them (số tiền): one parser for every form, file and statement.

Money is whole đồng (VND). People and banks write an amount as ``5310000``, ``5.310.000``, ``5,310,000``,
``5 310 000``, a spreadsheet's ``5310000.0``, or with the currency: ``5.310.000 đ``, ``5,310,000 VND``, ``₫``.
Anything else (a fraction of a đồng, a negative sign, letters, mixed separators such as ``5.310,000``) is refused
rather than guessed.
"""

from __future__ import annotations

import re

#: The largest amount anyone types: a thousand billion đồng.
MAX_VND = 10**15

_CURRENCY = re.compile(r"(?:₫|đồng|đ|vnd|vnđ)$", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", re.ASCII)
_PLAIN = re.compile(r"\d{1,16}", re.ASCII)
_ZERO_CENTS = re.compile(r"[.,]0{1,2}$", re.ASCII)


def parse_vnd(text: str | int | None) -> int | None:
    """The whole amount in đồng that ``text`` writes, or None if it is not one."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        return text if 0 <= text <= MAX_VND else None
    value = _CURRENCY.sub("", str(text).strip()).strip().replace(" ", "").replace("\u00a0", "")
    amount = _whole(value)
    if amount is None and (cents := _ZERO_CENTS.search(value)):
        head, separator = value[: cents.start()], cents.group(0)[0]
        grouped = _GROUPED.fullmatch(head)
        if _PLAIN.fullmatch(head) or (grouped and grouped.group(1) != separator):
            amount = _whole(head)
    return amount if amount is not None and amount <= MAX_VND else None


def _whole(value: str) -> int | None:
    if _GROUPED.fullmatch(value):
        return int(re.sub(r"[.,]", "", value))
    return int(value) if _PLAIN.fullmatch(value) else None


def format_vnd(amount: int, lang: str = "vi", *, unit: bool = True) -> str:
    """An amount as the reader writes it: 41.000.000 ₫ in Vietnamese, 41,000,000 ₫ in English."""
    text = f"{amount:,}"
    text = text.replace(",", ".") if lang == "vi" else text
    return f"{text} ₫" if unit else text
