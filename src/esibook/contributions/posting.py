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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from esibook import tabular
from esibook.contributions.dues_sql import by_region, clamp, share
from esibook.contributions.models import PostingBatch, PostingReject
from esibook.contributions.parameters_store import load_current_version
from esibook.contributions.posting_checks import REASONS, check_staged
from esibook.contributions.staging import create_staging, file_digest, read_header, stage_file
from esibook.errors import DomainError
from esibook.periods import Month


@dataclass(frozen=True)
class PostingReport:
    batch_id: str
    lines_total: int
    lines_posted: int
    lines_rejected: int
    already_posted: bool
    """True when the file had been posted before: nothing changed."""
    parameters_version: str


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
        engine,
        file_digest(path),
        path.name,
        lambda connection: stage_file(connection, path, columns),
        posted_by,
        progress,
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
        create_staging(connection)
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
        version = check_staged(connection)
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
