"""Bulk issuance (cấp sổ hàng loạt): every book brought up to date, set-based and on every core.

The persons are cut into ranges of ids (:func:`ranges`, by arithmetic: nothing is listed in memory). A range is
one transaction (:func:`issue_range`): its persons are locked (a concurrent issuer of the same book waits, then
finds it current), their records read in one query per table (:func:`esibook.book.content.gather`), the changed
books signed, and the new versions and their log entries written with COPY on PostgreSQL (batched inserts on
SQLite). A range issued twice, by two workers or after a crash, issues nothing the second time: no duplicate,
and the sequencer gives the pooled entries consecutive leaf indices, so no gap.

:func:`issue_all` runs the ranges in a pool of processes, one per core, with a bounded number in flight (memory
stays bounded whatever the number of persons), integrating the log as it goes. Across machines, the ranges are
jobs (``esibook book issue --all --queue``, the ``book.issue_range`` task of :mod:`esibook.jobs`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime

import procrastinate
from sqlalchemy import Engine, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from esibook import jobs
from esibook.audit import service as audit
from esibook.book import log
from esibook.book.content import gather, render
from esibook.book.models import BookVersion, LogPoolEntry
from esibook.book.service import content_hash, signed_version
from esibook.config import Settings
from esibook.contributions.models import ParticipationPeriod
from esibook.db import end_reads, is_postgres, make_engine, session_factory, transaction
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.trust.pki import signer_for

RANGE_SIZE = 1000
#: Tests set this to a range's first id: the signing process dies (SIGKILL) in that range, after signing.
KILL_SIGNER_AT = "ESIBOOK_TEST_KILL_SIGNER_AT"
VERSION_COLUMNS = ("person_id", "version", "book_id", "authority", "content_hash", "document", "kid", "reason",
                   "issued_at", "leaf_index")
VERSION_TYPES = ("int8", "int4", "varchar", "varchar", "varchar", "text", "varchar", "varchar", "timestamptz", "int8")


@dataclass(frozen=True)
class RangeIssued:
    """What one range did: how many persons have a book, how many new versions were signed."""

    first: int
    last: int
    persons: int
    created: int


def ranges(session: Session, size: int = RANGE_SIZE) -> list[tuple[int, int]]:
    """The id ranges covering every person, ``size`` ids each (ranges of a sparse id space hold fewer)."""
    low, high = session.execute(select(func.min(Person.id), func.max(Person.id))).one()
    end_reads(session)  # no transaction stays open while the signing processes work
    if low is None:
        return []
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


def issue_range(session: Session, settings: Settings, first: int, last: int, *, reason: str = "issued",
                actor: str = "system") -> RangeIssued:
    """Bring the book of every identified participant with an id in ``first``–``last`` up to date, in one
    transaction."""
    with transaction(session):
        persons = _locked_holders(session, first, last)
        records = gather(session, first, last, persons=persons)
        latest = _latest_versions(session, first, last)
        drafts = []
        for person in persons:
            content = render(records[person.id])
            digest = content_hash(content)
            known = latest.get(person.id)
            if known is None or known[1] != digest:
                drafts.append((person, content, digest, known))
        documents = _documents(session, [(p.id, known[0]) for p, _, _, known in drafts if known])
        issued_at = datetime.now(UTC)
        signers = {a: signer_for(session, settings, "issuing", a) for a in {p.authority for p, *_ in drafts}}
        rows = [
            signed_version(signers[person.authority], person, content, digest,
                           reason=reason, issued_at=issued_at,
                           previous=(known[0], documents[person.id]) if known else None)
            for person, content, digest, known in drafts
        ]
        if os.environ.get(KILL_SIGNER_AT) == str(first):
            os.kill(os.getpid(), signal.SIGKILL)
        _store(session, rows)
        if rows:
            audit.append(session, actor=actor, action="book.issued_in_bulk", target=f"persons:{first}-{last}",
                         details={"new_versions": len(rows)})
    return RangeIssued(first, last, len(persons), len(rows))


def _locked_holders(session: Session, first: int, last: int) -> list:
    """The persons of the range who hold a book: identified (a personal ID or passport, not a legacy duplicate
    known only by an old SI code) and having participated; locked until the range commits."""
    table = Person.__table__
    query = (
        select(table)
        .where(
            table.c.id.between(first, last),
            exists().where(ParticipationPeriod.person_id == table.c.id,
                           ParticipationPeriod.person_id.between(first, last)),  # lets it read periods by range
            or_(table.c.personal_id.is_not(None), table.c.passport_no.is_not(None)),
        )
        .order_by(table.c.id)
    )
    if is_postgres(session):
        query = query.with_for_update(of=table)
    return session.execute(query).all()


def _latest_versions(session: Session, first: int, last: int) -> dict[int, tuple[int, str]]:
    """(version, content hash) of each person's latest version in the range."""
    found: dict[int, tuple[int, str]] = {}
    for person_id, version, digest in session.execute(
        select(BookVersion.person_id, BookVersion.version, BookVersion.content_hash)
        .where(BookVersion.person_id.between(first, last))
        .order_by(BookVersion.person_id, BookVersion.version)
    ):
        found[person_id] = (version, digest)
    return found


