"""``esibook portals …``: what the local stand-ins of the national portals and the VNeID wallet hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import app, fail, friendly_errors, open_session

portals_app = typer.Typer(help="The national portals and the VNeID wallet (their local stand-ins, over HTTP too).",
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


@portals_app.command("standin")
@friendly_errors
def standin_command(
    system: Annotated[str, typer.Option(help="ndpp, mof or vneid: whose stand-in this is.")],
    client_secret_file: Annotated[Path, typer.Option(
        help="A file holding that client's secret (never given on the command line).")],
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8701,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    client_id: Annotated[str, typer.Option(help="The one client it accepts (ESIBOOK_PORTAL_<KEY>_CLIENT_ID).")]
    = "esibook",
    store: Annotated[Path | None, typer.Option(help="SQLite file of what it holds (default: in memory).")] = None,
    trust_root: Annotated[Path | None, typer.Option(
        help="PEM certificate of esibook's root: batches must be signed by a key it issued.")] = None,
    token_seconds: Annotated[int, typer.Option(help="Lifetime of the access tokens it issues.", min=1)] = 300,
    fail_first: Annotated[int, typer.Option(help="Answer 503 to the first N pushes (tests).", min=0)] = 0,
    slow: Annotated[float, typer.Option(help="Seconds to wait before each answer (tests).", min=0)] = 0.0,
) -> None:
    """Serve a local stand-in of one national system over HTTP, speaking the interface esibook pushes to
    (POST /token, POST /documents; docs/portals.md). Point esibook at it with ESIBOOK_PORTAL_<KEY>_URL=
    http://HOST:PORT, _CLIENT_ID and _CLIENT_SECRET(_FILE)."""
    import uvicorn
    from cryptography import x509

    from esibook.portals.adapters import SYSTEMS
    from esibook.portals.standin import StandIn

    if system not in SYSTEMS:
        fail(f"--system must be one of {', '.join(SYSTEMS)}, not {system!r}")
    secret = read_text(client_secret_file, "--client-secret-file").strip()
    if not secret:
        fail(f"--client-secret-file {client_secret_file} is empty")
    root = None
    if trust_root:
        try:
            root = x509.load_pem_x509_certificate(read_text(trust_root, "--trust-root").encode())
        except ValueError:
            fail(f"--trust-root {trust_root} is not a PEM certificate")
    stand_in = StandIn(system, client_id, secret, store=store, trust_root=root, token_seconds=token_seconds,
                       fail_next=fail_first, delay=slow)
    typer.echo(f"stand-in of {system} ({SYSTEMS[system][1]}) on http://{host}:{port}: Ctrl+C stops it")
    uvicorn.run(stand_in.app(), host=host, port=port, log_level="warning")


def read_text(path: Path, option: str) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{option}: cannot read {path}: {getattr(error, 'strerror', None) or type(error).__name__}")
