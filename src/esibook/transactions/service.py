"""The dossier lifecycle: submitted → (needs_info ↔ resubmitted) → approved / rejected → result issued, or
withdrawn. Each transition is one transaction with its audit record and its outbox messages; a submission with
an idempotency key already used by the same filer returns the first dossier.

A filer is an employer (through its representative) or a citizen (for themself). Who may file is
:mod:`~esibook.transactions.filers`, who may review :mod:`~esibook.transactions.reviewers`, what an approval files
:mod:`~esibook.transactions.filing`; the listings are :mod:`~esibook.transactions.queries` (the pages and the API
read them through this module).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.access.principal import Principal
from esibook.benefits.claim_payouts import payee_for_filing
from esibook.canonical import canonical_json
from esibook.config import Settings
from esibook.dates import in_vietnam, vietnam_day
from esibook.db import transaction
from esibook.errors import DomainError, NotFound
from esibook.transactions.attachments import Upload, attach, attachments_of, check_uploads
from esibook.transactions.calendar import due_date
from esibook.transactions.employment import MAX_EMPLOYEES, check_registration_rows
from esibook.transactions.filers import (
    Filer,
    check_attachments,
    employer_filer,
    filer_for,
    filer_of,
    is_filer,
    parse_form,
)
from esibook.transactions.filing import (  # noqa: F401 (RECEIPT_TYPE, DECISION_TYPE: the documents' types)
    DECISION_TYPE,
    RECEIPT_TYPE,
    file_result,
    issue_results,
    notify_filer,
    record_event,
    signed_receipt,
)
from esibook.transactions.models import (
    OPEN,
    REFILED_DOSSIER,
    Dossier,
)
from esibook.transactions.procedures import procedure
from esibook.transactions.queries import (  # noqa: F401 (the pages and the API read through this module)
    DUE_FILTERS,
    employer_dossiers,
    inbox,
    last_request,
    my_dossiers,
    queue,
    read_messages,
    repository,
    repository_document,
    unread_count,
)
from esibook.transactions.reviewers import (  # noqa: F401
    ReviewFlags,
    dossier_under_review,
    readable_dossier,
    require_reviewer,
    review_flags,
)

TRANSITIONS = {
    "request_info": (OPEN, "needs_info"),
    "approve": (OPEN, "approved"),
    "reject": (OPEN, "rejected"),
    "withdraw": (("submitted", "needs_info", "resubmitted"), "withdrawn"),
}


#: How the filer's notice names each decision (notices are written in Vietnamese).
NOTICE_VI = {"needs_info": "cần bổ sung thông tin", "rejected": "không được chấp nhận", "withdrawn": "đã rút"}


@dataclass(frozen=True)
class Submitted:
    dossier: Dossier
    created: bool


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
    now: datetime | None = None,
    on_behalf: int | None = None,
    channel: str = "web",
) -> Submitted:
    """File a dossier: checked, pre-filled from the databases, given a receipt whose due date counts working days
    from the day it was filed in Vietnam (``now``, the moment of filing, is the clock's unless a caller fixes it).
    ``on_behalf`` is the id of an authorisation the caller files under, for its grantor (the access policy decides
    it, and the grantor's access log records it)."""
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
    existing = None if on_behalf else _by_key(session, ref, idempotency_key)
    if existing and is_filer(existing, caller):
        return Submitted(existing, False)
    parsed = parse_form(proc, form)
    files = check_uploads(list(attachments))
    agent = (on_behalf, proc, channel) if on_behalf else None
    try:
        with transaction(session):
            filer = filer_for(session, caller, proc.filer, employer_id, form, agent)
            ref = filer.ref
            if agent:
                existing = _by_key(session, ref, idempotency_key)
                if existing:
                    return Submitted(existing, False)
            filed = payee_for_filing(session, caller, filer.kind, filer.record, parsed,
                                     proc.prepare(session, filer.record, parsed))
            if agent:
                filed = {**filed, "authorisation": {"id": on_behalf, "agent": f"person:{caller.personal_id}"}}
            check_attachments(proc, len(files))
            dossier = _create(session, settings, caller, proc, filer, filed, idempotency_key, now)
            attach(session, settings, dossier, files, caller.actor)
    except IntegrityError:  # the same key raced in from a double click: the first one won (the action rolled back)
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


def preview_registration(session: Session, caller: Principal, *, employer_id: int, rows: list[dict]) -> list:
    """Each row of a list as filing would take it, or its problem, before anything is filed (nothing is written)."""
    employer = employer_filer(session, caller, employer_id).record
    return check_registration_rows(session, employer, rows[: MAX_EMPLOYEES + 1])


def _by_key(session: Session, filer_ref: str, key: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.filer_ref == filer_ref, Dossier.idempotency_key == key))


def _create(
    session: Session,
    settings: Settings,
    caller: Principal,
    proc,
    filer: Filer,
    filed: dict,
    key: str,
    now: datetime | None = None,
) -> Dossier:
    now = (now or datetime.now(UTC)).astimezone(UTC)
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
    record_event(session, dossier, caller.actor, None, "submitted")
    file_result(
        session,
        filer.owner,
        "receipt",
        f"Phiếu tiếp nhận và hẹn trả kết quả {dossier.code}",
        signed_receipt(session, settings, dossier, proc),
        dossier,
    )
    notify_filer(
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
        if dossier is None or not is_filer(dossier, caller):
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
            filer, parsed = filer_of(session, dossier), parse_form(proc, form)
            filed = payee_for_filing(session, caller, filer.kind, filer.record, parsed,
                                     proc.prepare(session, filer.record, parsed), before=json.loads(dossier.form))
        finally:
            session.info.pop(REFILED_DOSSIER, None)
        check_attachments(proc, len(files) + len(attachments_of(session, dossier.id)))
        attach(session, settings, dossier, files, caller.actor)
        dossier.form, dossier.status = canonical_json(filed), "resubmitted"
        record_event(session, dossier, caller.actor, "needs_info", "resubmitted")
    return dossier


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
        if dossier is None or (action == "withdraw" and not is_filer(dossier, caller)):
            raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
        if action != "withdraw":
            require_reviewer(caller, dossier, "approver" if action == "approve" else "reviewer")
        if dossier.status not in allowed:
            raise DomainError(
                "dossier.state",
                f"a dossier that is {dossier.status} cannot be {target}",
                f"hồ sơ ở trạng thái {dossier.status} không thể chuyển sang {target}",
            )
        if action in ("request_info", "reject") and len(note.strip()) < 3:
            raise DomainError("dossier.note", "say why (at least a few words)", "hãy nêu lý do")
        before, dossier.status = dossier.status, target
        record_event(session, dossier, caller.actor, before, target, note.strip())
        if action in ("approve", "reject"):
            dossier.decided_at, dossier.decision_note = datetime.now(UTC), note.strip() or None
        if action == "approve":
            issue_results(session, settings, caller, dossier, resolution or {})
        else:
            notify_filer(
                session,
                filer_of(session, dossier),
                f"Hồ sơ {dossier.code}: {NOTICE_VI[target]}",
                note.strip() or NOTICE_VI[target],
                f"{target}:{dossier.id}:{before}",
            )
    return dossier
