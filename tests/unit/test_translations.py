"""Every text the pages show has a Vietnamese translation (Vietnamese is the default language)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "esibook"
CATALOG = SRC / "web" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def extracted_messages() -> set[str]:
    found = extract_from_dir(
        str(SRC), METHODS, keywords={"_": None, "gettext": None, "N_": None}, options_map={"**/templates/**.html": {}}
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_message_has_a_vietnamese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    extracted = extracted_messages()
    assert len(extracted) > 150, "extraction found the page texts of every context"
    missing = extracted - translated
    assert not missing, f"untranslated: {sorted(missing)}"
    assert len(translated) > 40
