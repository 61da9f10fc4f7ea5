"""Rendering pages: the language, the translation function and the shared context for every template."""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader, pass_context

from esibook.dates import in_vietnam
from esibook.people.labels import FIELD_LABELS, VALUE_LABELS
from esibook.transactions.models import DOC_LABELS, STATUS_LABELS
from esibook.transactions.queries import unread_count
from esibook.trust.verify import VERDICT_LABELS
from esibook.web.i18n import LANGUAGE_COOKIE, LANGUAGES, request_language, translations


def template_dirs() -> list[str]:
    """The shared layout first, then every bounded context's ``templates/`` folder."""
    root = resources.files("esibook")
    dirs = [str(root / "web" / "templates")]
    for context in sorted(p.name for p in root.iterdir() if p.is_dir()):
        folder = root / context / "templates"
        if context != "web" and folder.is_dir():
            dirs.append(str(folder))
    return dirs


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=template_dirs()[0])
    templates.env.loader = ChoiceLoader([FileSystemLoader(d) for d in template_dirs()])
    templates.env.autoescape = True
    templates.env.filters["number"] = number
    templates.env.filters["day"] = day
    templates.env.filters["when"] = when
    templates.env.filters["month"] = month
    templates.env.globals["field_labels"] = FIELD_LABELS
    templates.env.globals["value_labels"] = VALUE_LABELS
    templates.env.globals["verdict_labels"] = VERDICT_LABELS
    templates.env.globals["status_labels"] = STATUS_LABELS
    templates.env.globals["doc_labels"] = DOC_LABELS
    return templates


@pass_context
def number(context, value: int) -> str:
    """Thousands grouped the way the reader expects: 1.234.567 in Vietnamese, 1,234,567 in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if context.get("lang") == "vi" else text


@pass_context
def day(context, value: str) -> str:
    """An ISO date as the reader writes it: 22/03/1996 in Vietnamese, 1996-03-22 in English; other text as is."""
    if context.get("lang") == "vi" and _ISO_DAY.fullmatch(value):
        year, month, day_of_month = value.split("-")
        return f"{day_of_month}/{month}/{year}"
    return value


def month(value: str) -> str:
    """A month as people write it, in either language: "2026-11" -> "11/2026"; other text as is."""
    if _ISO_MONTH.fullmatch(value or ""):
        return f"{value[5:7]}/{value[:4]}"
    return value


@pass_context
def when(context, value, time: bool | None = None) -> str:
    """A date or a moment in Vietnam's time, as the reader writes it: 31/12/2026 14:05 in Vietnamese,
    2026-12-31 14:05 in English. A moment shows its time unless ``time=False``; a stored (naive) moment is UTC."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return value
    vi = context.get("lang") == "vi"
    if isinstance(value, datetime):
        local = in_vietnam(value)
        day_text = local.strftime("%d/%m/%Y" if vi else "%Y-%m-%d")
        return day_text if time is False else f"{day_text} {local:%H:%M}"
    return value.strftime("%d/%m/%Y" if vi else "%Y-%m-%d")


def _unread(request: Request) -> int:
    """The signed-in person's unread in-app messages, for the header (0 for anyone else, or below level 2)."""
    viewer, session = getattr(request.state, "viewer", None), getattr(request.state, "db", None)
    if viewer is None or session is None or viewer.kind != "person" or viewer.level < 2:
        return 0
    return unread_count(session, viewer)


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    settings = request.app.state.settings
    lang = request_language(request, settings.default_language)
    gettext = translations(lang).gettext
    active = getattr(request.state, "web_session", None)
    full = {
        "lang": lang,
        "languages": LANGUAGES,
        "_": gettext,
        "gettext": gettext,
        "other_lang": "en" if lang == "vi" else "vi",
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": active.csrf_token if active else "",
        "unread": _unread(request) if status_code == 200 else 0,
        **(context or {}),
    }
    response = request.app.state.templates.TemplateResponse(request, name, full, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
