"""The suite never touches the caller's resources: ``ESIBOOK_`` settings of the calling shell are dropped before
any test runs, so a developer's or an operator's real database cannot be seeded, migrated or emptied by tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from esibook.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_no_setting_of_the_calling_shell_reaches_the_tests():
    assert not [name for name in os.environ if name.startswith("ESIBOOK_") and not name.startswith("ESIBOOK_TEST_")]
    settings = Settings()
    assert settings.database_url == "" and settings.data_dir == Path("var")


def test_a_real_database_named_by_the_caller_is_left_alone(tmp_path):
    real = tmp_path / "real" / "production.db"
    real_dir = tmp_path / "real-data"
    env = {
        **os.environ,
        "ESIBOOK_DATABASE_URL": f"sqlite:///{real}",
        "ESIBOOK_DATA_DIR": str(real_dir),
        "ESIBOOK_OIDC_ISSUER": "https://vneid.example",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    ran = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/unit/test_environment.py::test_no_setting_of_the_calling_shell_reaches_the_tests",
            "tests/integration/test_migrations.py::test_upgrade_creates_every_table_of_the_seven_groups[sqlite]",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "2 passed" in ran.stdout
    assert not real.exists() and not real.parent.exists() and not real_dir.exists()
