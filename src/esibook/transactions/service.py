"""The dossier lifecycle: submitted → (needs_info ↔ resubmitted) → approved / rejected → result issued, or
withdrawn. Each transition is one transaction with its audit record and its outbox messages; a submission with
an idempotency key already used by the same filer returns the first dossier."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.book.service import issue_book_within
from esibook.canonical import canonical_json
from esibook.config import Settings
from esibook.contributions.models import ParticipationPeriod
from esibook.db import transaction
from esibook.employers.models import Employer
from esibook.errors import DomainError, NotFound
from esibook.health.card import card_qr
from esibook.people.contacts import email_of
from esibook.people.models import Person
from esibook.transactions import outbox
from esibook.transactions.calendar import add_working_days
from esibook.transactions.models import Dossier, DossierEvent, RepositoryDocument
from esibook.transactions.procedures import procedure
from esibook.trust import jws
from esibook.trust.pki import signer_for

RECEIPT_TYPE = "esibook-receipt+jws"
DECISION_TYPE = "esibook-decision+jws"
OPEN = ("submitted", "resubmitted")
TRANSITIONS = {
    "request_info": (OPEN, "needs_info"),
    "resubmit": (("needs_info",), "resubmitted"),
    "approve": (OPEN, "approved"),
    "reject": (OPEN, "rejected"),
    "withdraw": (("submitted", "needs_info", "resubmitted"), "withdrawn"),
}


@dataclass(frozen=True)
class Submitted:
    dossier: Dossier
    created: bool


def _employer_for(session: Session, caller: Principal, employer_id: int | None) -> Employer:
    if caller.kind != "person" or employer_id not in caller.employer_ids:
        raise forbidden(
            "access.employer_not_granted",
            "You do not represent this employer.",
            "Bạn không phải người đại diện của đơn vị này.",
        )
    return session.get(Employer, employer_id)


def submit(
    session: Session,
    settings: Settings,
    caller: Principal,
    *,
    procedure_code: str,
    form: dict,
    idempotency_key: str,
    employer_id: int | None = None,
) -> Submitted:
    proc = procedure(procedure_code)
    if not 8 <= len(idempotency_key) <= 80:
        raise DomainError(
            "dossier.idempotency_key",
            "send an Idempotency-Key of 8 to 80 characters",
            "hãy gửi khóa Idempotency-Key dài 8 đến 80 ký tự",
        )
    if proc.filer != "employer":
        raise DomainError(
            "dossier.procedure",
            "this procedure is filed by citizens (Step 4, next session)",
            "thủ tục này do người dân nộp",
        )
    employer = _employer_for(session, caller, employer_id)
    filer_ref = f"employer:{employer.id}"
    existing = _by_key(session, filer_ref, idempotency_key)
    if existing:
        return Submitted(existing, False)
    parsed = _parse(proc, form)
    session.rollback()
    try:
        with transaction(session):
            filed = proc.prepare(session, employer, parsed)
            dossier = _create(session, settings, caller, proc, employer, filer_ref, filed, idempotency_key)
    except IntegrityError:  # the same key raced in from a double click: the first one won
        session.rollback()
        return Submitted(_by_key(session, filer_ref, idempotency_key), False)
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


def resubmit(session: Session, caller: Principal, dossier_id: int, form: dict) -> Dossier:
    """The filer answers a request for more information with a corrected form, checked again."""
    with transaction(session):
        dossier = session.get(Dossier, dossier_id, with_for_update=True)
        if dossier is None or dossier.employer_id not in caller.employer_ids:
            raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
        if dossier.status != "needs_info":
            raise DomainError(
                "dossier.state",
                f"a dossier that is {dossier.status} cannot be resubmitted",
                f"hồ sơ ở trạng thái {dossier.status} không thể nộp bổ sung",
            )
        proc = procedure(dossier.procedure)
        filed = proc.prepare(session, session.get(Employer, dossier.employer_id), _parse(proc, form))
        dossier.form, dossier.status = canonical_json(filed), "resubmitted"
        _event(session, dossier, caller.actor, "needs_info", "resubmitted")
    return dossier


def _by_key(session: Session, filer_ref: str, key: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.filer_ref == filer_ref, Dossier.idempotency_key == key))


def _create(session, settings, caller, proc, employer, filer_ref, filed, key) -> Dossier:
    now = datetime.now(UTC)
    dossier = Dossier(
        procedure=proc.code,
        filer_kind="employer",
        filer_ref=filer_ref,
        filer_name=employer.name,
        employer_id=employer.id,
        authority=employer.authority,
        status="submitted",
        form=canonical_json(filed),
        idempotency_key=key,
        submitted_at=now,
        due_on=add_working_days(now.date(), proc.service_days),
    )
    session.add(dossier)
    session.flush()
    dossier.code = f"HS{now:%Y%m%d}-{dossier.id:06d}"
    _event(session, dossier, caller.actor, None, "submitted")
    receipt = _receipt(session, settings, dossier, proc)
    _file(
        session,
        "employer",
        employer.id,
        "receipt",
        f"Phiếu tiếp nhận và hẹn trả kết quả {dossier.code}",
        receipt,
        dossier,
        employer.authority,
    )
    _notify_employer(
        session,
        employer,
        f"Đã tiếp nhận hồ sơ {dossier.code}",
        f"Hồ sơ {proc.name_vi} đã được tiếp nhận lúc {now:%H:%M %d/%m/%Y}. Hẹn trả kết quả: {dossier.due_on:%d/%m/%Y}.",
        f"receipt:{dossier.id}",
    )
    return dossier


def _event(session: Session, dossier: Dossier, actor: str, before: str | None, after: str, note: str = "") -> None:
    seq = (session.scalar(select(func.max(DossierEvent.seq)).where(DossierEvent.dossier_id == dossier.id)) or 0) + 1
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
    session: Session,
    owner_kind: str,
    owner_id: int,
    doc_type: str,
    title: str,
    document: str,
    dossier: Dossier | None,
    authority: str,
) -> RepositoryDocument:
    """Put a result into an electronic data repository; a newer document of the same type supersedes the last."""
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
    row = RepositoryDocument(
        owner_kind=owner_kind,
        owner_id=owner_id,
        doc_type=doc_type,
        title=title,
        issuer=_issuer(authority),
        document=document,
        dossier_id=dossier.id if dossier else None,
        supersedes_id=previous,
    )
    session.add(row)
    return row


def _issuer(authority: str) -> str:
    return AUTHORITY_NAMES[Authority(authority)][0]


def _notify_employer(session: Session, employer: Employer, subject: str, body: str, key: str) -> None:
    outbox.enqueue(
        session,
        channel="inapp",
        recipient=f"employer:{employer.id}",
        subject=subject,
        body=body,
        dedupe_key=f"{key}:inapp",
    )
    if employer.contact_email:
        outbox.enqueue(
            session,
            channel="email",
            recipient=employer.contact_email,
            subject=subject,
            body=body,
            dedupe_key=f"{key}:email",
        )


def _notify_person(session: Session, person: Person, subject: str, body: str, key: str) -> None:
    outbox.enqueue(
        session, channel="inapp", recipient=f"person:{person.id}", subject=subject, body=body, dedupe_key=f"{key}:inapp"
    )
    email = email_of(session, person.id)
    if email:
        outbox.enqueue(session, channel="email", recipient=email, subject=subject, body=body, dedupe_key=f"{key}:email")


# --- review ------------------------------------------------------------------------------------------------


def _require_reviewer(caller: Principal, dossier: Dossier, permission: str) -> None:
    if not caller.is_officer or caller.officer_authority != dossier.authority:
        raise NotFound("dossier.not_found", "No such dossier in your queue.", "Không có hồ sơ này trong hàng đợi.")
    if permission not in caller.officer_permissions:
        raise forbidden(
            "dossier.permission", f"This needs the {permission} permission.", f"Việc này cần quyền {permission}."
        )


def get_dossier(session: Session, dossier_id: int) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
    return dossier


def act(
    session: Session, settings: Settings, caller: Principal, dossier_id: int, action: str, note: str = ""
) -> Dossier:
    """An officer's decision (request_info, approve, reject) or the filer's (withdraw)."""
    if action not in TRANSITIONS or action == "resubmit":
        raise DomainError("dossier.action", f"unknown action '{action}'", f"thao tác '{action}' không có")
    allowed, target = TRANSITIONS[action]
    with transaction(session):
        dossier = session.get(Dossier, dossier_id, with_for_update=True)
        if dossier is None:
            raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
        if action == "withdraw":
            if f"employer:{dossier.employer_id}" != dossier.filer_ref or dossier.employer_id not in caller.employer_ids:
                raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
        else:
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
            _issue_results(session, settings, caller, dossier)
        else:
            employer = session.get(Employer, dossier.employer_id)
            _notify_employer(
                session,
                employer,
                f"Hồ sơ {dossier.code}: {target}",
                note.strip() or target,
                f"{target}:{dossier.id}:{before}",
            )
    return dossier


def _issue_results(session: Session, settings: Settings, caller: Principal, dossier: Dossier) -> None:
    """Apply the approved dossier, sign and file the results, and tell everyone concerned."""
    proc = procedure(dossier.procedure)
    employer = session.get(Employer, dossier.employer_id)
    changed = proc.approve(session, employer, json.loads(dossier.form))
    session.flush()
    for person_id in changed:
        reason = f"dossier {dossier.code}"
        version, _ = issue_book_within(session, settings, person_id, reason=reason, actor=caller.actor)
        person = session.get(Person, person_id)
        _file(
            session,
            "person",
            person_id,
            "ebook",
            f"Sổ BHXH điện tử, phiên bản {version.version}",
            version.document,
            dossier,
            person.authority,
        )
        if _has_open_period(session, person_id):
            qr = card_qr(session, settings, person)
            _file(session, "person", person_id, "hi_card", "Thẻ BHYT", qr.payload, dossier, person.authority)
        _notify_person(
            session,
            person,
            "Sổ BHXH điện tử của bạn đã được cập nhật",
            f"Theo hồ sơ {dossier.code} của {employer.name}, sổ BHXH điện tử phiên bản {version.version} "
            "và thẻ BHYT đã có trong kho dữ liệu điện tử của bạn.",
            f"result:{dossier.id}:{person_id}",
        )
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
    _file(
        session,
        "employer",
        employer.id,
        "decision",
        f"Kết quả giải quyết hồ sơ {dossier.code}",
        decision,
        dossier,
        dossier.authority,
    )
    _notify_employer(
        session,
        employer,
        f"Đã có kết quả hồ sơ {dossier.code}",
        f"Hồ sơ {dossier.code} đã được duyệt; kết quả có trong kho dữ liệu điện tử của đơn vị.",
        f"result:{dossier.id}",
    )
    dossier.status = "result_issued"
    _event(session, dossier, caller.actor, "approved", "result_issued")


def _has_open_period(session: Session, person_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(ParticipationPeriod)
            .where(ParticipationPeriod.person_id == person_id, ParticipationPeriod.to_month.is_(None))
        )
        > 0
    )


def queue(session: Session, caller: Principal, *, procedure_code: str | None = None) -> list[Dossier]:
    """The officer's queue: open dossiers of their authority, overdue and soonest due first."""
    if not caller.is_officer:
        raise forbidden(
            "access.officer_only",
            "Only a social insurance officer may do this.",
            "Chỉ cán bộ bảo hiểm xã hội mới thực hiện được việc này.",
        )
    query = select(Dossier).where(Dossier.authority == caller.officer_authority, Dossier.status.in_(OPEN))
    if procedure_code:
        query = query.where(Dossier.procedure == procedure_code)
    return list(session.scalars(query.order_by(Dossier.due_on, Dossier.id).limit(200)))


def repository(session: Session, owner_kind: str, owner_id: int) -> list[RepositoryDocument]:
    return list(
        session.scalars(
            select(RepositoryDocument)
            .where(RepositoryDocument.owner_kind == owner_kind, RepositoryDocument.owner_id == owner_id)
            .order_by(RepositoryDocument.id.desc())
        )
    )


def employer_dossiers(session: Session, caller: Principal, employer_id: int) -> list[Dossier]:
    _employer_for(session, caller, employer_id)
    return list(
        session.scalars(
            select(Dossier).where(Dossier.employer_id == employer_id).order_by(Dossier.id.desc()).limit(200)
        )
    )
