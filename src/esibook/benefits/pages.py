"""Pages of benefits: the estimator (what would I get, with each worksheet as a readable table)."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits.estimator import my_estimates
from esibook.benefits.worksheet import DAYS, MONTHS, PERCENT, VND, YEARS, Text, Worksheet
from esibook.web.deps import db_session
from esibook.web.i18n import request_language, translations
from esibook.web.pages import render

router = Router(include_in_schema=False)

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@router.get("/me/estimator")
def estimator_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    estimates = my_estimates(session, caller)
    lang = request_language(request, request.app.state.settings.default_language)
    gettext = translations(lang).gettext
    sheets = [present(sheet, lang, gettext) for sheet in estimates.worksheets]
    return render(request, "estimator.html", {"estimates": estimates, "sheets": sheets})


def number(value: int | Decimal | str, lang: str) -> str:
    """1234567.5 as the reader writes it: ``1.234.567,5`` in Vietnamese, ``1,234,567.5`` in English."""
    whole, _, fraction = str(value).partition(".")
    grouped = f"{int(whole):,}"
    if lang == "vi":
        return grouped.replace(",", ".") + ("," + fraction if fraction else "")
    return grouped + ("." + fraction if fraction else "")


def expression(text: str, lang: str) -> str:
    return _NUMBER.sub(lambda m: number(m.group(0), lang), text)


def amount(value: int, lang: str) -> str:
    return f"{number(value, lang)} ₫"


def shown(value, unit: str, lang: str, gettext) -> str:
    """A value with its unit, the way the page shows it."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, str):
        if lang == "vi" and _ISO_DAY.fullmatch(value):
            year, month, day = value.split("-")
            return f"{day}/{month}/{year}"
        return value
    text = number(value, lang)
    if unit == VND:
        return f"{text} ₫"
    if unit == PERCENT:
        return f"{text}%"
    labels = {MONTHS: gettext("months"), YEARS: gettext("years"), DAYS: gettext("days")}
    return f"{text} {labels[unit]}" if unit in labels else text


def present(sheet: Worksheet, lang: str, gettext) -> dict:
    """A worksheet ready for the template: every text in the reader's language, numbers formatted."""
    return {
        "benefit": sheet.benefit,
        "title": sheet.title.get(lang),
        "eligible": sheet.eligible,
        "result": amount(sheet.result, lang),
        "result_value": sheet.result,
        "result_label": sheet.result_label.get(lang),
        "notes": [n.get(lang) for n in sheet.notes],
        "inputs": [(i.key, i.label.get(lang), shown(i.value, i.unit, lang, gettext)) for i in sheet.inputs],
        "rules": [(r.text.get(lang), r.source) for r in sheet.rules],
        "steps": [
            {
                "key": s.key,
                "label": s.label.get(lang),
                "expression": expression(s.expression, lang),
                "value": shown(s.value, s.unit, lang, gettext),
                "raw": str(s.value),
            }
            for s in sheet.steps
        ],
        "parameters": sheet.parameters,
    }
