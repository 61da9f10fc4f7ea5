"""``esibook contributions …``, ``esibook payments …`` and ``esibook arrears …``: posting employer files, reading
bank statements, and the arrears watchdog."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import app, err, friendly_errors, settings
from esibook.dates import vietnam_today
from esibook.db import make_engine, session_factory

contributions_app = typer.Typer(help="Monthly contribution lines: bulk posting.", no_args_is_help=True)
payments_app = typer.Typer(help="Employer payments: bank statements.", no_args_is_help=True)
arrears_app = typer.Typer(help="The arrears watchdog.", no_args_is_help=True)
app.add_typer(contributions_app, name="contributions")
app.add_typer(payments_app, name="payments")
app.add_typer(arrears_app, name="arrears")


@contributions_app.command("post")
@friendly_errors
def post(
    file: Annotated[Path, typer.Argument(help="CSV: so_dinh_danh,ma_don_vi,thang,muc_luong (or English names).")],
    report: Annotated[Path | None, typer.Option(help="Write the rejected lines, with reasons, to this CSV.")] = None,
) -> None:
    """Post a file of monthly lines once: a second run of the same file changes nothing."""
    from esibook.contributions.posting import post_file

    engine = make_engine(settings().resolved_database_url())
    result = post_file(
        engine, file, posted_by="cli", report_path=report, progress=lambda stage: err.print(f"… {stage}")
    )
    typer.echo(
        f"batch {result.batch_id[:12]}: {result.lines_total:,} lines, {result.lines_posted:,} posted, "
        f"{result.lines_rejected:,} rejected"
        + (" (already posted before: nothing changed)" if result.already_posted else "")
        + f"; parameters {result.parameters_version}"
    )


@contributions_app.command("declare")
@friendly_errors
def declare(
    month: Annotated[str, typer.Option(help="The month to declare, YYYY-MM.")],
    employer: Annotated[str | None, typer.Option(help="Only this employer (unit code).")] = None,
) -> None:
    """The monthly declaration that follows from the participation periods: one line per employee and month."""
    from sqlalchemy import select

    from esibook.contributions.posting import declare_month
    from esibook.employers.models import Employer
    from esibook.periods import Month

    engine = make_engine(settings().resolved_database_url())
    employer_id = None
    if employer:
        with session_factory(engine)() as session:
            employer_id = session.scalar(select(Employer.id).where(Employer.unit_code == employer.strip().upper()))
        if employer_id is None:
            raise typer.BadParameter(f"no employer has unit code {employer}")
    result = declare_month(engine, Month.parse_input(month), posted_by="cli", employer_id=employer_id)
    typer.echo(
        f"{month}: {result.lines_posted:,} lines declared, {result.lines_rejected:,} refused"
        + (" (already declared: nothing changed)" if result.already_posted else "")
    )


@payments_app.command("import")
@friendly_errors
def import_statement(
    file: Annotated[Path, typer.Argument(help="Bank statement CSV: date,amount,reference,description.")],
) -> None:
    """Record each credit whose description names a unit code as that employer's payment (once)."""
    from esibook.contributions.payments import import_bank_statement

    if not file.is_file():
        raise typer.BadParameter(f"no such file: {file}")
    with session_factory(make_engine(settings().resolved_database_url()))() as session:
        result = import_bank_statement(session, file.read_bytes(), entered_by="cli")
    typer.echo(f"{result.recorded} payments recorded, {result.already_recorded} already recorded")
    for line, why in result.unmatched:
        typer.echo(f"line {line}: not recorded: {why}")


@arrears_app.command("run")
@friendly_errors
def arrears_run(
    on: Annotated[str | None, typer.Option("--date", help="The day to run for, YYYY-MM-DD (default today).")] = None,
) -> None:
    """Mark overdue months unpaid, list employers 30+ days behind (60+: evasion), notify workers on the 10th."""
    from esibook.contributions.arrears import run

    try:
        day = date.fromisoformat(on) if on else vietnam_today()
    except ValueError as error:
        raise typer.BadParameter(f"--date must be YYYY-MM-DD, not '{on}'") from error
    with session_factory(make_engine(settings().resolved_database_url()))() as session:
        result = run(session, day)
    typer.echo(
        f"{day}: {result.lines_marked_unpaid:,} months marked unpaid, {result.employers_in_arrears} employers in "
        f"arrears ({result.employers_evading} evading), {result.notices} workers notified"
    )
