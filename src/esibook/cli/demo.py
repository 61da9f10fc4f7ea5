"""``esibook demo``: seed a demo, with its identities, keys and books, and serve it."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook import migrate
from esibook.cli.book import issue_all_with_progress
from esibook.cli.common import (
    app,
    friendly_errors,
    last_complete_month,
    settings,
)
from esibook.cli.seed import seed_with_progress
from esibook.cli.serve import refuse_open_development, run_server
from esibook.db import make_engine, session_factory

DEMO_PERSONS, DEMO_MONTHS, DEMO_SEED = 400, 24, 164


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
        refuse_open_development(config, host)
    engine = make_engine(config.resolved_database_url())
    migrate.upgrade(engine)
    with engine.connect() as connection:
        persons = connection.execute(select(func.count()).select_from(Person)).scalar_one()
    if persons:
        typer.echo(f"demo data present: {persons:,} persons")
    else:
        plan = SeedPlan(persons=DEMO_PERSONS, months=DEMO_MONTHS, seed=DEMO_SEED, end_month=last_complete_month())
        report = seed_with_progress(engine, plan, reset=False)
        typer.echo(
            f"demo data created: {report.persons:,} persons, {report.employers:,} employers, "
            f"{report.contribution_lines:,} contribution lines"
        )
    _demo_access(engine)
    _demo_duplicate_book(engine)
    _demo_books(engine, config)
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    if not seed_only:
        run_server(config, host, port)


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
        created = issue_all_with_progress(session, config, issue_all)
    if created:
        typer.echo(f"{created:,} e-books signed")
