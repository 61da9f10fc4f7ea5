"""Engine, sessions and the declarative base shared by every bounded context.

SQLite (a file under the data directory) is the embedded default; PostgreSQL (psycopg 3) is for production and
for the tests. The schema is created only by Alembic migrations (``esibook db upgrade``).
"""

from __future__ import annotations

import re
import time
from collections import namedtuple
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import BigInteger, Engine, Integer, MetaData, String, create_engine, event, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransactionOrigin, sessionmaker

from esibook.errors import InvalidText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: A 64-bit surrogate key that still auto-increments on SQLite (which only does so for INTEGER).
BigIntKey = BigInteger().with_variant(Integer(), "sqlite")


def ascii_key(length: int) -> String:
    """A folded search key: byte-ordered (``COLLATE "C"``) on PostgreSQL so prefix ranges use the b-tree."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_database_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, *, pool_size: int | None = None, pool_timeout: float = 30.0, **kwargs) -> Engine:
    """An engine; with ``pool_size``, a pool of exactly that many connections (no overflow) that answers
    :class:`sqlalchemy.exc.TimeoutError` after ``pool_timeout`` seconds of waiting (the web answers 503)."""
    # A failed statement's parameters (personal ID numbers, names) never reach an exception message or a log.
    kwargs.setdefault("hide_parameters", True)
    url = normalize_database_url(url)
    parsed = make_url(url)
    if pool_size is not None and parsed.database not in (None, "", ":memory:"):
        kwargs.update(pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, **kwargs)
        event.listen(engine, "checkout", _ping_if_idle)
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "before_cursor_execute", _statement_in_scope)
    event.listen(engine, "before_cursor_execute", refuse_nul_text)
    return engine


#: A pooled PostgreSQL connection idle for longer than this is pinged before use (the server may have restarted
#: or dropped it); one in constant use is not, which spares every busy request a round trip.
IDLE_BEFORE_PING = 5.0


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for idle connections only: a dead one is replaced (the pool retries the
    checkout with a new connection) before the request uses it."""
    if time.monotonic() - record.info.get("checked_in", 0.0) < IDLE_BEFORE_PING:
        return
    try:
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as error:  # any failure means the connection cannot be trusted
        raise DisconnectionError(str(error)) from error


def refuse_nul_text(_connection, _cursor, _statement, parameters, _context, executemany) -> None:
    """PostgreSQL cannot store or even compare text holding a NUL character (it fails the statement with a
    DataError); SQLite would store it. Either way it is input no record should hold: refused on both engines
    before the statement runs, as the caller's error."""
    if any("\x00" in value for value in _texts(parameters)):
        raise InvalidText(
            "text.nul_character",
            "the text sent holds a NUL character (U+0000), which no record may hold",
            "nội dung gửi lên có ký tự NUL (U+0000), không được phép lưu",
        )


