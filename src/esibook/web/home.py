"""The home page, the identifier checker page and the health check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import page_principal
from esibook.access.routing import Router
from esibook.contributions.records import line_count
from esibook.dates import vietnam_today
from esibook.db import schema_revision
from esibook.employers.service import employer_count
from esibook.errors import DomainError
from esibook.health.service import valid_card_count
from esibook.identifiers import KINDS, check_identifier
from esibook.people.service import person_count
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router()


@dataclass(frozen=True)
class DatabaseStatistics:
    """Aggregate counts only: no personal data is shown without login."""

    persons: int
    employers: int
    contribution_lines: int
    valid_cards: int


def database_statistics(session: Session, today: date) -> DatabaseStatistics:
    """One count from each register: persons, employers, monthly lines, HI cards valid today."""
    return DatabaseStatistics(
        persons=person_count(session),
        employers=employer_count(session),
        contribution_lines=line_count(session),
        valid_cards=valid_card_count(session, today),
    )


@router.get("/", include_in_schema=False, dependencies=[Depends(policy.PUBLIC)])
def home(request: Request, session: Session = Depends(db_session), _viewer=Depends(page_principal)):
    return render(request, "home.html", {"stats": database_statistics(session, vietnam_today())})


@router.get("/identifiers", include_in_schema=False, dependencies=[Depends(policy.PUBLIC)])
def identifiers_page(
    request: Request,
    kind: str = "personal_id",
    value: str | None = None,
    date_of_birth: str | None = None,
    sex: str | None = None,
):
    context = {"kinds": KINDS, "kind": kind, "value": value, "date_of_birth": date_of_birth, "sex": sex}
    if value:
        lang = request_language(request, request.app.state.settings.default_language)
        try:
            dob = date.fromisoformat(date_of_birth) if date_of_birth else None
            context["parts"] = check_identifier(kind, value, date_of_birth=dob, sex=sex or None)
        except DomainError as error:
            context["error"] = error.message(lang)
        except ValueError:
            context["error"] = "Ngày sinh không hợp lệ." if lang == "vi" else "The date of birth is not valid."
    return render(request, "identifiers.html", context)


@router.get(
    "/healthz",
    tags=["system"],
    dependencies=[Depends(policy.PUBLIC)],
    summary="Is the service up and its database reachable?",
)
def healthz(session: Session = Depends(db_session)):
    try:
        revision = schema_revision(session)
    except Exception:  # noqa: BLE001 - any failure means "not healthy", and the body says so
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return {"status": "ok", "database": "ok", "schema_revision": revision}
