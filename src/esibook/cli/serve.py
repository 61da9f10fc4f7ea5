"""``esibook serve`` and ``esibook worker``: the web application and the background jobs."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from esibook import migrate
from esibook.cli.common import (
    app,
    fail,
    friendly_errors,
    settings,
)
from esibook.cli.witness import echo_witnessed
from esibook.config import Settings
from esibook.db import make_engine, session_factory


@app.command("serve")
@friendly_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Server processes (ESIBOOK_WORKERS); default one per core.", min=1, max=256
        ),
    ] = None,
) -> None:
    """Serve the web application and the API."""
    config = settings()
    if workers:
        config = config.model_copy(update={"workers": workers})
    refuse_open_development(config, host)
    check_portal_settings(config)
    run_server(config, host, port)


def check_portal_settings(config: Settings) -> None:
    """Incomplete ESIBOOK_PORTAL_* settings stop the command at start, in one line (PortalConfigError)."""
    from esibook.portals.http import check_settings

    check_settings(config)


def refuse_open_development(config: Settings, host: str) -> None:
    """The development identity provider signs anyone in as anyone: it never listens beyond this machine."""
    import ipaddress

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if config.dev_idp_enabled and not loopback:
        fail(
            f"refusing to listen on {host}: the development identity provider lets anyone log in as anyone; "
            "listen on 127.0.0.1, or set ESIBOOK_OIDC_ISSUER (a real provider) or ESIBOOK_ENV=production"
        )


def run_server(config: Settings, host: str, port: int) -> None:
    import uvicorn

    from esibook.app import create_app

    engine = make_engine(config.resolved_database_url())
    if migrate.current_revision(engine) is None:
        fail("the database has no schema yet: run `esibook db upgrade` first")
    if "ESIBOOK_BASE_URL" not in os.environ:  # sign-in redirects and QR links must point where we listen
        config = config.model_copy(update={"base_url": f"http://{host}:{port}"})
    if config.dev_idp_enabled:
        _outbox_thread(engine, config)
    from esibook.book import sequencer, witnessing

    sequencer.start(session_factory(engine), config)
    witnessing.start(session_factory(engine), config)
    processes = config.resolved_workers()
    typer.echo(
        f"esibook is running ({processes} server process{'es' if processes > 1 else ''}): open "
        f"http://{host}:{port}/ (API documentation at /docs). Ctrl+C stops it."
    )
    if processes == 1:
        uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
        return
    # Each worker process builds its own app (and pool) from the environment, as this one read it; it learns it is
    # one of several (its rate limits then count in the shared file).
    os.environ["ESIBOOK_BASE_URL"] = config.base_url
    os.environ["ESIBOOK_WORKERS"] = str(processes)
    uvicorn.run("esibook.app:create_app", factory=True, workers=processes, host=host, port=port, log_level="warning")


def _outbox_thread(engine, config: Settings) -> None:
    """In development the server runs the jobs itself (notifications, audit checkpoints, the daily arrears
    watchdog): in-process rounds on SQLite, a job worker on PostgreSQL; production runs `esibook worker`."""
    import threading

    from esibook import jobs, worker
    from esibook.db import is_postgres

    def loop() -> None:
        runtime, watched = jobs.configure(engine, config), None
        while True:
            try:
                if is_postgres(engine):
                    jobs.run_worker(engine, wait=True, signals=False)
                else:
                    watched = worker.run_round(runtime, watched)
            except Exception:  # noqa: BLE001 - keep serving; the next round retries
                pass
            time.sleep(2)

    threading.Thread(target=loop, daemon=True, name="jobs").start()


@app.command("worker")
@friendly_errors
def worker(
    once: Annotated[bool, typer.Option("--once", help="Process what is queued (and due), then stop.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds (SQLite).")] = 2.0,
) -> None:
    """Run the jobs: integrate the transparency log's pooled entries (every second) and ask the witnesses
    (ESIBOOK_LOG_WITNESSES) to cosign each new checkpoint; deliver notifications from the
    outbox (email, in-app), each exactly once, retrying failures; sign and anchor an audit checkpoint hourly (or
    every 1000 records); run the arrears watchdog once a day (its notices go out on the 10th). On PostgreSQL this is
    a procrastinate worker (run as many as wanted, on any machine); on SQLite the same tasks run in rounds in this
    process."""
    from esibook import jobs
    from esibook import worker as tasks
    from esibook.audit.checkpoints import audit_checkpoint_if_due
    from esibook.book import sequencer, witnessing
    from esibook.db import is_postgres
    from esibook.notify.outbox import deliver_pending, sender_of
    from esibook.portals.service import push_pending, systems_of

    if interval <= 0:
        fail(f"--interval must be more than 0 seconds, not {interval}")
    config = settings()
    check_portal_settings(config)
    engine = make_engine(config.resolved_database_url())
    if migrate.current_revision(engine) is None:
        fail("the database has no schema yet: run `esibook db upgrade` first")
    runtime = jobs.configure(engine, config)
    if once:
        typer.echo(f"{sequencer.run_once(runtime.sessions, config)} log entries integrated")
        echo_witnessed(runtime.sessions, config)
        audit_checkpoint_if_due(runtime.sessions, config)
        if is_postgres(engine):
            jobs.run_worker(engine, wait=False)
        runtime.count(deliver_pending(runtime.sessions, sender_of(runtime)))  # anything left without a job
        pushed = push_pending(runtime.sessions, config, systems_of(runtime))
        typer.echo(f"{runtime.delivered} messages delivered")
        typer.echo(f"{pushed} documents pushed to the national portals without a job")
        return
    if is_postgres(engine):
        typer.echo("job worker on PostgreSQL (procrastinate): Ctrl+C stops it")
        sequencer.start(runtime.sessions, config)
        witnessing.start(runtime.sessions, config)
        jobs.run_worker(engine, wait=True)
        return
    witnessing.start(runtime.sessions, config)
    watched = None
    while True:
        watched = tasks.run_round(runtime, watched)
        time.sleep(interval)
