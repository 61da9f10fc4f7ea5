"""``esibook people …``: look up persons."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    friendly_errors,
    settings,
)
from esibook.db import make_engine, session_factory

people_app = typer.Typer(help="Look up persons (data groups 1–3).", no_args_is_help=True)
app.add_typer(people_app, name="people")


@people_app.command("search")
@friendly_errors
def people_search(
    query: Annotated[
        str,
        typer.Argument(help="A name (with or without accents), a 12-digit personal ID number or a 10-digit SI code."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 20,
) -> None:
    """Find persons by name or identifier."""
    from esibook.people.identifiers import mask_personal_id
    from esibook.people.service import search_persons

    engine = make_engine(settings().resolved_database_url())
    with session_factory(engine)() as session:
        matches = search_persons(session, query, limit=limit)
    if as_json:
        json.dump([m.as_dict() for m in matches], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if not matches:
        typer.echo("no person found")
    for m in matches:
        masked = mask_personal_id(m.personal_id) if m.personal_id else "(passport)"
        typer.echo(f"{m.id:>10}  {masked}  {m.full_name:<32} {m.date_of_birth}  {m.sex:<6}  {m.authority:<8} {m.match}")
