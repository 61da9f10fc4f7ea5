"""Loads generated rows into the database: COPY on PostgreSQL, batched inserts on SQLite.

Monthly contribution lines are derived in SQL, set-based, from the participation periods and the dated
parameters of each month (floor, caps, rates), so 20+ million lines never pass through Python. The whole seed
is one transaction: a crash leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, Table, func, select, text

from esibook.contributions.dues_sql import MONTH_COLUMNS, by_region, clamp, month_row, share
from esibook.contributions.parameters import current_parameters
from esibook.contributions.partitions import ensure_partitions
from esibook.errors import DomainError
from esibook.models import Base, Person
from esibook.periods import Month
from esibook.seeding.generator import Generator, PersonBatch, SeedPlan

#: ``progress(stage, advance, total)``: called as work is done, for a progress bar.
Progress = Callable[[str, int, int], None]

#: Load order (parents first); reset deletes in reverse.
SEEDED_TABLES = (
    "employers",
    "clinics",
    "persons",
    "contacts",
    "households",
    "household_members",
    "participation_periods",
    "hi_coverages",
    "unemployment_reserves",
    "benefit_settlements",
    "medical_visits",
    "contribution_lines",
    "population_records",
)
ID_SEQUENCE_TABLES = ("employers", "clinics", "persons", "households")
MAX_PERSONS = 200_000_000
MAX_MONTHS = 600


@dataclass(frozen=True)
class SeedReport:
    persons: int
    employers: int
    participation_periods: int
    contribution_lines: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        rows = self.persons + self.employers + self.participation_periods + self.contribution_lines
        return rows / self.seconds if self.seconds else 0.0


def check_plan(plan: SeedPlan) -> None:
    if not 1 <= plan.persons <= MAX_PERSONS:
        raise DomainError(
            "seed.persons",
            f"--persons must be between 1 and {MAX_PERSONS:,}",
            f"--persons phải từ 1 đến {MAX_PERSONS:,}",
        )
    if not 1 <= plan.months <= MAX_MONTHS:
        raise DomainError(
            "seed.months",
            f"--months must be between 1 and {MAX_MONTHS}",
            f"--months phải từ 1 đến {MAX_MONTHS}",
        )
    first = current_parameters().first_month()
    if plan.start_month < first:
        raise DomainError(
            "seed.too_early",
            f"the seeded months would start at {plan.start_month}; dated parameters begin at {first}",
            f"các tháng sinh dữ liệu bắt đầu từ {plan.start_month}; tham số theo thời gian chỉ có từ {first}",
        )


def first_lined_month(plan: SeedPlan) -> Month:
    """The first month that gets contribution lines: the plan's first, or with deep histories the first month the
    parameters price (earlier months are periods converted from paper)."""
    return min(plan.start_month, current_parameters().first_month()) if plan.history else plan.start_month


def seed(engine: Engine, plan: SeedPlan, *, reset: bool = False, progress: Progress | None = None) -> SeedReport:
    """Fill an empty database with ``plan.persons`` persons and their ``plan.months`` months of history."""
    check_plan(plan)
    progress = progress or (lambda stage, advance, total: None)
    started = datetime.now(UTC)
    with engine.begin() as connection:
        existing = connection.execute(select(func.count()).select_from(Person)).scalar_one()
        if existing and not reset:
            raise DomainError(
                "seed.not_empty",
                f"the database already holds {existing:,} persons; pass --reset to replace them",
                f"cơ sở dữ liệu đã có {existing:,} người; dùng --reset để thay thế",
            )
        if existing:
            _reset(connection)
        ensure_partitions(connection, plan.end_month, first_lined_month(plan))
        writer = RowWriter(connection)
        generator = Generator(plan)
        writer.write("employers", list(generator.employers()))
        writer.write("clinics", list(generator.clinics()))
        progress("persons", 0, plan.persons)
        periods = 0
        for batch in generator.person_batches():
            _write_batch(writer, batch)
            periods += len(batch.participation_periods)
            progress("persons", len(batch.persons), plan.persons)
        lines = derive_contribution_lines(connection, generator, progress)
        _advance_sequences(connection)
    _analyze(engine)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return SeedReport(plan.persons, plan.employers, periods, lines, seconds)


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics for the millions of rows just written: without them PostgreSQL plans the first
    hours of queries (bulk issuance reads persons by ranges) as if the tables were nearly empty."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def _write_batch(writer: RowWriter, batch: PersonBatch) -> None:
    for table in fields(batch):  # each field of a batch is the rows of the table of that name
        writer.write(table.name, getattr(batch, table.name))


class RowWriter:
    """Writes lists of row dicts: PostgreSQL ``COPY FROM STDIN``, else one ``executemany`` per list."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table_name: str, rows: list[dict]) -> None:
        if not rows:
            return
        table: Table = Base.metadata.tables[table_name]
        if not self.postgres:
            self.connection.execute(table.insert(), rows)
            return
        columns = [c.name for c in table.columns if c.name in rows[0]]
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


