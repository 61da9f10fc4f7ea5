"""Pages of the officer: the queue of open dossiers, a dossier's review (the filed form beside its scans, the
flags) and decision, and filing a person's transfer to another authority."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.params import RowId, ascii_int, dossier_code_shown
from esibook.people.service import person_by_id
from esibook.text import N_
from esibook.transactions import service
from esibook.transactions.labels import AMOUNTS, FORM_LABELS, MONTHS, readable
from esibook.transactions.merging import MAX_PAPER_PERIODS
from esibook.transactions.procedures import PROCEDURES
from esibook.transactions.queries import dossier_view
from esibook.web.deps import db_session, form_data
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)

#: The banner after each decision.
DONE_WORDS = {
    "approve": N_("Approved: the results were issued and the filer was told"),
    "request_info": N_("Sent back: the filer was asked for more information"),
    "reject": N_("Rejected: the filer was told why"),
}
#: The fields of each period row an officer types from a paper book.
PERIOD_FIELDS = ("unit_code", "from_month", "to_month", "salary", "job_title")


def _lang(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


@router.post("/officer/persons/{person_id}/transfer", dependencies=[Depends(csrf_protected)])
def transfer_page(
    request: Request,
    person_id: RowId,
    idempotency_key: str = Form(...),
    to_authority: str = Form(...),
    reason: str = Form(...),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """An officer of the person's authority files the transfer; the receiving authority approves it."""
    person = person_by_id(session, person_id)
    form = {"personal_id": person.personal_id if person else "", "to_authority": to_authority, "reason": reason}
    result = service.submit(
        session,
        request.app.state.settings,
        caller,
        procedure_code="transfer_authority",
        form=form,
        idempotency_key=idempotency_key,
    )
    return RedirectResponse(f"/officer/persons/{person_id}?purpose=TTHC&filed={result.dossier.code}", status_code=303)


@router.get("/officer/queue")
def queue_page(
    request: Request,
    procedure: str | None = None,
    due: str | None = None,
    done: str | None = None,
    code: str | None = None,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """The open dossiers, filtered by procedure and due date; after a decision, a banner says what was done."""
    procedure = procedure if procedure in PROCEDURES else None
    due = due if due in service.DUE_FILTERS else None
    today = vietnam_today()
    dossiers = service.queue(session, caller, procedure_code=procedure, due=due, today=today)
    context = {
        "dossiers": dossiers,
        "procedures": PROCEDURES,
        "procedure": procedure,
        "due": due,
        "today": today,
        "done": done if done in DONE_WORDS else None,
        "done_code": dossier_code_shown(code),
        "done_words": DONE_WORDS,
    }
    return render(request, "officer_queue.html", context)


def _review_page(request: Request, session: Session, caller: Principal, dossier_id: int, error: str | None = None):
    dossier = service.dossier_under_review(session, caller, dossier_id)
    view = dossier_view(session, dossier)
    return render(
        request,
        "officer_dossier.html",
        {
            "dossier": view,
            "filed_form": readable(view["form"]),
            "procedure": PROCEDURES[dossier.procedure],
            "flags": service.review_flags(session, caller, dossier),
            "form_labels": FORM_LABELS,
            "amount_fields": AMOUNTS,
            "month_fields": MONTHS,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/officer/dossiers/{dossier_id}")
def dossier_page(
    request: Request,
    dossier_id: RowId,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    return _review_page(request, session, caller, dossier_id)


@router.post("/officer/dossiers/{dossier_id}/act", dependencies=[Depends(csrf_protected)])
def dossier_act(
    request: Request,
    dossier_id: RowId,
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
    data: FormData = Depends(form_data),
):
    rows_text = str(data.get("period_rows", "0"))
    rows = range(min(ascii_int(rows_text) or 0, MAX_PAPER_PERIODS))
    resolution = {
        "keep": [seq for v in data.getlist("keep") if (seq := ascii_int(str(v))) is not None],
        "periods": [{f: str(data.get(f"periods-{i}-{f}", "")) for f in PERIOD_FIELDS} for i in rows],
    }
    if not data.get("decided"):
        resolution.pop("keep")
    try:
        decided = service.act(
            session,
            request.app.state.settings,
            caller,
            dossier_id,
            str(data.get("action", "")),
            str(data.get("note", "")),
            resolution,
        )
    except DomainError as failure:  # the decision's transaction was rolled back: the page shows the dossier as is
        return _review_page(request, session, caller, dossier_id, error=failure.message(_lang(request)))
    return RedirectResponse(f"/officer/queue?done={data.get('action')}&code={decided.code}", status_code=303)
