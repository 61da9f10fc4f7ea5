"""Bulk posting of monthly contribution lines from employer files (ghi nhận đóng góp hằng tháng), set-based.

A file (CSV: personal ID, unit code, month, salary) is copied into a temporary staging table (``COPY`` on
PostgreSQL), checked in SQL (bad format, unknown person, unknown employer, duplicate line, person not employed there
that month, salary out of bounds, month already posted), and its good lines inserted into the month's partition
with their dues computed in SQL (``dues_sql``, the same rules as ``dues``). Everything happens in one transaction
that also writes the batch row, keyed by the file's SHA-256:

- posting the same file again finds the batch and changes nothing;
- a crash (or a kill) before the commit leaves nothing of the batch, and the re-run posts it whole.

Each rejected line is kept with its reason (``posting_rejects``) and written to a CSV report.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from esibook import tabular
from esibook.contributions.dues_sql import MONTH_COLUMNS, by_region, clamp, month_row, share
from esibook.contributions.models import PostingBatch, PostingReject
from esibook.contributions.parameters import current_parameters
from esibook.contributions.parameters_store import load_current_version
from esibook.contributions.partitions import ensure_partitions
from esibook.errors import DomainError
from esibook.periods import Month

HEADERS = {
    "personal_id": ("personal_id", "so_dinh_danh"),
    "unit_code": ("unit_code", "ma_don_vi"),
    "month": ("month", "thang"),
    "salary": ("salary", "muc_luong"),
}
STAGING_COLUMNS = {
    "personal_id": "personal_id",
    "unit_code": "unit_code",
    "month": "month_text",
    "salary": "salary_text",
}
#: A declared salary above this many SI caps is taken for a typing error (salary out of bounds).
MAX_SALARY_CAPS = 20
CHUNK = 1 << 20

REASONS = {
    "format": ("a field is empty or badly formed", "thiếu trường hoặc sai định dạng"),
    "unknown_person": ("no person has this personal ID", "không có người mang số định danh này"),
    "unknown_employer": ("no employer has this unit code", "không có đơn vị mang mã này"),
    "duplicate_line": ("the same person, employer and month appear earlier in the file", "dòng trùng trong tệp"),
    "not_employed": (
        "the person has no participation period with this employer that month",
        "người này không tham gia tại đơn vị trong tháng này",
    ),
    "salary_out_of_bounds": (
        "the salary is below the regional minimum wage or implausibly high",
        "tiền lương thấp hơn lương tối thiểu vùng hoặc cao bất thường",
    ),
    "month_out_of_range": (
        "no contribution parameters are in force for this month",
        "không có tham số đóng cho tháng này",
    ),
    "already_posted": (
        "this month is already posted for this person and employer",
        "tháng này đã được ghi nhận cho người này tại đơn vị",
    ),
}


@dataclass(frozen=True)
class PostingReport:
    batch_id: str
    lines_total: int
    lines_posted: int
    lines_rejected: int
    already_posted: bool
    """True when the file had been posted before: nothing changed."""
    parameters_version: str


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_header(path: Path) -> list[str]:
    """The staging columns in the file's order, from its header line (Vietnamese or English names)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(tabular.iter_rows(handle, code="posting", field="file"), [])
    names = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
    columns = [names.get(h.strip().lower()) for h in header]
    if sorted(c for c in columns if c) != sorted(HEADERS) or None in columns:
        raise DomainError(
            "posting.header",
            "the first line must name the columns personal_id, unit_code, month, salary "
            "(or so_dinh_danh, ma_don_vi, thang, muc_luong)",
            "dòng đầu phải là tên cột so_dinh_danh, ma_don_vi, thang, muc_luong",
            field="file",
        )
    return [STAGING_COLUMNS[c] for c in columns]


def post_file(
    engine: Engine,
    path: Path,
    *,
    posted_by: str,
    report_path: Path | None = None,
    progress: Callable[[str], None] = lambda stage: None,
) -> PostingReport:
    """Post a file of monthly lines, once. See the module docstring."""
    if not path.is_file():
        raise DomainError("posting.file", f"no such file: {path.name}", f"không có tệp {path.name}", field="file")
    columns = read_header(path)
    report = _post(
        engine, file_digest(path), path.name, lambda connection: _stage(connection, path, columns), posted_by, progress
    )
    if report_path is not None:
        write_reject_report(engine, report.batch_id, report_path)
    return report


