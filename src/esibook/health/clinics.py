"""Finding a clinic (tra cứu cơ sở khám chữa bệnh): by name with accents or without, province and level, a page at
a time. Clinics are no personal data: anyone may search them.

The name is matched through its key (``clinics.name_key``, see :func:`~esibook.people.names.search_key`):
SQL keeps the rows holding every word of the query (filtered first by the indexed province and level) and orders
them by :func:`rank_sql`, the SQL form of :func:`~esibook.people.names.match_rank` (exact name, name's start, a
word's start, every word at a word's start, anywhere); only the page asked for is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from esibook.errors import DomainError
from esibook.health.models import CLINIC_LEVELS, Clinic
from esibook.people.identifiers import PROVINCES
from esibook.people.names import (
    RANK_CONTAINS,
    RANK_EXACT,
    RANK_PREFIX,
    RANK_WORD_PREFIX,
    RANK_WORDS,
    search_terms,
)

MAX_PER_PAGE = 100
MAX_QUERY = 100
#: The order of levels in a list without a query: the hospital levels from the top, then private clinics.
LEVEL_ORDER = {level: n for n, level in enumerate(CLINIC_LEVELS)}


@dataclass(frozen=True)
class ClinicRow:
    code: str
    name: str
    province_code: str
    province: str
    level: str
    address: str | None
    accepts_initial_registration: bool
    in_register: bool = True
    """False when the latest national register left it out (kept for the visits and cards that name it)."""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ClinicPage:
    items: list[ClinicRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def check_province(province: str | None) -> str | None:
    """The 3-digit province code (``"001"``; ``"01"`` and ``"1"`` are read the same), or None for all provinces."""
    if not province:
        return None
    if province.isascii() and province.isdigit() and len(province) <= 3 and province.zfill(3) in PROVINCES:
        return province.zfill(3)
    raise DomainError(
        "lookups.province", f"{province[:10]!r} is not a province code", f"{province[:10]!r} không phải mã tỉnh",
        field="province",
    )


def check_paging(page: int, per_page: int) -> None:
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise DomainError(
            "lookups.paging",
            f"page starts at 1 and per_page is 1 to {MAX_PER_PAGE}",
            f"trang bắt đầu từ 1 và số dòng mỗi trang từ 1 đến {MAX_PER_PAGE}",
            field="page",
        )


def _check(query: str, level: str | None) -> None:
    if len(query) > MAX_QUERY:
        raise DomainError("lookups.query", f"the search is longer than {MAX_QUERY} characters",
                          f"nội dung tìm dài quá {MAX_QUERY} ký tự", field="q")
    if level and level not in CLINIC_LEVELS:
        raise DomainError("lookups.level", f"the level is one of {', '.join(CLINIC_LEVELS)}",
                          f"tuyến là một trong {', '.join(CLINIC_LEVELS)}", field="level")


def search_clinics(
    session: Session,
    *,
    query: str = "",
    province: str | None = None,
    level: str | None = None,
    initial_only: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> ClinicPage:
    """One page of the clinics matching ``query`` (name words or a code prefix) in ``province`` at ``level``."""
    _check(query, level)
    check_paging(page, per_page)
    where = [Clinic.province_code == p] if (p := check_province(province)) else []
    if level:
        where.append(Clinic.level == level)
    if initial_only:
        where.append(Clinic.accepts_initial_registration.is_(True))
    terms = search_terms(query)
    if not terms:
        return _unranked(session, where, page, per_page)
    return _ranked(session, where, terms, page, per_page)


def _unranked(session: Session, where: list, page: int, per_page: int) -> ClinicPage:
    total = session.scalar(select(func.count()).select_from(Clinic).where(*where)) or 0
    rows = session.scalars(
        select(Clinic).where(*where).order_by(Clinic.province_code, Clinic.name_key, Clinic.code)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return ClinicPage([_row(c) for c in rows], total, page, per_page)


def _ranked(session: Session, where: list, terms: tuple[str, ...], page: int, per_page: int) -> ClinicPage:
    code = terms[0] if len(terms) == 1 and terms[0].isdigit() else None
    if code:
        where.append(Clinic.code.startswith(code, autoescape=True))
    else:
        where.extend(Clinic.name_key.contains(term, autoescape=True) for term in terms)
    total = session.scalar(select(func.count()).select_from(Clinic).where(*where)) or 0
    order = () if code else (rank_sql(terms),)
    rows = session.scalars(
        select(Clinic).where(*where).order_by(*order, Clinic.name_key, Clinic.code)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return ClinicPage([_row(c) for c in rows], total, page, per_page)


def rank_sql(terms: tuple[str, ...]):
    """:func:`~esibook.people.names.match_rank` as a SQL expression over ``clinics.name_key`` (the same word
    boundaries: a key is words one space apart), so only the page asked for leaves the database."""
    key, phrase = Clinic.name_key, " ".join(terms)

    def at_word(text: str):
        return or_(key.startswith(text, autoescape=True), key.contains(f" {text}", autoescape=True))

    return case(
        (key == phrase, RANK_EXACT),
        (key.startswith(phrase, autoescape=True), RANK_PREFIX),
        (key.contains(f" {phrase}", autoescape=True), RANK_WORD_PREFIX),
        (and_(*(at_word(term) for term in terms)), RANK_WORDS),
        else_=RANK_CONTAINS,
    )


def _row(clinic: Clinic) -> ClinicRow:
    return ClinicRow(
        code=clinic.code,
        name=clinic.name,
        province_code=clinic.province_code,
        province=PROVINCES.get(clinic.province_code, clinic.province_code),
        level=clinic.level,
        address=clinic.address,
        accepts_initial_registration=clinic.accepts_initial_registration,
        in_register=clinic.in_register,
    )


def initial_registration_choices(session: Session, card_province: str) -> list[ClinicRow]:
    """The clinics a card of ``card_province`` (2 digits, as on the card) may choose for initial care, by name."""
    province = f"0{card_province}" if len(card_province) == 2 else card_province
    rows = session.scalars(
        select(Clinic)
        .where(Clinic.province_code == province, Clinic.accepts_initial_registration.is_(True))
        .order_by(Clinic.name_key, Clinic.code)
    ).all()
    return [_row(c) for c in rows]
