"""The checks of a posting, in SQL over the staging table: bad format, unknown person or employer, duplicate
line, person not employed there that month, salary out of bounds, month already posted; each refused line keeps
its reason (:data:`REASONS`, in Vietnamese and English)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from esibook.contributions.dues_sql import MONTH_COLUMNS, by_region, month_row
from esibook.contributions.parameters import current_parameters
from esibook.contributions.partitions import ensure_partitions
from esibook.errors import DomainError
from esibook.periods import Month

#: A declared salary above this many SI caps is taken for a typing error (salary out of bounds).
MAX_SALARY_CAPS = 20

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


def check_staged(connection: Connection) -> str:
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
