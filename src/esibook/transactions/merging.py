"""Two procedures that bring older records into one book, each needing an officer's decision at approval:

- **Merge duplicate books** (gộp sổ BHXH): a person who once got a second SI code names it; its record (a legacy
  code never linked to a personal ID) must be theirs by name and date of birth. Its periods that overlap the book's
  are shown to the officer, who decides which to keep (two jobs at once) and which are the same job twice. The
  duplicate's record is kept, marked as merged, never deleted.
- **Add periods from an old paper book** (bổ sung quá trình từ sổ giấy): no database holds them, so a scan of the
  paper book is required. The officer reads it beside the dossier, enters the periods, and approval converts the
  scan (signed, *converted from paper*); each period carries that provenance and the converted document's id.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased

from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.db import last_seq
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.money import parse_vnd
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.periods import FIRST_LEGACY_MONTH, Month
from esibook.transactions import registrations
from esibook.transactions.registry import AttachmentRule, Procedure

MAX_PAPER_PERIODS = 40


def _refuse(code: str, en: str, vi: str, field: str) -> DomainError:
    return DomainError(code, en, vi, field=field)


class BookMerge(BaseModel):
    """Gộp sổ: the other SI code (10 digits) printed on the second book."""

    other_si_code: str = Field(min_length=10, max_length=10)


def _period_view(period: ParticipationPeriod, units: dict[int, Employer]) -> dict:
    employer = units.get(period.employer_id)
    return {
        "seq": period.seq,
        "from": str(Month.from_int(period.from_month)),
        "to": str(Month.from_int(period.to_month)) if period.to_month else None,
        "employer": f"{employer.unit_code} {employer.name}" if employer else "—",
        "salary_basis": period.salary_basis,
    }


def _periods(session: Session, person_id: int) -> list[ParticipationPeriod]:
    return list(
        session.scalars(
            select(ParticipationPeriod)
            .where(ParticipationPeriod.person_id == person_id)
            .order_by(ParticipationPeriod.from_month, ParticipationPeriod.seq)
        )
    )


def _overlap(a: ParticipationPeriod, b: ParticipationPeriod) -> bool:
    now = Month.from_date(vietnam_today()).as_int()
    return a.from_month <= (b.to_month or now) and b.from_month <= (a.to_month or now)


def prepare_merge(session: Session, person: Person, form: BookMerge) -> dict:
    code = form.other_si_code.strip()
    if not re.fullmatch(r"\d{10}", code, re.ASCII):
        raise _refuse("dossier.si_code", "an SI code has 10 digits", "mã số BHXH gồm 10 chữ số", "other_si_code")
    if code == person.si_code_legacy:
        raise _refuse(
            "dossier.own_code", "that is the code of this book", "đây là mã số của chính sổ này", "other_si_code"
        )
    duplicate = session.scalar(select(Person).where(Person.si_code_legacy == code))
    if duplicate is None or duplicate.merged_into_id is not None:
        raise _refuse(
            "dossier.duplicate_not_found",
            f"no unmerged book with code {code} is in the database; for an old paper book, file "
            "'Add periods from an old paper book' with its scan",
            f"không có sổ chưa gộp mang mã {code} trong cơ sở dữ liệu; với sổ giấy cũ, hãy nộp "
            "'Bổ sung quá trình từ sổ BHXH giấy' kèm bản quét",
            "other_si_code",
        )
    if (
        duplicate.personal_id
        or fold_name(duplicate.full_name) != fold_name(person.full_name)
        or (duplicate.date_of_birth != person.date_of_birth)
    ):
        raise _refuse(
            "dossier.not_your_book",
            f"the book with code {code} is another person's (name or date of birth differ)",
            f"sổ mang mã {code} là của người khác (họ tên hoặc ngày sinh khác)",
            "other_si_code",
        )
    units = _units(session, [person.id, duplicate.id])
    mine, theirs = _periods(session, person.id), _periods(session, duplicate.id)
    overlaps = [
        {"duplicate_seq": d.seq, "period": _period_view(d, units), "overlaps": _period_view(m, units)}
        for d in theirs
        for m in mine
        if _overlap(d, m)
    ]
    return {
        "other_si_code": code,
        "duplicate_person_id": duplicate.id,
        "duplicate_periods": [_period_view(d, units) for d in theirs],
        "overlaps": overlaps,
    }


def _overlap_pairs(session: Session, person_id: int, duplicate_id: int) -> set[tuple[int, int]]:
    mine, theirs = _periods(session, person_id), _periods(session, duplicate_id)
    return {(d.seq, m.seq) for d in theirs for m in mine if _overlap(d, m)}


def _units(session: Session, person_ids: list[int]) -> dict[int, Employer]:
    ids = select(ParticipationPeriod.employer_id).where(ParticipationPeriod.person_id.in_(person_ids))
    return {e.id: e for e in session.scalars(select(Employer).where(Employer.id.in_(ids)))}


def resolve_merge(session: Session, person: Person, form: dict, resolution: dict) -> dict:
    """The officer decides each overlapping period of the duplicate: keep it (a second job at the same time) or
    leave it out (the same job recorded twice). The overlaps are found again now: if the books changed since filing,
    the officer decided on a stale list, so the filer is asked to file again."""
    now = _overlap_pairs(session, person.id, form["duplicate_person_id"])
    if now != {(o["duplicate_seq"], o["overlaps"]["seq"]) for o in form["overlaps"]}:
        raise _refuse(
            "dossier.overlaps_changed",
            "the periods of these books changed since filing: ask the filer to file again",
            "quá trình tham gia đã thay đổi sau khi nộp: đề nghị người nộp nộp lại",
            "keep",
        )
    overlapping = {o["duplicate_seq"] for o in form["overlaps"]}
    if not overlapping:
        return {**form, "keep": []}
    if "keep" not in resolution:
        raise _refuse(
            "dossier.resolution_required",
            "the periods overlap: say which of the duplicate's overlapping periods to keep (maybe none)",
            "các quá trình bị trùng: hãy chọn giữ lại quá trình nào của sổ trùng (có thể không giữ)",
            "keep",
        )
    try:
        keep = {int(seq) for seq in resolution["keep"]}
    except (TypeError, ValueError) as error:
        raise _refuse(
            "dossier.resolution", "keep is a list of period numbers", "hãy chọn số thứ tự quá trình", "keep"
        ) from error
    if not keep <= overlapping:
        raise _refuse("dossier.resolution", "keep only overlapping periods", "chỉ chọn các quá trình bị trùng", "keep")
    _not_open_twice(session, person.id, form["duplicate_person_id"], keep)
    return {**form, "keep": sorted(keep)}


def _not_open_twice(session: Session, person_id: int, duplicate_id: int, keep: set[int]) -> None:
    """Two periods still open at the same employer are one job recorded twice, never two jobs: not kept."""
    open_here = {p.employer_id for p in _periods(session, person_id) if p.to_month is None}
    kept = [p for p in _periods(session, duplicate_id) if p.seq in keep]
    if any(p.to_month is None and p.employer_id in open_here for p in kept):
        raise _refuse(
            "registration.already_employed",
            "a period still open at an employer where the book has an open period is the same job: do not keep it",
            "quá trình đang mở tại đơn vị mà sổ đang tham gia là cùng một công việc: không giữ lại",
            "keep",
        )


def approve_merge(session: Session, person: Person, form: dict) -> list[int]:
    with registrations.one_open_period():  # a registration approved meanwhile at the same employer
        return _merge(session, person, form)


def _merge(session: Session, person: Person, form: dict) -> list[int]:
    """Move the duplicate's periods (those not overlapping, and the overlapping ones kept) and their months into
    the book; a month already in the book for the same employer stays as it is."""
    duplicate = session.get(Person, form["duplicate_person_id"], with_for_update=True)
    if duplicate.merged_into_id is not None:
        raise _refuse(
            "dossier.already_merged",
            "that book was merged meanwhile",
            "sổ đó đã được gộp trong thời gian xử lý",
            "other_si_code",
        )
    overlapping = {o["duplicate_seq"] for o in form["overlaps"]} - set(form.get("keep", []))
    next_seq = last_seq(session, ParticipationPeriod.seq, ParticipationPeriod.person_id, person.id)
    for period in _periods(session, duplicate.id):
        if period.seq in overlapping:
            continue
        next_seq += 1
        _move_lines(session, duplicate.id, person.id, period)
        session.execute(
            update(ParticipationPeriod)
            .where(ParticipationPeriod.person_id == duplicate.id, ParticipationPeriod.seq == period.seq)
            .values(person_id=person.id, seq=next_seq)
        )
    duplicate.merged_into_id = person.id
    session.flush()
    session.expire_all()  # the periods and lines moved in SQL
    return [person.id]


def _move_lines(session: Session, from_id: int, to_id: int, period: ParticipationPeriod) -> None:
    already = aliased(ContributionLine)
    session.execute(
        update(ContributionLine)
        .where(
            ContributionLine.person_id == from_id,
            ContributionLine.employer_id == period.employer_id,
            ContributionLine.month >= period.from_month,
            ContributionLine.month <= (period.to_month or 999912),
            ~exists().where(
                and_(
                    already.person_id == to_id,
                    already.month == ContributionLine.month,
                    already.employer_id == ContributionLine.employer_id,
                )
            ),
        )
        .values(person_id=to_id),
        execution_options={"synchronize_session": False},
    )


class PaperBookPeriods(BaseModel):
    """Bổ sung quá trình từ sổ BHXH giấy: the old book's number if known; its scan is attached."""

    book_number: str | None = Field(None, max_length=20)
    note: str | None = Field(None, max_length=300)


