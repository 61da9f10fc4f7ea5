"""Who is calling: a person signed in through VNeID (with grants esibook keeps) or an external system."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, and_, bindparam, select
from sqlalchemy.orm import Session

from esibook.access.models import ApiClient, RoleGrant
from esibook.db import DriverRead
from esibook.people.identifiers import mask_personal_id
from esibook.people.models import Person


@dataclass(frozen=True)
class Identity:
    """What the identity provider vouches for: subject, personal ID number, name and assurance level."""

    subject: str
    personal_id: str
    name: str
    level: int

    def as_dict(self) -> dict:
        return {"subject": self.subject, "personal_id": self.personal_id, "name": self.name, "level": self.level}


@dataclass(frozen=True)
class Principal:
    kind: str
    """``person`` (signed in with VNeID) or ``system`` (OAuth2 client credentials)."""
    subject: str
    name: str
    personal_id: str | None = None
    person_id: int | None = None
    level: int = 0
    officer_authority: str | None = None
    officer_permissions: frozenset[str] = frozenset()
    employer_ids: frozenset[int] = frozenset()
    clinic_codes: frozenset[str] = frozenset()
    client_groups: frozenset[int] = frozenset()
    client_purposes: frozenset[str] = frozenset()
    client_authority: str | None = None
    roles: tuple[str, ...] = field(default=())

    @property
    def is_officer(self) -> bool:
        return self.officer_authority is not None

    @property
    def actor(self) -> str:
        """How the audit log names the caller, without personal data in clear."""
        if self.kind == "system":
            return f"system:{self.subject}"
        return f"person:{mask_personal_id(self.personal_id or '')}"


def _caller_statement():
    """The caller's record id and active grants in one query: a row per grant, or one row of NULL grant columns
    (the key row stands in for a caller who has no record but holds grants). Built once, compiled once."""
    persons, grants = Person.__table__, RoleGrant.__table__
    key = select(bindparam("personal_id", type_=String(12)).label("personal_id")).subquery("caller")
    return (
        select(persons.c.id, grants.c.role, grants.c.authority, grants.c.permissions, grants.c.employer_id,
               grants.c.clinic_code)
        .select_from(key)
        .outerjoin(persons, persons.c.personal_id == key.c.personal_id)
        .outerjoin(grants, and_(grants.c.personal_id == key.c.personal_id, grants.c.revoked_at.is_(None)))
    )


CALLER = DriverRead(_caller_statement())


def person_principal(session: Session, identity: Identity) -> Principal:
    """Combine the identity with the person's record id and active grants, read fresh on every request (so a
    revoked grant counts no more at once), in one query. The record itself is loaded only by a route that reads it
    (``policy.own_person``)."""
    return principal_of(identity, CALLER.all(session, {"personal_id": identity.personal_id}))


def principal_of(identity: Identity, rows: list) -> Principal:
    """The person principal from the rows of :data:`CALLER`, however they were read (a session, or the loop)."""
    person_id = rows[0][0] if rows else None
    grants = [row for row in rows if row.role is not None]
    if identity.level < 2:
        grants = []  # roles act on other persons' data: they count only at VNeID level 2
    officer = next((g for g in grants if g.role == "officer"), None)
    return Principal(
        kind="person",
        subject=identity.subject,
        name=identity.name,
        personal_id=identity.personal_id,
        person_id=person_id,
        level=identity.level,
        officer_authority=officer.authority if officer else None,
        officer_permissions=frozenset(p for p in (officer.permissions if officer else "").split(",") if p),
        employer_ids=frozenset(g.employer_id for g in grants if g.role == "employer_rep" and g.employer_id),
        clinic_codes=frozenset(g.clinic_code for g in grants if g.role == "clinic" and g.clinic_code),
        roles=tuple(sorted({"citizen", *(g.role for g in grants)})),
    )


def system_principal(client: ApiClient) -> Principal:
    return Principal(
        kind="system",
        subject=client.client_id,
        name=client.name,
        client_groups=frozenset(int(g) for g in client.groups.split(",") if g),
        client_purposes=frozenset(p for p in client.purposes.split(",") if p),
        client_authority=client.authority,
        roles=("system",),
    )
