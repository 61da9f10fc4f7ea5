"""A request holds one database connection: the caller's lookup, the CSRF check and the route share one session.

Served with a pool of exactly one connection (and so one thread), a book read, a signed-in browser's write and
several readers at once all succeed; before, each request held two connections and waited for the second until the
pool's timeout. A pool that does run dry answers 503 ``service.busy``, never 500.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.book.models import BookVersion
from esibook.people.models import Person
from integration.test_login import sign_in
from support.signed_in import bearer


@pytest.fixture(scope="module")
def one_connection(signed, serve):
    """esibook over HTTP on the signed database, with a pool of one connection and no overflow."""
    url = signed.engine.url.render_as_string(hide_password=False)
    with serve(url, signed.settings.data_dir, db_pool_size=1, db_pool_timeout_seconds=5) as base:
        yield base


def readers(signed, count: int, base: str | None = None) -> list[dict]:
    """Bearer headers of ``count`` citizens at VNeID level 2 who each have a book, for the server at ``base``."""
    settings = signed.settings.model_copy(update={"base_url": base}) if base else signed.settings
    with Session(signed.engine) as session:
        people = session.execute(
            select(Person.personal_id, Person.full_name)
            .where(Person.id.in_(select(BookVersion.person_id)))
            .order_by(Person.id)
            .limit(count)
        ).all()
    return [bearer(settings, pid, name) for pid, name in people]


def test_a_book_read_succeeds_with_a_pool_of_one_connection(one_connection, signed):
    response = httpx.get(f"{one_connection}/api/v1/me/book", headers=readers(signed, 1, one_connection)[0], timeout=30)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["leaf_index"] < body["tree_size"] and body["inclusion_proof"] and body["checkpoint"]


def test_concurrent_readers_take_turns_on_one_connection(one_connection, signed):
    headers = readers(signed, 12, one_connection)
    with ThreadPoolExecutor(max_workers=len(headers)) as pool:
        answers = list(pool.map(lambda h: httpx.get(f"{one_connection}/api/v1/me/book", headers=h, timeout=60),
                                headers))
    assert [a.status_code for a in answers] == [200] * len(headers)
    assert len({a.json()["book_id"] for a in answers}) == len(headers)


def test_a_signed_in_browsers_write_checks_csrf_in_the_same_session(one_connection, signed, serve):
    # Signing in needs a second connection by design: the callback asks the development provider, served by the
    # same process, for the tokens. So the browser signs in on a second server of the same database, then writes
    # on the one-connection server with its session cookie (stored in the database, good on both).
    url = signed.engine.url.render_as_string(hide_password=False)
    with serve(url, signed.settings.data_dir) as other:
        client, _ = sign_in(other, "citizen-l2")
    page = client.get(f"{one_connection}/me")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    minted = client.post(f"{one_connection}/api/v1/me/token", headers={"x-csrf-token": csrf})
    assert minted.status_code == 200 and minted.json()["access_token"]
    refused = client.post(f"{one_connection}/api/v1/me/token", headers={"x-csrf-token": "forged"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "access.csrf"


def test_a_pool_that_runs_dry_answers_503_busy(signed):
    settings = signed.settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout_seconds": 0.2})
    app = create_app(settings)
    client = TestClient(app)
    with app.state.engine.connect():  # something else holds the only connection
        response = client.get("/api/v1/me/book", headers=readers(signed, 1)[0])
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "service.busy"
    assert client.get("/api/v1/me/book", headers=readers(signed, 1)[0]).status_code == 200


@pytest.mark.postgres
def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced_before_use(postgres_databases, monkeypatch):
    """Busy connections are not pinged at each checkout; one idle for longer than ``IDLE_BEFORE_PING`` is, so a
    connection the server closed meanwhile (a restart, an idle timeout) is replaced and the caller never sees it."""
    from sqlalchemy import text

    from esibook import db

    url = postgres_databases.engine().url.render_as_string(hide_password=False)
    engine = db.make_engine(url, pool_size=1)
    with engine.connect() as connection:
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    with postgres_databases.engine().connect() as other:  # another pool: this one holds one connection
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        other.commit()
    monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)
    with Session(engine) as session:
        assert session.execute(text("SELECT current_setting('esibook.authorities', true)")).scalar() == "*"
        second = session.execute(text("SELECT pg_backend_pid()")).scalar()
    assert second != first, "the dropped connection was replaced, not handed out"
    engine.dispose()


@pytest.mark.postgres
def test_every_transaction_begins_in_its_authority_scope(postgres_databases):
    """The scope travels with ``BEGIN``: a scoped transaction sees its scope, the next unscoped one sees all
    authorities again, and a transaction begun at another isolation level is scoped too."""
    from sqlalchemy import text

    from esibook import db

    engine = postgres_databases.engine()
    setting = text("SELECT current_setting('esibook.authorities', true)")
    with Session(engine) as session:
        with db.scoped_to("defence"), session.begin():
            assert session.execute(setting).scalar() == "defence"
        with session.begin():
            assert session.execute(setting).scalar() == "*"
    serializable = engine.execution_options(isolation_level="SERIALIZABLE")
    with db.scoped_to("civil,security"), Session(serializable) as session, session.begin():
        assert session.execute(setting).scalar() == "civil,security"
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "serializable"
