"""The ``esibook`` command as an operator runs it: real processes, real databases, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from esibook.migrate import head_revision

ESIBOOK = [sys.executable, "-m", "esibook"]


def run(url: str, *args: str, tmp: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ESIBOOK_DATABASE_URL": url, "COLUMNS": "200"}
    if tmp:
        env["ESIBOOK_DATA_DIR"] = str(tmp)
    return subprocess.run([*ESIBOOK, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def url(database_url_for) -> str:
    return database_url_for()


def test_upgrade_seed_and_search_by_name_without_accents(url):
    assert f"revision {head_revision()}" in run(url, "db", "upgrade").stdout
    seeded = run(url, "seed", "--persons", "300", "--months", "12", "--seed", "5", "--end-month", "2026-09")
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 300 persons" in seeded.stdout
    listed = run(url, "people", "search", "nguyen", "--json", "--limit", "5")
    assert listed.returncode == 0, listed.stderr
    matches = json.loads(listed.stdout)
    assert matches and all(m["full_name"].startswith("Nguyễn") for m in matches)


def test_a_bad_personal_id_gives_one_line_and_exit_code_2(url):
    run(url, "db", "upgrade")
    result = run(url, "people", "search", "079990012345")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "personal_id.century_sex" in lines[0] and "digit 4" in lines[0]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["seed", "--persons", "0"], "--persons must be between"),
        (["seed", "--end-month", "2026-13"], "month.range"),
        (["seed", "--persons", "ten"], "Invalid value for '--persons'"),
    ],
)
def test_bad_seed_arguments_are_refused_without_writing(url, args, expected):
    result = run(url, *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert run(url, "db", "current").stdout.strip() == "base", "nothing was written"


def test_unreachable_database_is_one_line(tmp_path):
    result = run("postgresql://nobody@127.0.0.1:1/none", "db", "upgrade")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot use the database")


def test_partitions_command_adds_future_months(url, engine_name):
    run(url, "db", "upgrade")
    result = run(url, "db", "partitions", "--until", "2028-03")
    assert result.returncode == 0
    expected = "3 partitions created" if engine_name == "postgres" else "SQLite has no partitions"
    assert expected in result.stdout


ACCOUNTS = ("Citizen (VNeID level 2)", "Parent of a child", "Employer representative",
            "Officer, Vietnam Social Security", "Officer, Ministry of Defence", "Officer, Ministry of Public Security",
            "Clinic staff")


def demo_secrets(tmp: Path) -> dict[str, str]:
    lines = (tmp / "demo-api-clients.txt").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def stored_hashes(url: str) -> dict[str, str]:
    from sqlalchemy import select

    from esibook.access.models import ApiClient
    from esibook.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(select(ApiClient.client_id, ApiClient.secret_hash)).all())
    engine.dispose()
    return rows


def test_demo_seed_only_prepares_data_once(tmp_path, engine_name, url):
    first = run(url, "demo", "--seed-only", tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "demo data created" in first.stdout
    second = run(url, "demo", "--seed-only", "--port", "8080", tmp=tmp_path)
    assert "demo data present" in second.stdout and "demo data created" not in second.stdout


def test_demo_prints_where_to_click_accounts_clients_and_residents_on_every_start(tmp_path, engine_name, url):
    """Not only the first run: a newcomer who restarts the demo still reads who to sign in as, where the API
    clients' secrets are (never the secrets themselves) and whom to register as a new employee."""
    from esibook.access.tokens import secret_matches

    run(url, "demo", "--seed-only", tmp=tmp_path)
    again = run(url, "demo", "--seed-only", "--port", "8080", tmp=tmp_path)
    out = again.stdout
    assert again.returncode == 0, again.stderr
    assert "http://127.0.0.1:8080/login" in out and "Đăng nhập bằng VNeID" in out
    for account in ACCOUNTS:
        assert account in out, account
    assert re.search(r"Citizen \(VNeID level 2\)\): .+, personal ID \d{12}", out)
    assert "demo-hospital" in out and "demo-bank" in out
    secrets_file = tmp_path / "demo-api-clients.txt"
    assert f"their secrets are in {secrets_file.resolve()}" in out
    secrets = demo_secrets(tmp_path)
    assert set(secrets) == {"demo-hospital", "demo-bank"} and (secrets_file.stat().st_mode & 0o777) == 0o600
    assert not any(secret in out or secret in again.stderr for secret in secrets.values()), "never printed"
    hashes = stored_hashes(url)
    assert all(secret_matches(secrets[c], hashes[c]) for c in secrets), "the file's secrets are the clients'"
    count = int(re.search(r"Residents not yet insured \((\d+) in the population database\)", out).group(1))
    shown = re.findall(r"^  (\d{12})  (.+), born (\d{2}/\d{2}/\d{4})$", out, re.MULTILINE)
    assert count >= 20 and len(shown) == 5
    with_record = run(url, "people", "search", shown[0][0], "--json")
    assert json.loads(with_record.stdout or "[]") == [], "not in the insurance database yet: registrable"


def test_a_demo_whose_secrets_file_is_lost_gets_new_secrets_on_file(tmp_path, engine_name, url):
    from esibook.access.tokens import secret_matches

    run(url, "demo", "--seed-only", tmp=tmp_path)
    old = demo_secrets(tmp_path)
    (tmp_path / "demo-api-clients.txt").unlink()
    run(url, "demo", "--seed-only", tmp=tmp_path)
    new, hashes = demo_secrets(tmp_path), stored_hashes(url)
    assert set(new) == set(old) and all(new[c] != old[c] for c in new)
    assert all(secret_matches(new[c], hashes[c]) and not secret_matches(old[c], hashes[c]) for c in new)


@pytest.mark.parametrize("command", [["serve", "--host", "0.0.0.0"], ["demo", "--host", "192.0.2.1"]])
def test_development_mode_refuses_to_listen_beyond_this_machine(url, tmp_path, command):
    result = run(url, *command, tmp=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "development identity provider" in lines[0] and "127.0.0.1" in lines[0]
    assert "running" not in result.stdout


def test_with_a_real_identity_provider_any_address_may_be_used(url, tmp_path, monkeypatch):
    monkeypatch.setenv("ESIBOOK_ENV", "production")
    monkeypatch.setenv("ESIBOOK_OIDC_ISSUER", "https://vneid.example/oidc")
    result = run(url, "serve", "--host", "0.0.0.0", tmp=tmp_path)
    assert result.returncode == 2 and "no schema yet" in result.stderr, "past the address check: the empty database"