def declare_month(engine: Engine, month: Month, *, posted_by: str, employer_id: int | None = None) -> PostingReport:
    """The monthly declaration that follows from the participation periods (and their adjustments): a line for every
    employee in a period covering ``month``, at the period's salary, through the same checks as a file. Declaring
    the same month again with the same staff and salaries changes nothing; after a change, only the new lines go in
    (the others are refused as already posted)."""
    where = "pp.participant_type = 'employee' AND p.personal_id IS NOT NULL AND pp.from_month <= :m " + (
        "AND coalesce(pp.to_month, 999912) >= :m" + (" AND pp.employer_id = :e" if employer_id else "")
    )
    source = f"""FROM participation_periods pp JOIN persons p ON p.id = pp.person_id
                 JOIN employers e ON e.id = pp.employer_id WHERE {where}"""
    params = {"m": month.as_int(), "e": employer_id}
    with engine.connect() as connection:
        shape = connection.execute(
            text(f"SELECT count(*), coalesce(sum(pp.salary_basis), 0), coalesce(sum(pp.person_id), 0) {source}"),
            params,
        ).one()
    batch_id = hashlib.sha256(f"declaration:{month}:{employer_id}:{tuple(shape)}".encode()).hexdigest()

    def stage(connection: Connection) -> int:
        _create_staging(connection)
        connection.execute(
            text(
                "INSERT INTO posting_staging (personal_id, unit_code, month_text, salary_text) "
                f"SELECT p.personal_id, e.unit_code, :text, CAST(pp.salary_basis AS TEXT) {source}"
            ),
            {**params, "text": str(month)},
        )
        return connection.execute(text("SELECT count(*) FROM posting_staging")).scalar_one()

    name = f"declaration {month}" + (f" employer {employer_id}" if employer_id else "")
    return _post(engine, batch_id, name, stage, posted_by, lambda stage: None)


def _post(
    engine: Engine,
    batch_id: str,
    name: str,
    stage: Callable[[Connection], int],
    posted_by: str,
    progress: Callable[[str], None],
) -> PostingReport:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL jit = off"))  # compiling the plan costs more than it saves here
        _lock_batch(connection, batch_id)
        done = connection.execute(select(PostingBatch.__table__).where(PostingBatch.id == batch_id)).first()
        if done:
            return _report(done, already=True)
        progress("copy")
        total = stage(connection)
        progress("check")
        version = _check(connection)
        with Session(bind=connection) as session:
            load_current_version(session)
            session.flush()
        progress("post")
        posted = _insert_lines(connection)
        rejected = _keep_rejects(connection, batch_id)
        connection.execute(
            PostingBatch.__table__.insert().values(
                id=batch_id,
                filename=name[:200],
                lines_total=total,
                lines_posted=posted,
                lines_rejected=rejected,
                parameters_version=version,
                posted_by=posted_by,
            )
        )
        return PostingReport(batch_id, total, posted, rejected, False, version)


def _report(row, *, already: bool) -> PostingReport:
    return PostingReport(row.id, row.lines_total, row.lines_posted, row.lines_rejected, already, row.parameters_version)


