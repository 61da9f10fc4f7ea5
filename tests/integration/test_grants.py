"""``esibook grants`` as an operator runs it: a role granted counts at the holder's next request, a revoked one
stops counting (in a browser already signed in too), every refusal is one line with nothing written, and every
change is in the audit chain without the holder's personal ID number."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access.models import RoleGrant
from esibook.access.principal import Identity, person_principal
from esibook.access.sessions import SESSION_COOKIE, sign_in
from esibook.app import create_app
from esibook.audit.models import AuditRecord
from esibook.config import Settings
from esibook.dates import in_vietnam
from esibook.employers.models import Employer
from esibook.health.models import Clinic
from esibook.people.models import Person
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from support.signed_in import bearer


@pytest.fixture(scope="module")
def engine(databases):
    """A small seeded database of this module's own: the tests grant and revoke roles in it."""
    engine = databases.engine()
    seed(engine, SeedPlan(persons=60, months=3, seed=7, end_month=Month(2026, 9)))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def facts(engine) -> dict:
    with Session(engine) as session:
        people = session.scalars(select(Person.personal_id).where(
            Person.authority == "civil", Person.personal_id.is_not(None)).order_by(Person.id).limit(6)).all()
        employer = session.execute(select(Employer.unit_code, Employer.id, Employer.authority)
                                   .order_by(Employer.id).limit(1)).one()
        clinic = session.scalar(select(Clinic.code).order_by(Clinic.code).limit(1))
    return {"people": list(people), "unit_code": employer[0], "employer_id": employer[1],
            "employer_authority": employer[2], "clinic": clinic}


def run(engine, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ESIBOOK_DATABASE_URL": engine.url.render_as_string(hide_password=False), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "esibook", "grants", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def caller(engine, personal_id: str):
    with Session(engine) as session:
        return person_principal(session, Identity(f"s-{personal_id}", personal_id, "x", 2))


def counts(engine) -> tuple[int, int, int]:
    """Grants, revoked grants and audit records: what a refused command must leave as it was."""
    with Session(engine) as session:
        return (session.scalar(select(func.count()).select_from(RoleGrant)),
                session.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.revoked_at.is_not(None))),
                session.scalar(select(func.count()).select_from(AuditRecord)))


def audit_of(engine, grant_id: int) -> list[AuditRecord]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.target == f"role_grant:{grant_id}")
                                    .order_by(AuditRecord.seq)))


def added_id(result: subprocess.CompletedProcess) -> int:
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("grant ") and " added: " in result.stdout, result.stdout
    return int(result.stdout.split()[1])


def test_an_officer_granted_has_the_permissions_and_loses_them_when_revoked(engine, facts):
    pid = facts["people"][0]
    assert not caller(engine, pid).is_officer
    grant_id = added_id(run(engine, "add", pid, "--role", "officer", "--authority", "civil",
                            "--permissions", "approver,reviewer,reference_data"))
    officer = caller(engine, pid)
    assert officer.officer_authority == "civil"
    assert officer.officer_permissions == {"reviewer", "approver", "reference_data"}

    revoked = run(engine, "revoke", str(grant_id))
    assert revoked.returncode == 0, revoked.stderr
    assert f"grant {grant_id} revoked" in revoked.stdout
    assert not caller(engine, pid).is_officer and caller(engine, pid).roles == ("citizen",)
    again = run(engine, "revoke", str(grant_id))
    assert again.returncode == 2 and again.stderr.strip() == (
        f"error: role grant {grant_id} is already revoked (grant.already_revoked)")