def _reset(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"TRUNCATE {', '.join(SEEDED_TABLES)} CASCADE"))
        return
    for table in reversed(SEEDED_TABLES):
        connection.execute(text(f"DELETE FROM {table}"))


def _advance_sequences(connection: Connection) -> None:
    """Explicit ids were loaded; move PostgreSQL's identity sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in ID_SEQUENCE_TABLES:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )


# --- contribution lines, set-based ---------------------------------------------------------------------------

LINES_SQL = f"""
INSERT INTO contribution_lines (person_id, month, employer_id, participant_type, salary_basis, ui_basis,
    retirement_employer, retirement_employee, sickness_employer, oad_employer, ui_employer, ui_employee,
    hi_employer, hi_employee, total, paid_amount, status, provenance, authority, posted_at)
SELECT person_id, month, employer_id, participant_type, salary_basis, ui_basis,
    retirement_employer, retirement_employee, sickness_employer, oad_employer, ui_employer, ui_employee,
    hi_employer, hi_employee, total,
    CASE WHEN status = 'paid' THEN total ELSE 0 END, status, provenance, authority, posted_at
FROM (
  SELECT a.*, retirement_employer + retirement_employee + sickness_employer + oad_employer + ui_employer
      + ui_employee + hi_employer + hi_employee AS total
  FROM (
    SELECT b.person_id, b.month, b.employer_id, b.participant_type, b.salary_basis, b.ui_basis, b.provenance,
      b.authority, b.posted_at, b.status,
      CASE WHEN b.voluntary = 1 THEN 0 ELSE {share("b.salary_basis", "b.r_ret_er")} END AS retirement_employer,
      CASE WHEN b.voluntary = 1 THEN {share("b.salary_basis", "b.r_voluntary")}
           ELSE {share("b.salary_basis", "b.r_ret_ee")} END AS retirement_employee,
      CASE WHEN b.voluntary = 1 THEN 0 ELSE {share("b.salary_basis", "b.r_sick_er")} END AS sickness_employer,
      CASE WHEN b.voluntary = 1 THEN 0 ELSE {share("b.salary_basis", "b.r_oad")} END AS oad_employer,
      CASE WHEN b.has_ui = 1 THEN {share("b.ui_basis", "b.r_ui_er")} ELSE 0 END AS ui_employer,
      CASE WHEN b.has_ui = 1 THEN {share("b.ui_basis", "b.r_ui_ee")} ELSE 0 END AS ui_employee,
      CASE WHEN b.voluntary = 1 THEN 0 ELSE {share("b.salary_basis", "b.r_hi_er")} END AS hi_employer,
      CASE WHEN b.voluntary = 1 THEN 0 ELSE {share("b.salary_basis", "b.r_hi_ee")} END AS hi_employee
    FROM (
      SELECT p.person_id, m.month, p.employer_id, p.participant_type, p.provenance, p.authority, m.posted_at,
        CASE WHEN p.participant_type = 'voluntary' THEN 1 ELSE 0 END AS voluntary,
        CASE WHEN p.participant_type = 'employee' THEN 1 ELSE 0 END AS has_ui,
        CASE WHEN p.participant_type = 'voluntary'
             THEN {clamp("p.salary_basis", "m.poverty_line", "m.si_cap")}
             ELSE {clamp("p.salary_basis", by_region("floor"), "m.si_cap")} END AS salary_basis,
        CASE WHEN p.participant_type = 'employee'
             THEN {clamp("p.salary_basis", by_region("floor"), by_region("ui_cap"))} ELSE 0 END AS ui_basis,
        CASE WHEN e.reduced_oad_rate THEN m.r_oad_er_reduced ELSE m.r_oad_er END AS r_oad,
        m.r_ret_er, m.r_sick_er, m.r_ui_er, m.r_hi_er, m.r_ret_ee, m.r_ui_ee, m.r_hi_ee, m.r_voluntary,
        CASE WHEN m.idx = :last_idx THEN 'declared'
             WHEN a.months IS NOT NULL AND m.idx >= :last_idx - a.months THEN 'unpaid'
             ELSE 'paid' END AS status
      FROM participation_periods p
      JOIN seed_months m ON m.month >= p.from_month AND m.month <= coalesce(p.to_month, :end_month)
      LEFT JOIN employers e ON e.id = p.employer_id
      LEFT JOIN seed_arrears a ON a.employer_id = p.employer_id
      WHERE m.month = :month AND p.provenance = 'electronic'
    ) b
  ) a
) t
"""


def derive_contribution_lines(connection: Connection, generator: Generator, progress: Progress) -> int:
    """Insert one line per person, employer and month of every participation period, month by month."""
    plan = generator.plan
    parameters = current_parameters()
    months = list(Month.range(first_lined_month(plan), plan.end_month))
    _create_seed_tables(connection)
    connection.execute(
        text(
            f"INSERT INTO seed_months ({', '.join(MONTH_COLUMNS)}) VALUES ({', '.join(':' + c for c in MONTH_COLUMNS)})"
        ),
        [_bindable(connection, month_row(i, parameters.for_month(m))) for i, m in enumerate(months)],
    )
    arrears = [{"employer_id": e.id, "months": e.arrears_months} for e in generator.employer_infos if e.arrears_months]
    if arrears:
        connection.execute(
            text("INSERT INTO seed_arrears (employer_id, months) VALUES (:employer_id, :months)"), arrears
        )
    total = 0
    progress("contribution months", 0, len(months))
    for month in months:
        result = connection.execute(
            text(LINES_SQL),
            {"month": month.as_int(), "last_idx": len(months) - 1, "end_month": plan.end_month.as_int()},
        )
        total += result.rowcount
        progress("contribution months", 1, len(months))
    connection.execute(text("DROP TABLE seed_months"))
    connection.execute(text("DROP TABLE seed_arrears"))
    return total


def _bindable(connection: Connection, row: dict) -> dict:
    """SQLite keeps timestamps as text; write them the way SQLAlchemy's DateTime reads them back."""
    if connection.dialect.name == "sqlite":
        return {**row, "posted_at": row["posted_at"].strftime("%Y-%m-%d %H:%M:%S.%f")}
    return row


def _create_seed_tables(connection: Connection) -> None:
    columns = ", ".join(f"{c} {'TIMESTAMP WITH TIME ZONE' if c == 'posted_at' else 'BIGINT'}" for c in MONTH_COLUMNS)
    connection.execute(text(f"CREATE TEMPORARY TABLE seed_months ({columns}, PRIMARY KEY (month))"))
    connection.execute(text("CREATE TEMPORARY TABLE seed_arrears (employer_id BIGINT PRIMARY KEY, months BIGINT)"))
