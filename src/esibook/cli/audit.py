"""``esibook audit …``: verify the hash-chained audit log, sign its checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    err,
    friendly_errors,
    open_session,
    settings,
)

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
@friendly_errors
def audit_verify(
    anchor: Annotated[
        Path | None, typer.Option(help="The anchor file of checkpoints (default: ESIBOOK_AUDIT_ANCHOR_FILE).")
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="The audit public key, a vkey file (default: in the data directory).")
    ] = None,
) -> None:
    """Recompute the chain and check it against every anchored checkpoint; exit 1 and name every altered,
    deleted or reordered record, a cut-off tail, a reset head or a rewritten chain."""
    from esibook.audit.checkpoints import load_verifier, verify_anchored, vkey_path

    config = settings()
    anchor = anchor or config.resolved_audit_anchor_file()
    key_file = key or vkey_path(config)
    verifier = load_verifier(key_file) if key or key_file.exists() else None
    with open_session() as session:
        report = verify_anchored(session, anchor=anchor, verifier=verifier)
    if report.intact:
        typer.echo(report.summary())
        return
    for problem in report.problems:
        err.print(f"[bold red]tampered:[/] {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
@friendly_errors
def audit_checkpoint(
    anchor: Annotated[
        Path | None, typer.Option(help="Append to this anchor file (default: ESIBOOK_AUDIT_ANCHOR_FILE).")
    ] = None,
) -> None:
    """Sign the chain's head as a checkpoint and append it to the anchor file; exit 1 if the chain no longer
    extends the last checkpoint."""
    from esibook.audit.checkpoints import ChainTampered, audit_signer, make_checkpoint

    config = settings()
    with open_session() as session:
        try:
            made = make_checkpoint(session, config, anchor)
        except ChainTampered as refused:
            for problem in refused.problems:
                err.print(f"[bold red]tampered:[/] {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if made is None:
        typer.echo("the audit chain is empty: nothing to sign")
        return
    state = "signed" if made.created else "already signed"
    where = "appended to" if made.anchored else "already in"
    anchor = anchor or config.resolved_audit_anchor_file()
    typer.echo(f"checkpoint at seq {made.checkpoint.seq} {state}, {where} {anchor}")
    typer.echo(f"audit public key: {audit_signer(config).verifier.vkey}")
