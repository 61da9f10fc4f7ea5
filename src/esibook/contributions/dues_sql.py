"""The monthly dues of ``contributions.dues`` as SQL, for set-based work (the seed and the bulk posting): a table of
each month's parameters (``MONTH_COLUMNS``, one row per month from ``month_row``) joined to the lines."""

from __future__ import annotations

from datetime import UTC, datetime, time

from esibook.contributions.parameters import MonthParameters

MONTH_COLUMNS = (
    "month",
    "idx",
    "posted_at",
    "si_cap",
    "poverty_line",
    "floor_1",
    "floor_2",
    "floor_3",
    "floor_4",
    "ui_cap_1",
    "ui_cap_2",
    "ui_cap_3",
    "ui_cap_4",
    "r_ret_er",
    "r_sick_er",
    "r_oad_er",
    "r_oad_er_reduced",
    "r_ui_er",
    "r_hi_er",
    "r_ret_ee",
    "r_ui_ee",
    "r_hi_ee",
    "r_voluntary",
)


def month_row(index: int, p: MonthParameters) -> dict:
    r = p.rates
    posted = datetime.combine((p.month + 1).first_day(), time(8), tzinfo=UTC)
    return dict(
        zip(
            MONTH_COLUMNS,
            (
                p.month.as_int(),
                index,
                posted,
                p.si_cap,
                p.rural_poverty_line,
                *(p.regional_minimum_wage[region] for region in (1, 2, 3, 4)),
                *(p.ui_cap[region] for region in (1, 2, 3, 4)),
                r.retirement_employer,
                r.sickness_employer,
                r.oad_employer,
                r.oad_employer_reduced,
                r.ui_employer,
                r.hi_employer,
                r.retirement_employee,
                r.ui_employee,
                r.hi_employee,
                r.voluntary_retirement,
            ),
            strict=True,
        )
    )


def share(basis: str, rate: str) -> str:
    """SQL for :func:`esibook.contributions.parameters.share`: ``basis × rate``, rounded half up."""
    return f"(({basis}) * ({rate}) + 5000) / 10000"


def clamp(value: str, low: str, high: str) -> str:
    return f"CASE WHEN {value} > {high} THEN {high} WHEN {value} < {low} THEN {low} ELSE {value} END"


def by_region(prefix: str) -> str:
    return (
        f"CASE e.region WHEN 1 THEN m.{prefix}_1 WHEN 2 THEN m.{prefix}_2 WHEN 3 THEN m.{prefix}_3 "
        f"ELSE m.{prefix}_4 END"
    )
