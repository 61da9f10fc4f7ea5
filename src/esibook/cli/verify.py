"""``esibook verify``: check a document offline (a trust list) or against this installation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    fail,
    friendly_errors,
    open_session,
    read_input,
    settings,
)


@app.command("verify")
@friendly_errors
def verify_command(
    source: Annotated[str, typer.Argument(help="A file (PDF, signed JSON, QR text) or - for stdin.")],
    trust_list_file: Annotated[
        Path | None, typer.Option("--trust-list", help="Verify offline with an exported trust list.")
    ] = None,
    root_file: Annotated[Path | None, typer.Option("--root", help="The pinned root (PEM) for --trust-list.")] = None,
    status_list_file: Annotated[
        Path | None, typer.Option("--status-list", help="With --trust-list: a downloaded status list (suspensions).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Say whether a document is valid, altered, from an unknown issuer, not in the transparency log, not confirmed
    by enough witnesses, suspended, expired, or not esibook's. Exit code 0 only for valid. Offline, a book is
    checked against the log proof it carries (PDF or bundle), the log key of the trust list and the witnesses it
    requires; the witnesses that cosigned the checkpoint are listed."""
    from esibook.trust.verify import verify
    from esibook.views.verification import check_online

    data = sys.stdin.buffer.read() if source == "-" else read_input(Path(source))
    if trust_list_file:
        trust, status = _offline_state(trust_list_file, root_file, status_list_file)
        result = verify(data, trust, status)
    else:
        if status_list_file:
            fail("--status-list is for offline checks, with --trust-list")
        with open_session() as session:
            result = check_online(session, settings(), data)
    if as_json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        shown = ", ".join(f"{k}={v}" for k, v in result.shows.items() if v is not None and k != "log")
        logged = result.shows.get("log")
        typer.echo(
            f"{result.verdict.value.upper()}: {result.kind}"
            + (f" ({result.reason})" if result.reason else "")
            + (f"\n  {shown}" if shown else "")
            + (
                f"\n  logged at index {logged['leaf_index']} of {logged['tree_size']}, checkpoint time "
                f"{logged['checkpoint_time']}"
                if logged
                else ""
            )
            + (_witnessed_line(logged) if logged else "")
        )
    raise typer.Exit(0 if result.verdict.value == "valid" else 1)


def _witnessed_line(logged: dict) -> str:
    names = ", ".join(f"{w['name']} at {w['cosigned_at']}" for w in logged.get("witnesses", []))
    quorum = logged.get("witness_quorum", 0)
    if not names and not quorum:
        return ""
    return f"\n  witnessed by {len(logged.get('witnesses', []))} (required {quorum}): {names or 'none'}"


def _offline_state(trust_list_file: Path, root_file: Path | None, status_list_file: Path | None = None):
    from cryptography import x509

    from esibook.book.status import StatusView
    from esibook.trust.anchors import TrustAnchors
    from esibook.trust.jws import JwsError

    if root_file is None:
        fail("--trust-list needs --root (the root certificate you trust, PEM)")
    try:
        root = x509.load_pem_x509_certificate(read_input(root_file))
        trust = TrustAnchors.from_trust_list(read_input(trust_list_file).decode().strip(), root)
    except (ValueError, JwsError) as error:
        fail(f"the trust list does not verify with this root: {error}")
    if status_list_file is None:
        return trust, StatusView()
    try:
        return trust, StatusView.from_status_list(read_input(status_list_file).decode().strip(), trust)
    except (ValueError, KeyError, JwsError) as error:
        fail(f"the status list does not verify with the trust list: {error}")
