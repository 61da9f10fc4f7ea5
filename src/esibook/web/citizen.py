"""The citizen's home after login: the status, then one tile for each thing people come for (the HI card, the book,
contributions, medical visits, online services, messages). A view that combines contexts, one read of each."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.book import service as books
from esibook.contributions.timeline import month_counts
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.transactions import service as dossiers
from esibook.views import access
from esibook.views.person import status_view
from esibook.web.deps import db_session
from esibook.web.pages import render

router = Router(include_in_schema=False)
OPEN_DOSSIER = ("submitted", "needs_info", "resubmitted")


@router.get("/me")
def my_home(request: Request, caller: Principal = Depends(policy.PERSON.page), session: Session = Depends(db_session)):
    try:
        person = policy.own_person(session, caller, status_only=True)
    except DomainError as error:
        if error.code != "person.no_record":
            raise
        return render(request, "citizen_home.html", {"person": None})
    context = {"person": person, "status": status_view(session, person, vietnam_today()), "tiles": None}
    if caller.level >= policy.LEVEL_PERSONAL_DATA:
        context["tiles"] = tiles(session, caller, person)
        context["dependants"] = access.dependants(session, caller)
    return render(request, "citizen_home.html", context)


def tiles(session: Session, caller: Principal, person: Person) -> dict:
    book = books.latest_version(session, person.id)
    filed = dossiers.my_dossiers(session, caller)
    return {
        "book_issued_at": book.issued_at if book else None,
        "contributions": month_counts(session, person.id),
        "open_dossiers": sum(1 for d in filed if d.status in OPEN_DOSSIER),
        "unread": dossiers.unread_count(session, caller),
    }