def _texts(parameters) -> Iterator[str]:
    """Every string among a statement's parameters (a mapping, a row, or many of either)."""
    pending = [parameters]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_postgres(engine_or_session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "postgresql"


def locked_head(session: Session, model: type, **initial):
    """The one row of a head table (the audit chain's, the log's; primary key ``id`` = 1), locked until the
    transaction ends so concurrent writers queue on it; created from ``initial`` when missing, safely even when
    two first writers race (the second waits for the first and then finds its row)."""
    found = session.execute(select(model).where(model.id == 1).with_for_update()).scalar_one_or_none()
    if found is not None:
        return found
    dialect_insert = postgresql_insert if is_postgres(session) else sqlite_insert
    session.execute(dialect_insert(model).values(id=1, **initial).on_conflict_do_nothing())
    return session.execute(select(model).where(model.id == 1).with_for_update()).scalar_one()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class NestedTransaction(RuntimeError):
    """A programming error: an action was begun inside another one (actions never nest or join)."""


class OutsideAction(RuntimeError):
    """A programming error: a step that must run inside its caller's action ran outside one, or writes were left
    pending outside any action."""


def in_action(session: Session) -> bool:
    """Whether the session is inside an action: a transaction begun on purpose (:func:`transaction`,
    :func:`unit_of_work`, ``session.begin()``), not the one SQLAlchemy opens by itself for a read (autobegin)."""
    begun = session.get_transaction()
    return begun is not None and begun.origin is not SessionTransactionOrigin.AUTOBEGIN


def within_action(session: Session) -> Session:
    """Check that a step runs inside its caller's action (it writes, and leaves the commit to the action)."""
    if not in_action(session):
        raise OutsideAction("this step runs inside its caller's action: wrap the call in `with transaction(session):`")
    return session


def end_reads(session: Session) -> None:
    """End the transaction that earlier reads opened by themselves (SQLAlchemy's autobegin): the connection goes back
    to the pool and what was loaded stays usable. Called before an action, and before slow work (a request to a
    witness, a pool of signing processes) so that no transaction stays open across it. Refused inside an action,
    and when writes are pending outside one (they belong in an action)."""
    if in_action(session):
        raise NestedTransaction("an action is already under way in this session; actions never nest or join")
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        raise OutsideAction("writes are pending outside an action: make them inside `with transaction(session):`")
    session.commit()  # it holds only reads: committing them writes nothing, and keeps the loaded objects


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """An action: one durable transaction, committed when the block ends, rolled back (nothing of it kept) on an
    exception. Its audit row is written inside it. Actions never nest: one begun inside another raises
    :class:`NestedTransaction` (as Django's ``atomic(durable=True)``); a step that must share its caller's action
    checks it with :func:`within_action` instead of opening its own. A transaction left open by earlier reads is
    ended first (:func:`end_reads`), so the action begins afresh, in its own authority scope."""
    end_reads(session)
    with session.begin():
        yield session


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at (the health check reads it in a transaction of its own)."""
    with session.begin():
        return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def last_seq(session: Session, seq_column, owner_column, owner_id: int) -> int:
    """The highest sequence number of an owner's rows (a person's periods, cards, settlements; a dossier's events
    and attachments), 0 when there are none. Rows keyed ``(owner, seq)`` take ``last_seq(...) + 1``."""
    return session.scalar(select(func.max(seq_column)).where(owner_column == owner_id)) or 0


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One action in a session of its own: commits when the block ends normally, rolls back on any exception."""
    with factory() as session, session.begin():
        yield session


# --- the authority scope of a transaction (PostgreSQL row-level security) ------------------------------------

#: Authorities whose rows the current unit of work may see: ``"*"`` for all, else e.g. ``"defence"``.
authority_scope: ContextVar[str] = ContextVar("authority_scope", default="*")
#: The scope the connection's current transaction was last set to (``connection.info``).
SCOPE_SET = "esibook.authority_scope"


@contextmanager
def scoped_to(authorities: str) -> Iterator[None]:
    """Run the block with the row-level-security scope set to ``authorities`` (comma-separated or ``*``)."""
    token = authority_scope.set(authorities)
    try:
        yield
    finally:
        authority_scope.reset(token)


SCOPE_WORDS = re.compile(r"\*|[a-z]+(,[a-z]+)*|")


@event.listens_for(Session, "after_begin")
def _set_authority_scope(session: Session, _transaction, connection) -> None:
    """Every session transaction on PostgreSQL starts with its scope set. When the connection is idle, the scope
    goes with the ``BEGIN`` in one round trip (psycopg then sees the transaction open and sends no ``BEGIN`` of
    its own): every request begins at least one transaction, so this spares each a round trip."""
    if connection.dialect.name != "postgresql":
        return
    scope = authority_scope.get()
    connection.info[SCOPE_SET] = scope
    raw = connection.connection.driver_connection
    plain_begin = raw.isolation_level is None and raw.read_only is None and raw.deferrable is None
    if raw.info.transaction_status != TransactionStatus.IDLE or raw.autocommit or not plain_begin \
            or not SCOPE_WORDS.fullmatch(scope):
        connection.exec_driver_sql("SELECT set_config('esibook.authorities', %s, true)", (scope,))
        return
    result = raw.pgconn.exec_(f"BEGIN; SELECT set_config('esibook.authorities', '{scope}', true)".encode())
    if result.status != ExecStatus.TUPLES_OK:
        message = (result.error_message or b"").decode(errors="replace")
        raw.rollback()
        raise OperationalError("BEGIN", None, RuntimeError(message))



