"""Every page of every role on a 360 × 740 phone: nothing wider than the screen, a header under 15% of its height,
and axe-core finds no serious or critical accessibility violation.

The pages are not listed by hand: they are the running application's GET routes (``served_routes``), opened by
each role inside the route's audience (``AUDIENCE_OF`` and ``MEMBERS`` of the authorization suite). A route whose
answer is not HTML (JSON, PDF, images, tiles, scripts) is no page and is left out by its content type. Path
parameters get real ids of the seeded data, chosen for the role (the officer's own authority, the employer's unit).
axe-core is the npm package, installed by ``.ci/run`` into ``.ci/node``.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.models import Authorisation
from esibook.access.principal import Identity, person_principal
from esibook.app import create_app, served_routes
from esibook.config import Settings
from esibook.db import make_engine
from esibook.people.models import Person
from esibook.transactions.models import PopulationRecord
from esibook.transactions.service import register_employees, submit
from esibook.views.sharing import create_link
from integration.test_authorization import AUDIENCE_OF, MEMBERS
from support.signed_in import sign_in

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE_PATHS = [
    Path(os.environ.get("ESIBOOK_AXE_JS", REPO / ".ci/node/node_modules/axe-core/axe.min.js")),
    Path("/usr/share/nodejs/axe-core/axe.min.js"),
]
#: The roles that sign in through the browser: the development identity provider's people, and no one.
BROWSER_ROLES = [
    "anonymous",
    "citizen-l1",
    "citizen-l2",
    "guardian",
    "citizen-defence",
    "employer-rep",
    "officer-civil",
    "officer-defence",
    "officer-security",
    "clinic",
]
OFFICER_AUTHORITY = {"officer-civil": "civil", "officer-defence": "defence", "officer-security": "security"}
#: Visited last: these start a new sign-in and would otherwise end the role's session for the pages after them.
SIGN_IN_ROUTES = ("/login", "/auth/", "/dev-idp/")
WIDTH, HEIGHT = 360, 740


def axe_source() -> str:
    found = next((p for p in AXE_PATHS if p.is_file()), None)
    if found is None:
        message = "axe-core is missing: npm install --prefix .ci/node axe-core@4 (.ci/run does this)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(site_data) -> list[tuple[str, str]]:
    """(path template, audience) of every GET route the application serves, sign-in routes last."""
    url, data_dir, _ = site_data
    app = create_app(Settings(data_dir=data_dir, database_url=url))
    found = [(route.path, AUDIENCE_OF[f"GET {route.path}"]) for route in served_routes(app) if "GET" in route.methods]
    return sorted(found, key=lambda page: page[0].startswith(SIGN_IN_ROUTES))


@pytest.fixture(scope="module")
def targets(site, site_data, identities) -> dict[str, dict[str, object]]:
    """For each role, what fills each path parameter: ids of real records that role may open."""
    url, data_dir, _ = site_data
    settings = Settings(data_dir=data_dir, database_url=url)
    engine = make_engine(url)
    with Session(engine) as session:

        def principal(personal_id: str, name: str = "Người nộp"):
            return person_principal(session, Identity(f"sub-{personal_id}", personal_id, name, 2))

        employer_id = identities["employer-rep"].grant[3]
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        newcomers = session.scalars(
            select(PopulationRecord.personal_id)
            .where(PopulationRecord.personal_id.not_in(insured))
            .order_by(PopulationRecord.personal_id.desc())
            .limit(2)
        ).all()
        row = {"job_title": "Kế toán", "salary": 9_800_000, "from_month": "2026-11"}
        rows = [{"personal_id": p, **row} for p in newcomers]
        dossiers = {
            "civil": register_employees(
                session,
                settings,
                principal(identities["employer-rep"].personal_id),
                employer_id=employer_id,
                employees=rows,
                idempotency_key=f"every-page-{uuid.uuid4()}",
            ).dossier.id
        }
        officers = {identities[key].personal_id for key in OFFICER_AUTHORITY}
        reviewed = {}
        for authority in ("defence", "security"):
            filer = session.scalar(
                select(Person)
                .where(Person.authority == authority, Person.personal_id.not_in(officers))
                .order_by(Person.id)
                .limit(1)
            )
            dossiers[authority] = submit(
                session,
                settings,
                principal(filer.personal_id, filer.full_name),
                procedure_code="request_printout",
                form={"delivery": "pickup", "copies": 1},
                idempotency_key=f"every-page-{uuid.uuid4()}",
            ).dossier.id
        for key, authority in OFFICER_AUTHORITY.items():
            reviewed[key] = session.scalar(
                select(Person.id)
                .where(Person.authority == authority, Person.personal_id.not_in(officers))
                .order_by(Person.id.desc())
                .limit(1)
            )
        share = create_link(
            session, principal(identities["citizen-l2"].personal_id), extract="hi_card_valid", parameter=None, days=7
        )
    common = {
        "employer_id": employer_id,
        "token": share.token,
        "personal_id": identities["citizen-l2"].personal_id,
        "person_id": reviewed["officer-civil"],
        "dossier_id": dossiers["civil"],
        "seq": 1,
        "document_id": 1,
        "link_id": 1,
        "consent_id": 1,
        "group": 5,
        "leaf_index": 0,
        "subject": "card",
        "level": 0,
        "index": "000",
    }
    filled = {role: dict(common) for role in BROWSER_ROLES}
    for key, authority in OFFICER_AUTHORITY.items():
        filled[key].update(person_id=reviewed[key], dossier_id=dossiers[authority])
    with Session(engine) as session:
        for role in BROWSER_ROLES:  # the pages of a represented person (a parent's child) need one
            who = identities.get(role)
            filled[role]["represented_id"] = who and session.scalar(
                select(Person.id).where(Person.representative_id == who.personal_id).order_by(Person.id).limit(1))
            agent = who and session.scalar(select(Person.id).where(Person.personal_id == who.personal_id))
            filled[role]["authorisation_id"] = agent and session.scalar(  # an authorisation given to the role
                select(Authorisation.id).where(Authorisation.agent_id == agent).order_by(Authorisation.id).limit(1))
    return filled


def fill(path: str, values: dict[str, object]) -> str:
    return re.sub(r"\{(\w+)(?::path)?\}", lambda m: str(values[m.group(1)]), path)


SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .flatMap(v => v.nodes.map(n => ({id: v.id, impact: v.impact, target: n.target.join(" ")})));
}"""


