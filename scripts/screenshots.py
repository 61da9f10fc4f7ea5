"""Phone screenshots (360 × 740, Vietnamese) of the main pages of each role, into docs/screenshots/.

Run by ``make screenshots``: it prepares a fresh demo database (``esibook demo --seed-only``) in
``var/screenshots-demo``, then this script serves it on a free loopback port, files one registration as the demo
employer (so the officer has something to review), and drives Debian's Chromium through Playwright.

    ESIBOOK_DATA_DIR=var/screenshots-demo python scripts/screenshots.py docs/screenshots
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.demo import demo_identities
from esibook.access.principal import Identity, person_principal
from esibook.app import create_app
from esibook.config import Settings
from esibook.db import make_engine
from esibook.people.models import Person
from esibook.transactions.models import PopulationRecord
from esibook.transactions.service import register_employees

WIDTH, HEIGHT = 360, 740
#: (role, file name, path): the pages a newcomer would look at first. ``{employer}`` and ``{dossier}`` are filled.
PAGES = [
    (None, "01-home", "/"),
    (None, "02-login", "/login"),
    ("citizen-l2", "10-citizen-home", "/me"),
    ("citizen-l2", "11-hi-card", "/me/card"),
    ("citizen-l2", "12-book", "/me/book"),
    ("citizen-l2", "13-contributions", "/me/contributions"),
    ("citizen-l2", "14-messages", "/me/messages"),
    ("citizen-l2", "15-online-services", "/me/services"),
    ("citizen-l2", "16-my-data", "/me/data"),
    ("employer-rep", "20-employer-employees", "/employer/{employer}/employees"),
    ("employer-rep", "21-employer-dues", "/employer/{employer}/dues"),
    ("officer-civil", "30-officer-queue", "/officer/queue"),
    ("officer-civil", "31-officer-review", "/officer/dossiers/{dossier}"),
    (None, "40-verify", "/verify"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(settings: Settings, port: int) -> uvicorn.Server:
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


def file_a_registration(settings: Settings, identities: dict) -> int:
    """The demo employer registers one resident never insured: the officer's review has a dossier to show."""
    with Session(make_engine(settings.resolved_database_url())) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        resident = session.scalar(
            select(PopulationRecord.personal_id).where(PopulationRecord.personal_id.not_in(insured)).limit(1)
        )
        rep = identities["employer-rep"]
        caller = person_principal(session, Identity(f"sub-{rep.personal_id}", rep.personal_id, rep.name, 2))
        row = {"personal_id": resident, "job_title": "Công nhân may", "salary": 7_200_000, "from_month": "2026-11"}
        return register_employees(
            session, settings, caller, employer_id=rep.grant[3], employees=[row],
            idempotency_key=f"screenshots-{uuid.uuid4()}",
        ).dossier.id


def sign_in(page, base: str, role: str) -> None:
    page.goto(f"{base}/login?return_to=/me/messages")
    page.get_by_test_id("login-vneid").click()
    page.get_by_test_id(f"identity-{role}").click()
    page.wait_for_load_state()


def main(out: Path) -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("screenshots: Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    settings = Settings()
    with Session(make_engine(settings.resolved_database_url())) as session:
        identities = {i.key: i for i in demo_identities(session)}
    fill = {"employer": identities["employer-rep"].grant[3], "dossier": file_a_registration(settings, identities)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"  # sign-in redirects point where the server listens
    server = serve(settings.model_copy(update={"base_url": base}), port)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        for role in dict.fromkeys(role for role, _, _ in PAGES):
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, locale="vi-VN")
            page = context.new_page()
            if role:
                sign_in(page, base, role)
            for _, name, path in (p for p in PAGES if p[0] == role):
                page.goto(base + path.format(**fill) + ("&" if "?" in path else "?") + "lang=vi")
                page.screenshot(path=str(out / f"{name}.png"))
                print(f"screenshots: {out / name}.png")
            context.close()
        browser.close()
    server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
