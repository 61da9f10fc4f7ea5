"""The HI card as an image (SVG): what the paper card showed, and the signed QR, to save or print."""

from __future__ import annotations

from xml.sax.saxutils import escape

import segno

from esibook.health.models import HICoverage
from esibook.people.models import Person

WIDTH, HEIGHT = 860, 540


def card_svg(person: Person, card: HICoverage, qr_payload: str, level_text: str) -> str:
    qr = segno.make(qr_payload, error="m")
    size = 300
    qr_svg = qr.svg_inline(scale=1, border=0, omitsize=True)
    rows = [
        ("Họ và tên", person.full_name),
        ("Ngày sinh", person.date_of_birth.strftime("%d/%m/%Y")),
        ("Giới tính", "Nam" if person.sex == "male" else "Nữ"),
        ("Mã thẻ", card.card_code),
        ("Mức hưởng", f"{card.benefit_level} ({level_text})"),
        ("Nơi ĐK KCB BĐ", card.initial_clinic_code),
        ("Giá trị", f"{card.valid_from:%d/%m/%Y} – {card.valid_to:%d/%m/%Y}"),
        ("Đủ 5 năm liên tục", card.five_years_since.strftime("%d/%m/%Y") if card.five_years_since else "—"),
    ]
    text = "".join(
        f'<text x="32" y="{150 + i * 44}" font-size="18" fill="#555">{escape(label)}</text>'
        f'<text x="200" y="{150 + i * 44}" font-size="22" font-weight="700">{escape(value[:34])}</text>'
        for i, (label, value) in enumerate(rows)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="Roboto, Arial, sans-serif" role="img" aria-label="Thẻ bảo hiểm y tế {escape(card.card_code)}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="24" fill="#fff" stroke="#1a7f37" stroke-width="6"/>'
        f'<rect width="{WIDTH}" height="96" rx="24" fill="#1a7f37"/>'
        f'<text x="32" y="60" font-size="30" font-weight="800" fill="#fff">THẺ BẢO HIỂM Y TẾ</text>'
        f'<text x="{WIDTH - 32}" y="60" font-size="20" fill="#fff" text-anchor="end">esibook · VN</text>'
        f"{text}{_placed(qr_svg, WIDTH - size - 32, 130, size)}"
        f'<text x="{WIDTH - size // 2 - 32}" y="{130 + size + 34}" font-size="16" fill="#555" '
        f'text-anchor="middle">Quét để kiểm tra · Scan to verify</text></svg>'
    )


def _placed(inline: str, x: int, y: int, size: int) -> str:
    """The QR's inline SVG (which has its own viewBox), positioned and scaled into a square of ``size``."""
    return inline.replace("<svg ", f'<svg x="{x}" y="{y}" width="{size}" height="{size}" ', 1)
