"""``esibook portals …``: what the local stand-ins of the national portals and the VNeID wallet hold."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook.cli.common import app, fail, friendly_errors, open_session

portals_app = typer.Typer(help="The national portals and the VNeID wallet (their local stand-ins).",
                          no_args_is_help=True)
app.add_typer(portals_app, name="portals")


@portals_app.command("held")
@friendly_errors
def held_command(
    system: Annotated[str | None, typer.Option(help="ndpp, mof or vneid (default: all three).")] = None,
) -> None:
    """List what each stand-in holds, newest first (personal IDs masked), and how many pushes are waiting."""
    from esibook.portals.adapters import SYSTEMS
    from esibook.portals.service import stand_in_view

    if system is not None and system not in SYSTEMS:
        fail(f"--system must be one of {', '.join(SYSTEMS)}, not {system!r}")
    with open_session() as session:
        view = stand_in_view(session)
    for key, (_, name) in SYSTEMS.items():
        if system in (None, key):
            typer.echo(f"{key}: {name}: {len(view['held'][key])} documents shown")
            for d in view["held"][key]:
                typer.echo(f"  {d['holder']}  {d['document_type']}  {d['document_id']}  v{d['version']}  {d['link']}")
    waiting = sum(p.done_at is None for p in view["pushes"])
    typer.echo(f"{waiting} of the latest {len(view['pushes'])} pushes waiting")
