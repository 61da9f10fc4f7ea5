"""The ``esibook`` command as an operator runs it: real processes, real databases, one-line errors."""

from __future__ import annotations

import json
import os
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


def test_demo_seed_only_prepares_data_once(tmp_path, engine_name, url):
    first = run(url, "demo", "--seed-only", tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "demo data created" in first.stdout
    assert "demo bank (consent): client_id=demo-bank" in first.stdout
    second = run(url, "demo", "--seed-only", tmp=tmp_path)
    assert "demo data present" in second.stdout
    assert "client_secret" not in second.stdout, "secrets are shown once"


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
