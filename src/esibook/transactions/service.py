"""The dossier lifecycle: submitted → (needs_info ↔ resubmitted) → approved / rejected → result issued, or
withdrawn. Each transition is one transaction with its audit record and its outbox messages; a submission with
an idempotency key already used by the same filer returns the first dossier.

A filer is an employer (through its representative) or a citizen (for themself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.access.errors import forbidden
from esibook.access.guards import require_officer, require_person
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.book.service import issue_book_within
from esibook.canonical import canonical_json
from esibook.columns import utcnow
from esibook.config import Settings
from esibook.dates import in_vietnam, vietnam_day
from esibook.db import last_seq, transaction
from esibook.employers.models import Employer
from esibook.errors import DomainError, NotFound
from esibook.health.card import card_qr
from esibook.health.service import latest_card
from esibook.notify import outbox
from esibook.notify.models import DeliveredMessage
from esibook.people.contacts import email_of
from esibook.people.models import Person
from esibook.transactions.attachments import Upload, attach, attachments_of, check_uploads, convert_attachment
from esibook.transactions.calendar import due_date
from esibook.transactions.models import (
    REFILED_DOSSIER,
    Dossier,
    DossierEvent,
    RepositoryDocument,
)
from esibook.transactions.procedures import Procedure, person_for_personal_id, procedure
from esibook.trust import jws
from esibook.trust.pki import signer_for

RECEIPT_TYPE = "esibook-receipt+jws"
DECISION_TYPE = "esibook-decision+jws"
OPEN = ("submitted", "resubmitted")
TRANSITIONS = {
    "request_info": (OPEN, "needs_info"),
    "approve": (OPEN, "approved"),
    "reject": (OPEN, "rejected"),
    "withdraw": (("submitted", "needs_info", "resubmitted"), "withdrawn"),
}


@dataclass(frozen=True)
class Submitted:
    dossier: Dossier
    created: bool


@dataclass(frozen=True)
class Filer:
    """Who files: an employer, or a person for themself. ``record`` is the Employer or the Person."""

    kind: str
    ref: str
    name: str
    authority: str
    record: Employer | Person

    @property
    def owner(self) -> tuple[str, int]:
        """Whose repository receives the results: the employer's, or the person's (also when an officer filed)."""
        return ("employer" if self.kind == "employer" else "person"), self.record.id


def _employer_filer(session: Session, caller: Principal, employer_id: int | None) -> Filer:
    policy.represents_employer(caller, employer_id)
    employer = session.get(Employer, employer_id)
    return Filer("employer", f"employer:{employer.id}", employer.name, employer.authority, employer)


def _citizen_filer(session: Session, caller: Principal) -> Filer:
    policy.require_level2(caller)
    person = person_for_personal_id(session, caller.personal_id)
    return Filer("person", f"person:{caller.personal_id}", person.full_name, person.authority, person)


def _officer_filer(session: Session, caller: Principal, form: dict) -> Filer:
    """An officer files about a person of their own authority; the dossier goes to the authority receiving them."""
    if not policy.reviews(caller, caller.officer_authority or ""):
        raise forbidden(
            "access.officer_only",
            "Only a social insurance officer may file this.",
            "Chỉ cán bộ bảo hiểm xã hội mới nộp được thủ tục này.",
        )
    person_id = session.scalar(select(Person.id).where(Person.personal_id == str(form.get("personal_id", ""))))
    person = policy.officer_acts_on(session, caller, person_id or 0)
    target = str(form.get("to_authority", person.authority))
    return Filer("officer", f"officer:{caller.personal_id}", caller.name, target, person)


def _filer_for(session: Session, caller: Principal, kind: str, employer_id: int | None, form: dict) -> Filer:
    if kind == "employer":
        return _employer_filer(session, caller, employer_id)
    if kind == "officer":
        return _officer_filer(session, caller, form)
    return _citizen_filer(session, caller)


def _filer_of(session: Session, dossier: Dossier) -> Filer:
    if dossier.filer_kind == "employer":
        employer = session.get(Employer, dossier.employer_id)
        return Filer("employer", dossier.filer_ref, employer.name, employer.authority, employer)
    person = session.get(Person, dossier.person_id)
    return Filer(dossier.filer_kind, dossier.filer_ref, dossier.filer_name, dossier.authority, person)


def _is_filer(dossier: Dossier, caller: Principal) -> bool:
    return dossier.filer_ref in policy.filer_refs(caller)


def submit(
    session: Session,
    settings: Settings,
    caller: Principal,
    *,
    procedure_code: str,
    form: dict,
    idempotency_key: str,
    employer_id: int | None = None,
    attachments: list[Upload] = (),
) -> Submitted:
    proc = procedure(procedure_code)
    if not 8 <= len(idempotency_key) <= 80:
        raise DomainError(
            "dossier.idempotency_key",
            "send an Idempotency-Key of 8 to 80 characters",
            "hãy gửi khóa Idempotency-Key dài 8 đến 80 ký tự",
        )
    ref = {
        "employer": f"employer:{employer_id}",
        "citizen": f"person:{caller.personal_id}",
        "officer": f"officer:{caller.personal_id}",
    }[proc.filer]
    existing = _by_key(session, ref, idempotency_key)
    if existing and _is_filer(existing, caller):
        return Submitted(existing, False)
    parsed = _parse(proc, form)
    files = check_uploads(list(attachments))
    session.rollback()
    try:
        with transaction(session):
            filer = _filer_for(session, caller, proc.filer, employer_id, form)
            filed = proc.prepare(session, filer.record, parsed)
            _check_attachments(proc, len(files))
            dossier = _create(session, settings, caller, proc, filer, filed, idempotency_key)
            attach(session, settings, dossier, files, caller.actor)
    except IntegrityError:  # the same key raced in from a double click: the first one won
        session.rollback()
        return Submitted(_by_key(session, ref, idempotency_key), False)
    return Submitted(dossier, True)


def register_employees(
    session: Session,
    settings: Settings,
    caller: Principal,
    *,
    employer_id: int,
    employees: list[dict],
    idempotency_key: str,
) -> Submitted:
    """File a registration (báo tăng) for a list of employees: from a form, a CSV or an XLSX list."""
    return submit(
        session,
        settings,
        caller,
        procedure_code="register_employees",
        form={"employees": employees},
        idempotency_key=idempotency_key,
        employer_id=employer_id,
    )


def _check_attachments(proc: Procedure, count: int) -> None:
    """A scan only for what no database holds: required where the procedure says so, refused where it does not."""
    if proc.attachments is None and count:
        raise DomainError(
            "dossier.attachment_not_needed",
            "no scan is needed: the databases hold everything this procedure uses",
            "không cần đính kèm: cơ sở dữ liệu đã có mọi thông tin của thủ tục này",
            field="attachments",
        )
    if proc.attachments and proc.attachments.required and not count:
        raise DomainError(
            "dossier.attachment_required",
            f"attach {proc.attachments.en[0].lower()}{proc.attachments.en[1:]}",
            f"hãy đính kèm {proc.attachments.vi[0].lower()}{proc.attachments.vi[1:]}",
            field="attachments",
        )


def _parse(proc, form: dict):
    try:
        return proc.form.model_validate(form)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DomainError(
            "dossier.form",
            f"the form is not valid at {where}: {first['msg']}",
            f"biểu mẫu không hợp lệ tại {where}",
            field=where,
        ) from error


def _by_key(session: Session, filer_ref: str, key: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.filer_ref == filer_ref, Dossier.idempotency_key == key))


def _create(
    session: Session, settings: Settings, caller: Principal, proc, filer: Filer, filed: dict, key: str
) -> Dossier:
    now = datetime.now(UTC)
    dossier = Dossier(
        procedure=proc.code,
        filer_kind=filer.kind,
        filer_ref=filer.ref,
        filer_name=filer.name,
        employer_id=filer.record.id if filer.kind == "employer" else None,
        person_id=filer.record.id if filer.kind != "employer" else None,
        authority=filer.authority,
        status="submitted",
        form=canonical_json(filed),
        idempotency_key=key,
        submitted_at=now,
        due_on=due_date(now, proc.service_days),
    )
    session.add(dossier)
    session.flush()
    dossier.code = f"HS{vietnam_day(now):%Y%m%d}-{dossier.id:06d}"
    _event(session, dossier, caller.actor, None, "submitted")
    _file(
        session,
        filer.owner,
        "receipt",
        f"Phiếu tiếp nhận và hẹn trả kết quả {dossier.code}",
        _receipt(session, settings, dossier, proc),
        dossier,
    )
    _notify(
        session,
        filer,
        f"Đã tiếp nhận hồ sơ {dossier.code}",
        f"Hồ sơ {proc.name_vi} đã được tiếp nhận lúc {in_vietnam(now):%H:%M %d/%m/%Y}. "
        f"Hẹn trả kết quả: {dossier.due_on:%d/%m/%Y}.",
        f"receipt:{dossier.id}",
    )
    return dossier


def resubmit(
    session: Session,
    settings: Settings,
    caller: Principal,
    dossier_id: int,
    form: dict,
    attachments: list[Upload] = (),
) -> Dossier:
    """The filer answers a request for more information with a corrected form (and scans), checked again."""
    files = check_uploads(list(attachments))
    with transaction(session):
        dossier = session.get(Dossier, dossier_id, with_for_update=True)
        if dossier is None or not _is_filer(dossier, caller):
            raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
        if dossier.status != "needs_info":
            raise DomainError(
                "dossier.state",
                f"a dossier that is {dossier.status} cannot be resubmitted",
                f"hồ sơ ở trạng thái {dossier.status} không thể nộp bổ sung",
            )
        proc = procedure(dossier.procedure)
        session.info[REFILED_DOSSIER] = dossier.id  # checks for "another open dossier" skip this one
        try:
            filed = proc.prepare(session, _filer_of(session, dossier).record, _parse(proc, form))
        finally:
            session.info.pop(REFILED_DOSSIER, None)
        _check_attachments(proc, len(files) + len(attachments_of(session, dossier.id)))
        attach(session, settings, dossier, files, caller.actor)
        dossier.form, dossier.status = canonical_json(filed), "resubmitted"
        _event(session, dossier, caller.actor, "needs_info", "resubmitted")
    return dossier


def _event(session: Session, dossier: Dossier, actor: str, before: str | None, after: str, note: str = "") -> None:
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


def _receipt(session: Session, settings: Settings, dossier: Dossier, proc) -> str:
    """The receipt and appointment slip (phiếu tiếp nhận và hẹn trả kết quả), signed by the managing authority."""
    payload = {
        "type": "esibook/receipt",
        "dossier": dossier.code,
        "procedure": proc.code,
        "procedure_name": proc.name_vi,
        "filer": dossier.filer_name,
        "received_at": dossier.submitted_at.isoformat(timespec="seconds"),
        "due_on": dossier.due_on.isoformat(),
        "service_days": proc.service_days,
        "result": proc.result_vi,
    }
    return jws.sign(signer_for(session, settings, "issuing", dossier.authority), payload, RECEIPT_TYPE)


def _file(
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


def _notify(session: Session, filer: Filer, subject: str, body: str, key: str) -> None:
    """In-app and, where an address is known, email; each message once."""
    kind, owner_id = filer.owner
    outbox.enqueue(
        session, channel="inapp", recipient=f"{kind}:{owner_id}", subject=subject, body=body, dedupe_key=f"{key}:inapp"
    )
    email = filer.record.contact_email if kind == "employer" else email_of(session, owner_id)
    if email:
        outbox.enqueue(session, channel="email", recipient=email, subject=subject, body=body, dedupe_key=f"{key}:email")


# --- review ------------------------------------------------------------------------------------------------


def _require_reviewer(caller: Principal, dossier: Dossier, permission: str) -> None:
    if not policy.reviews(caller, dossier.authority):
        raise policy.not_found_in_queue()
    if permission not in caller.officer_permissions:
        raise forbidden(
            "dossier.permission", f"This needs the {permission} permission.", f"Việc này cần quyền {permission}."
        )
    if _concerns(dossier, caller):
        raise forbidden(
            "dossier.own_case",
            "You cannot review a dossier you filed or that concerns you; another officer must.",
            "Bạn không được xét duyệt hồ sơ do mình nộp hoặc liên quan đến mình; cán bộ khác phải xử lý.",
        )


def _concerns(dossier: Dossier, caller: Principal) -> bool:
    """A conflict of interest: the officer filed it, it is about them, or their ID number is anywhere in it."""
    return policy.concerns(caller, person_id=dossier.person_id, filed_by=dossier.filer_ref, text=dossier.form)


def readable_dossier(session: Session, caller: Principal, dossier_id: int) -> Dossier:
    """A dossier its filer or a reviewer of its authority may read; anyone else is told it does not exist."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or not (_is_filer(dossier, caller) or _reviews(caller, dossier)):
        raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
    if not _is_filer(dossier, caller):
        _log_review_read(session, caller, dossier)
    return dossier


