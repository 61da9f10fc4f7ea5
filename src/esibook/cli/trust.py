"""``esibook trust …``: export the trust list verifiers use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    fail,
    friendly_errors,
    open_session,
    settings,
)

trust_app = typer.Typer(help="The trust list verifiers use.", no_args_is_help=True)
app.add_typer(trust_app, name="trust")


@trust_app.command("export")
@friendly_errors
def trust_export(directory: Annotated[Path, typer.Argument(help="Folder to write into.")]) -> None:
    """Write the root and every certificate (PEM), the signed trust list and the log's verifier key."""
    from esibook.book.log import log_verifier
    from esibook.book.trust_list import trust_list
    from esibook.trust.pki import all_certificates

    config = settings()
    directory.mkdir(parents=True, exist_ok=True)
    with open_session() as session:
        rows = all_certificates(session)
        if not rows:
            fail("there are no keys yet: run `esibook keys init`")
        for row in rows:
            name = "root.pem" if row.role == "root" else f"{row.role}-{row.authority or 'log'}-{row.kid[:8]}.pem"
            (directory / name).write_text(row.cert_pem)
        (directory / "trust-list.jws").write_text(trust_list(session, config))
    (directory / "log.vkey").write_text(log_verifier(config).vkey + "\n")
    typer.echo(f"wrote {len(rows)} certificates, trust-list.jws and log.vkey to {directory}")