def _lock_batch(connection: Connection, batch_id: str) -> None:
    """Two postings of the same file at once: the second waits, then finds the first one's batch."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:b))"), {"b": batch_id})


def _stage(connection: Connection, path: Path, columns: list[str]) -> int:
    _create_staging(connection)
    if connection.dialect.name == "postgresql":
        _copy(connection, path, columns)
    else:
        _insert_rows(connection, path, columns)
    return connection.execute(text("SELECT count(*) FROM posting_staging")).scalar_one()


def _create_staging(connection: Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    identity = "BIGINT GENERATED ALWAYS AS IDENTITY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
    on_commit = " ON COMMIT DROP" if postgres else ""
    connection.execute(text("DROP TABLE IF EXISTS posting_staging"))
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE posting_staging (line_no {identity}, personal_id TEXT, unit_code TEXT, "
            f"month_text TEXT, salary_text TEXT){on_commit}"
        )
    )


def _copy(connection: Connection, path: Path, columns: list[str]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    try:
        with (
            path.open("rb") as handle,
            cursor.copy(f"COPY posting_staging ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy,
        ):
            handle.readline()  # the header, already read
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                copy.write(chunk)
    except psycopg.DataError as error:  # a line with too few or too many fields, or bytes that are not UTF-8
        raise _unreadable(error) from error


def _unreadable(error: psycopg.DataError) -> DomainError:
    found = re.search(r"line (\d+)", error.diag.context or "")
    where = f"line {int(found.group(1)) + 1}" if found else "a line"  # COPY counts from the line after the header
    where_vi = f"dòng {int(found.group(1)) + 1}" if found else "một dòng"
    return DomainError(
        "posting.unreadable",
        f"{where} of the file is not a line of four fields ({error.diag.message_primary}); nothing was posted",
        f"{where_vi} của tệp không đủ bốn trường; chưa ghi nhận dòng nào",
        field="file",
    )


def _insert_rows(connection: Connection, path: Path, columns: list[str]) -> None:
    statement = text(
        f"INSERT INTO posting_staging ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = tabular.iter_rows(handle, code="posting", field="file")
        next(reader)
        batch = []
        for row in reader:
            batch.append(dict(zip(columns, (row + [""] * 4)[:4], strict=True)))
            if len(batch) == 10_000:
                connection.execute(statement, batch)
                batch = []
        if batch:
            connection.execute(statement, batch)


def _well_formed(postgres: bool) -> str:
    """SQL true when a staged line's fields have the right shape (digits, a YYYY-MM month, a whole salary)."""
    if postgres:  # translate() strips the digits: cheaper than a regular expression on millions of lines
        return (
            "length(s.personal_id) = 12 AND translate(s.personal_id, '0123456789', '') = '' "
            "AND length(s.month_text) = 7 AND substr(s.month_text, 5, 1) = '-' "
            "AND translate(substr(s.month_text, 1, 4) || substr(s.month_text, 6, 2), '0123456789', '') = '' "
            "AND substr(s.month_text, 6, 2) BETWEEN '01' AND '12' "
            "AND length(s.salary_text) BETWEEN 1 AND 13 AND translate(s.salary_text, '0123456789', '') = '' "
            "AND s.unit_code IS NOT NULL"
        )
    return (
        "length(s.personal_id) = 12 AND s.personal_id NOT GLOB '*[^0-9]*' "
        "AND length(s.month_text) = 7 AND s.month_text GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]' "
        "AND substr(s.month_text, 6, 2) BETWEEN '01' AND '12' "
        "AND length(s.salary_text) BETWEEN 1 AND 13 AND s.salary_text NOT GLOB '*[^0-9]*' AND s.unit_code <> ''"
    )


def _check(connection: Connection) -> str:
    """Classify every staged line: the reason it is refused, or none. Two set-based statements: the lines parsed
    and joined to their person, employer and month (``posting_parsed``), then the checks against the periods and the
    lines already posted, as hash joins (``posting_checked``)."""
    postgres = connection.dialect.name == "postgresql"
    parameters = current_parameters()
    months = sorted(_staged_months(connection))
    _month_table(connection, [month_row(i, parameters.for_month(m)) for i, m in enumerate(months)])
    if months:
        ensure_partitions(connection, max(months), min(months))
    temporary = "ON COMMIT DROP" if postgres else ""
    for table, sql in (("posting_parsed", parsed_sql(postgres)), ("posting_checked", checked_sql(months))):
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        connection.execute(text(f"CREATE TEMPORARY TABLE {table} {temporary} AS {sql}"))
        if postgres:
            connection.execute(text(f"ANALYZE {table}"))
    return parameters.version


