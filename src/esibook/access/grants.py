"""Granting and revoking roles (``role_grants``): officer of one authority with permissions, representative of an
employer, staff of a clinic. What an operator runs (``esibook grants``) to give an installation its first officer
and every one after.

Every input is checked before anything is written, and each grant or revocation is one action with its audit
record (actor ``cli`` or whoever the caller names; target ``role_grant:<id>``, never the personal ID number). The
principal reads a person's active grants on every request (``access.principal.person_principal``), so a grant
counts, and a revoked one stops counting, at the next request of a session already open.

A person holds at most one active officer grant (the principal is officer of one authority: change the
permissions by revoking and granting again), and one active grant per employer or clinic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.authorities import Authority
from esibook.access.models import OFFICER_PERMISSIONS, ROLES, RoleGrant
from esibook.access.reference_rules import REFERENCE_AUTHORITY, REFERENCE_DATA
from esibook.audit import service as audit
from esibook.columns import utcnow
from esibook.db import transaction
from esibook.employers.identifiers import parse_unit_code
from esibook.employers.service import employer_by_unit_code, unit_codes_by_id
from esibook.errors import DomainError, NotFound
from esibook.health.visit_service import clinic_names
from esibook.people.identifiers import parse_personal_id

#: The authority of a clinic's staff: clinics are on the national register Vietnam Social Security keeps.
CLINIC_AUTHORITY = Authority.CIVIL.value


@dataclass(frozen=True)
class GrantRequest:
    """A grant checked and ready to store."""

    personal_id: str
    role: str
    authority: str
    permissions: tuple[str, ...] = ()
    employer_id: int | None = None
    clinic_code: str | None = None


@dataclass(frozen=True)
class ActiveGrant:
    """An active grant as an operator reads it: the employer by its unit code."""

    id: int
    personal_id: str
    role: str
    authority: str
    permissions: tuple[str, ...]
    employer: str | None
    clinic_code: str | None
    created_at: datetime


def add_grant(session: Session, *, personal_id: str, role: str, authority: str | None = None,
              permissions: str = "", employer: str | None = None, clinic: str | None = None,
              actor: str = "cli") -> RoleGrant:
    """Grant a role after checking every input (nothing is written when one is wrong); returns the grant."""
    request = check_request(session, personal_id=personal_id, role=role, authority=authority,
                            permissions=permissions, employer=employer, clinic=clinic)
    with transaction(session):
        _refuse_duplicate(session, request)
        grant = RoleGrant(personal_id=request.personal_id, role=request.role, authority=request.authority,
                          permissions=",".join(request.permissions), employer_id=request.employer_id,
                          clinic_code=request.clinic_code)
        session.add(grant)
        session.flush()
        audit.append(session, actor=actor, action="role_grant.added", target=f"role_grant:{grant.id}",
                     authority=grant.authority, details=_audit_details(grant))
    return grant


def revoke_grant(session: Session, grant_id: int, *, actor: str = "cli") -> RoleGrant:
    """Revoke an active grant: it stops counting at the next request of its holder, signed in or not."""
    with transaction(session):
        grant = session.get(RoleGrant, grant_id)
        if grant is None:
            raise NotFound("grant.unknown", f"there is no role grant {grant_id}", f"không có phân quyền {grant_id}")
        if grant.revoked_at is not None:
            raise DomainError("grant.already_revoked", f"role grant {grant_id} is already revoked",
                              f"phân quyền {grant_id} đã bị thu hồi")
        grant.revoked_at = utcnow()
        audit.append(session, actor=actor, action="role_grant.revoked", target=f"role_grant:{grant.id}",
                     authority=grant.authority, details=_audit_details(grant))
    return grant


def active_grants(session: Session, personal_id: str | None = None) -> list[ActiveGrant]:
    """The active grants, of one person when ``personal_id`` is given, oldest first."""
    query = select(RoleGrant).where(RoleGrant.revoked_at.is_(None)).order_by(RoleGrant.id)
    if personal_id is not None:
        query = query.where(RoleGrant.personal_id == parse_personal_id(personal_id).number)
    grants = list(session.scalars(query))
    unit_codes = unit_codes_by_id(session, (g.employer_id for g in grants if g.employer_id))
    return [
        ActiveGrant(g.id, g.personal_id, g.role, g.authority, _split(g.permissions),
                    unit_codes.get(g.employer_id) if g.employer_id else None, g.clinic_code, g.created_at)
        for g in grants
    ]


# --- checking a request ---------------------------------------------------------------------------------------


def check_request(session: Session, *, personal_id: str, role: str, authority: str | None, permissions: str,
                  employer: str | None, clinic: str | None) -> GrantRequest:
    """The request checked in the order an operator reads the command line; the first problem is raised."""
    number = parse_personal_id(personal_id).number
    role = _role(role)
    _options_fit_role(role, authority, permissions, employer, clinic)
    if role == "officer":
        officer_authority = _authority(authority)
        return GrantRequest(number, role, officer_authority, _permissions(permissions, officer_authority))
    if role == "employer_rep":
        employer_id, employer_authority = _employer(session, employer)
        return GrantRequest(number, role, employer_authority, employer_id=employer_id)
    return GrantRequest(number, role, CLINIC_AUTHORITY, clinic_code=_clinic(session, clinic))


def _role(role: str) -> str:
    if role not in ROLES:
        raise DomainError("grant.role_unknown", f"the role must be one of {', '.join(ROLES)}, not {role[:20]!r}",
                          f"vai trò phải là một trong {', '.join(ROLES)}, không phải {role[:20]!r}")
    return role


def _options_fit_role(role: str, authority: str | None, permissions: str, employer: str | None,
                      clinic: str | None) -> None:
    """Each option belongs to one role: given to another, it is refused rather than ignored."""
    misplaced = [
        ("--authority", authority is not None, "officer"),
        ("--permissions", bool(permissions.strip()), "officer"),
        ("--employer", employer is not None, "employer_rep"),
        ("--clinic", clinic is not None, "clinic"),
    ]
    for option, given, owner in misplaced:
        if given and role != owner:
            raise DomainError("grant.option_not_for_role", f"{option} is only for the role {owner}, not {role}",
                              f"{option} chỉ dùng cho vai trò {owner}, không dùng cho {role}")


def _authority(authority: str | None) -> str:
    names = ", ".join(a.value for a in Authority)
    if authority is None:
        raise DomainError("grant.authority_missing", f"an officer needs --authority ({names})",
                          f"cán bộ cần có --authority ({names})")
    if authority not in {a.value for a in Authority}:
        raise DomainError("grant.authority_unknown", f"the authority must be {names}, not {authority[:20]!r}",
                          f"cơ quan quản lý phải là {names}, không phải {authority[:20]!r}")
    return authority


def _permissions(text: str, authority: str) -> tuple[str, ...]:
    """The officer's permissions, each known, in the order of :data:`OFFICER_PERMISSIONS`."""
    wanted = set(_split(text))
    unknown = sorted(wanted - set(OFFICER_PERMISSIONS))
    if unknown:
        raise DomainError("grant.permission_unknown",
                          f"unknown permission {unknown[0][:30]!r}: use {', '.join(OFFICER_PERMISSIONS)}",
                          f"quyền {unknown[0][:30]!r} không có: dùng {', '.join(OFFICER_PERMISSIONS)}")
    if REFERENCE_DATA in wanted and authority != REFERENCE_AUTHORITY:
        raise DomainError("grant.reference_data_authority",
                          f"{REFERENCE_DATA} is only for officers of the {REFERENCE_AUTHORITY} authority "
                          "(Vietnam Social Security keeps national reference data)",
                          f"quyền {REFERENCE_DATA} chỉ dành cho cán bộ cơ quan {REFERENCE_AUTHORITY} "
                          "(Bảo hiểm xã hội Việt Nam quản lý danh mục dùng chung)")
    return tuple(p for p in OFFICER_PERMISSIONS if p in wanted)


