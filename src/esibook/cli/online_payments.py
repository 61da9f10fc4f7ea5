"""``esibook payments reconcile``: the reconciliation report of online payments (orders whose notification from
the gateway never came), and the refused notifications of the last 24 hours, coalesced by code, reference and
hour."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
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
    from esibook.payments import refusals
    from esibook.payments.service import unreconciled

    with session_factory(make_engine(settings().resolved_database_url()))() as session:
        rows = unreconciled(session, older_than_minutes=older_than)
        refused = refusals.counts(session, since=datetime.now(UTC) - timedelta(hours=24))
    if as_json:
        typer.echo(json.dumps({"day": vietnam_today().isoformat(), "orders": rows, "refused_notifications": refused},
                              ensure_ascii=False))
        return
    typer.echo(f"{len(rows)} orders older than {older_than} minutes without a notification")
    for row in rows:
        typer.echo(f"{row['code']}  {row['kind']:<13} {row['amount']:>12,} VND  {row['status']:<8} {row['created_at']}")
    typer.echo(f"{sum(r['count'] for r in refused)} notifications refused in the last 24 hours")
    for row in refused[:20]:
        typer.echo(f"{row['hour']}  {row['code']}  {row['order_ref']:<32} {row['count']:>7,}")
