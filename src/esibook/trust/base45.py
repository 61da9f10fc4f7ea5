"""Base45 (RFC 9285): the alphabet of QR codes' alphanumeric mode, so a QR of it stays small."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        e, rest = divmod(n, 45 * 45)
        d, c = divmod(rest, 45)
        out += [ALPHABET[c], ALPHABET[d], ALPHABET[e]]
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += [ALPHABET[c], ALPHABET[d]]
    return "".join(out)


def decode(text: str) -> bytes:
    try:
        values = [_VALUE[ch] for ch in text]
    except KeyError as error:
        raise ValueError(f"not base45: {error}") from error
    if len(values) % 3 == 1:
        raise ValueError("not base45: bad length")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise ValueError("not base45: value out of range")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError("not base45: value out of range")
            out.append(n)
    return bytes(out)