def prepare_paper_book(session: Session, person: Person, form: PaperBookPeriods) -> dict:
    return {"book_number": (form.book_number or "").strip() or None, "note": (form.note or "").strip() or None}


def resolve_paper_book(session: Session, person: Person, form: dict, resolution: dict) -> dict:
    """The officer enters the periods read from the scan: unit code, months, salary, job."""
    given = resolution.get("periods", [])
    if not isinstance(given, list) or not all(isinstance(r, dict) for r in given):
        raise _refuse(
            "dossier.resolution", "periods is a list of objects", "các quá trình phải là danh sách", "periods"
        )
    rows = [r for r in given if any(str(v).strip() for v in r.values())]
    if not rows:
        raise _refuse(
            "dossier.resolution_required",
            "enter the periods read from the paper book",
            "hãy nhập các quá trình đọc từ sổ giấy",
            "periods",
        )
    if len(rows) > MAX_PAPER_PERIODS:
        raise _refuse("dossier.too_many_periods", "too many periods", "quá nhiều quá trình", "periods")
    existing = _periods(session, person.id)
    entered = [_paper_period(session, i, row, existing) for i, row in enumerate(rows)]
    return {**form, "periods": entered}


def _paper_period(session: Session, index: int, row: dict, existing: list[ParticipationPeriod]) -> dict:
    where = f"periods.{index}"

    def refuse(code: str, en: str, vi: str) -> DomainError:
        return _refuse(code, f"period {index + 1}: {en}", f"quá trình {index + 1}: {vi}", where)

    unit_code = str(row.get("unit_code", "")).strip().upper()
    employer = session.scalar(select(Employer).where(Employer.unit_code == unit_code))
    if employer is None:
        raise refuse("dossier.unknown_employer", f"no employer has unit code '{unit_code}'", "không có đơn vị mã này")
    start = Month.parse_input(str(row.get("from_month", "")).strip(), field=where, earliest=FIRST_LEGACY_MONTH)
    end = Month.parse_input(str(row.get("to_month", "")).strip(), field=where, earliest=FIRST_LEGACY_MONTH)
    if end.as_int() < start.as_int() or end.as_int() >= Month.from_date(vietnam_today()).as_int():
        raise refuse(
            "dossier.months", "the months must be in order and in the past", "tháng phải theo thứ tự và đã qua"
        )
    salary = parse_vnd(str(row.get("salary", ""))) or 0
    if salary <= 0:
        raise refuse("dossier.salary", "enter the salary written in the book", "hãy nhập tiền lương ghi trong sổ")
    for period in existing:
        if period.from_month <= end.as_int() and start.as_int() <= (period.to_month or 999912):
            raise refuse(
                "dossier.overlaps_book",
                f"it overlaps the period from {Month.from_int(period.from_month)} already in the book",
                f"trùng với quá trình từ {Month.from_int(period.from_month)} đã có trong sổ",
            )
    return {
        "unit_code": unit_code,
        "employer_id": employer.id,
        "from_month": str(start),
        "to_month": str(end),
        "salary": salary,
        "job_title": str(row.get("job_title", "")).strip()[:120] or None,
    }