def dossier_under_review(session: Session, caller: Principal, dossier_id: int) -> Dossier:
    """A dossier of the officer's authority, for review; any other is "not in your queue"."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or not _reviews(caller, dossier):
        raise policy.not_found_in_queue()
    _log_review_read(session, caller, dossier)
    return dossier


def _log_review_read(session: Session, caller: Principal, dossier: Dossier) -> None:
    """An officer reading a dossier about a person reads that person's data: it goes to their access log."""
    if dossier.person_id is None or dossier.person_id == caller.person_id:
        return
    with transaction(session):
        record_access(
            session,
            person_id=dossier.person_id,
            principal=caller,
            groups=[1],
            purpose="TTHC",
            outcome="allowed",
            channel="web",
        )


def _reviews(caller: Principal, dossier: Dossier) -> bool:
    return policy.reviews(caller, dossier.authority)


def act(
    session: Session,
    settings: Settings,
    caller: Principal,
    dossier_id: int,
    action: str,
    note: str = "",
    resolution: dict | None = None,
) -> Dossier:
    """An officer's decision (request_info, approve, reject) or the filer's (withdraw). Approving a procedure that
    needs the officer's decision (``resolve``) takes it as ``resolution``."""
    if action not in TRANSITIONS:
        raise DomainError("dossier.action", f"unknown action '{action}'", f"thao tác '{action}' không có")
    allowed, target = TRANSITIONS[action]
    with transaction(session):
        dossier = session.get(Dossier, dossier_id, with_for_update=True)
        if dossier is None or (action == "withdraw" and not _is_filer(dossier, caller)):
            raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
        if action != "withdraw":
            _require_reviewer(caller, dossier, "approver" if action == "approve" else "reviewer")
        if dossier.status not in allowed:
            raise DomainError(
                "dossier.state",
                f"a dossier that is {dossier.status} cannot be {target}",
                f"hồ sơ ở trạng thái {dossier.status} không thể chuyển sang {target}",
            )
        if action in ("request_info", "reject") and len(note.strip()) < 3:
            raise DomainError("dossier.note", "say why (at least a few words)", "hãy nêu lý do")
        before, dossier.status = dossier.status, target
        _event(session, dossier, caller.actor, before, target, note.strip())
        if action in ("approve", "reject"):
            dossier.decided_at, dossier.decision_note = datetime.now(UTC), note.strip() or None
        if action == "approve":
            _issue_results(session, settings, caller, dossier, resolution or {})
        else:
            _notify(
                session,
                _filer_of(session, dossier),
                f"Hồ sơ {dossier.code}: {target}",
                note.strip() or target,
                f"{target}:{dossier.id}:{before}",
            )
    return dossier


