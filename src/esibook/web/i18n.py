"""Languages: Vietnamese (default) and English, through Babel ``.po`` catalogues compiled at start-up.

Message ids are English; ``locale/vi/LC_MESSAGES/messages.po`` holds the Vietnamese. The language of a request
is ``?lang=`` (remembered in a cookie), else the cookie, else the configured default.
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request

LANGUAGES = ("vi", "en")
LANGUAGE_COOKIE = "lang"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    po = resources.files("esibook.web").joinpath(f"locale/{lang}/LC_MESSAGES/messages.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def request_language(request: Request, default: str = "vi") -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return default
