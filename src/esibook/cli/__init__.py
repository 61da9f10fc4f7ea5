"""The ``esibook`` command: database, demo data, look-ups and the server.

Bad input ends with one line on standard error saying what is wrong, and a non-zero exit code (2).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import OperationalError

from esibook import migrate
from esibook.config import Settings, load_settings
from esibook.dates import vietnam_today
from esibook.db import make_engine, session_factory
from esibook.errors import DomainError
from esibook.periods import Month

app = typer.Typer(
    help="esibook: the electronic social insurance book and the National Insurance Database.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)
people_app = typer.Typer(help="Look up persons (data groups 1–3).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(people_app, name="people")
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
clients_app = typer.Typer(
    help="Connected systems (OAuth2 client credentials) and their data-group grants.", no_args_is_help=True
)
keys_app = typer.Typer(help="Keys and certificates (development PKI).", no_args_is_help=True)
trust_app = typer.Typer(help="The trust list verifiers use.", no_args_is_help=True)
book_app = typer.Typer(help="The e-book: issue versions, render signed PDFs.", no_args_is_help=True)
card_app = typer.Typer(help="The HI card QR.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(trust_app, name="trust")
app.add_typer(book_app, name="book")
app.add_typer(card_app, name="card")
app.add_typer(audit_app, name="audit")
app.add_typer(clients_app, name="clients")

err = Console(stderr=True)
#: Typer vendors click and does not export its UsageError (bad option values, unknown commands).
UsageError = typer.BadParameter.__base__
DEMO_PERSONS, DEMO_MONTHS, DEMO_SEED = 400, 24, 164


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def friendly_errors(command: Callable) -> Callable:
    """Turn domain errors and unreachable databases into one line and exit code 2."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            fail(f"{error.message_en} ({error.code})")
        except OperationalError as error:
            fail(f"cannot use the database: {str(error.orig).strip().splitlines()[0]}")

    return run


def settings() -> Settings:
    return load_settings()


def last_complete_month() -> Month:
    return Month.from_date(vietnam_today()) - 1


# --- db -------------------------------------------------------------------------------------------------------


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    engine = make_engine(settings().resolved_database_url())
    migrate.upgrade(engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(engine)}")


@db_app.command("downgrade")
@friendly_errors
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base or -1.")) -> None:
    """Undo migrations down to REVISION."""
    engine = make_engine(settings().resolved_database_url())
    migrate.downgrade(engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(engine) or 'base'}")


@db_app.command("current")
@friendly_errors
def db_current() -> None:
    """Print the schema revision the database is at."""
    typer.echo(migrate.current_revision(make_engine(settings().resolved_database_url())) or "base")


@db_app.command("partitions")
@friendly_errors
def db_partitions(
    until: Annotated[str, typer.Option(help="Last month to have a partition (YYYY-MM).")],
) -> None:
    """Add the monthly partitions of contribution lines up to a month (PostgreSQL)."""
    from esibook.contributions.partitions import ensure_partitions

    engine = make_engine(settings().resolved_database_url())
    with engine.begin() as connection:
        created = ensure_partitions(connection, Month.parse(until, field="until"))
    typer.echo(
        f"{len(created)} partitions created"
        if engine.dialect.name == "postgresql"
        else "SQLite has no partitions; nothing to do"
    )


# --- seed -----------------------------------------------------------------------------------------------------


@app.command("seed")
@friendly_errors
def seed_command(
    persons: Annotated[int, typer.Option(help="How many persons to create.")] = 1000,
    months: Annotated[int, typer.Option(help="How many months of contribution history.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")] = 1,
    end_month: Annotated[str | None, typer.Option(help="Last month (YYYY-MM); default last month.")] = None,
    employers: Annotated[int, typer.Option(help="How many employers (default persons / 25).")] = 0,
    reset: Annotated[bool, typer.Option(help="Delete existing persons and their data first.")] = False,
) -> None:
    """Create consistent, realistic synthetic data (upgrades the schema first)."""
    from esibook.seeding.generator import SeedPlan
    from esibook.seeding.loader import check_plan

    last = Month.parse(end_month, field="end_month") if end_month else last_complete_month()
    plan = SeedPlan(persons=persons, months=months, seed=seed, end_month=last, employers=employers)
    check_plan(plan)
    engine = make_engine(settings().resolved_database_url())
    migrate.upgrade(engine)
    report = _seed_with_progress(engine, plan, reset)
    typer.echo(
        f"seeded {report.persons:,} persons, {report.employers:,} employers, "
        f"{report.participation_periods:,} participation periods, {report.contribution_lines:,} "
        f"contribution lines ({plan.start_month} to {plan.end_month}) in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s)"
    )