def _issue_results(session: Session, settings: Settings, caller: Principal, dossier: Dossier, resolution: dict) -> None:
    """Apply the approved dossier, sign and file the results, and tell everyone concerned."""
    proc = procedure(dossier.procedure)
    filer = _filer_of(session, dossier)
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
    _file(session, filer.owner, "decision", f"Kết quả giải quyết hồ sơ {dossier.code}", decision, dossier)
    _notify(
        session,
        filer,
        f"Đã có kết quả hồ sơ {dossier.code}",
        f"Hồ sơ {dossier.code} đã được duyệt; kết quả có trong kho dữ liệu điện tử.",
        f"result:{dossier.id}",
    )
    dossier.status = "result_issued"
    _event(session, dossier, caller.actor, "approved", "result_issued")


def _deliver_book(
    session: Session, settings: Settings, caller: Principal, dossier: Dossier, person_id: int, filer: Filer
) -> None:
    version, _ = issue_book_within(session, settings, person_id, reason=f"dossier {dossier.code}", actor=caller.actor)
    person = session.get(Person, person_id)
    _file(
        session,
        ("person", person_id),
        "ebook",
        f"Sổ BHXH điện tử, phiên bản {version.version}",
        version.document,
        dossier,
    )
    if latest_card(session, person_id) is not None:
        _file(
            session, ("person", person_id), "hi_card", "Thẻ BHYT", card_qr(session, settings, person).payload, dossier
        )
    if filer.kind == "employer":
        person_filer = Filer("person", f"person:{person.personal_id}", person.full_name, person.authority, person)
        _notify(
            session,
            person_filer,
            "Sổ BHXH điện tử của bạn đã được cập nhật",
            f"Theo hồ sơ {dossier.code} của {filer.name}, sổ BHXH điện tử phiên bản {version.version} "
            "và thẻ BHYT đã có trong kho dữ liệu điện tử của bạn.",
            f"result:{dossier.id}:{person_id}",
        )


def queue(session: Session, caller: Principal, *, procedure_code: str | None = None) -> list[Dossier]:
    """The officer's queue: open dossiers of their authority, overdue and soonest due first."""
    require_officer(caller)
    query = select(Dossier).where(Dossier.authority == caller.officer_authority, Dossier.status.in_(OPEN))
    if procedure_code:
        query = query.where(Dossier.procedure == procedure_code)
    return list(session.scalars(query.order_by(Dossier.due_on, Dossier.id).limit(200)))


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
    _employer_filer(session, caller, employer_id)
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
