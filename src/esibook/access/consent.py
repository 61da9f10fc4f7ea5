"""Consent (sự đồng ý của chủ thể dữ liệu) for purposes that need it, in the manner of DigiLocker and Open Banking:
a connected system files a request (which person, which data groups, which purpose, why, for how long); the person
sees it in their app at VNeID level 2 and approves or refuses it, and may revoke an approval at any time. An
exchange read for such a purpose is answered only under an approved, unexpired, unrevoked consent of that system,
person and purpose covering the group read; each such read names its consent in the person's access log.

The requester learns only the status of its own requests. A request naming a personal ID outside the system's
reach (nobody, or a person of another authority) is accepted like any other and simply never answered, so the
answer tells nothing about who exists.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.errors import forbidden
from esibook.access.models import ApiClient, Consent
from esibook.access.principal import Principal
from esibook.access.purposes import PURPOSES, check_purpose, requires_consent
from esibook.audit import service as audit
from esibook.columns import utcnow
from esibook.db import scoped_to, transaction
from esibook.errors import DomainError, NotFound
from esibook.notify import outbox
from esibook.people.contacts import email_of
from esibook.people.identifiers import parse_personal_id
from esibook.people.labels import GROUPS
from esibook.people.models import Person
from esibook.web.i18n import translations

MAX_DAYS = 365
DEFAULT_DAYS = 90
#: How long a request waits for the person's answer before it lapses ("expired").
ANSWER_DAYS = 30
MAX_REASON = 500
STATUSES = ("pending", "approved", "refused", "revoked", "expired")
_MAX_ID = 2**53  # ids stay exact in JavaScript clients


class ConsentConflict(DomainError):
    status = 409


@dataclass(frozen=True)
class ConsentView:
    """A consent as its person sees it: who asks (the system's name), for what, and where it stands."""

    consent: Consent
    system_name: str
    status: str

    def as_dict(self) -> dict:
        c = self.consent
        return {
            "id": c.id,
            "status": self.status,
            "system": self.system_name,
            "groups": group_list(c),
            "purpose": c.purpose,
            "purpose_vi": PURPOSES[c.purpose][0],
            "purpose_en": PURPOSES[c.purpose][1],
            "reason": c.reason,
            "days": c.days,
            "requested_at": c.requested_at.isoformat(),
            "answer_by": c.answer_by.isoformat(),
            "approved_at": _iso(c.approved_at),
            "expires_at": _iso(c.expires_at),
            "refused_at": _iso(c.refused_at),
            "revoked_at": _iso(c.revoked_at),
        }


def status_of(consent: Consent, now: datetime | None = None) -> str:
    now = now or utcnow()
    if consent.revoked_at is not None:
        return "revoked"
    if consent.refused_at is not None:
        return "refused"
    if consent.approved_at is not None:
        return "approved" if consent.expires_at > now else "expired"
    return "pending" if consent.answer_by > now else "expired"


def group_list(consent: Consent) -> list[int]:
    return [int(g) for g in consent.groups.split(",") if g]


# --- the requester (a connected system) ----------------------------------------------------------------------


def request_consent(
    session: Session,
    principal: Principal,
    *,
    personal_id: str,
    groups: list[int],
    purpose: str,
    reason: str,
    days: int = DEFAULT_DAYS,
) -> Consent:
    """File a request; it is pending until the person answers. The same answer whoever the personal ID names."""
    _require_system(principal)
    number = parse_personal_id(personal_id).number
    chosen, purpose, reason = _check_request(principal, groups, purpose, reason, days)
    now = utcnow()
    with scoped_to(principal.client_authority), transaction(session):
        person = session.scalar(select(Person).where(Person.personal_id == number))
        reachable = person is not None and person.authority == principal.client_authority
        consent = Consent(
            id=secrets.randbelow(_MAX_ID - 1) + 1,
            client_id=principal.subject,
            person_id=person.id if reachable else None,
            groups=",".join(map(str, chosen)),
            purpose=purpose,
            reason=reason,
            days=days,
            requested_at=now,
            answer_by=now + timedelta(days=ANSWER_DAYS),
        )
        session.add(consent)
        audit.append(
            session,
            actor=principal.actor,
            action="consent.requested",
            target=f"consent:{consent.id}",
            authority=principal.client_authority,
            details={"person": f"person:{person.id}" if reachable else None, "groups": chosen, "purpose": purpose},
        )
        if reachable:
            _notify_person(session, principal, consent)
    return consent


def requested(session: Session, principal: Principal, consent_id: int) -> Consent:
    """One of the caller's own requests, to poll its status; anyone else's is "not found"."""
    _require_system(principal)
    consent = session.get(Consent, consent_id) if 0 < consent_id < _MAX_ID else None
    if consent is None or consent.client_id != principal.subject:
        raise _not_found()
    return consent


def requester_view(consent: Consent) -> dict:
    """What the requester may know: its request and the status, nothing about the person."""
    return {
        "id": consent.id,
        "status": status_of(consent),
        "groups": group_list(consent),
        "purpose": consent.purpose,
        "days": consent.days,
        "requested_at": consent.requested_at.isoformat(),
        "answer_by": consent.answer_by.isoformat(),
        "expires_at": _iso(consent.expires_at),
    }


def _check_request(
    principal: Principal, groups: list[int], purpose: str, reason: str, days: int
) -> tuple[list[int], str, str]:
    code = check_purpose(purpose)
    if code not in principal.client_purposes:
        raise forbidden(
            "access.purpose_not_granted",
            f"This system may not request data for purpose {code}.",
            f"Hệ thống này không được khai thác dữ liệu cho mục đích {code}.",
        )
    if not requires_consent(code):
        raise DomainError(
            "consent.not_needed",
            f"Purpose {code} needs no consent; read the data directly.",
            f"Mục đích {code} không cần sự đồng ý; hãy khai thác dữ liệu trực tiếp.",
            field="purpose",
        )
    chosen = sorted(set(groups or []))
    bad = [g for g in chosen if g not in GROUPS]
    if not chosen or bad:
        raise DomainError(
            "access.group_unknown",
            "Name one or more data groups, numbered 1 to 7.",
            "Hãy nêu một hoặc nhiều nhóm dữ liệu, đánh số từ 1 đến 7.",
            field="groups",
        )
    missing = [g for g in chosen if g not in principal.client_groups]
    if missing:
        raise forbidden(
            "access.group_not_granted",
            f"This system is not granted data group {missing[0]}.",
            f"Hệ thống này không được cấp quyền nhóm dữ liệu {missing[0]}.",
        )
    text = " ".join((reason or "").split())
    if not text or len(text) > MAX_REASON:
        raise DomainError(
            "consent.reason",
            f"Tell the person why you ask, in 1 to {MAX_REASON} characters.",
            f"Hãy nêu lý do đề nghị cho người dân, từ 1 đến {MAX_REASON} ký tự.",
            field="reason",
        )
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(
            "consent.days",
            f"A consent lasts 1 to {MAX_DAYS} days.",
            f"Sự đồng ý có thời hạn từ 1 đến {MAX_DAYS} ngày.",
            field="days",
        )
    return chosen, code, text


def _notify_person(session: Session, principal: Principal, consent: Consent) -> None:
    """In-app (and email where known), without the requester's free text: the page shows it, as plain text."""
    vi = translations("vi").gettext
    groups = ", ".join(vi(GROUPS[g]) for g in group_list(consent))
    subject = f"{principal.name} đề nghị bạn đồng ý chia sẻ dữ liệu"
    body = (
        f"Mục đích: {PURPOSES[consent.purpose][0]}. Nhóm dữ liệu: {groups}. Thời hạn: {consent.days} ngày. "
        "Vào mục «Yêu cầu đồng ý» (/me/consents) để đồng ý hoặc từ chối."
    )
    key = f"consent:{consent.id}"
    outbox.enqueue(
        session, channel="inapp", recipient=f"person:{consent.person_id}", subject=subject, body=body,
        dedupe_key=f"{key}:inapp",
    )
    email = email_of(session, consent.person_id)
    if email:
        outbox.enqueue(session, channel="email", recipient=email, subject=subject, body=body, dedupe_key=f"{key}:email")


# --- the person ----------------------------------------------------------------------------------------------


def my_consents(session: Session, principal: Principal, *, limit: int = 100) -> list[ConsentView]:
    """Every request made to the caller, newest first (VNeID level 2)."""
    _require_level2(principal)
    if principal.person_id is None:
        return []
    return _views(session, principal.person_id, limit=limit)


def decisions_of(session: Session, person_id: int | None, *, limit: int = 50) -> list[ConsentView]:
    """The person's answers (approved, refused, revoked), for the access log."""
    if person_id is None:
        return []
    return [v for v in _views(session, person_id, limit=limit) if v.consent.approved_at or v.consent.refused_at]


def _views(session: Session, person_id: int, *, limit: int) -> list[ConsentView]:
    now = utcnow()
    rows = session.execute(
        select(Consent, ApiClient.name)
        .join(ApiClient, ApiClient.client_id == Consent.client_id)
        .where(Consent.person_id == person_id)
        .order_by(Consent.requested_at.desc(), Consent.id)
        .limit(limit)
    ).all()
    return [ConsentView(consent, name, status_of(consent, now)) for consent, name in rows]


def approve(session: Session, principal: Principal, consent_id: int) -> Consent:
    return _decide(session, principal, consent_id, "approved")


def refuse(session: Session, principal: Principal, consent_id: int) -> Consent:
    return _decide(session, principal, consent_id, "refused")


def revoke(session: Session, principal: Principal, consent_id: int) -> Consent:
    return _decide(session, principal, consent_id, "revoked")


#: The status a decision needs the consent to be in.
_FROM = {"approved": "pending", "refused": "pending", "revoked": "approved"}


def _decide(session: Session, principal: Principal, consent_id: int, outcome: str) -> Consent:
    """Approve, refuse or revoke one of the caller's consents; asking for the state it is already in is a no-op."""
    _require_level2(principal)
    with transaction(session):
        consent = session.get(Consent, consent_id, with_for_update=True) if 0 < consent_id < _MAX_ID else None
        if consent is None or consent.person_id is None or consent.person_id != principal.person_id:
            raise _not_found()
        now = utcnow()
        status = status_of(consent, now)
        if status == outcome:
            return consent
        if status != _FROM[outcome]:
            raise ConsentConflict(
                "consent.not_" + _FROM[outcome],
                f"This request is {status}; only a {_FROM[outcome]} one can be {outcome}.",
                f"Yêu cầu này đang ở trạng thái {_STATUS_VI[status]}; không thể thực hiện thao tác này.",
            )
        if outcome == "approved":
            consent.approved_at, consent.expires_at = now, now + timedelta(days=consent.days)
        elif outcome == "refused":
            consent.refused_at = now
        else:
            consent.revoked_at = now
        audit.append(
            session,
            actor=principal.actor,
            action=f"consent.{outcome}",
            target=f"consent:{consent.id}",
            details={
                "person": f"person:{consent.person_id}",
                "client": consent.client_id,
                "groups": group_list(consent),
                "purpose": consent.purpose,
            },
        )
    return consent


_STATUS_VI = {
    "pending": "chờ trả lời",
    "approved": "đã đồng ý",
    "refused": "đã từ chối",
    "revoked": "đã thu hồi",
    "expired": "hết hạn",
}


# --- enforcement ---------------------------------------------------------------------------------------------


def require_consent(
    session: Session, principal: Principal, person_id: int, group: int, purpose: str
) -> tuple[int | None, DomainError | None]:
    """For an exchange read: ``(None, None)`` when the purpose needs no consent, ``(consent id, None)`` under a
    live consent of this system, person and purpose covering ``group``, else ``(None, refusal)``.

    The consent row is read with a share lock, so a revocation waits for reads in flight and every later read
    sees it."""
    if not requires_consent(purpose):
        return None, None
    live = session.scalars(
        select(Consent)
        .where(
            Consent.client_id == principal.subject,
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            Consent.approved_at.is_not(None),
            Consent.revoked_at.is_(None),
            Consent.expires_at > utcnow(),
        )
        .order_by(Consent.expires_at.desc())
        .with_for_update(read=True)
    ).all()
    covering = next((c for c in live if group in group_list(c)), None)
    if covering is not None:
        return covering.id, None
    return None, forbidden(
        "access.consent_required",
        f"Purpose {purpose} needs the person's consent to data group {group}; file a request at "
        "/api/v1/exchange/consents and wait for the person's approval.",
        f"Mục đích {purpose} cần sự đồng ý của người dân với nhóm dữ liệu {group}; hãy gửi đề nghị tại "
        "/api/v1/exchange/consents và chờ người dân đồng ý.",
    )


# --- checks --------------------------------------------------------------------------------------------------


def _require_system(principal: Principal) -> None:
    if principal.kind != "system":
        raise policy.system_only()


def _require_level2(principal: Principal) -> None:
    policy.require_level2(principal)


def _not_found() -> NotFound:
    return NotFound("consent.not_found", "No such consent request.", "Không có đề nghị đồng ý này.")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
