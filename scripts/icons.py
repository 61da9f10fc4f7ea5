"""The web app's icons (src/esibook/web/static/icons): the header's logo, a white card with "SBH" on the brand's
blue, as an SVG and as PNGs of 192 and 512 px (also "maskable": the mark stays inside the middle 80%).

Run: .venv/bin/python scripts/icons.py (Pillow and the DejaVu Sans Bold font)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "src" / "esibook" / "web" / "static" / "icons"
BRAND, WHITE = "#0b5cab", "#ffffff"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img" aria-label="esibook">
<rect width="512" height="512" fill="{BRAND}"/>
<rect x="96" y="136" width="320" height="240" rx="28" fill="{WHITE}"/>
<rect x="96" y="136" width="320" height="44" rx="22" fill="#1a7f37"/>
<text x="256" y="318" font-family="DejaVu Sans, Arial, sans-serif" font-weight="700" font-size="96"
 fill="{BRAND}" text-anchor="middle">SBH</text>
</svg>
"""


def png(size: int) -> Image.Image:
    scale = size / 512
    image = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(image)
    box = [round(v * scale) for v in (96, 136, 416, 376)]
    draw.rounded_rectangle(box, radius=round(28 * scale), fill=WHITE)
    draw.rounded_rectangle([box[0], box[1], box[2], round(180 * scale)], radius=round(22 * scale), fill="#1a7f37")
    font = ImageFont.truetype(FONT, round(96 * scale))
    draw.text((size / 2, 318 * scale), "SBH", font=font, fill=BRAND, anchor="ms")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon.svg").write_text(SVG, encoding="utf-8")
    for size in (192, 512):
        png(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
