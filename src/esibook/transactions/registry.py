"""What a procedure is: who files it, its form, what the databases pre-fill, how long it may take and what
approval produces. Each procedure is declared, by keyword, in the module of its domain (employment, citizen
procedures, household, merging, claims); :mod:`esibook.transactions.procedures` lists them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.orm import Session

from esibook.employers.models import Employer


@dataclass(frozen=True)
class AttachmentRule:
    """Which scans a procedure needs: only what no database holds."""

    vi: str
    en: str
    required: bool


@dataclass(frozen=True, kw_only=True)
class Procedure:
    """A procedure, declared once, by keyword: ``Procedure(code=..., filer=..., form=..., prepare=..., ...)``."""

    code: str
    name_vi: str
    name_en: str
    filer: str
    """``employer``, ``citizen`` or ``officer``."""
    form: type[BaseModel]
    service_days: int
    """The time limit in working days (thời hạn giải quyết)."""
    result_vi: str
    prepare: Callable[[Session, Employer, BaseModel], dict]
    """Validate against the databases and return the form as filed, pre-filled."""
    approve: Callable[[Session, Employer, dict], list[int]]
    """Apply the approved dossier; returns the ids of the persons whose records changed."""
    attachments: AttachmentRule | None = None
    """None: the databases hold everything, and no scan is accepted."""
    resolve: Callable[[Session, Employer, dict, dict], dict] | None = None
    """The officer's decision at approval (which overlapping periods to keep, the periods read from a scan),
    checked and added to the form."""
    results: Callable | None = None
    """Extra result documents (e.g. a printout PDF): ``(session, settings, caller, person) -> [document]``."""
    converts_attachments: bool = False
    """Approval converts the filed scans into the person's repository first (their ids go into the form)."""
