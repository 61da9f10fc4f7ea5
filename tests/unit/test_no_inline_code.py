"""The Content-Security-Policy allows no inline script, event handler or style attribute: none in any template
(a forgotten one would silently not run in the browser)."""

from __future__ import annotations

import re
from pathlib import Path

from esibook.web.pages import template_dirs

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_has_inline_code_or_style():
    templates = [path for folder in template_dirs() for path in Path(folder).glob("*.html")]
    assert len(templates) > 20
    found = [
        f"{path.name}: {what}"
        for path in templates
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