def _seed_with_progress(engine, plan, reset: bool):
    from esibook.seeding.loader import seed

    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, advance: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.advance(tasks[stage], advance)

        return seed(engine, plan, reset=reset, progress=progress)


# --- people ---------------------------------------------------------------------------------------------------


@people_app.command("search")
@friendly_errors
def people_search(
    query: Annotated[
        str,
        typer.Argument(help="A name (with or without accents), a 12-digit personal ID number or a 10-digit SI code."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 20,
) -> None:
    """Find persons by name or identifier."""
    from esibook.people.identifiers import mask_personal_id
    from esibook.people.service import search_persons

    engine = make_engine(settings().resolved_database_url())
    with session_factory(engine)() as session:
        matches = search_persons(session, query, limit=limit)
    if as_json:
        json.dump([m.as_dict() for m in matches], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if not matches:
        typer.echo("no person found")
    for m in matches:
        masked = mask_personal_id(m.personal_id) if m.personal_id else "(passport)"
        typer.echo(f"{m.id:>10}  {masked}  {m.full_name:<32} {m.date_of_birth}  {m.sex:<6}  {m.authority:<8} {m.match}")


# --- audit and clients ---------------------------------------------------------------------------------------


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
    with _session() as session:
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
    with _session() as session:
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


@clients_app.command("add")
@friendly_errors
def clients_add(
    name: Annotated[str, typer.Argument(help="The system's name as persons will read it in their access log.")],
    groups: Annotated[str, typer.Option(help="Granted data groups, e.g. 1,5.")],
    purposes: Annotated[str, typer.Option(help="Allowed purpose codes, e.g. KCB,TTHC.")],
    authority: Annotated[str, typer.Option(help="civil, defence or security.")] = "civil",
    client_id: Annotated[str | None, typer.Option(help="Client id (default: generated).")] = None,
) -> None:
    """Register a connected system; prints its client id and secret (the secret only this once)."""
    from esibook.access.clients import register_client

    with session_factory(make_engine(settings().resolved_database_url()))() as session:
        created_id, secret = register_client(
            session, name=name, groups=groups, purposes=purposes, authority=authority, client_id=client_id
        )
    typer.echo(f"client_id={created_id}")
    typer.echo(f"client_secret={secret}")


# --- keys, trust, books, cards, verification ------------------------------------------------------------------


def _session():
    return session_factory(make_engine(settings().resolved_database_url()))()


@keys_app.command("init")
@friendly_errors
def keys_init() -> None:
    """Create the national root, one issuing key per authority and the log key (once)."""
    from esibook.trust.pki import init_pki

    with _session() as session:
        created = init_pki(session, settings())
    typer.echo("keys created" if created else "keys already exist")


@keys_app.command("rotate")
@friendly_errors
def keys_rotate(authority: Annotated[str, typer.Option(help="civil, defence or security.")]) -> None:
    """Roll an authority's issuing key: the new key signs from now on; old documents still verify."""
    from esibook.access.authorities import Authority
    from esibook.trust.pki import rotate

    if authority not in {a.value for a in Authority}:
        fail(f"unknown authority '{authority}': use civil, defence or security")
    with _session() as session:
        typer.echo(f"new {authority} key {rotate(session, settings(), authority).kid}")


@trust_app.command("export")
@friendly_errors
def trust_export(directory: Annotated[Path, typer.Argument(help="Folder to write into.")]) -> None:
    """Write the root and every certificate (PEM), the signed trust list and the log's verifier key."""
    from esibook.book.log import log_verifier
    from esibook.book.trust_list import trust_list
    from esibook.trust.pki import all_certificates

    config = settings()
    directory.mkdir(parents=True, exist_ok=True)
    with _session() as session:
        rows = all_certificates(session)
        if not rows:
            fail("there are no keys yet: run `esibook keys init`")
        for row in rows:
            name = "root.pem" if row.role == "root" else f"{row.role}-{row.authority or 'log'}-{row.kid[:8]}.pem"
            (directory / name).write_text(row.cert_pem)
        (directory / "trust-list.jws").write_text(trust_list(session, config))
    (directory / "log.vkey").write_text(log_verifier(config).vkey + "\n")
    typer.echo(f"wrote {len(rows)} certificates, trust-list.jws and log.vkey to {directory}")


@book_app.command("issue")
@friendly_errors
def book_issue(
    code: Annotated[str | None, typer.Argument(help="Personal ID number or SI code; omit with --all.")] = None,
    all_persons: Annotated[bool, typer.Option("--all", help="Every person who has participated.")] = False,
    processes: Annotated[int, typer.Option(help="With --all: processes signing at once (0: one per core).")] = 0,
    queue: Annotated[bool, typer.Option(
        "--queue", help="With --all: queue one job per range for `esibook worker` on every machine (PostgreSQL)."
    )] = False,
) -> None:
    """Sign a new book version where the record changed since the last one."""
    from esibook.book.bulk import enqueue_all, issue_all
    from esibook.book.service import issue_book
    from esibook.db import is_postgres
    from esibook.people.service import person_by_code

    config = settings()
    if processes < 0:
        fail(f"--processes must be 0 (one per core) or more, not {processes}")
    if (queue or processes) and not all_persons:
        fail("--processes and --queue go with --all")
    with _session() as session:
        if all_persons and queue:
            if not is_postgres(session):
                fail("--queue needs PostgreSQL (the job queue); on SQLite run `esibook book issue --all`")
            typer.echo(f"{enqueue_all(session):,} ranges of persons queued for `esibook worker`")
            return
        if all_persons:
            created = _issue_all_with_progress(session, config, issue_all, processes or None)
            typer.echo(f"{created:,} new book versions")
            return
        if not code:
            fail("give a personal ID number, or --all")
        version, created = issue_book(session, config, person_by_code(session, code).id, reason="issued")
        typer.echo(f"{version.book_id} version {version.version}" + ("" if created else " (unchanged)"))


def _issue_all_with_progress(session, config, issue_all, processes: int | None = None) -> int:
    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("signing books", total=None)
        return issue_all(session, config, processes=processes,
                         progress=lambda done, total: bar.update(task, completed=done, total=total))


@book_app.command("pdf")
@friendly_errors
def book_pdf(
    code: Annotated[str, typer.Argument(help="Personal ID number or SI code.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the PDF.")],
) -> None:
    """Write the signed PDF of a person's latest book version."""
    from esibook.book.documents import signed_pdf
    from esibook.people.service import person_by_code

    with _session() as session:
        pdf = signed_pdf(session, settings(), person_by_code(session, code).id)
    output.write_bytes(pdf)
    typer.echo(f"wrote {output} ({len(pdf):,} bytes)")


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

    with _session() as session:
        qr = card_qr(session, settings(), person_by_code(session, code), one_time=one_time)
    typer.echo(qr.payload)
    if png:
        segno.make(qr.payload, error="m").save(str(png), scale=6, border=2)


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

    data = sys.stdin.buffer.read() if source == "-" else _read(Path(source))
    if trust_list_file:
        trust, status = _offline_state(trust_list_file, root_file, status_list_file)
        result = verify(data, trust, status)
    else:
        if status_list_file:
            fail("--status-list is for offline checks, with --trust-list")
        with _session() as session:
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
            + (f"\n  logged at index {logged['leaf_index']} of {logged['tree_size']}, checkpoint time "
               f"{logged['checkpoint_time']}" if logged else "")
            + (_witnessed_line(logged) if logged else "")
        )
    raise typer.Exit(0 if result.verdict.value == "valid" else 1)


def _witnessed_line(logged: dict) -> str:
    names = ", ".join(f"{w['name']} at {w['cosigned_at']}" for w in logged.get("witnesses", []))
    quorum = logged.get("witness_quorum", 0)
    if not names and not quorum:
        return ""
    return f"\n  witnessed by {len(logged.get('witnesses', []))} (required {quorum}): {names or 'none'}"


def _read(path: Path) -> bytes:
    if not path.is_file():
        fail(f"no such file: {path}")
    return path.read_bytes()


def _offline_state(trust_list_file: Path, root_file: Path | None, status_list_file: Path | None = None):
    from cryptography import x509

    from esibook.book.status import StatusView
    from esibook.trust.anchors import TrustAnchors
    from esibook.trust.jws import JwsError

    if root_file is None:
        fail("--trust-list needs --root (the root certificate you trust, PEM)")
    try:
        root = x509.load_pem_x509_certificate(_read(root_file))
        trust = TrustAnchors.from_trust_list(_read(trust_list_file).decode().strip(), root)
    except (ValueError, JwsError) as error:
        fail(f"the trust list does not verify with this root: {error}")
    if status_list_file is None:
        return trust, StatusView()
    try:
        return trust, StatusView.from_status_list(_read(status_list_file).decode().strip(), trust)
    except (ValueError, KeyError, JwsError) as error:
        fail(f"the status list does not verify with the trust list: {error}")


# --- medical visits -------------------------------------------------------------------------------------------

visits_app = typer.Typer(
    help="Medical visits reported by clinics (XML 130 of the Ministry of Health).", no_args_is_help=True
)
app.add_typer(visits_app, name="visits")


@visits_app.command("import")
@friendly_errors
def visits_import(
    file: Annotated[Path, typer.Argument(help="An XML file of Decision 130/QĐ-BYT (GIAMDINHHS or TONG_HOP).")],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code (MA_CSKCB) the file is from.")],
) -> None:
    """Check and store a clinic's visit summaries (table XML1). Prints how many were stored and each rejected
    record with its reasons; exit code 1 when any record was rejected."""
    from esibook.health.api import xml_clinic
    from esibook.health.visit_service import operator_sender, receive_visits
    from esibook.health.xml130 import read_xml1

    parsed = read_xml1(_read(file))
    with _session() as session:
        sender = operator_sender(session, xml_clinic(parsed, clinic))
        report = receive_visits(session, sender, parsed.items, source="xml1")
    typer.echo(
        f"clinic {report.clinic_code}: {report.received} received, {report.accepted} stored, "
        f"{report.duplicates} already stored, {len(report.rejected)} rejected"
    )
    for rejection in report.rejected:
        for problem in rejection.reasons:
            typer.echo(f"  #{rejection.index} {rejection.visit_ref or '-'}: {problem.code} {problem.message_en}")
    raise typer.Exit(1 if report.rejected else 0)


# --- serve and demo -------------------------------------------------------------------------------------------


@app.command("serve")
@friendly_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web application and the API."""
    config = settings()
    _refuse_open_development(config, host)
    _serve(config, host, port)


def _refuse_open_development(config: Settings, host: str) -> None:
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


def _serve(config: Settings, host: str, port: int) -> None:
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
    typer.echo(f"esibook is running: open http://{host}:{port}/ (API documentation at /docs). Ctrl+C stops it.")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


def _outbox_thread(engine, config: Settings) -> None:
    """In development the server runs the jobs itself (notifications, audit checkpoints, the daily arrears
    watchdog): in-process rounds on SQLite, a job worker on PostgreSQL; production runs `esibook worker`."""
    import threading

    from esibook import jobs
    from esibook.db import is_postgres

    def loop() -> None:
        runtime, watched = jobs.configure(engine, config), None
        while True:
            try:
                if is_postgres(engine):
                    jobs.run_worker(engine, wait=True, signals=False)
                else:
                    watched = jobs.run_round(runtime, watched)
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
    from esibook.book import sequencer, witnessing
    from esibook.db import is_postgres
    from esibook.notify.outbox import deliver_pending

    if interval <= 0:
        fail(f"--interval must be more than 0 seconds, not {interval}")
    config = settings()
    engine = make_engine(config.resolved_database_url())
    if migrate.current_revision(engine) is None:
        fail("the database has no schema yet: run `esibook db upgrade` first")
    runtime = jobs.configure(engine, config)
    if once:
        typer.echo(f"{sequencer.run_once(runtime.sessions, config)} log entries integrated")
        _echo_witnessed(runtime.sessions, config)
        jobs.audit_checkpoint_if_due(runtime.sessions, config)
        if is_postgres(engine):
            jobs.run_worker(engine, wait=False)
        runtime.count(deliver_pending(runtime.sessions, runtime.sender))  # anything left without a job
        typer.echo(f"{runtime.delivered} messages delivered")
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
        watched = jobs.run_round(runtime, watched)
        time.sleep(interval)


# --- witnesses --------------------------------------------------------------------------------------------------

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
def witness_serve(
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
    if not _echo_witnessed(session_factory(engine), config):
        raise typer.Exit(1)


def _echo_witnessed(sessions, config: Settings) -> bool:
    from esibook.book import witnessing

    with sessions() as session:
        outcomes = witnessing.push(session, config)
    for outcome in outcomes:
        state = "cosigned" if outcome.cosigned else f"not cosigned: {outcome.detail}"
        typer.echo(f"checkpoint {outcome.tree_size}: {outcome.witness.url} {state}")
    return all(outcome.cosigned for outcome in outcomes)


@app.command("demo")
@friendly_errors
def demo(
    seed_only: Annotated[bool, typer.Option("--seed-only", help="Prepare the data, do not serve.")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Upgrade the schema, seed a small demo data set if the database is empty, and serve."""
    from sqlalchemy import func, select

    from esibook.models import Person
    from esibook.seeding.generator import SeedPlan

    config = settings()
    if not seed_only:
        _refuse_open_development(config, host)
    engine = make_engine(config.resolved_database_url())
    migrate.upgrade(engine)
    with engine.connect() as connection:
        persons = connection.execute(select(func.count()).select_from(Person)).scalar_one()
    if persons:
        typer.echo(f"demo data present: {persons:,} persons")
    else:
        plan = SeedPlan(persons=DEMO_PERSONS, months=DEMO_MONTHS, seed=DEMO_SEED, end_month=last_complete_month())
        report = _seed_with_progress(engine, plan, reset=False)
        typer.echo(
            f"demo data created: {report.persons:,} persons, {report.employers:,} employers, "
            f"{report.contribution_lines:,} contribution lines"
        )
    _demo_access(engine)
    _demo_duplicate_book(engine)
    _demo_books(engine, config)
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    if not seed_only:
        _serve(config, host, port)


def _demo_access(engine) -> None:
    """Role grants for the demo identities, and a demo hospital and a demo bank whose secrets are shown once."""
    from esibook.access.clients import DEMO_BANK_ID, DEMO_CLIENT_ID, register_client
    from esibook.access.demo import grant_demo_roles
    from esibook.access.models import ApiClient

    with session_factory(engine)() as session, session.begin():
        grant_demo_roles(session)
    demo_clients = [
        (DEMO_CLIENT_ID, "Bệnh viện Đa khoa Hà Nội (hệ thống HIS)", "1,5", "KCB", "demo API client"),
        (DEMO_BANK_ID, "Ngân hàng TMCP Thử nghiệm (thẩm định tín dụng)", "1,4", "TINDUNG", "demo bank (consent)"),
    ]
    with session_factory(engine)() as session:
        for client_id, name, groups, purposes, label in demo_clients:
            if session.get(ApiClient, client_id) is None:
                _, secret = register_client(
                    session, name=name, groups=groups, purposes=purposes, authority="civil", client_id=client_id
                )
                typer.echo(f"{label}: client_id={client_id} client_secret={secret} (shown once)")
    typer.echo("log in at /login and pick a demo identity (citizen, officer, employer, clinic)")


def _demo_duplicate_book(engine) -> None:
    """A second, older book for the demo citizen, to try "Merge duplicate books"."""
    from sqlalchemy import select

    from esibook.access.demo import demo_identities
    from esibook.models import Person
    from esibook.transactions.demo import add_duplicate_book

    with session_factory(engine)() as session, session.begin():
        citizen = next((i for i in demo_identities(session) if i.key == "citizen-l2"), None)
        if citizen is None:
            return
        person = session.scalar(select(Person).where(Person.personal_id == citizen.personal_id))
        duplicate = add_duplicate_book(session, person)
        typer.echo(f"demo duplicate book of the citizen: SI code {duplicate.si_code_legacy} (Online services → merge)")


def _demo_books(engine, config) -> None:
    """The development keys (generated at first run) and a signed book for everyone who has participated."""
    from esibook.book.bulk import issue_all
    from esibook.trust.pki import init_pki

    with session_factory(engine)() as session:
        if init_pki(session, config):
            typer.echo("development keys created (root, civil, defence, security, log)")
        created = _issue_all_with_progress(session, config, issue_all)
    if created:
        typer.echo(f"{created:,} e-books signed")


# Registered last: these modules use the helpers above.
from esibook.contributions.cli import arrears_app, contributions_app, payments_app  # noqa: E402

app.add_typer(contributions_app, name="contributions")
app.add_typer(payments_app, name="payments")
app.add_typer(arrears_app, name="arrears")


def main() -> None:
    """Console entry point: usage errors too end as one line and exit code 2."""
    try:
        code = app(prog_name="esibook", standalone_mode=False)
    except UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError" and error.ctx:
            typer.echo(error.ctx.get_help())
            sys.exit(0)
        err.print(f"[bold red]error:[/] {error.format_message()}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