def _statement_in_scope(connection, _cursor, _statement, _parameters, _context, _executemany) -> None:
    """Every statement runs in the scope of the code that issues it, not only every transaction: a read that
    continues the transaction the caller's lookup began (scope ``*``) inside ``scoped_to("defence")`` is first
    narrowed to ``defence``, and widened back after. Costs nothing while the scope stays the same (every request's
    common case), so a request's caller lookup and its reads share one transaction."""
    scope = authority_scope.get()
    if connection.info.get(SCOPE_SET, scope) == scope:
        return
    raw = connection.connection.driver_connection
    if raw.info.transaction_status != TransactionStatus.INTRANS:
        return  # no transaction (autocommit): after_begin sets the scope of the next one
    raw.execute("SELECT set_config('esibook.authorities', %s, true)", (scope,))
    connection.info[SCOPE_SET] = scope


# --- reads that every request makes, on the driver ---------------------------------------------------------------


class DriverRead:
    """A Core ``SELECT`` that a request makes every time (the caller's lookup, the book read), run on the DB-API
    connection of the session's transaction: for a small indexed read, SQLAlchemy's execution machinery (execution
    context, cursor result, row objects) costs more CPU than the driver's round trip (measured: docs/performance.md,
    "Book reads under load"). It runs in the same transaction and passes the same ``before_cursor_execute`` listeners
    as any statement (the authority scope, the NUL check); its rows are named tuples (``row.role``, ``row[0]``).

    Only a statement whose columns and parameters need none of SQLAlchemy's type processing on that database takes
    the driver's way (checked once per dialect); any other runs as SQLAlchemy runs it, with the same result."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[str, CompiledRead | None] = {}

    def all(self, session: Session, params: Mapping) -> list:
        connection = session.connection()
        compiled = self.compiled(connection.dialect)
        if compiled is None:
            return connection.execute(self.statement, params).all()
        return compiled.run(connection, params)

    def first(self, session: Session, params: Mapping):
        rows = self.all(session, params)
        return rows[0] if rows else None

    def compiled(self, dialect) -> CompiledRead | None:
        """The statement as the driver runs it on ``dialect``, or None when it needs SQLAlchemy's processing."""
        found = self._compiled.get(dialect.name, False)
        if found is False:
            found = self._compiled[dialect.name] = CompiledRead.of(self.statement, dialect)
        return found


class CompiledRead:
    """A :class:`DriverRead` compiled for one database: its SQL, the parameters the statement fixes, the order of
    positional parameters (SQLite) and the row type."""

    def __init__(self, sql: str, defaults: dict, positions: tuple[str, ...] | None, row: type):
        self.sql, self.defaults, self.positions, self.row = sql, defaults, positions, row

    @classmethod
    def of(cls, statement, dialect) -> CompiledRead | None:
        compiled = statement.compile(dialect=dialect)
        processed = any(column.type._cached_result_processor(dialect, None) for column in statement.selected_columns)
        if processed or compiled._bind_processors or compiled.literal_execute_params or compiled.post_compile_params:
            return None
        positions = tuple(compiled.positiontup) if compiled.positional else None
        return cls(str(compiled), dict(compiled.params), positions,
                   namedtuple("Row", [column.key for column in statement.selected_columns], rename=True))

    def arguments(self, params: Mapping):
        values = {**self.defaults, **params}
        return values if self.positions is None else tuple(values[name] for name in self.positions)

    def run(self, connection, params: Mapping) -> list:
        args = self.arguments(params)
        cursor = connection.connection.dbapi_connection.cursor()
        connection.dispatch.before_cursor_execute(connection, cursor, self.sql, args, None, False)
        try:
            cursor.execute(self.sql, args)
            return [self.row._make(found) for found in cursor.fetchall()]
        except connection.dialect.loaded_dbapi.Error as error:
            if connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor):
                connection.invalidate(error)
            raise DBAPIError.instance(self.sql, None, error, connection.dialect.loaded_dbapi.Error,
                                      hide_parameters=True, dialect=connection.dialect) from error
        finally:
            cursor.close()
