"""Go's reference verifier of tiled logs (``tlogaudit/main.go``, on golang.org/x/mod/sumdb/tlog and sumdb/note),
built offline in GOPATH mode from Debian's golang-go and golang-golang-x-mod-dev (``.ci/run`` installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).with_name("tlogaudit") / "main.go"
GOPATH = "/usr/share/gocode"


def build(folder: Path) -> Path:
    go = shutil.which("go")
    assert go, "Go is missing: apt-get install golang-go golang-golang-x-mod-dev (.ci/run does)"
    assert Path(GOPATH, "src/golang.org/x/mod/sumdb/tlog").is_dir(), "golang-golang-x-mod-dev is missing"
    binary = folder / "tlogaudit"
    env = {**os.environ, "GOPATH": GOPATH, "GO111MODULE": "off", "GOFLAGS": "", "GOCACHE": str(folder / "cache"),
           "CGO_ENABLED": "0"}
    subprocess.run([go, "build", "-o", str(binary), str(SOURCE)], check=True, env=env, cwd=folder, timeout=300)
    return binary


@dataclass(frozen=True)
class Audit:
    ok: bool
    output: str


def audit(binary: Path, prefix: str, vkey: str, old_checkpoint: Path | None = None) -> Audit:
    """Run the Go verifier against a log served at ``prefix`` (``…/log``)."""
    command = [str(binary), "-log", prefix, "-vkey", vkey, *(["-old", str(old_checkpoint)] if old_checkpoint else [])]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    output = (run.stdout + run.stderr).strip()
    return Audit(run.returncode == 0 and output.startswith("OK"), output)
