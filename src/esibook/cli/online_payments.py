"""``esibook payments reconcile``: the reconciliation report of online payments (orders whose notification from
the gateway never came)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from esibook.cli.common import friendly_errors, settings
from esibook.cli.contributions import payments_app
from esibook.dates import vietnam_today
from esibook.db import make_engine, session_factory


@payments_app.command("reconcile")
@friendly_errors
def reconcile_command(
    older_than: Annotated[int, typer.Option(help="Report orders older than this many minutes.", min=1)] = 60,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """List online payment orders without a notification from the gateway (no personal data)."""
    from esibook.payments.service import unreconciled

    with session_factory(make_engine(settings().resolved_database_url()))() as session:
        rows = unreconciled(session, older_than_minutes=older_than)
    if as_json:
        typer.echo(json.dumps({"day": vietnam_today().isoformat(), "orders": rows}, ensure_ascii=False))
        return
    typer.echo(f"{len(rows)} orders older than {older_than} minutes without a notification")
    for row in rows:
        typer.echo(f"{row['code']}  {row['kind']:<13} {row['amount']:>12,} VND  {row['status']:<8} {row['created_at']}")
