"""A real server on SQLite with demo data (deep histories, as the demo has) and grants, and Debian's Chromium driven
by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from esibook import migrate
from esibook.access.demo import demo_identities, grant_demo_roles
from esibook.book.bulk import issue_all
from esibook.config import Settings
from esibook.db import make_engine
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.pki import init_pki

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PERSONS = 300


@pytest.fixture(scope="session")
def site_data(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{(data_dir / 'esibook.db').resolve()}"  # never the caller's ESIBOOK_DATABASE_URL
    engine = make_engine(url)
    migrate.upgrade(engine)
    # Deep histories, as `esibook demo` seeds them: the citizen's book goes back to the 1990s, with visits.
    seed(engine, SeedPlan(persons=PERSONS, months=12, seed=2, end_month=Month(2026, 10), history=True,
                          uninsured_share=0.25))
    with Session(engine) as session, session.begin():
        grant_demo_roles(session)
    settings = Settings(data_dir=data_dir, database_url=url)
    with Session(engine) as session:
        init_pki(session, settings)
        issue_all(session, settings)
    with Session(engine) as session:
        identities = {i.key: i for i in demo_identities(session)}
    return url, data_dir, identities


@pytest.fixture(scope="session")
def site(site_data, serve) -> Iterator[str]:
    url, data_dir, _ = site_data
    with serve(url, data_dir) as base:
        yield base


@pytest.fixture(scope="session")
def identities(site_data) -> dict:
    return site_data[2]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if IN_CI:
            pytest.fail("Chromium is required when CI=true (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A page in a small phone's viewport (360 × 740), as many citizens will see it."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    yield context.new_page()
    context.close()