def test_a_revocation_counts_at_once_in_a_browser_already_signed_in(engine, facts, tmp_path):
    pid = facts["people"][1]
    grant_id = added_id(run(engine, "add", pid, "--role", "officer", "--authority", "civil",
                            "--permissions", "reviewer"))
    with Session(engine) as session:
        cookie, _ = sign_in(session, Identity(f"s-{pid}", pid, "Cán bộ", 2), 1)
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), data_dir=tmp_path,
                        env="test")
    browser = TestClient(create_app(settings))
    browser.cookies.set(SESSION_COOKIE, cookie)

    token = bearer(settings, pid, "Cán bộ", 2)  # an API token issued before the revocation, too

    def principal(headers: dict | None = None) -> dict:
        response = browser.get("/api/v1/me", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["principal"]

    assert principal()["roles"] == ["citizen", "officer"] and principal()["officer_authority"] == "civil"
    assert principal(token)["roles"] == ["citizen", "officer"]
    assert run(engine, "revoke", str(grant_id)).returncode == 0
    assert principal()["roles"] == ["citizen"] and principal()["officer_authority"] is None, "the same session"
    assert principal(token)["roles"] == ["citizen"], "the same token"


def test_an_employer_representative_and_clinic_staff_act_for_their_employer_and_clinic(engine, facts):
    pid = facts["people"][2]
    rep = added_id(run(engine, "add", pid, "--role", "employer_rep", "--employer", facts["unit_code"].lower()))
    staff = added_id(run(engine, "add", pid, "--role", "clinic", "--clinic", facts["clinic"]))
    holder = caller(engine, pid)
    assert holder.employer_ids == {facts["employer_id"]} and holder.clinic_codes == {facts["clinic"]}
    with Session(engine) as session:
        assert session.get(RoleGrant, rep).authority == facts["employer_authority"], "the employer's authority"

    listed = run(engine, "list", pid)
    assert listed.returncode == 0, listed.stderr
    lines = {int(line.split()[0]): line for line in listed.stdout.splitlines()[1:]}
    assert set(lines) == {rep, staff}
    with Session(engine) as session:
        created = in_vietnam(session.get(RoleGrant, staff).created_at)
    assert pid in lines[rep] and "employer_rep" in lines[rep] and f"employer {facts['unit_code']}" in lines[rep]
    assert f"clinic {facts['clinic']}" in lines[staff] and lines[staff].endswith(f"{created:%Y-%m-%d %H:%M}")

    assert run(engine, "revoke", str(staff)).returncode == 0
    assert caller(engine, pid).clinic_codes == frozenset() and caller(engine, pid).employer_ids == {
        facts["employer_id"]}
    assert [int(line.split()[0]) for line in run(engine, "list", pid).stdout.splitlines()[1:]] == [rep]


def test_every_change_is_audited_by_grant_id_without_the_personal_id(engine, facts):
    pid = facts["people"][3]
    grant_id = added_id(run(engine, "add", pid, "--role", "officer", "--authority", "defence",
                            "--permissions", "auditor"))
    assert run(engine, "revoke", str(grant_id)).returncode == 0
    records = audit_of(engine, grant_id)
    assert [(r.action, r.actor, r.authority) for r in records] == [
        ("role_grant.added", "cli", "defence"), ("role_grant.revoked", "cli", "defence")]
    assert json.loads(records[0].details)["permissions"] == ["auditor"]
    assert all(pid not in r.target + r.details + r.actor for r in records)


def test_an_unknown_grant_is_refused(engine):
    before = counts(engine)
    result = run(engine, "revoke", "999999")
    assert result.returncode == 2 and result.stderr.strip() == "error: there is no role grant 999999 (grant.unknown)"
    assert counts(engine) == before


REFUSALS = [
    (["--role", "officer", "--authority", "civil", "--permissions", "reviewer,boss"], "grant.permission_unknown"),
    (["--role", "clinic", "--clinic", "{clinic}", "--permissions", "reviewer"], "grant.option_not_for_role"),
    (["--role", "employer_rep", "--employer", "{unit_code}", "--authority", "civil"], "grant.option_not_for_role"),
    (["--role", "officer", "--authority", "security", "--permissions", "reference_data"],
     "grant.reference_data_authority"),
    (["--role", "officer", "--authority", "police"], "grant.authority_unknown"),
    (["--role", "officer"], "grant.authority_missing"),
    (["--role", "boss"], "grant.role_unknown"),
    (["--role", "employer_rep", "--employer", "ZZ99999"], "grant.employer_unknown"),
    (["--role", "employer_rep"], "grant.employer_missing"),
    (["--role", "clinic", "--clinic", "99999"], "grant.clinic_unknown"),
]


@pytest.mark.parametrize("options, code", REFUSALS, ids=[f"{i}-{code}" for i, (_, code) in enumerate(REFUSALS)])
def test_bad_input_is_one_line_exit_2_and_nothing_written(engine, facts, options, code):
    before = counts(engine)
    result = run(engine, "add", facts["people"][4], *(o.format(**facts) for o in options))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
    assert f"({code})" in result.stderr and result.stdout == ""
    assert counts(engine) == before


def test_a_malformed_personal_id_is_refused(engine):
    before = counts(engine)
    result = run(engine, "add", "07912345", "--role", "officer", "--authority", "civil")
    assert result.returncode == 2 and "(personal_id.format)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and counts(engine) == before


def test_a_second_grant_of_the_same_role_is_refused(engine, facts):
    pid = facts["people"][5]
    first = added_id(run(engine, "add", pid, "--role", "officer", "--authority", "civil", "--permissions", "reviewer"))
    added_id(run(engine, "add", pid, "--role", "clinic", "--clinic", facts["clinic"]))
    before = counts(engine)
    for options in (["--role", "officer", "--authority", "defence"],
                    ["--role", "clinic", "--clinic", facts["clinic"]]):
        result = run(engine, "add", pid, *options)
        assert result.returncode == 2 and "(grant.exists)" in result.stderr, result.stderr
    assert f"active grant {first};" in run(engine, "add", pid, "--role", "officer", "--authority", "civil").stderr
    assert counts(engine) == before
    assert caller(engine, pid).officer_permissions == {"reviewer"}, "the grant in force is unchanged"
