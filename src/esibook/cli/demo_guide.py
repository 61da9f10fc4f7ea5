"""What ``esibook demo`` prints on every start: where to click, who to sign in as, the API clients and where their
secrets are, and residents not yet insured whom the demo employer can register as new employees.

The demo clients' secrets are kept in a file of the data directory (readable by its owner only), never printed: the
console says where the file is. A client whose secret is not in that file (a database prepared elsewhere) gets a new
one written there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.clients import DEMO_BANK_ID, DEMO_CLIENT_ID, register_client, reset_client_secret
from esibook.access.demo import demo_identities
from esibook.access.models import ApiClient
from esibook.access.tokens import secret_matches
from esibook.config import Settings
from esibook.employers.models import Employer
from esibook.health.models import Clinic
from esibook.transactions.population import never_insured

SECRETS_FILE = "demo-api-clients.txt"
RESIDENTS_SHOWN = 5


@dataclass(frozen=True)
class DemoClient:
    client_id: str
    name: str
    groups: str
    purposes: str
    note: str


DEMO_CLIENTS = (
    DemoClient(DEMO_CLIENT_ID, "Bệnh viện Đa khoa Hà Nội (hệ thống HIS)", "1,5", "KCB", "a hospital system"),
    DemoClient(
        DEMO_BANK_ID,
        "Ngân hàng TMCP Thử nghiệm (thẩm định tín dụng)",
        "1,4",
        "TINDUNG",
        "a bank: reads salaries only after the citizen consents at /me/consents",
    ),
)


def secrets_path(config: Settings) -> Path:
    return (config.data_dir / SECRETS_FILE).resolve()


def _read_secrets(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text("utf-8").splitlines() if "=" in line and line[0] != "#")
    return {key.strip(): value.strip() for key, value in pairs}


def _write_secrets(path: Path, known: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# esibook demo: secrets of the demo API clients (development only; POST /oauth/token)"]
    lines += [f"{client_id}={secret}" for client_id, secret in sorted(known.items())]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    path.chmod(0o600)


def ensure_demo_clients(session: Session, config: Settings) -> Path:
    """The demo hospital and bank exist and their secrets are in :func:`secrets_path`; returns that path."""
    path = secrets_path(config)
    known = _read_secrets(path)
    changed = False
    for client in DEMO_CLIENTS:
        stored = session.get(ApiClient, client.client_id)
        if stored is None:
            _, known[client.client_id] = register_client(
                session, name=client.name, groups=client.groups, purposes=client.purposes, authority="civil",
                client_id=client.client_id,
            )
            changed = True
        elif client.client_id not in known or not secret_matches(known[client.client_id], stored.secret_hash):
            known[client.client_id] = reset_client_secret(session, client.client_id)
            changed = True
    if changed or not path.is_file():
        _write_secrets(path, known)
    return path


def guide(session: Session, config: Settings, base_url: str) -> list[str]:
    """The lines printed on every start of the demo."""
    base = base_url.rstrip("/")
    lines = [
        f"Open {base}/ . To sign in: {base}/login, press “Đăng nhập bằng VNeID”, then pick an account on the",
        "development identity provider's page (it stands in for VNeID, never in production), or type a personal ID:",
    ]
    lines += [f"  {line}" for line in _accounts(session)]
    lines.append("API clients for the data exchange (POST /oauth/token with client credentials; docs at /docs):")
    for client in DEMO_CLIENTS:
        lines.append(f"  {client.client_id}: {client.note} (data groups {client.groups}, purpose {client.purposes})")
    lines.append(f"  their secrets are in {secrets_path(config)}")
    count, residents = never_insured(session, RESIDENTS_SHOWN)
    lines.append(
        f"Residents not yet insured ({count} in the population database): the employer representative can register "
        "them as new employees (Người lao động → template), and they can then sign in by personal ID, e.g.:"
    )
    lines += [
        f"  {r.personal_id}  {r.full_name}, born {r.date_of_birth:%d/%m/%Y}" for r in residents
    ] or ["  (none left: every resident is insured)"]
    lines.append(
        "Paying online: the voluntary SI participant (or the citizen, for the household's HI) pays at "
        f"{base}/me/payments on the development payment gateway (it stands in for VNPay; no money moves); "
        f"officers see orders without a notification at {base}/officer/payments/reconciliation"
    )
    lines += _pension_lines(session)
    lines.append(
        f"Family: the parent shows their child's HI card at {base}/me/family. Authorisations "
        f"({base}/me/authorisations):"
        " the person who left their job has authorised the citizen to claim sickness for them (Act for them);"
        " they can revoke it, and each use is in their access log."
    )
    lines.append(f"Emails and notices sent by the demo: {base}/demo/mailbox")
    lines.append(
        f"Lookups without signing in: {base}/lookups (clinics, e.g. “bach mai” typed without accents; SI offices and "
        "collection agents; one's SI code by name, birth date and province: shown masked, the full code sent to the "
        "person's inbox)"
    )
    lines.append(
        f"Reminders: the demo citizen is reminded of the household's HI cards ending this month and of the months "
        f"their employer has not paid ({base}/me/reminders; choose which at {base}/me/reminders/settings)"
    )
    lines.append(f"What the stand-ins of the national portals and the VNeID wallet received: {base}/demo/portals")
    return lines


def _accounts(session: Session) -> list[str]:
    identities = demo_identities(session)
    if not identities:
        return ["(no demo data yet)"]
    employers = {e.id: e for e in session.scalars(select(Employer).where(Employer.id.in_(
        [i.grant[3] for i in identities if i.grant and i.grant[3]])))}
    clinics = {c.code: c for c in session.scalars(select(Clinic).where(Clinic.code.in_(
        [i.grant[4] for i in identities if i.grant and i.grant[4]])))}
    lines = []
    for identity in identities:
        line = f"{identity.label_vi} ({identity.label_en}): {identity.name}, personal ID {identity.personal_id}"
        if identity.grant and identity.grant[3] in employers:
            employer = employers[identity.grant[3]]
            line += f", for {employer.name} ({employer.unit_code})"
        if identity.grant and identity.grant[4] in clinics:
            clinic = clinics[identity.grant[4]]
            line += f", at {clinic.name} ({clinic.code})"
        lines.append(line)
    return lines


def _pension_lines(session: Session) -> list[str]:
    """The demo's retiree (can claim the pension) and pensioner (a payment history), to sign in by personal ID."""
    from esibook.seeding.pensioners import DEMO_PENSIONERS, demo_personal_id

    what = {"can_claim": "at retirement age: Online services → Claim the monthly pension; an officer approves",
            "pensioner": "a pensioner: My page → My pension (payment history, change where it is paid)"}
    lines = ["Pensions (sign in by personal ID):"]
    for demo in DEMO_PENSIONERS:
        lines.append(f"  {demo_personal_id(demo)}  {demo.full_name}, {what[demo.role]}")
    return lines