def parsed_sql(postgres: bool) -> str:
    """Every staged line, parsed where well formed, with its person, employer and month parameters."""
    month_expr = "CAST(substr(s.month_text, 1, 4) AS INTEGER) * 100 + CAST(substr(s.month_text, 6, 2) AS INTEGER)"
    # evaluate the format checks once per line, not once per use of ``ok``
    materialized, once = ("MATERIALIZED", "OFFSET 0") if postgres else ("", "")
    return f"""
        WITH s AS {materialized} (
          SELECT s.line_no, s.personal_id, s.unit_code, s.month_text, s.ok,
            CASE WHEN s.ok = 1 THEN {month_expr} END AS month,
            CASE WHEN s.ok = 1 THEN CAST(s.salary_text AS BIGINT) END AS salary
          FROM (SELECT s.*, CASE WHEN {_well_formed(postgres)} THEN 1 ELSE 0 END AS ok FROM posting_staging s {once}) s
        )
        SELECT s.line_no, s.personal_id, s.unit_code, s.month_text, s.ok, s.month, s.salary,
          p.id AS person_id, e.id AS employer_id, e.region, e.reduced_oad_rate, e.authority,
          {by_region("floor")} AS floor, m.si_cap * {MAX_SALARY_CAPS} AS ceiling
        FROM s
        LEFT JOIN persons p ON p.personal_id = s.personal_id
        LEFT JOIN employers e ON e.unit_code = s.unit_code
        LEFT JOIN posting_months m ON m.month = s.month
    """


def checked_sql(months: list[Month]) -> str:
    """The reason each parsed line is refused, or NULL. The lines already posted are read from the batch's months'
    partitions only."""
    low, high = (months[0].as_int(), months[-1].as_int()) if months else (0, 0)
    return f"""
        SELECT c.*, CASE
          WHEN c.ok = 0 THEN 'format'
          WHEN c.person_id IS NULL THEN 'unknown_person'
          WHEN c.employer_id IS NULL THEN 'unknown_employer'
          WHEN c.occurrence > 1 THEN 'duplicate_line'
          WHEN c.floor IS NULL THEN 'month_out_of_range'
          WHEN employed.line_no IS NULL THEN 'not_employed'
          WHEN c.salary < c.floor OR c.salary > c.ceiling THEN 'salary_out_of_bounds'
          WHEN posted.person_id IS NOT NULL THEN 'already_posted'
        END AS reason
        FROM (
          SELECT c.*, row_number() OVER (PARTITION BY c.person_id, c.employer_id, c.month ORDER BY c.line_no)
            AS occurrence
          FROM posting_parsed c
        ) c
        LEFT JOIN (
          SELECT DISTINCT c2.line_no FROM posting_parsed c2
          JOIN participation_periods pp ON pp.person_id = c2.person_id AND pp.employer_id = c2.employer_id
            AND pp.from_month <= c2.month AND coalesce(pp.to_month, 999912) >= c2.month
        ) employed ON employed.line_no = c.line_no
        LEFT JOIN contribution_lines posted ON posted.person_id = c.person_id AND posted.month = c.month
          AND posted.employer_id = c.employer_id AND posted.month BETWEEN {low} AND {high}
    """


def _staged_months(connection: Connection) -> set[Month]:
    found = set()
    for (value,) in connection.execute(text("SELECT DISTINCT month_text FROM posting_staging")):
        try:
            month = Month.parse_input(value or "")
            current_parameters().for_month(month)
        except DomainError:
            continue  # the line is refused: badly formed, or no parameters in force then
        found.add(month)
    return found


def _month_table(connection: Connection, rows: list[dict]) -> None:
    postgres = connection.dialect.name == "postgresql"
    kind = {c: ("TIMESTAMP WITH TIME ZONE" if c == "posted_at" else "BIGINT") for c in MONTH_COLUMNS}
    connection.execute(text("DROP TABLE IF EXISTS posting_months"))
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE posting_months ({', '.join(f'{c} {kind[c]}' for c in MONTH_COLUMNS)}, "
            f"PRIMARY KEY (month)){' ON COMMIT DROP' if postgres else ''}"
        )
    )
    if rows:
        if not postgres:
            rows = [{**r, "posted_at": r["posted_at"].strftime("%Y-%m-%d %H:%M:%S.%f")} for r in rows]
        connection.execute(
            text(
                f"INSERT INTO posting_months ({', '.join(MONTH_COLUMNS)}) "
                f"VALUES ({', '.join(':' + c for c in MONTH_COLUMNS)})"
            ),
            rows,
        )