#: The page's width against the screen's (under mobile emulation ``innerWidth`` grows with the page, so the
#: screen is the root's client width), and the innermost elements that stick out past its right edge.
OVERFLOW = """() => {
  const screen = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > screen + 1);
  const innermost = wide.filter(e => !wide.some(other => other !== e && e.contains(other)));
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string"
    ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  return {width: document.scrollingElement.scrollWidth, screen, culprits: innermost.slice(0, 4).map(name)};
}"""


def check_page(page, axe: str) -> list[str]:
    """What is wrong with the open page: horizontal overflow, then each serious or critical axe violation."""
    problems = []
    overflow = page.evaluate(OVERFLOW)
    if overflow["width"] > overflow["screen"]:
        problems.append(
            f"overflow: {overflow['width']} px wide on a {overflow['screen']} px screen, past the edge: "
            + ", ".join(overflow["culprits"])
        )
    header = page.locator("header.site").bounding_box()
    if header and header["height"] > 0.15 * HEIGHT:
        problems.append(f"header: {header['height']:.0f} px, more than 15% of a {HEIGHT} px screen")
    page.evaluate(axe)
    problems += [f"{v['impact']} {v['id']}: {v['target']}" for v in page.evaluate(SERIOUS)]
    return problems


@pytest.mark.parametrize("role", BROWSER_ROLES)
def test_every_page_fits_a_phone_and_passes_axe(browser, site, pages, targets, role):
    axe = axe_source()
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    if role != "anonymous":
        sign_in(page, site, role, "/")
    opened, found = [], []
    for template, audience in pages:
        if role not in MEMBERS[audience]:
            continue
        values = targets[role]
        if template.startswith("/me/family/"):
            if values["represented_id"] is None:
                continue  # nobody to open the page for: its 404 is right
            values = {**values, "person_id": values["represented_id"]}
        if template.startswith("/me/authorisations/{") and values["authorisation_id"] is None:
            continue  # nobody authorised this role: its 404 is right
        url = site + fill(template, values)
        answer = context.request.get(url)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # JSON, a file, an image, a tile: not a page
        response = page.goto(url)
        status = response.status if response else 0
        where = f"{template} ({fill(template, values)})"
        if status >= 500 or ("{" in template and status == 404):
            found.append(f"{where}: answered {status}")
        found += [f"{where}: {problem}" for problem in check_page(page, axe)]
        opened.append(template)
    assert opened, f"{role} opened no page"
    assert not found, f"{role} on a {WIDTH} × {HEIGHT} phone:\n" + "\n".join(found) + f"\n({json.dumps(opened)})"
