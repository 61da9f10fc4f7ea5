"""SI offices and collection agents (cơ quan BHXH, đại lý thu): reference data shipped as dated JSON files
(``data/si_offices.<valid_from>.json``), each naming its ``source`` and whether it is demo-sized. The file in force
on a day is the one with the latest ``valid_from`` on or before it. No personal data: offices and agents only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from esibook.errors import DomainError, NotFound
from esibook.health.clinics import MAX_QUERY, check_paging, check_province
from esibook.people.identifiers import PROVINCES
from esibook.people.names import match_rank, search_key, search_terms

KINDS = ("office", "agent")
#: Added to the rank of a match that needs the address: any match in the name comes first.
ADDRESS_PENALTY = 10


@dataclass(frozen=True)
class Office:
    code: str
    kind: str
    """``office`` (cơ quan BHXH) or ``agent`` (đại lý thu)."""
    name: str
    province_code: str
    address: str
    phone: str | None
    opening_hours: dict | None
    """``{"vi": ..., "en": ...}`` where known, else None."""
    parent: str | None
    """The office above (an agent's office, a grassroots office's provincial one)."""

    @property
    def province(self) -> str:
        return PROVINCES.get(self.province_code, self.province_code)

    @property
    def key(self) -> str:
        return search_key(f"{self.name} {self.address}")

    def rank(self, terms: tuple[str, ...]) -> int | None:
        """A match in the name ranks above one that needs the address (each ranked by :func:`match_rank`)."""
        in_name = match_rank(search_key(self.name), terms)
        if in_name is not None:
            return in_name
        anywhere = match_rank(self.key, terms)
        return None if anywhere is None else ADDRESS_PENALTY + anywhere

    def as_dict(self) -> dict:
        return {**self.__dict__, "province": self.province}


@dataclass(frozen=True)
class OfficeList:
    valid_from: date
    source: str
    demo_sized: bool
    offices: tuple[Office, ...]


@dataclass(frozen=True)
class OfficePage:
    items: list[Office]
    total: int
    page: int
    per_page: int
    valid_from: date
    source: str
    demo_sized: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@cache
def _lists() -> tuple[OfficeList, ...]:
    """Every dated file, oldest first."""
    folder = resources.files("esibook.lookups") / "data"
    found = []
    for item in folder.iterdir():
        if item.name.startswith("si_offices.") and item.name.endswith(".json"):
            raw = json.loads(item.read_text(encoding="utf-8"))
            found.append(OfficeList(
                valid_from=date.fromisoformat(raw["valid_from"]),
                source=raw["source"],
                demo_sized=bool(raw.get("demo_sized")),
                offices=tuple(Office(**row) for row in raw["offices"]),
            ))
    return tuple(sorted(found, key=lambda f: f.valid_from))


def office_list(on: date) -> OfficeList:
    """The list in force on ``on``."""
    in_force = [f for f in _lists() if f.valid_from <= on]
    if not in_force:
        raise NotFound("lookups.no_office_list", f"no list of SI offices is in force on {on}",
                       f"không có danh sách cơ quan BHXH áp dụng ngày {on}")
    return in_force[-1]


def search_offices(
    on: date, *, query: str = "", province: str | None = None, kind: str | None = None, page: int = 1,
    per_page: int = 20,
) -> OfficePage:
    """One page of the offices and agents matching ``query`` (name or address words, accents optional)."""
    if len(query) > MAX_QUERY:
        raise DomainError("lookups.query", f"the search is longer than {MAX_QUERY} characters",
                          f"nội dung tìm dài quá {MAX_QUERY} ký tự", field="q")
    if kind and kind not in KINDS:
        raise DomainError("lookups.kind", "kind is office or agent", "loại là office hoặc agent", field="kind")
    check_paging(page, per_page)
    chosen = office_list(on)
    where_province = check_province(province)
    rows = [o for o in chosen.offices
            if (not where_province or o.province_code == where_province) and (not kind or o.kind == kind)]
    terms = search_terms(query)
    if terms:
        ranked = ((o.rank(terms), o.key, o) for o in rows)
        rows = [o for rank, _, o in sorted((r for r in ranked if r[0] is not None), key=lambda r: r[:2])]
    else:
        rows.sort(key=lambda o: (o.province_code, o.parent is not None, o.kind, o.key))
    start = (page - 1) * per_page
    return OfficePage(rows[start:start + per_page], len(rows), page, per_page, chosen.valid_from, chosen.source,
                      chosen.demo_sized)
