"""Who reviews a dossier: an officer of its authority, with the permission the step needs, never on a
dossier they filed or that concerns them; every officer's read of a person's dossier goes to that person's
access log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.accesslog import record_access
from esibook.access.errors import forbidden
from esibook.access.principal import Principal
from esibook.db import transaction
from esibook.errors import NotFound
from esibook.transactions import registrations
from esibook.transactions.filers import is_filer
from esibook.transactions.models import (
    Dossier,
)

# --- review ------------------------------------------------------------------------------------------------


def require_reviewer(caller: Principal, dossier: Dossier, permission: str) -> None:
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
    if dossier is None or not (is_filer(dossier, caller) or _reviews(caller, dossier)):
        raise NotFound("dossier.not_found", "No such dossier.", "Không có hồ sơ này.")
    if not is_filer(dossier, caller):
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


@dataclass(frozen=True)
class ReviewFlags:
    """What an officer must see first on a dossier: registration conflicts, and whether it is their own case."""

    conflicts: list
    own_case: bool

    @property
    def any(self) -> bool:
        return bool(self.conflicts) or self.own_case


def review_flags(session: Session, caller: Principal, dossier: Dossier) -> ReviewFlags:
    undecided = dossier.status in ("submitted", "needs_info", "resubmitted")
    conflicts = registrations.conflicts_of(session, dossier) if undecided else []
    return ReviewFlags(conflicts, undecided and _concerns(dossier, caller))
