"""``esibook clients …``: connected systems and their data-group grants."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    friendly_errors,
    settings,
)
from esibook.db import make_engine, session_factory

clients_app = typer.Typer(
    help="Connected systems (OAuth2 client credentials) and their data-group grants.", no_args_is_help=True
)
app.add_typer(clients_app, name="clients")


@clients_app.command("add")
@friendly_errors
def clients_add(
    name: Annotated[str, typer.Argument(help="The system's name as persons will read it in their access log.")],
    groups: Annotated[str, typer.Option(help="Granted data groups, e.g. 1,5.")],
    purposes: Annotated[str, typer.Option(help="Allowed purpose codes, e.g. KCB,TTHC.")],
    authority: Annotated[str, typer.Option(help="civil, defence or security.")] = "civil",
    client_id: Annotated[str | None, typer.Option(help="Client id (default: generated).")] = None,
) -> None:
    """Register a connected system; prints its client id and secret (the secret only this once)."""
    from esibook.access.clients import register_client

    with session_factory(make_engine(settings().resolved_database_url()))() as session:
        created_id, secret = register_client(
            session, name=name, groups=groups, purposes=purposes, authority=authority, client_id=client_id
        )
    typer.echo(f"client_id={created_id}")
    typer.echo(f"client_secret={secret}")
