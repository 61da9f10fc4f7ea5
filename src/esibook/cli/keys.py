"""``esibook keys …``: the development PKI's keys and certificates."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    fail,
    friendly_errors,
    open_session,
    settings,
)

keys_app = typer.Typer(help="Keys and certificates (development PKI).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("init")
@friendly_errors
def keys_init() -> None:
    """Create the national root, one issuing key per authority and the log key (once)."""
    from esibook.trust.pki import init_pki

    with open_session() as session:
        created = init_pki(session, settings())
    typer.echo("keys created" if created else "keys already exist")


@keys_app.command("rotate")
@friendly_errors
def keys_rotate(authority: Annotated[str, typer.Option(help="civil, defence or security.")]) -> None:
    """Roll an authority's issuing key: the new key signs from now on; old documents still verify."""
    from esibook.access.authorities import Authority
    from esibook.trust.pki import rotate

    if authority not in {a.value for a in Authority}:
        fail(f"unknown authority '{authority}': use civil, defence or security")
    with open_session() as session:
        typer.echo(f"new {authority} key {rotate(session, settings(), authority).kid}")
