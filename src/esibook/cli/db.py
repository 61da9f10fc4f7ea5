"""``esibook db …``: create and upgrade the database schema, add partitions."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook import migrate
from esibook.cli.common import (
    app,
    friendly_errors,
    settings,
)
from esibook.db import make_engine
from esibook.periods import Month

db_app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    engine = make_engine(settings().resolved_database_url())
    migrate.upgrade(engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(engine)}")


@db_app.command("downgrade")
@friendly_errors
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base or -1.")) -> None:
    """Undo migrations down to REVISION."""
    engine = make_engine(settings().resolved_database_url())
    migrate.downgrade(engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(engine) or 'base'}")


@db_app.command("current")
@friendly_errors
def db_current() -> None:
    """Print the schema revision the database is at."""
    typer.echo(migrate.current_revision(make_engine(settings().resolved_database_url())) or "base")


@db_app.command("partitions")
@friendly_errors
def db_partitions(
    until: Annotated[str, typer.Option(help="Last month to have a partition (YYYY-MM).")],
) -> None:
    """Add the monthly partitions of contribution lines up to a month (PostgreSQL)."""
    from esibook.contributions.partitions import ensure_partitions

    engine = make_engine(settings().resolved_database_url())
    with engine.begin() as connection:
        created = ensure_partitions(connection, Month.parse(until, field="until"))
    typer.echo(
        f"{len(created)} partitions created"
        if engine.dialect.name == "postgresql"
        else "SQLite has no partitions; nothing to do"
    )
