"""The HI card as an image (SVG): what the paper card showed, and the signed QR, to save or print."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape

import segno

from esibook.health.models import Clinic, HICoverage
from esibook.people.models import Person

WIDTH, HEIGHT = 860, 540


QR_SIZE, MARGIN, TOP = 240, 32, 124
QR_X = WIDTH - MARGIN - QR_SIZE
VALUE_X = 210
#: Characters a line holds: a value beside the QR, and the benefit level across the card's foot.
VALUE_CHARS, FOOT_CHARS = 30, 84
#: A longer value (a clinic's name) in a smaller type, still left of the QR.
LONG_CHARS = 40


def card_svg(person: Person, card: HICoverage, qr_payload: str, level_text: str, clinic: Clinic | None = None) -> str:
    """The card with its static QR (valid to the card's end, for use offline) on the right, the holder's details
    on the left, the initial clinic by name (and code, as the paper card printed it), and the benefit level in full
    across the foot, where it runs under nothing."""
    qr_svg = segno.make(qr_payload, error="m").svg_inline(scale=1, border=0, omitsize=True)
    rows = [
        ("Họ và tên", person.full_name),
        ("Ngày sinh", person.date_of_birth.strftime("%d/%m/%Y")),
        ("Giới tính", "Nam" if person.sex == "male" else "Nữ"),
        ("Mã thẻ", card.card_code),
        ("Nơi ĐK KCB BĐ", f"{clinic.name} ({clinic.code})" if clinic else card.initial_clinic_code),
        ("Giá trị", f"{card.valid_from:%d/%m/%Y} – {card.valid_to:%d/%m/%Y}"),
        ("Đủ 5 năm liên tục", card.five_years_since.strftime("%d/%m/%Y") if card.five_years_since else "—"),
    ]
    text = "".join(
        f'<text x="{MARGIN}" y="{150 + i * 40}" font-size="17" fill="#555">{escape(label)}</text>'
        f'<text x="{VALUE_X}" y="{150 + i * 40}" font-size="{20 if len(value) <= VALUE_CHARS else 15}" '
        f'font-weight="700">{escape(_fit(value, VALUE_CHARS if len(value) <= VALUE_CHARS else LONG_CHARS))}</text>'
        for i, (label, value) in enumerate(rows)
    )
    caption_x = QR_X + QR_SIZE // 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="Roboto, Arial, sans-serif" role="img" aria-label="Thẻ bảo hiểm y tế {escape(card.card_code)}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="24" fill="#fff" stroke="#1a7f37" stroke-width="6"/>'
        f'<rect width="{WIDTH}" height="96" rx="24" fill="#1a7f37"/>'
        f'<text x="{MARGIN}" y="60" font-size="30" font-weight="800" fill="#fff">THẺ BẢO HIỂM Y TẾ</text>'
        f'<text x="{WIDTH - MARGIN}" y="60" font-size="20" fill="#fff" text-anchor="end">esibook · VN</text>'
        f'{text}<g id="qr">{_placed(qr_svg, QR_X, TOP, QR_SIZE)}</g>'
        f'<text id="qr-caption" x="{caption_x}" y="{TOP + QR_SIZE + 24}" font-size="15" fill="#555" '
        f'text-anchor="middle"><tspan x="{caption_x}">Mã QR dùng khi không có mạng</tspan>'
        f'<tspan x="{caption_x}" dy="20">For offline use · đến {card.valid_to:%d/%m/%Y}</tspan></text>'
        f"{_foot(card.benefit_level, level_text)}</svg>"
    )


def _foot(level: int, level_text: str) -> str:
    """The benefit level across the card's foot, wrapped to its width."""
    lines = textwrap.wrap(f"Mức hưởng {level}: {level_text}", FOOT_CHARS)[:3]
    spans = "".join(f'<tspan x="{MARGIN}" dy="{0 if i == 0 else 22}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text id="benefit" x="{MARGIN}" y="{HEIGHT - 30 - 22 * (len(lines) - 1)}" font-size="17">{spans}</text>'


def _fit(value: str, chars: int) -> str:
    return value if len(value) <= chars else value[: chars - 1] + "…"


def _placed(inline: str, x: int, y: int, size: int) -> str:
    """The QR's inline SVG (which has its own viewBox), positioned and scaled into a square of ``size``."""
    return inline.replace("<svg ", f'<svg x="{x}" y="{y}" width="{size}" height="{size}" ', 1)
