"""What the pages and the API list and show: an officer's queue, an employer's and a person's dossiers, a dossier
with its history and scans, the electronic data repository, the in-app inbox."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from esibook.access.guards import require_officer, require_person
from esibook.access.principal import Principal
from esibook.columns import utcnow
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.errors import NotFound
from esibook.notify.models import DeliveredMessage
from esibook.transactions.attachments import attachments_of
from esibook.transactions.filers import employer_filer
from esibook.transactions.models import (
    OPEN,
    Dossier,
    DossierEvent,
    RepositoryDocument,
)

#: The queue's due-date filters: what each keeps, given Vietnam's today.
DUE_FILTERS = ("overdue", "today", "week")


def queue(
    session: Session,
    caller: Principal,
    *,
    procedure_code: str | None = None,
    due: str | None = None,
    today: date | None = None,
) -> list[Dossier]:
    """The officer's queue: open dossiers of their authority, overdue and soonest due first; optionally one
    procedure, and only those overdue, due today (or before) or due within a week."""
    require_officer(caller)
    query = select(Dossier).where(Dossier.authority == caller.officer_authority, Dossier.status.in_(OPEN))
    if procedure_code:
        query = query.where(Dossier.procedure == procedure_code)
    today = today or vietnam_today()
    if due == "overdue":
        query = query.where(Dossier.due_on < today)
    elif due == "today":
        query = query.where(Dossier.due_on <= today)
    elif due == "week":
        query = query.where(Dossier.due_on <= today + timedelta(days=7))
    return list(session.scalars(query.order_by(Dossier.due_on, Dossier.id).limit(200)))


def dossier_view(session: Session, dossier: Dossier) -> dict:
    """A dossier as the API returns it and the officer's review page shows it: its form, history and scans."""
    events = session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.seq)
    )
    attachments = [
        {
            "seq": a.seq,
            "filename": a.filename,
            "media_type": a.media_type,
            "pages": a.pages,
            "size": a.size,
            "sha256": a.sha256,
            "converted_document_id": a.converted_document_id,
            "url": f"/api/v1/dossiers/{dossier.id}/attachments/{a.seq}",
        }
        for a in attachments_of(session, dossier.id)
    ]
    return {
        "attachments": attachments,
        "id": dossier.id,
        "code": dossier.code,
        "procedure": dossier.procedure,
        "status": dossier.status,
        "filer": dossier.filer_name,
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        "due_on": dossier.due_on.isoformat() if dossier.due_on else None,
        "form": json.loads(dossier.form),
        "decision_note": dossier.decision_note,
        "events": [{"at": e.at.isoformat(), "from": e.from_status, "to": e.to_status, "note": e.note} for e in events],
    }


def repository_document(session: Session, owner_kind: str, owner_id: int, document_id: int) -> RepositoryDocument:
    row = session.get(RepositoryDocument, document_id)
    if row is None or (row.owner_kind, row.owner_id) != (owner_kind, owner_id):
        raise NotFound("document.not_found", "No such document in this repository.", "Kho không có văn bản này.")
    return row


def repository(session: Session, owner_kind: str, owner_id: int) -> list[RepositoryDocument]:
    return list(
        session.scalars(
            select(RepositoryDocument)
            .where(RepositoryDocument.owner_kind == owner_kind, RepositoryDocument.owner_id == owner_id)
            .order_by(RepositoryDocument.id.desc())
        )
    )


def employer_dossiers(session: Session, caller: Principal, employer_id: int) -> list[Dossier]:
    employer_filer(session, caller, employer_id)
    return list(
        session.scalars(
            select(Dossier).where(Dossier.employer_id == employer_id).order_by(Dossier.id.desc()).limit(200)
        )
    )


def last_request(session: Session, dossier_id: int) -> str | None:
    """What the officer last asked for (the note of the latest request for more information)."""
    return session.scalar(
        select(DossierEvent.note)
        .where(DossierEvent.dossier_id == dossier_id, DossierEvent.to_status == "needs_info")
        .order_by(DossierEvent.seq.desc())
        .limit(1)
    )


def my_dossiers(session: Session, caller: Principal) -> list[Dossier]:
    require_person(caller)
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.filer_ref == f"person:{caller.personal_id}")
            .order_by(Dossier.id.desc())
            .limit(200)
        )
    )


def _mine(caller: Principal):
    recipients = [f"person:{caller.person_id}"] + [f"employer:{e}" for e in caller.employer_ids]
    return (DeliveredMessage.channel == "inapp", DeliveredMessage.recipient.in_(recipients))


def inbox(session: Session, caller: Principal, *, limit: int = 50) -> list[DeliveredMessage]:
    """In-app messages delivered to the person and to the employers they represent, newest first."""
    require_person(caller)
    return list(
        session.scalars(
            select(DeliveredMessage).where(*_mine(caller)).order_by(DeliveredMessage.outbox_id.desc()).limit(limit)
        )
    )


def unread_count(session: Session, caller: Principal) -> int:
    require_person(caller)
    return session.scalar(
        select(func.count()).select_from(DeliveredMessage).where(*_mine(caller), DeliveredMessage.read_at.is_(None))
    )


def read_messages(session: Session, caller: Principal, *, limit: int = 50) -> list[tuple[DeliveredMessage, bool]]:
    """The inbox as the person opens it: what was unread is marked read (the page still shows it as new)."""
    messages = inbox(session, caller, limit=limit)
    unread = [m.outbox_id for m in messages if m.read_at is None]
    new = set(unread)
    if unread:
        with transaction(session):
            session.execute(
                update(DeliveredMessage).where(DeliveredMessage.outbox_id.in_(unread)).values(read_at=utcnow())
            )
    return [(m, m.outbox_id in new) for m in messages]
