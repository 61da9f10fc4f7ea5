"""Storing the national register of HI clinics, all or nothing (one action, written in batches).

A register with any rejected row writes nothing. Otherwise every clinic is upserted by its code (name, province,
level, address, initial registrations, ``name_key``); a clinic of the table that the register leaves out is
**kept** (visits and cards name it) but marked ``in_register = false`` and no longer takes initial registrations.
Each import leaves a :class:`ClinicRegisterImport` row (the public lookup shows its date and source) and an audit
record with the counts and the file's SHA-256, in the same transaction. No personal data is involved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.db import transaction, within_action
from esibook.health.clinic_register import Register, RegisterClinic, RejectedRow, parse_register
from esibook.health.models import Clinic, ClinicRegisterImport
from esibook.people.names import search_key

BATCH = 500
MAX_SOURCE = 200
FIELDS = ("name", "province_code", "level", "address", "accepts_initial_registration")
Progress = Callable[[int, int], None]


@dataclass
class RegisterImport:
    """What an import did (or, on a dry run or with rejected rows, would have done)."""

    as_of: date
    source: str
    sha256: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    written: bool = False
    import_id: int | None = None

    def summary(self) -> str:
        return (f"{self.rows} clinics in the register as of {self.as_of.isoformat()}: {self.added} added, "
                f"{self.updated} updated, {self.unchanged} unchanged, {self.withdrawn} no longer in the register, "
                f"{len(self.rejected)} rows rejected")


@dataclass
class Plan:
    new: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    unchanged: int = 0


def import_register(
    session: Session,
    data: bytes,
    *,
    as_of: date,
    source: str,
    actor: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RegisterImport:
    """Check a register file and, when every row is accepted and this is no dry run, store it."""
    register, report = _checked(data, as_of, source)
    if register.rejected:
        return report
    if dry_run:
        _count(report, plan_changes(session, register))
        return report
    with transaction(session):
        _write(session, register, report, actor, progress)
    return report


def store_register(session: Session, data: bytes, *, as_of: date, source: str, actor: str) -> RegisterImport:
    """Inside the caller's action: check and store a register (the officer's confirmed upload). A register with a
    rejected row writes nothing (the report lists them)."""
    within_action(session)
    register, report = _checked(data, as_of, source)
    if not register.rejected:
        _write(session, register, report, actor, None)
    return report


def _checked(data: bytes, as_of: date, source: str) -> tuple[Register, RegisterImport]:
    register = parse_register(data)
    report = RegisterImport(as_of, source.strip()[:MAX_SOURCE], hashlib.sha256(data).hexdigest(),
                            rows=len(register.clinics), rejected=register.rejected)
    return register, report


def _write(session: Session, register: Register, report: RegisterImport, actor: str,
           progress: Progress | None) -> None:
    plan = plan_changes(session, register)
    _count(report, plan)
    _store(session, plan, report, actor, progress or (lambda done, total: None))
    report.written = True


def _count(report: RegisterImport, plan: Plan) -> None:
    report.added, report.updated = len(plan.new), len(plan.changed)
    report.unchanged, report.withdrawn = plan.unchanged, len(plan.withdrawn)


def plan_changes(session: Session, register: Register) -> Plan:
    """What storing the register changes: new clinics, changed ones, and those it leaves out."""
    stored = {c.code: c for c in session.scalars(select(Clinic))}
    plan = Plan()
    for clinic in register.clinics:
        values = _values(clinic)
        known = stored.pop(clinic.code, None)
        if known is None:
            plan.new.append(values)
        elif known.in_register and all(getattr(known, name) == values[name] for name in (*FIELDS, "name_key")):
            plan.unchanged += 1
        else:
            plan.changed.append({"id": known.id, **values})
    plan.withdrawn = [c.id for c in stored.values() if c.in_register or c.accepts_initial_registration]
    return plan


def _values(clinic: RegisterClinic) -> dict:
    values = {name: getattr(clinic, name) for name in FIELDS}
    return {"code": clinic.code, **values, "name_key": search_key(clinic.name), "in_register": True}


def _store(session: Session, plan: Plan, report: RegisterImport, actor: str, progress: Progress) -> None:
    """Inside the caller's action: the batches, then the import's record and audit row."""
    within_action(session)
    total, done = len(plan.new) + len(plan.changed) + len(plan.withdrawn), 0
    progress(done, total)
    for rows, write in ((plan.new, _insert), (plan.changed, _update), (plan.withdrawn, _withdraw)):
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            write(session, batch)
            done += len(batch)
            progress(done, total)
    _record(session, report, actor)


def _insert(session: Session, rows: list[dict]) -> None:
    session.execute(insert(Clinic), rows)


def _update(session: Session, rows: list[dict]) -> None:
    session.execute(update(Clinic), rows)


def _withdraw(session: Session, ids: list[int]) -> None:
    session.execute(update(Clinic).where(Clinic.id.in_(ids)).values(in_register=False,
                                                                     accepts_initial_registration=False))


def _record(session: Session, report: RegisterImport, actor: str) -> None:
    counts = {"rows": report.rows, "added": report.added, "updated": report.updated, "withdrawn": report.withdrawn}
    row = ClinicRegisterImport(as_of=report.as_of, source=report.source, sha256=report.sha256, imported_by=actor,
                               **counts)
    session.add(row)
    session.flush()
    report.import_id = row.id
    audit.append(
        session,
        actor=actor,
        action="clinics.register_imported",
        target="clinics:register",
        details={**counts, "unchanged": report.unchanged, "as_of": report.as_of.isoformat(),
                 "source": report.source, "sha256": report.sha256},
    )


@dataclass(frozen=True)
class RegisterEdition:
    """The register the clinics table was last filled from: shown by the public lookup."""

    as_of: date
    source: str
    imported_at: str

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "source": self.source, "imported_at": self.imported_at}


def latest_register(session: Session) -> RegisterEdition | None:
    """The latest import of the national register, or None when the table holds only demo rows."""
    row = session.scalar(select(ClinicRegisterImport).order_by(ClinicRegisterImport.id.desc()).limit(1))
    if row is None:
        return None
    return RegisterEdition(row.as_of, row.source, row.imported_at.isoformat(timespec="seconds"))
