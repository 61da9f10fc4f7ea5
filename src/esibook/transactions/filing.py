"""Filing the results of a dossier: the signed receipt, the history and audit record of each step, the
results of an approval (the decision, the new book versions and HI cards) in the electronic data repository,
and the messages to the filer and to each person concerned."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.book.service import issue_book
from esibook.canonical import canonical_json
from esibook.config import Settings
from esibook.dates import in_vietnam
from esibook.db import last_seq
from esibook.health.card import card_qr
from esibook.health.pushes import card_issued
from esibook.health.service import latest_card
from esibook.notify import outbox
from esibook.people.contacts import email_of
from esibook.people.models import Person
from esibook.portals import messages
from esibook.portals import service as portals
from esibook.transactions.attachments import attachments_of, convert_attachment
from esibook.transactions.filers import Filer, filer_of
from esibook.transactions.models import (
    Dossier,
    DossierEvent,
    RepositoryDocument,
)
from esibook.transactions.procedures import procedure
from esibook.trust import jws
from esibook.trust.pki import signer_for

RECEIPT_TYPE = "esibook-receipt+jws"
DECISION_TYPE = "esibook-decision+jws"


def record_event(
    session: Session, dossier: Dossier, actor: str, before: str | None, after: str, note: str = ""
) -> None:
    seq = last_seq(session, DossierEvent.seq, DossierEvent.dossier_id, dossier.id) + 1
    session.add(
        DossierEvent(
            dossier_id=dossier.id, seq=seq, actor=actor, from_status=before, to_status=after, note=note or None
        )
    )
    audit.append(
        session,
        actor=actor,
        action=f"dossier.{after}",
        target=f"dossier:{dossier.id}",
        authority=dossier.authority,
        details={"procedure": dossier.procedure, "from": before},
    )


def signed_receipt(session: Session, settings: Settings, dossier: Dossier, proc) -> str:
    """The receipt and appointment slip (phiếu tiếp nhận và hẹn trả kết quả), signed by the managing authority."""
    payload = {
        "type": "esibook/receipt",
        "dossier": dossier.code,
        "procedure": proc.code,
        "procedure_name": proc.name_vi,
        "filer": dossier.filer_name,
        "received_at": in_vietnam(dossier.submitted_at).isoformat(timespec="seconds"),
        "due_on": dossier.due_on.isoformat(),
        "service_days": proc.service_days,
        "result": proc.result_vi,
    }
    return jws.sign(signer_for(session, settings, "issuing", dossier.authority), payload, RECEIPT_TYPE)


def file_result(
    session: Session, owner: tuple[str, int], doc_type: str, title: str, document: str, dossier: Dossier | None
) -> RepositoryDocument:
    """Put a result into an electronic data repository; a newer e-book or card supersedes the last one."""
    owner_kind, owner_id = owner
    previous = None
    if doc_type in ("ebook", "hi_card"):
        previous = session.scalar(
            select(RepositoryDocument.id)
            .where(
                RepositoryDocument.owner_kind == owner_kind,
                RepositoryDocument.owner_id == owner_id,
                RepositoryDocument.doc_type == doc_type,
            )
            .order_by(RepositoryDocument.id.desc())
            .limit(1)
        )
    authority = dossier.authority if dossier else "civil"
    row = RepositoryDocument(
        owner_kind=owner_kind,
        owner_id=owner_id,
        doc_type=doc_type,
        title=title,
        issuer=AUTHORITY_NAMES[Authority(authority)][0],
        document=document,
        dossier_id=dossier.id if dossier else None,
        supersedes_id=previous,
    )
    session.add(row)
    return row


def notify_filer(session: Session, filer: Filer, subject: str, body: str, key: str) -> None:
    """In-app and, where an address is known, email; each message once."""
    kind, owner_id = filer.owner
    outbox.enqueue(
        session, channel="inapp", recipient=f"{kind}:{owner_id}", subject=subject, body=body, dedupe_key=f"{key}:inapp"
    )
    email = filer.record.contact_email if kind == "employer" else email_of(session, owner_id)
    if email:
        outbox.enqueue(session, channel="email", recipient=email, subject=subject, body=body, dedupe_key=f"{key}:email")


def issue_results(session: Session, settings: Settings, caller: Principal, dossier: Dossier, resolution: dict) -> None:
    """Apply the approved dossier, sign and file the results, and tell everyone concerned."""
    proc = procedure(dossier.procedure)
    filer = filer_of(session, dossier)
    form = json.loads(dossier.form)
    if proc.resolve:
        form = proc.resolve(session, filer.record, form, resolution)
    if proc.converts_attachments:
        form["converted_documents"] = [
            convert_attachment(session, settings, caller, dossier, a.seq, f"{proc.name_vi}: {a.filename}").id
            for a in attachments_of(session, dossier.id)
        ]
    dossier.form = canonical_json(form)
    changed = proc.approve(session, filer.record, form)
    session.flush()
    for person_id in changed:
        _deliver_book(session, settings, caller, dossier, person_id, filer)
    for document in proc.results(session, settings, caller, filer.record) if proc.results else []:
        document.dossier_id = dossier.id
        session.add(document)
    decision = jws.sign(
        signer_for(session, settings, "issuing", dossier.authority),
        {
            "type": "esibook/decision",
            "dossier": dossier.code,
            "procedure": dossier.procedure,
            "decided_at": dossier.decided_at.isoformat(timespec="seconds"),
            "persons": len(changed),
            "result": "approved",
        },
        DECISION_TYPE,
    )
    file_result(session, filer.owner, "decision", f"Kết quả giải quyết hồ sơ {dossier.code}", decision, dossier)
    _push_result(session, filer, dossier, proc, decision)
    notify_filer(
        session,
        filer,
        f"Đã có kết quả hồ sơ {dossier.code}",
        f"Hồ sơ {dossier.code} đã được duyệt; kết quả có trong kho dữ liệu điện tử.",
        f"result:{dossier.id}",
    )
    dossier.status = "result_issued"
    record_event(session, dossier, caller.actor, "approved", "result_issued")


def _push_result(session: Session, filer: Filer, dossier: Dossier, proc, decision: str) -> None:
    """The signed decision to the filer's repository on the national portals (esibook.portals), by reference."""
    kind, owner_id = filer.owner
    if kind == "employer":
        holder, person_id, link = messages.organisation(filer.record.tax_code), None, f"/employer/{owner_id}/repository"
    else:
        holder_id = filer.record.personal_id or filer.record.passport_no
        if not holder_id:
            return
        holder, person_id, link = messages.person(holder_id), owner_id, "/me/repository"
    facts = {"holder": holder, "dossier_code": dossier.code, "procedure_vi": proc.name_vi, "procedure_en": proc.name_en,
             "decided_at": messages.when(dossier.decided_at), "sha256": hashlib.sha256(decision.encode()).hexdigest(),
             "link_path": link}
    portals.enqueue(session, document_type="dossier_result", key=f"result:{dossier.id}", items=[(person_id, facts)])


def _deliver_book(
    session: Session, settings: Settings, caller: Principal, dossier: Dossier, person_id: int, filer: Filer
) -> None:
    version, _ = issue_book(session, settings, person_id, reason=f"dossier {dossier.code}", actor=caller.actor)
    person = session.get(Person, person_id)
    file_result(
        session,
        ("person", person_id),
        "ebook",
        f"Sổ BHXH điện tử, phiên bản {version.version}",
        version.document,
        dossier,
    )
    if (card := latest_card(session, person_id)) is not None:
        qr = card_qr(session, settings, person).payload
        file_result(session, ("person", person_id), "hi_card", "Thẻ BHYT", qr, dossier)
        card_issued(session, person, card, qr)
    if filer.kind == "employer":
        person_filer = Filer("person", f"person:{person.personal_id}", person.full_name, person.authority, person)
        notify_filer(
            session,
            person_filer,
            "Sổ BHXH điện tử của bạn đã được cập nhật",
            f"Theo hồ sơ {dossier.code} của {filer.name}, sổ BHXH điện tử phiên bản {version.version} "
            "và thẻ BHYT đã có trong kho dữ liệu điện tử của bạn.",
            f"result:{dossier.id}:{person_id}",
        )
