"""``esibook reminders send``: the day's reminders (a card ending, a voluntary SI payment due, months an employer
owes, a dossier waiting for more information), in batches of persons, each sent once however often it runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from esibook.cli.common import app, err, friendly_errors, settings
from esibook.dates import vietnam_today
from esibook.db import make_engine, session_factory

reminders_app = typer.Typer(help="Reminders to persons.", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")


@reminders_app.command("send")
@friendly_errors
def send(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day to remind for, YYYY-MM-DD (default: today in Vietnam).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Persons per batch (one transaction).")] = 5000,
) -> None:
    """Send the reminders due on a day that were not sent before (in the app and by email, as each person chose)."""
    from esibook.reminders.service import send_due

    try:
        day = date.fromisoformat(as_of) if as_of else vietnam_today()
    except ValueError as error:
        raise typer.BadParameter(f"--as-of must be YYYY-MM-DD, not '{as_of}'") from error
    sessions = session_factory(make_engine(settings().resolved_database_url()))
    columns = (TextColumn("reminders"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("persons", total=None)
        result = send_due(
            sessions, day, batch_size=batch_size, progress=lambda done, top: bar.update(task, completed=done, total=top)
        )
    batches = f"{result.batches:,} batch" + ("" if result.batches == 1 else "es")
    typer.echo(f"{day}: {result.sent:,} reminders sent ({batches} of persons)")
