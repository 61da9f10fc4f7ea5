"""The dated parameters file, loaded into the database as versions (tham số theo thời gian): each version is kept
for good, and every posting names the version it used. A changed file must carry a new version string."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.contributions.models import ParameterVersion
from esibook.db import transaction
from esibook.errors import DomainError


def parameters_text() -> str:
    return resources.files("esibook.contributions").joinpath("parameters.json").read_text("utf-8")


def load_current_version(session: Session) -> ParameterVersion:
    """Record the file's version if it is new (within the caller's transaction); refuse a file changed under an
    old version string, since calculations name the version they used."""
    content = parameters_text()
    version = json.loads(content)["version"]
    digest = hashlib.sha256(content.encode()).hexdigest()
    known = session.get(ParameterVersion, version)
    if known is None:
        known = ParameterVersion(version=version, sha256=digest, content=content)
        session.add(known)
        session.flush()
    elif known.sha256 != digest:
        raise DomainError(
            "parameters.version_reused",
            f"parameters.json changed but still says version {version}: give it a new version",
            f"tệp tham số đã thay đổi nhưng vẫn ghi phiên bản {version}: hãy đặt phiên bản mới",
        )
    return known


def versions(session: Session) -> list[ParameterVersion]:
    return list(session.scalars(select(ParameterVersion).order_by(ParameterVersion.loaded_at.desc())))


def parameters_overview(session: Session) -> dict:
    """What the officer's parameters page shows: the version in force (recorded if new), the file's content and
    every version loaded."""
    with transaction(session):
        current = load_current_version(session)
    return {"current": current, "data": json.loads(parameters_text()), "versions": versions(session)}