def _documents(session: Session, keys: list[tuple[int, int]]) -> dict[int, str]:
    """The signed documents of these (person, version) keys, which the new versions name by hash."""
    if not keys:
        return {}
    return dict(session.execute(
        select(BookVersion.person_id, BookVersion.document)
        .where(tuple_(BookVersion.person_id, BookVersion.version).in_(keys))
    ).all())


def _store(session: Session, rows: list[dict]) -> None:
    """The new versions and their pooled log entries: COPY on PostgreSQL, one batched insert each on SQLite."""
    if not rows:
        return
    entries = [(log.book_entry(row["document"]), row["person_id"], row["version"]) for row in rows]
    if not is_postgres(session):
        session.execute(BookVersion.__table__.insert(), rows)
        session.execute(LogPoolEntry.__table__.insert(),
                        [{"entry": e, "person_id": p, "version": v} for e, p, v in entries])
        return
    cursor = session.connection().connection.driver_connection.cursor()
    # Binary COPY: PostgreSQL reads each value by its length instead of scanning 30 KB documents for escapes.
    with cursor.copy(f"COPY book_versions ({', '.join(VERSION_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(VERSION_TYPES)
        for row in rows:
            copy.write_row([row[name] for name in VERSION_COLUMNS])
    with cursor.copy("COPY log_pool (entry, person_id, version) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["bytea", "int8", "int4"])
        for entry in entries:
            copy.write_row(entry)


# --- on every core -------------------------------------------------------------------------------------------


_worker: tuple[Engine, Settings] | None = None


def _start_worker(url: str, settings: Settings) -> None:
    global _worker
    _worker = (make_engine(url, pool_size=1, max_overflow=0), settings)


def _issue_in_worker(first: int, last: int, reason: str) -> RangeIssued:
    engine, settings = _worker
    with session_factory(engine)() as session:
        return issue_range(session, settings, first, last, reason=reason)


def default_processes() -> int:
    """Signing processes when none is asked: one per core."""
    return os.cpu_count() or 1


def issue_all(session: Session, settings: Settings, *, processes: int | None = None, range_size: int = RANGE_SIZE,
              reason: str = "issued", progress: Callable[[int, int], None] | None = None) -> int:
    """Bring every book up to date, the ranges spread over ``processes`` (:func:`default_processes`) on PostgreSQL;
    SQLite has one writer, so its ranges run here. The log is integrated as ranges complete. Returns how many
    new versions were signed; ``progress(ranges done, ranges)`` is called after each range."""
    todo = ranges(session, range_size)
    done = created = pooled = 0
    for issued in _run(session, settings, todo, processes or default_processes(), reason):
        done, created, pooled = done + 1, created + issued.created, pooled + issued.created
        if pooled >= settings.log_batch_size:  # whole batches: each one's checkpoint and pushes cost the same
            log.integrate_all(session, settings)
            pooled = 0
        if progress:
            progress(done, len(todo))
    log.integrate_all(session, settings)
    return created


def _run(session: Session, settings: Settings, todo: list[tuple[int, int]], processes: int,
         reason: str) -> Iterator[RangeIssued]:
    if not is_postgres(session) or processes == 1 or len(todo) < 2:
        for first, last in todo:
            yield issue_range(session, settings, first, last, reason=reason)
        return
    url = session.get_bind().url.render_as_string(hide_password=False)
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited connections or threads
    pending: set[Future] = set()
    queue = iter(todo)
    try:
        with ProcessPoolExecutor(processes, mp_context=spawn, initializer=_start_worker,
                                 initargs=(url, settings)) as pool:
            while True:
                while len(pending) < 2 * processes and (next_range := next(queue, None)):
                    pending.add(pool.submit(_issue_in_worker, *next_range, reason))
                if not pending:
                    return
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in finished)
    except BrokenProcessPool as died:
        raise DomainError(
            "book.signer_died",
            "a signing process stopped (killed, or out of memory); run the command again: the ranges already "
            "issued are kept and are not signed twice",
            "một tiến trình ký đã dừng (bị dừng hoặc hết bộ nhớ); hãy chạy lại lệnh: các dải đã cấp được giữ "
            "nguyên và không bị ký lại",
        ) from died


# --- across machines ---------------------------------------------------------------------------------------------


def enqueue_all(session: Session, *, range_size: int = RANGE_SIZE, reason: str = "issued") -> int:
    """Queue one ``book.issue_range`` job per range for the workers of every machine (PostgreSQL), in one
    transaction; returns how many. Queued twice, the second run of each range issues nothing."""
    todo = ranges(session, range_size)
    with transaction(session):
        for first, last in todo:
            jobs.defer(session, issue_book_range, first=first, last=last, reason=reason)
    return len(todo)


@jobs.app.task(
    name="book.issue_range",
    queue=jobs.BOOKS_QUEUE,
    retry=procrastinate.RetryStrategy(max_attempts=5, wait=10, exponential_wait=2),
)
def issue_book_range(first: int, last: int, reason: str = "issued") -> None:
    """The job of one range (bulk issuance across machines): bring its persons' books up to date; run twice, the
    second run issues nothing. The sequencer gives the pooled entries their leaves."""
    rt = jobs.runtime()
    with rt.sessions() as session:
        issue_range(session, rt.settings, first, last, reason=reason)
