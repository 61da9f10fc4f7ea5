"""Pushing documents to the national portals and the VNeID wallet, as jobs, after the commit that issued them.

The context that issues a document calls :func:`enqueue` in its own action: one ``portal_pushes`` row per system
(and, on PostgreSQL, its ``portals.push`` job, deferred in the same transaction), so a rolled-back issue pushes
nothing and a committed one cannot lose its push. A push is a batch: the book versions of one log batch (up to
``log_batch_size``, so bulk issuance of 200,000 books makes a few hundred pushes, not 600,000), or the card or the
result of one approval.

:func:`push_one` sends the batch to the system (which keeps each document id and version once), then, in one
transaction, marks the push done and writes one entry per document in its person's access log. A worker that
dies between the two (the system has the documents, the push is not marked) pushes again: the system still holds
one copy, and the access log gets its entries once. A failure is recorded and raised, so procrastinate retries.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import procrastinate
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from esibook import jobs
from esibook.access.accesslog import record_access
from esibook.config import Settings
from esibook.db import transaction, within_action
from esibook.people.identifiers import mask_personal_id
from esibook.portals import http, messages
from esibook.portals.adapters import SYSTEMS, DocumentRepository, holdings
from esibook.portals.http import PortalError
from esibook.portals.models import PortalPush

log = logging.getLogger("esibook.portals")

#: Which systems receive which documents (VNeID's wallet holds persons' papers only).
ROUTES: dict[str, tuple[str, ...]] = {
    "book_version": ("ndpp", "mof", "vneid"),
    "hi_card": ("ndpp", "mof", "vneid"),
    "dossier_result": ("ndpp", "mof"),
}
#: The data groups (people.labels.GROUPS) each document carries, as the access log names them.
GROUPS = {"book_version": "1,4,5,6,7", "hi_card": "1,5", "dossier_result": "4"}
#: The access log's purpose code of a push (access.purposes.RECORD_PURPOSES).
PURPOSE = "LUUKHO"
MAX_ATTEMPTS = 10
#: Tests set this to a directory: the worker dies (exit 17) once per push, after the system stored the batch and
#: before the push is marked done (a marker file per push id records that it died there already).
CRASH_AFTER_STORE = "ESIBOOK_TEST_CRASH_AFTER_PORTAL_STORE"


def enqueue(session: Session, *, document_type: str, key: str, items: list[tuple[int | None, dict]]) -> int:
    """Queue ``items`` (each: the person it is about, or None for an organisation, and the facts of its message,
    :mod:`esibook.portals.messages`) for every system of :data:`ROUTES`, in the caller's action; the same ``key``
    twice is queued once. Returns how many pushes were added."""
    within_action(session)
    added = 0
    everyone = [{"person_id": p, "facts": f} for p, f in items]
    persons = [item for item in everyone if not messages.is_for_organisation(item["facts"])]
    encoded: dict[int, str] = {}  # a log batch's facts are encoded once for the three systems
    for destination in ROUTES[document_type]:
        batch = persons if destination == "vneid" else everyone
        dedupe_key = f"{destination}:{key}"[:120]
        if not batch or session.scalar(select(PortalPush.id).where(PortalPush.dedupe_key == dedupe_key)):
            continue
        if id(batch) not in encoded:
            encoded[id(batch)] = json.dumps(batch, ensure_ascii=False, separators=(",", ":"))
        push = PortalPush(destination=destination, document_type=document_type, dedupe_key=dedupe_key,
                          messages=encoded[id(batch)], count=len(batch), attempts=0)
        session.add(push)
        session.flush()
        jobs.defer(session, push_documents, push_id=push.id)
        added += 1
    return added


class PushFailed(Exception):
    """A push failed (recorded on the push); the job engine retries it."""


def push_one(sessions: sessionmaker[Session], settings: Settings, systems: dict[str, DocumentRepository],
             push_id: int, *, raise_failure: bool = False) -> int:
    """Push one batch unless it was pushed already; returns how many documents the system did not hold yet."""
    with sessions() as session:
        push = session.get(PortalPush, push_id)
        if push is None or push.done_at is not None:
            return 0
        destination, document_type, batch = push.destination, push.document_type, json.loads(push.messages)
    try:
        stored = systems[destination].receive([messages.build(settings, document_type, item["facts"])
                                               for item in batch])
    except Exception as error:  # noqa: BLE001 - any failure is retried later, and recorded without content
        return _failed(sessions, push_id, error, raise_failure)
    _crash_if_asked(push_id)
    with sessions() as session, transaction(session):
        push = session.get(PortalPush, push_id, with_for_update=True)
        if push.done_at is not None:  # done by another worker meanwhile
            return 0
        push.done_at, push.attempts, push.last_error = datetime.now(UTC), push.attempts + 1, None
        accessor = ("system", SYSTEMS[destination][0])
        for item in batch:
            if item["person_id"] is not None:
                record_access(session, person_id=item["person_id"], principal=None, accessor=accessor,
                              groups=GROUPS[document_type], purpose=PURPOSE, outcome="allowed", channel="push")
    return stored


def _failed(sessions: sessionmaker[Session], push_id: int, error: Exception, raise_failure: bool) -> int:
    with sessions() as session, transaction(session):
        push = session.get(PortalPush, push_id, with_for_update=True)
        push.attempts += 1
        push.last_error = describe(error)
        gave_up = push.attempts >= MAX_ATTEMPTS
        destination = push.destination
    log.warning("push %s to %s failed (%s)", push_id, destination, describe(error))
    if raise_failure and not gave_up:
        raise PushFailed(f"portal push {push_id} to {destination}: {type(error).__name__}") from None
    return 0


def describe(error: Exception) -> str:
    """A failure as the push records it: the type, and for the HTTP adapter's errors the system's status and code
    (never content: their messages are made from those only)."""
    if isinstance(error, PortalError):
        return f"{type(error).__name__}: {error}"[:300]
    return type(error).__name__


def _crash_if_asked(push_id: int) -> None:
    marks = os.environ.get(CRASH_AFTER_STORE)
    if marks and not (mark := Path(marks) / str(push_id)).exists():
        mark.touch()
        os._exit(17)


def push_pending(sessions: sessionmaker[Session], settings: Settings, systems: dict[str, DocumentRepository], *,
                 limit: int = 100) -> int:
    """Push up to ``limit`` pending batches, oldest first (SQLite's in-process round; the sweep)."""
    with sessions() as session:
        pending = list(session.scalars(
            select(PortalPush.id).where(PortalPush.done_at.is_(None), PortalPush.attempts < MAX_ATTEMPTS)
            .order_by(PortalPush.id).limit(limit)
        ))
    return sum(push_one(sessions, settings, systems, push_id) for push_id in pending)


def pushes(session: Session, *, limit: int = 50) -> list[PortalPush]:
    """The latest pushes, newest first (the development page)."""
    return list(session.scalars(select(PortalPush).order_by(PortalPush.id.desc()).limit(limit)))


# --- the jobs (esibook.jobs) -------------------------------------------------------------------------------------


_adapters: dict[int, tuple[jobs.Runtime, dict[str, DocumentRepository]]] = {}


def systems_of(rt: jobs.Runtime) -> dict[str, DocumentRepository]:
    """The worker's adapters (over HTTPS where configured, else the stand-ins), made once per runtime so that an
    access token is reused until it expires."""
    made = _adapters.get(id(rt))
    if made is None or made[0] is not rt:
        made = _adapters[id(rt)] = (rt, http.systems(rt.sessions, rt.settings))
    return made[1]


@jobs.app.task(
    name="portals.push",
    queue=jobs.PORTALS_QUEUE,
    retry=procrastinate.RetryStrategy(max_attempts=8, wait=5, exponential_wait=3),
)
def push_documents(push_id: int) -> None:
    """Push one batch to its system (a no-op if it was pushed already); a failure is raised, so retried."""
    rt = jobs.runtime()
    push_one(rt.sessions, rt.settings, systems_of(rt), push_id, raise_failure=True)


@jobs.app.periodic(cron="*/10 * * * *", periodic_id="portals-sweep")
@jobs.app.task(name="portals.sweep", queue=jobs.PORTALS_QUEUE, queueing_lock="portals.sweep")
def sweep_pushes(timestamp: int | None = None) -> None:
    """Push whatever is pending without a job (retries the job engine gave up on, still under the attempt limit)."""
    rt = jobs.runtime()
    push_pending(rt.sessions, rt.settings, systems_of(rt))


def stand_in_view(session: Session) -> dict:
    """What the development page shows: each stand-in's latest documents (personal IDs masked) and the pushes."""
    held = {
        destination: [
            {"holder": _masked(row.holder), "document_id": _masked(row.document_id), "version": row.version,
             "document_type": row.document_type, "received_at": row.received_at,
             "link": json.loads(row.message).get("link")}
            for row in holdings(session, destination)
        ]
        for destination in SYSTEMS
    }
    return {"systems": SYSTEMS, "held": held, "pushes": pushes(session)}


def _masked(reference: str) -> str:
    """``person:001085012345`` → ``person:0010******45`` (a tax code is public, but masked alike)."""
    kind, _, value = reference.partition(":")
    return f"{kind}:{mask_personal_id(value)}" if value else reference
