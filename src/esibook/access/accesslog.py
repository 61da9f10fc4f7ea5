"""The per-person access log: every read of a person's data by someone other than the person."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.access.models import AccessLogEntry
from esibook.access.principal import Principal

PAGE_SIZE = 50


def accessor_label(principal: Principal) -> tuple[str, str]:
    """(kind, label) naming the accessor so the person understands who it was, without a stranger's ID."""
    if principal.kind == "system":
        return "system", principal.name
    if principal.is_officer:
        vi, _ = AUTHORITY_NAMES[Authority(principal.officer_authority)]
        return "officer", f"Cán bộ {vi}: {principal.name}"
    if principal.clinic_codes:
        return "clinic", f"Cơ sở KCB {', '.join(sorted(principal.clinic_codes))}: {principal.name}"
    if principal.employer_ids:
        return "employer", f"Đơn vị sử dụng lao động: {principal.name}"
    return "person", principal.name


def record_access(
    session: Session,
    *,
    person_id: int,
    principal: Principal | None,
    groups: list[int] | str,
    purpose: str,
    outcome: str,
    channel: str,
    accessor: tuple[str, str] | None = None,
    consent_id: int | None = None,
) -> None:
    """Add one entry in the caller's transaction; ``consent_id`` names the consent a read was made under."""
    kind, label = accessor or accessor_label(principal)
    session.add(
        AccessLogEntry(
            person_id=person_id,
            id=secrets.randbits(62),
            at=datetime.now(UTC),
            accessor_kind=kind,
            accessor=label[:200],
            groups=groups if isinstance(groups, str) else ",".join(map(str, groups)),
            purpose=purpose[:40],
            outcome=outcome,
            channel=channel,
            consent_id=consent_id,
        )
    )


def accesses_of(session: Session, person_id: int, *, limit: int = PAGE_SIZE) -> list[AccessLogEntry]:
    return list(
        session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.person_id == person_id)
            .order_by(AccessLogEntry.at.desc())
            .limit(limit)
        )
    )
