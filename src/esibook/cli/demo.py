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
#: A quarter of the demo's households has a neighbour never insured: 30-odd residents to register as new employees.
DEMO_UNINSURED_SHARE = 0.25


def demo_plan():
    """The demo's data: deep histories (careers back to the 1990s, visits, a showcase household) up to last month."""
    from esibook.seeding.generator import SeedPlan

    return SeedPlan(
        persons=DEMO_PERSONS,
        months=DEMO_MONTHS,
        seed=DEMO_SEED,
        end_month=last_complete_month(),
        history=True,
        uninsured_share=DEMO_UNINSURED_SHARE,
    )


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
        report = seed_with_progress(engine, demo_plan(), reset=False)
        typer.echo(
            f"demo data created: {report.persons:,} persons, {report.employers:,} employers, "
            f"{report.contribution_lines:,} contribution lines"
        )
    _demo_access(engine, config)
    _demo_duplicate_book(engine)
    _demo_pensioners(engine)
    _demo_books(engine, config)
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    _demo_guide(engine, config, host, port)
    if not seed_only:
        run_server(config, host, port)


def _demo_access(engine, config) -> None:
    """Role grants for the demo identities, and a demo hospital and a demo bank with their secrets on file."""
    from esibook.access.demo import grant_demo_roles
    from esibook.cli.demo_guide import ensure_demo_clients

    with session_factory(engine)() as session, session.begin():
        grant_demo_roles(session)
    with session_factory(engine)() as session:
        ensure_demo_clients(session, config)


def _demo_guide(engine, config, host: str, port: int) -> None:
    """Printed on every start: where to click, the accounts, the API clients, residents to register."""
    import os

    from esibook.cli.demo_guide import guide

    base = os.environ.get("ESIBOOK_BASE_URL") or f"http://{host}:{port}"
    with session_factory(engine)() as session:
        for line in guide(session, config, base):
            typer.echo(line)


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


def _demo_pensioners(engine) -> None:
    """A resident at retirement age who can claim the pension, and a pensioner with a payment history."""
    from esibook.seeding.pensioners import add_demo_pensioners

    with session_factory(engine)() as session, session.begin():
        add_demo_pensioners(session)


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
