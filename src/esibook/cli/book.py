"""``esibook book …``: issue book versions, render signed PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from esibook.cli.common import (
    app,
    err,
    fail,
    friendly_errors,
    open_session,
    settings,
)

book_app = typer.Typer(help="The e-book: issue versions, render signed PDFs.", no_args_is_help=True)
app.add_typer(book_app, name="book")


@book_app.command("issue")
@friendly_errors
def book_issue(
    code: Annotated[str | None, typer.Argument(help="Personal ID number or SI code; omit with --all.")] = None,
    all_persons: Annotated[bool, typer.Option("--all", help="Every person who has participated.")] = False,
    processes: Annotated[int, typer.Option(help="With --all: processes signing at once (0: one per core).")] = 0,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue", help="With --all: queue one job per range for `esibook worker` on every machine (PostgreSQL)."
        ),
    ] = False,
) -> None:
    """Sign a new book version where the record changed since the last one."""
    from esibook.book.bulk import enqueue_all, issue_all
    from esibook.book.service import issue_book
    from esibook.db import is_postgres, transaction
    from esibook.people.service import person_by_code

    config = settings()
    if processes < 0:
        fail(f"--processes must be 0 (one per core) or more, not {processes}")
    if (queue or processes) and not all_persons:
        fail("--processes and --queue go with --all")
    with open_session() as session:
        if all_persons and queue:
            if not is_postgres(session):
                fail("--queue needs PostgreSQL (the job queue); on SQLite run `esibook book issue --all`")
            typer.echo(f"{enqueue_all(session):,} ranges of persons queued for `esibook worker`")
            return
        if all_persons:
            created = issue_all_with_progress(session, config, issue_all, processes or None)
            typer.echo(f"{created:,} new book versions")
            return
        if not code:
            fail("give a personal ID number, or --all")
        person_id = person_by_code(session, code).id
        with transaction(session):
            version, created = issue_book(session, config, person_id, reason="issued")
        typer.echo(f"{version.book_id} version {version.version}" + ("" if created else " (unchanged)"))


def issue_all_with_progress(session, config, issue_all, processes: int | None = None) -> int:
    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("signing books", total=None)
        return issue_all(
            session,
            config,
            processes=processes,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


@book_app.command("pdf")
@friendly_errors
def book_pdf(
    code: Annotated[str, typer.Argument(help="Personal ID number or SI code.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the PDF.")],
) -> None:
    """Write the signed PDF of a person's latest book version."""
    from esibook.book.documents import signed_pdf
    from esibook.people.service import person_by_code

    with open_session() as session:
        pdf = signed_pdf(session, settings(), person_by_code(session, code).id)
    output.write_bytes(pdf)
    typer.echo(f"wrote {output} ({len(pdf):,} bytes)")