def _employer(session: Session, employer: str | None) -> tuple[int, str]:
    """The employer's id and authority, from its unit code."""
    if employer is None:
        raise DomainError("grant.employer_missing", "an employer representative needs --employer UNIT_CODE",
                          "đại diện đơn vị cần có --employer MÃ_ĐƠN_VỊ")
    found = employer_by_unit_code(session, parse_unit_code(employer))
    if found is None:
        raise DomainError("grant.employer_unknown", f"no employer has the unit code {employer.strip().upper()}",
                          f"không có đơn vị nào mã {employer.strip().upper()}")
    return found.id, found.authority


def _clinic(session: Session, clinic: str | None) -> str:
    if clinic is None:
        raise DomainError("grant.clinic_missing", "clinic staff need --clinic CODE (5 digits, MA_CSKCB)",
                          "nhân viên cơ sở KCB cần có --clinic MÃ (5 chữ số, MA_CSKCB)")
    code = clinic.strip()
    if code not in clinic_names(session, [code]):
        raise DomainError("grant.clinic_unknown", f"{code[:10]!r} is not the code of a clinic in the register",
                          f"{code[:10]!r} không phải mã cơ sở KCB có trong danh mục")
    return code


def _refuse_duplicate(session: Session, request: GrantRequest) -> None:
    """Refuse a second active grant of the same kind: one officer grant a person, one per employer or clinic."""
    query = select(RoleGrant).where(RoleGrant.personal_id == request.personal_id, RoleGrant.role == request.role,
                                    RoleGrant.revoked_at.is_(None))
    if request.role == "employer_rep":
        query = query.where(RoleGrant.employer_id == request.employer_id)
    elif request.role == "clinic":
        query = query.where(RoleGrant.clinic_code == request.clinic_code)
    present = session.scalars(query.limit(1)).first()
    if present is None:
        return
    hint = "; revoke it first to change the authority or permissions" if request.role == "officer" else ""
    raise DomainError("grant.exists", f"this person already holds that role: active grant {present.id}{hint}",
                      f"người này đã có vai trò đó: phân quyền {present.id} đang hiệu lực")


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def _audit_details(grant: RoleGrant) -> dict:
    """What was granted, without the holder's personal ID number (the grant's id leads to it)."""
    return {"role": grant.role, "permissions": list(_split(grant.permissions)), "employer_id": grant.employer_id,
            "clinic_code": grant.clinic_code}
