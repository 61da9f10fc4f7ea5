"""``esibook witness …``: run a witness of the transparency log, show its key, push checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    fail,
    friendly_errors,
    settings,
)
from esibook.config import Settings
from esibook.db import make_engine, session_factory

witness_app = typer.Typer(
    help="Witnesses of the transparency log (C2SP tlog-witness): run one, show its key, ask them to cosign.",
    no_args_is_help=True,
)
app.add_typer(witness_app, name="witness")
WitnessDir = Annotated[Path, typer.Option("--data-dir", help="The witness's own folder (its key and state).")]
WitnessName = Annotated[str, typer.Option("--name", help="The witness's key name, fixed when its key is made.")]


def _witness(data_dir: Path, name: str, log_keys: list[str]):
    from esibook.trust.note import NoteError, NoteVerifier
    from esibook.witness.service import open_witness

    try:
        keys = [NoteVerifier.from_vkey(key) for key in log_keys]
    except NoteError as error:
        fail(f"--log: {error}")
    return open_witness(data_dir, name, keys, env=settings().env)


@witness_app.command("serve")
@friendly_errors
def witnessrun_server(
    data_dir: WitnessDir,
    log_keys: Annotated[list[str], typer.Option("--log", help="A log's verifier key (origin+keyid+key); repeat.")],
    name: WitnessName = "esibook-witness",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
) -> None:
    """Run a witness: POST /add-checkpoint cosigns a checkpoint of a known log that is consistent with the last
    one it cosigned (kept in DATA_DIR/witness.db); GET /key prints its cosigner key for the trust list."""
    import uvicorn

    from esibook.witness.server import create_witness_app

    witness = _witness(data_dir, name, log_keys)
    typer.echo(f"witness {witness.vkey} of {', '.join(witness.logs)} at http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="warning")


@witness_app.command("key")
@friendly_errors
def witness_key(data_dir: WitnessDir, name: WitnessName = "esibook-witness") -> None:
    """Print the witness's cosigner verifier key (made now if the folder has none)."""
    typer.echo(_witness(data_dir, name, []).vkey)


@witness_app.command("push")
@friendly_errors
def witness_push() -> None:
    """Ask the configured witnesses (ESIBOOK_LOG_WITNESSES) to cosign the log's latest checkpoint now. Exit code
    1 if one did not."""
    config = settings()
    engine = make_engine(config.resolved_database_url())
    if not echo_witnessed(session_factory(engine), config):
        raise typer.Exit(1)


def echo_witnessed(sessions, config: Settings) -> bool:
    from esibook.book import witnessing

    with sessions() as session:
        outcomes = witnessing.push(session, config)
    for outcome in outcomes:
        state = "cosigned" if outcome.cosigned else f"not cosigned: {outcome.detail}"
        typer.echo(f"checkpoint {outcome.tree_size}: {outcome.witness.url} {state}")
    return all(outcome.cosigned for outcome in outcomes)
