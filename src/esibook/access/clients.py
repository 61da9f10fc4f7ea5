"""Registering connected systems: which data groups, which purposes, which authority's persons."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session

from esibook.access.authorities import Authority
from esibook.access.guards import check_groups
from esibook.access.models import ApiClient
from esibook.access.purposes import check_purpose
from esibook.access.tokens import hash_secret
from esibook.audit import service as audit
from esibook.db import transaction
from esibook.errors import DomainError

DEMO_CLIENT_ID = "demo-hospital"
#: A demo bank that reads salaries for credit, only under the person's consent (access/consent.py).
DEMO_BANK_ID = "demo-bank"
_CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9-]{2,63}")


def register_client(
    session: Session, *, name: str, groups: str, purposes: str, authority: str = "civil", client_id: str | None = None
) -> tuple[str, str]:
    """Create the client; returns (client_id, secret). Only a hash of the secret is kept."""
    group_list = check_groups([_int(g) for g in groups.split(",") if g.strip()])
    purpose_list = [check_purpose(p.strip()) for p in purposes.split(",") if p.strip()]
    if not purpose_list:
        check_purpose(None)
    if authority not in {a.value for a in Authority}:
        raise DomainError(
            "client.authority",
            "authority must be civil, defence or security",
            "cơ quan quản lý phải là civil, defence hoặc security",
        )
    client_id = client_id or f"sys-{secrets.token_hex(6)}"
    if not _CLIENT_ID.fullmatch(client_id):
        raise DomainError(
            "client.id",
            "a client id is 3–64 lower-case letters, digits and hyphens",
            "mã hệ thống gồm 3–64 chữ thường, chữ số và dấu gạch ngang",
        )
    secret = secrets.token_urlsafe(32)
    with transaction(session):
        if session.get(ApiClient, client_id):
            raise DomainError("client.exists", f"client {client_id} already exists", f"hệ thống {client_id} đã có")
        session.add(
            ApiClient(
                client_id=client_id,
                name=name,
                secret_hash=hash_secret(secret),
                groups=",".join(map(str, group_list)),
                purposes=",".join(purpose_list),
                authority=authority,
            )
        )
        audit.append(
            session,
            actor="operator",
            action="client.registered",
            target=f"client:{client_id}",
            authority=authority,
            details={"groups": list(group_list), "purposes": purpose_list},
        )
    return client_id, secret


def reset_client_secret(session: Session, client_id: str) -> str:
    """A new secret for an existing client (the old one stops working); returns it. Only its hash is kept."""
    secret = secrets.token_urlsafe(32)
    with transaction(session):
        client = session.get(ApiClient, client_id)
        if client is None:
            raise DomainError("client.unknown", f"no client {client_id}", f"không có hệ thống {client_id}")
        client.secret_hash = hash_secret(secret)
        audit.append(
            session, actor="operator", action="client.secret_reset", target=f"client:{client_id}",
            authority=client.authority, details={},
        )
    return secret


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError as error:
        raise DomainError(
            "access.group_unknown",
            f"'{text}' is not a data group number (1–7)",
            f"'{text}' không phải số nhóm dữ liệu (1–7)",
        ) from error
