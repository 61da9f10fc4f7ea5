"""Personal ID numbers in the audit chain: every test database is checked for them when the session ends."""

from __future__ import annotations

import re

from sqlalchemy import Engine, inspect, text

from esibook.errors import DomainError
from esibook.people.identifiers import mask_personal_id, parse_personal_id

#: Twelve digits standing alone (not inside a hash, a code or a longer number).
TWELVE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")
ID_COLUMNS = (("persons", "personal_id"), ("role_grants", "personal_id"), ("population_records", "personal_id"))


def personal_ids_in_audit(engine: Engine) -> list[str]:
    """Each audit record whose actor, target or details holds a personal ID number: one of the persons, grants or
    population records of this database, or any well-formed one."""
    tables = set(inspect(engine).get_table_names())
    if "audit_log" not in tables:
        return []
    with engine.connect() as connection:
        known = set()
        for table, column in ID_COLUMNS:
            if table in tables:
                known |= set(connection.scalars(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")))
        rows = connection.execute(text("SELECT seq, action, actor, target, details FROM audit_log ORDER BY seq"))
        found = []
        for seq, action, *values in rows:
            for name, value in zip(("actor", "target", "details"), values, strict=True):
                for number in TWELVE_DIGITS.findall(value or ""):
                    if number in known or _well_formed(number):
                        found.append(f"record {seq} ({action}) has {mask_personal_id(number)} in its {name}")
    return found


def _well_formed(number: str) -> bool:
    try:
        parse_personal_id(number)
    except DomainError:
        return False
    return True
