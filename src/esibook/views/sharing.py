"""Share links (chia sẻ dữ liệu có thời hạn): a citizen shares a chosen extract, with a passcode, until a date,
and may revoke it. Whoever opens it appears in the citizen's access log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from esibook.access.accesslog import record_access
from esibook.access.errors import person_not_found
from esibook.access.guards import check_groups, require_person
from esibook.access.models import ShareLink
from esibook.access.principal import Principal
from esibook.access.tokens import hash_secret, secret_matches
from esibook.audit import service as audit
from esibook.contributions.models import ContributionLine
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.errors import DomainError, NotFound
from esibook.health.service import latest_card
from esibook.people.models import Person
from esibook.views.person import person_groups

EXTRACTS = ("insured_months", "hi_card_valid", "data_group")
MAX_DAYS = 90
MAX_FAILED_PASSCODES = 5


@dataclass(frozen=True)
class NewShareLink:
    id: int
    token: str
    passcode: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(
    session: Session, principal: Principal, *, extract: str, parameter: int | None, days: int
) -> NewShareLink:
    require_person(principal)
    _check_request(extract, parameter, days)
    token, passcode = secrets.token_urlsafe(24), f"{secrets.randbelow(10**6):06d}"
    expires = datetime.now(UTC) + timedelta(days=days)
    with transaction(session):
        if principal.person_id is None:
            raise person_not_found()
        link = ShareLink(
            token_hash=_token_hash(token),
            person_id=principal.person_id,
            extract=extract,
            parameter=parameter,
            passcode_hash=hash_secret(passcode),
            expires_at=expires,
        )
        session.add(link)
        session.flush()
        audit.append(
            session,
            actor=principal.actor,
            action="share_link.created",
            target=f"share_link:{link.id}",
            details={"extract": extract, "parameter": parameter, "days": days},
        )
    return NewShareLink(link.id, token, passcode, expires)


def _check_request(extract: str, parameter: int | None, days: int) -> None:
    if extract not in EXTRACTS:
        raise DomainError(
            "share.extract",
            f"Choose what to share: {', '.join(EXTRACTS)}.",
            f"Hãy chọn nội dung chia sẻ: {', '.join(EXTRACTS)}.",
            field="extract",
        )
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(
            "share.days",
            f"A link lasts 1 to {MAX_DAYS} days.",
            f"Liên kết có hiệu lực từ 1 đến {MAX_DAYS} ngày.",
            field="days",
        )
    if extract == "insured_months" and not (parameter and 1 <= parameter <= 600):
        raise DomainError(
            "share.months",
            "Say how many months of insurance the extract should attest (1–600).",
            "Hãy nêu số tháng tham gia cần xác nhận (1–600).",
            field="parameter",
        )
    if extract == "data_group":
        check_groups([parameter or 0])


def my_links(session: Session, principal: Principal) -> list[ShareLink]:
    require_person(principal)
    return list(
        session.scalars(
            select(ShareLink).where(ShareLink.person_id == principal.person_id).order_by(ShareLink.created_at.desc())
        )
    )


def revoke_link(session: Session, principal: Principal, link_id: int) -> None:
    require_person(principal)
    with transaction(session):
        link = session.get(ShareLink, link_id)
        if link is None or link.person_id != principal.person_id:
            raise NotFound("share.not_found", "No such share link of yours.", "Không có liên kết chia sẻ này.")
        if link.revoked_at is None:
            link.revoked_at = datetime.now(UTC)
            audit.append(session, actor=principal.actor, action="share_link.revoked", target=f"share_link:{link.id}")


def open_link(session: Session, token: str, passcode: str, *, today: date | None = None) -> dict:
    """The extract behind a link, if the link is live and the passcode right; the opening is logged.

    Each guess first takes one of the link's attempts in its own committed write, so parallel guesses cannot all
    be checked: at most MAX_FAILED_PASSCODES wrong passcodes are ever compared, on SQLite as on PostgreSQL."""
    today = today or vietnam_today()
    link_id, passcode_hash = _take_attempt(session, token)
    if not secret_matches(passcode, passcode_hash):
        raise DomainError("share.passcode", "The passcode is not right.", "Mã truy cập không đúng.")
    with transaction(session):
        session.execute(
            update(ShareLink)
            .where(ShareLink.id == link_id)
            .values(failed_passcodes=ShareLink.failed_passcodes - 1, views=ShareLink.views + 1)
        )
        link = session.get(ShareLink, link_id)
        person = session.get(Person, link.person_id)
        extract = _extract(session, person, link, today)
        record_access(
            session,
            person_id=person.id,
            principal=None,
            groups=extract["groups"],
            purpose="CHIASE",
            outcome="allowed",
            channel="share",
            accessor=("share_link", f"Người mở liên kết chia sẻ #{link.id}"),
        )
    return extract


def _take_attempt(session: Session, token: str) -> tuple[int, str]:
    """Count this guess as a failure until it proves right; refuse once the link's attempts are used up."""
    with transaction(session):
        link = session.scalar(select(ShareLink).where(ShareLink.token_hash == _token_hash(token)))
        problem = _link_problem(link)
        if problem:
            raise problem
        taken = session.execute(
            update(ShareLink)
            .where(ShareLink.id == link.id, ShareLink.failed_passcodes < MAX_FAILED_PASSCODES)
            .values(failed_passcodes=ShareLink.failed_passcodes + 1)
        ).rowcount
        if not taken:
            raise _link_problem(None)
        return link.id, link.passcode_hash


def _link_problem(link: ShareLink | None) -> DomainError | None:
    gone = NotFound(
        "share.unavailable",
        "This link does not exist, has expired or was revoked.",
        "Liên kết không tồn tại, đã hết hạn hoặc đã bị thu hồi.",
    )
    if link is None or link.revoked_at is not None or link.failed_passcodes >= MAX_FAILED_PASSCODES:
        return gone
    return gone if link.expires_at <= datetime.now(UTC) else None


def _extract(session: Session, person: Person, link: ShareLink, today: date) -> dict:
    base = {"full_name": person.full_name, "as_of": today.isoformat(), "extract": link.extract}
    if link.extract == "insured_months":
        months = session.scalar(
            select(func.count(func.distinct(ContributionLine.month))).where(
                ContributionLine.person_id == person.id, ContributionLine.status == "paid"
            )
        )
        return {**base, "groups": [4], "months_required": link.parameter, "attested": months >= link.parameter}
    if link.extract == "hi_card_valid":
        card = latest_card(session, person.id)
        valid = bool(card and card.valid_from <= today <= card.valid_to)
        return {**base, "groups": [5], "hi_card_valid": valid, "valid_to": card.valid_to.isoformat() if card else None}
    return {
        **base,
        "groups": [link.parameter],
        "data": person_groups(session, person, [link.parameter])[link.parameter],
    }
