"""``esibook seed``: consistent, realistic synthetic data."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from esibook import migrate
from esibook.cli.common import (
    app,
    err,
    friendly_errors,
    last_complete_month,
    settings,
)
from esibook.db import make_engine
from esibook.periods import Month


@app.command("seed")
@friendly_errors
def seed_command(
    persons: Annotated[int, typer.Option(help="How many persons to create.")] = 1000,
    months: Annotated[int, typer.Option(help="How many months of contribution history.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")] = 1,
    end_month: Annotated[str | None, typer.Option(help="Last month (YYYY-MM); default last month.")] = None,
    employers: Annotated[int, typer.Option(help="How many employers (default persons / 25).")] = 0,
    reset: Annotated[bool, typer.Option(help="Delete existing persons and their data first.")] = False,
) -> None:
    """Create consistent, realistic synthetic data (upgrades the schema first)."""
    from esibook.seeding.generator import SeedPlan
    from esibook.seeding.loader import check_plan

    last = Month.parse(end_month, field="end_month") if end_month else last_complete_month()
    plan = SeedPlan(persons=persons, months=months, seed=seed, end_month=last, employers=employers)
    check_plan(plan)
    engine = make_engine(settings().resolved_database_url())
    migrate.upgrade(engine)
    report = seed_with_progress(engine, plan, reset)
    typer.echo(
        f"seeded {report.persons:,} persons, {report.employers:,} employers, "
        f"{report.participation_periods:,} participation periods, {report.contribution_lines:,} "
        f"contribution lines ({plan.start_month} to {plan.end_month}) in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s)"
    )


def seed_with_progress(engine, plan, reset: bool):
    from esibook.seeding.loader import seed

    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, advance: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.advance(tasks[stage], advance)

        return seed(engine, plan, reset=reset, progress=progress)
