"""``esibook card …``: the HI card QR."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    friendly_errors,
    open_session,
    settings,
)

card_app = typer.Typer(help="The HI card QR.", no_args_is_help=True)
app.add_typer(card_app, name="card")


@card_app.command("qr")
@friendly_errors
def card_qr_command(
    code: Annotated[str, typer.Argument(help="Personal ID number or SI code.")],
    one_time: Annotated[bool, typer.Option("--one-time", help="Expires in 5 minutes.")] = False,
    png: Annotated[Path | None, typer.Option(help="Also write the QR image here.")] = None,
) -> None:
    """Print the signed QR payload of a person's HI card."""
    import segno

    from esibook.health.card import card_qr
    from esibook.people.service import person_by_code

    with open_session() as session:
        qr = card_qr(session, settings(), person_by_code(session, code), one_time=one_time)
    typer.echo(qr.payload)
    if png:
        segno.make(qr.payload, error="m").save(str(png), scale=6, border=2)