LINES_SQL = f"""
INSERT INTO contribution_lines (person_id, month, employer_id, participant_type, salary_basis, ui_basis,
    retirement_employer, retirement_employee, sickness_employer, oad_employer, ui_employer, ui_employee,
    hi_employer, hi_employee, total, paid_amount, status, provenance, authority, posted_at)
SELECT person_id, month, employer_id, 'employee', salary_basis, ui_basis,
    retirement_employer, retirement_employee, sickness_employer, oad_employer, ui_employer, ui_employee,
    hi_employer, hi_employee,
    retirement_employer + retirement_employee + sickness_employer + oad_employer + ui_employer + ui_employee
      + hi_employer + hi_employee,
    0, 'declared', 'electronic', authority, :now
FROM (
  SELECT b.person_id, b.month, b.employer_id, b.authority, b.salary_basis, b.ui_basis,
    {share("b.salary_basis", "b.r_ret_er")} AS retirement_employer,
    {share("b.salary_basis", "b.r_ret_ee")} AS retirement_employee,
    {share("b.salary_basis", "b.r_sick_er")} AS sickness_employer,
    {share("b.salary_basis", "b.r_oad")} AS oad_employer,
    {share("b.ui_basis", "b.r_ui_er")} AS ui_employer,
    {share("b.ui_basis", "b.r_ui_ee")} AS ui_employee,
    {share("b.salary_basis", "b.r_hi_er")} AS hi_employer,
    {share("b.salary_basis", "b.r_hi_ee")} AS hi_employee
  FROM (
    SELECT e.person_id, e.month, e.employer_id, e.authority,
      {clamp("e.salary", by_region("floor"), "m.si_cap")} AS salary_basis,
      {clamp("e.salary", by_region("floor"), by_region("ui_cap"))} AS ui_basis,
      CASE WHEN e.reduced_oad_rate THEN m.r_oad_er_reduced ELSE m.r_oad_er END AS r_oad,
      m.r_ret_er, m.r_sick_er, m.r_ui_er, m.r_hi_er, m.r_ret_ee, m.r_ui_ee, m.r_hi_ee
    FROM posting_checked e JOIN posting_months m ON m.month = e.month
    WHERE e.reason IS NULL
  ) b
) t
"""


def _insert_lines(connection: Connection) -> int:
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    return connection.execute(text(LINES_SQL), {"now": now}).rowcount


def _keep_rejects(connection: Connection, batch_id: str) -> int:
    return connection.execute(
        text(
            "INSERT INTO posting_rejects (batch_id, line_no, personal_id, unit_code, month, reason) "
            "SELECT :batch, line_no, substr(personal_id, 1, 40), substr(unit_code, 1, 40), substr(month_text, 1, 40), "
            "reason FROM posting_checked WHERE reason IS NOT NULL"
        ),
        {"batch": batch_id},
    ).rowcount


def write_reject_report(engine: Engine, batch_id: str, path: Path) -> int:
    """The rejected lines of a batch, one per row, with the reason in Vietnamese and English (cells that a
    spreadsheet would run as a formula are written as text)."""
    header = ["line", "personal_id", "unit_code", "month", "reason", "ly_do", "reason_en"]
    with engine.connect() as connection, path.open("w", encoding="utf-8", newline="") as handle:
        rows = connection.execute(
            select(PostingReject).where(PostingReject.batch_id == batch_id).order_by(PostingReject.line_no)
        )
        # line 1 of the file is its header: the first data line is line 2
        lines = (
            [row.line_no + 1, row.personal_id, row.unit_code, row.month, row.reason, *reversed(REASONS[row.reason])]
            for row in rows
        )
        return tabular.write_rows(handle, itertools.chain([header], lines)) - 1