def approve_paper_book(session: Session, person: Person, form: dict) -> list[int]:
    source = (form.get("converted_documents") or [None])[0]
    seq = last_seq(session, ParticipationPeriod.seq, ParticipationPeriod.person_id, person.id)
    for row in form["periods"]:
        seq += 1
        session.add(
            ParticipationPeriod(
                person_id=person.id,
                seq=seq,
                employer_id=row["employer_id"],
                from_month=Month.parse(row["from_month"]).as_int(),
                to_month=Month.parse(row["to_month"]).as_int(),
                job_title=row["job_title"],
                salary_basis=row["salary"],
                participant_type="employee",
                provenance="converted_from_paper",
                source_document_id=source,
                authority=person.authority,
            )
        )
    return [person.id]


#: Merging duplicate books and adding periods from a paper book.
PROCEDURES = (
    Procedure(
        code="merge_books",
        name_vi="Gộp sổ BHXH (một người có nhiều sổ)",
        name_en="Merge duplicate books",
        filer="citizen",
        form=BookMerge,
        service_days=10,
        result_vi="Sổ BHXH điện tử gộp các quá trình của sổ trùng",
        prepare=prepare_merge,
        approve=approve_merge,
        resolve=resolve_merge,
    ),
    Procedure(
        code="paper_book_periods",
        name_vi="Bổ sung quá trình tham gia từ sổ BHXH giấy",
        name_en="Add periods from an old paper book",
        filer="citizen",
        form=PaperBookPeriods,
        service_days=10,
        result_vi="Sổ BHXH điện tử ghi các quá trình chuyển đổi từ sổ giấy",
        prepare=prepare_paper_book,
        approve=approve_paper_book,
        attachments=AttachmentRule(
            "Bản quét sổ BHXH giấy (PDF, JPEG, PNG): không cơ sở dữ liệu nào lưu các quá trình này",
            "A scan of the paper book (PDF, JPEG, PNG): no database holds these periods",
            required=True,
        ),
        resolve=resolve_paper_book,
        converts_attachments=True,
    ),
)
