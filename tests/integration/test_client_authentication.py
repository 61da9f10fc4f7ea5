"""A connected system's secret: unknown ids, withdrawn clients and wrong secrets answer alike and do the same
hashing work, so neither the answer nor its timing tells which client ids exist."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy.orm import Session

from esibook.access import tokens
from esibook.access.clients import register_client
from esibook.access.errors import Unauthenticated
from esibook.access.models import ApiClient
from esibook.access.tokens import authenticate_client


@pytest.fixture
def scrypt_calls(monkeypatch) -> list[dict]:
    """Every scrypt run, with its cost parameters and salt length."""
    calls: list[dict] = []
    real = hashlib.scrypt

    def counting(password, *, salt, n, r, p, **rest):
        calls.append({"n": n, "r": r, "p": p, "salt": len(salt)})
        return real(password, salt=salt, n=n, r=r, p=p, **rest)

    monkeypatch.setattr(tokens.hashlib, "scrypt", counting)
    return calls


@pytest.fixture
def known(empty_engine) -> tuple[str, str]:
    with Session(empty_engine) as session:
        return register_client(session, name="HIS", groups="1", purposes="KCB", client_id=f"his-{uuid.uuid4().hex[:8]}")


def attempt(engine, client_id: str, secret: str) -> str:
    with Session(engine) as session:
        try:
            return authenticate_client(session, client_id, secret).client_id
        except Unauthenticated as refused:
            return refused.code


def test_unknown_id_wrong_secret_and_withdrawn_client_do_the_same_hashing(empty_engine, known, scrypt_calls):
    client_id, secret = known
    outcomes = {}
    for case, (cid, given) in {"wrong secret": (client_id, "guess"), "unknown id": ("no-such-client", "guess")}.items():
        scrypt_calls.clear()
        outcomes[case] = (attempt(empty_engine, cid, given), list(scrypt_calls))
    with Session(empty_engine) as session, session.begin():
        session.get(ApiClient, client_id).active = False
    scrypt_calls.clear()
    outcomes["withdrawn"] = (attempt(empty_engine, client_id, secret), list(scrypt_calls))

    answers = {answer for answer, _ in outcomes.values()}
    work = [calls for _, calls in outcomes.values()]
    assert answers == {"access.client_invalid"}
    assert work[0] == [{"n": 2**14, "r": 8, "p": 1, "salt": 16}]
    assert all(calls == work[0] for calls in work), outcomes


def test_the_right_secret_still_authenticates(empty_engine, known, scrypt_calls):
    client_id, secret = known
    assert attempt(empty_engine, client_id, secret) == client_id
    assert len(scrypt_calls) == 1
