"""``esibook clinics …``: the national register of HI clinics (danh mục cơ sở KCB BHYT)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from esibook.cli.common import app, err, fail, friendly_errors, open_session, read_input
from esibook.dates import vietnam_today

clinics_app = typer.Typer(help="Health facilities that treat HI card holders: the national register.",
                          no_args_is_help=True)
app.add_typer(clinics_app, name="clinics")
#: How many rejected rows are listed (the summary counts them all).
SHOWN_ERRORS = 20


@clinics_app.command("import")
@friendly_errors
def clinics_import(
    file: Annotated[Path, typer.Argument(help="The register as Vietnam Social Security publishes it (XLSX or CSV).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day the register is as of, YYYY-MM-DD "
                                                              "(default today).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where it came from (default the file's name).")]
    = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing.")] = False,
) -> None:
    """Check every row and, when none is rejected, store the register (all or nothing). Clinics the register
    leaves out are kept but no longer take initial registrations. Exit code 0 imported, 1 rows rejected (nothing
    written), 2 unusable file."""
    from esibook.health.clinic_import import import_register

    day = _as_of(as_of)
    data = read_input(file)
    with open_session() as session, _progress() as progress:
        report = import_register(session, data, as_of=day, source=source or file.name, actor="cli",
                                 dry_run=dry_run, progress=progress)
    typer.echo(("dry run: " if dry_run else "") + report.summary())
    for row in report.rejected[:SHOWN_ERRORS]:
        typer.echo(f"  line {row.line}: {row.reason}")
    if len(report.rejected) > SHOWN_ERRORS:
        typer.echo(f"  … and {len(report.rejected) - SHOWN_ERRORS} more")
    if report.rejected:
        err.print(f"[bold red]error:[/] {len(report.rejected)} rows rejected; nothing was imported",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def _as_of(text: str | None) -> date:
    if not text:
        return vietnam_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of must be YYYY-MM-DD, not {text[:20]!r}")
        raise


class _progress:
    """A progress bar on standard error while the register is written (none when it is not a terminal)."""

    def __enter__(self):
        columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar = Progress(*columns, console=err, disable=not err.is_terminal)
        self.bar.__enter__()
        task = self.bar.add_task("storing clinics", total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)
