"""Authorisations (ủy quyền): a person authorises another person, by personal ID, to file procedures for them
and/or to receive a benefit paid to them, until a date, and may revoke it at any time; the authorised person sees
who authorised them and files for them. Every use is decided by the access policy
(:func:`esibook.access.policy.authorised_representative`) and written to the grantor's access log, refused ones
included. Audit records name persons by internal id only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import get_origin

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.models import Authorisation
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.claim_payouts import PayoutChoice
from esibook.benefits.service import settlements_of
from esibook.canonical import canonical_json
from esibook.config import Settings
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.notify import outbox
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.transactions import service as dossiers
from esibook.transactions.filers import authorised_accessor
from esibook.transactions.models import Dossier
from esibook.transactions.procedures import PROCEDURES

MAX_YEARS = 5


def citizen_procedures() -> dict[str, tuple[str, str]]:
    """The procedures an authorisation may cover: those a person files for themself, (Vietnamese, English)."""
    return {code: (p.name_vi, p.name_en) for code, p in PROCEDURES.items() if p.filer == "citizen"}


@dataclass(frozen=True)
class AuthorisationView:
    """One authorisation as its grantor or its agent reads it."""

    id: int
    other_name: str
    procedures: list[str]
    receive_payment: bool
    valid_until: date
    created_at: datetime
    state: str
    """``active``, ``revoked``, ``expired`` or ``ended`` (the grantor died)."""
    dossiers: list[Dossier]

    @property
    def may_receive(self) -> bool:
        """In force and covering receiving a benefit for the grantor."""
        return self.state == "active" and self.receive_payment


def _bad(code: str, en: str, vi: str, field: str) -> DomainError:
    return DomainError(code, en, vi, field=field)


def _check_scope(procedures: list[str], receive_payment: bool) -> list[str]:
    known = citizen_procedures()
    chosen = sorted(set(procedures))
    unknown = [c for c in chosen if c != "*" and c not in known]
    if unknown:
        raise _bad(
            "authorisation.procedure",
            f"unknown procedure '{unknown[0]}'",
            f"thủ tục '{unknown[0]}' không có",
            "procedures",
        )
    if not chosen and not receive_payment:
        raise _bad(
            "authorisation.scope_empty",
            "choose at least one procedure or receiving a benefit",
            "hãy chọn ít nhất một thủ tục hoặc việc nhận tiền chế độ",
            "procedures",
        )
    return ["*"] if "*" in chosen else chosen


def _check_until(valid_until: date, today: date) -> None:
    if not today <= valid_until <= today + timedelta(days=366 * MAX_YEARS):
        raise _bad(
            "authorisation.valid_until",
            f"the end date must be between today and {MAX_YEARS} years from now",
            f"ngày hết hạn phải từ hôm nay đến {MAX_YEARS} năm tới",
            "valid_until",
        )


def grant(
    session: Session,
    caller: Principal,
    *,
    agent_personal_id: str,
    procedures: list[str],
    receive_payment: bool,
    valid_until: date,
    today: date | None = None,
) -> Authorisation:
    """The caller authorises the person with this personal ID (who must be on record, and not the caller)."""
    today = today or vietnam_today()
    number = parse_personal_id(agent_personal_id).number
    scope = _check_scope(procedures, receive_payment)
    _check_until(valid_until, today)
    with transaction(session):
        grantor = policy.own_person(session, caller)
        agent = session.scalar(select(Person).where(Person.personal_id == number))
        if agent is None:
            raise _bad(
                "authorisation.agent_unknown",
                "no person with this personal ID is on record; they must be insured or registered first",
                "không có người nào với số định danh này trong cơ sở dữ liệu",
                "agent_personal_id",
            )
        if agent.id == grantor.id:
            raise _bad(
                "authorisation.self", "you cannot authorise yourself", "bạn không thể tự ủy quyền cho mình",
                "agent_personal_id",
            )
        row = Authorisation(
            grantor_id=grantor.id,
            agent_id=agent.id,
            procedures=",".join(scope),
            receive_payment=receive_payment,
            valid_until=valid_until,
        )
        session.add(row)
        session.flush()
        _audit(session, caller, row, "authorisation.granted")
        _tell_agent(session, row, f"{grantor.full_name} đã ủy quyền cho bạn", f"granted:{row.id}",
                    f"Hiệu lực đến {valid_until:%d/%m/%Y}. Xem tại mục Ủy quyền.")
    return row


def revoke(session: Session, caller: Principal, authorisation_id: int) -> Authorisation:
    """The grantor revokes an authorisation: every later use is refused. Revoking it again changes nothing."""
    with transaction(session):
        grantor = policy.own_person(session, caller)
        row = session.get(Authorisation, authorisation_id, with_for_update=True)
        if row is None or row.grantor_id != grantor.id:
            raise policy.authorisation_not_found()
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            _audit(session, caller, row, "authorisation.revoked")
            _tell_agent(session, row, f"{grantor.full_name} đã thu hồi ủy quyền", f"revoked:{row.id}",
                        "Bạn không còn được thực hiện thủ tục thay người này.")
    return row


def _audit(session: Session, caller: Principal, row: Authorisation, action: str) -> None:
    audit.append(
        session,
        actor=caller.actor,
        action=action,
        target=f"authorisation:{row.id}",
        details={
            "grantor": f"person:{row.grantor_id}",
            "agent": f"person:{row.agent_id}",
            "procedures": row.procedures,
            "receive_payment": row.receive_payment,
            "valid_until": row.valid_until.isoformat(),
        },
    )


def _tell_agent(session: Session, row: Authorisation, subject: str, key: str, body: str) -> None:
    outbox.enqueue(
        session, channel="inapp", recipient=f"person:{row.agent_id}", subject=subject, body=body,
        dedupe_key=f"authorisation:{key}",
    )


def _state(row: Authorisation, today: date, grantor_died_on: date | None) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if grantor_died_on is not None:
        return "ended"  # an authorisation ends with its grantor (the policy's rule: authorisation.grantor_deceased)
    return "expired" if row.valid_until < today else "active"


def _views(session: Session, rows: list[Authorisation], other: str, today: date) -> list[AuthorisationView]:
    ids = {getattr(r, other) for r in rows} | {r.grantor_id for r in rows}
    people = {p.id: p for p in session.execute(select(Person.id, Person.full_name, Person.died_on)
                                               .where(Person.id.in_(ids))).all()} if ids else {}
    return [
        AuthorisationView(
            r.id, people[getattr(r, other)].full_name if getattr(r, other) in people else "?",
            [c for c in r.procedures.split(",") if c], r.receive_payment, r.valid_until, r.created_at,
            _state(r, today, people[r.grantor_id].died_on if r.grantor_id in people else None),
            filed_under(session, r),
        )
        for r in rows
    ]


def given(session: Session, caller: Principal, *, today: date | None = None) -> list[AuthorisationView]:
    """The authorisations the caller has given, newest first, with the dossiers filed under each."""
    person_id = policy.own_person_id(caller)
    rows = session.scalars(
        select(Authorisation).where(Authorisation.grantor_id == person_id).order_by(Authorisation.id.desc())
    ).all()
    return _views(session, list(rows), "agent_id", today or vietnam_today())


def received(session: Session, caller: Principal, *, today: date | None = None) -> list[AuthorisationView]:
    """Who has authorised the caller, newest first."""
    person_id = policy.own_person_id(caller)
    rows = session.scalars(
        select(Authorisation).where(Authorisation.agent_id == person_id).order_by(Authorisation.id.desc())
    ).all()
    return _views(session, list(rows), "grantor_id", today or vietnam_today())


def filed_under(session: Session, row: Authorisation) -> list[Dossier]:
    """The dossiers filed under an authorisation: the filed form names it, and its agent (the marker
    :func:`esibook.transactions.service.submit` adds)."""
    agent = session.scalar(select(Person.personal_id).where(Person.id == row.agent_id))
    marker = canonical_json({"authorisation": {"agent": f"person:{agent}", "id": row.id}})[1:-1]
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.person_id == row.grantor_id, Dossier.form.contains(marker))
            .order_by(Dossier.id.desc())
            .limit(50)
        )
    )


def file_for(
    session: Session,
    settings: Settings,
    caller: Principal,
    authorisation_id: int,
    *,
    procedure_code: str,
    form: dict,
    idempotency_key: str,
    channel: str = "web",
) -> dossiers.Submitted:
    """File a procedure for the person who authorised the caller. A use the policy refuses (revoked, expired, out
    of scope) is written to the grantor's access log as refused, then answered with the policy's reason."""
    try:
        return dossiers.submit(
            session, settings, caller, procedure_code=procedure_code, form=form, idempotency_key=idempotency_key,
            on_behalf=authorisation_id, channel=channel,
        )
    except DomainError as refusal:
        if refusal.code.startswith("authorisation.") and refusal.code != "authorisation.not_found":
            _record_refused(session, caller, authorisation_id, channel)
        raise


def _record_refused(
    session: Session, caller: Principal, authorisation_id: int, channel: str, purpose: str = "TTHC"
) -> None:
    with transaction(session):
        row = session.get(Authorisation, authorisation_id)
        if row is not None and caller.person_id == row.agent_id:
            record_access(
                session, person_id=row.grantor_id, principal=caller, groups=[1], purpose=purpose,
                outcome="refused", channel=channel, accessor=authorised_accessor(caller),
            )


def acting_for(session: Session, caller: Principal, authorisation_id: int) -> AuthorisationView:
    """One authorisation given to the caller, to file under (any state: the page says when it no longer holds)."""
    for view in received(session, caller):
        if view.id == authorisation_id:
            return view
    raise policy.authorisation_not_found()


@dataclass(frozen=True)
class ScopeForm:
    """A procedure the authorised person may file, with the fields of its form."""

    code: str
    name_vi: str
    name_en: str
    fields: list[str]


def forms_in_scope(view: AuthorisationView) -> list[ScopeForm]:
    """The procedures an active authorisation covers whose form is a few plain fields (filed from one page). Where
    a benefit is paid is not asked there: the claim names none (the SI office arranges it) unless filed through
    the API with its payout fields (``benefits.claim_payouts``)."""
    if view.state != "active":
        return []
    codes = citizen_procedures() if "*" in view.procedures else {c: None for c in view.procedures}
    found = []
    for code in codes:
        proc = PROCEDURES.get(code)
        if proc is None or proc.filer != "citizen":
            continue
        fields = {name: f for name, f in proc.form.model_fields.items() if name not in PayoutChoice.model_fields}
        if all(get_origin(f.annotation) is None for f in fields.values()):
            found.append(ScopeForm(code, proc.name_vi, proc.name_en, list(fields)))
    return found


def benefits_to_receive(
    session: Session, caller: Principal, authorisation_id: int, *, channel: str = "web"
) -> list[dict]:
    """The benefits decided for the grantor, newest first, which the caller may receive for them: only under an
    authorisation that covers receiving a benefit (the access policy decides; the read, or its refusal, is in the
    grantor's access log)."""
    try:
        with transaction(session):
            _, grantor = policy.authorised_representative(session, caller, authorisation_id, policy.RECEIVE_PAYMENT)
            record_access(
                session, person_id=grantor.id, principal=caller, groups=[4], purpose="GDBHXH", outcome="allowed",
                channel=channel, accessor=authorised_accessor(caller),
            )
            return list(reversed(settlements_of(session, grantor.id)))
    except DomainError as refusal:
        if refusal.code != "authorisation.not_found":
            _record_refused(session, caller, authorisation_id, channel, "GDBHXH")
        raise
