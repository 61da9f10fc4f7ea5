"""The national systems over HTTP (docs/portals.md, "The HTTP interface"): the wallet configured with a URL is
pushed to through esibook.portals.http, over a real socket, to the HTTP stand-in (esibook.portals.standin); it
holds each document once after a 503 and after an answer lost; a revoked token is fetched again; a wrong secret
and a tampered body are refused with a specific error."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from esibook.access.models import AccessLogEntry
from esibook.config import Settings
from esibook.db import is_postgres, session_factory
from esibook.portals.http import (
    SIGNATURE_HEADER,
    HttpRepository,
    PortalConfigError,
    PortalRefused,
    batch_body,
    connection,
)
from esibook.portals.models import PortalPush
from esibook.portals.standin import StandIn
from esibook.trust import jws
from esibook.trust.models import TrustCertificate
from esibook.trust.pki import init_pki
from integration.test_portals import WALLET, card_message, queue_card, work
from support.portal_standin import mutual_tls_files, serving, throwaway_signer

CARD = ("hi-card:DN4790123456789", 1)


def wallet_settings(tmp_path, url: str, secret: str = "s3cret", **more) -> Settings:
    return Settings(env="test", data_dir=tmp_path, portal_vneid_url=url, portal_vneid_client_id="esibook",
                    portal_vneid_client_secret=secret, **more)


def with_keys(engine, settings: Settings):
    from cryptography import x509

    with Session(engine) as session:
        init_pki(session, settings)
        pem = session.scalar(select(TrustCertificate.cert_pem).where(TrustCertificate.role == "root"))
    return x509.load_pem_x509_certificate(pem.encode())


def wallet_push(engine) -> PortalPush:
    with Session(engine) as session:
        return session.scalar(select(PortalPush).where(PortalPush.destination == "vneid"))


def retry_now(engine) -> None:
    """procrastinate scheduled the failed push's retry for later: its time has come."""
    if is_postgres(engine):
        with engine.begin() as connection_:
            connection_.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'"))


def test_the_wallet_over_http_holds_the_card_once_after_a_503_and_after_a_lost_answer(empty_engine, tmp_path):
    stand_in = StandIn("vneid", "esibook", "s3cret", store=tmp_path / "wallet.sqlite", fail_next=1)
    with serving(stand_in) as url:
        settings = wallet_settings(tmp_path, url)
        stand_in.trust_root = with_keys(empty_engine, settings)
        queue_card(empty_engine)
        work(empty_engine, settings)
        push = wallet_push(empty_engine)
        assert push.done_at is None and push.attempts == 1
        assert push.last_error == "PortalUnavailable: vneid answered 503 service.unavailable"
        assert stand_in.held() == []
        stand_in.lose_next = 1  # stored, then the answer is lost: esibook pushes again
        retry_now(empty_engine)
        work(empty_engine, settings)
        assert wallet_push(empty_engine).attempts == 2 and stand_in.held() == [CARD]
        retry_now(empty_engine)
        work(empty_engine, settings)
    push = wallet_push(empty_engine)
    assert push.done_at is not None and push.last_error is None and push.attempts == 3
    assert stand_in.held() == [CARD], "held once, though it arrived twice"
    [held] = stand_in.messages()
    assert held["document"] == "VNHI1:X" and held["link"].endswith("/me/card")
    with Session(empty_engine) as session:
        logged = session.scalars(select(AccessLogEntry.accessor).where(AccessLogEntry.person_id == 7)).all()
    assert sum(a == WALLET for a in logged) == 1, "one access-log entry for the wallet, however many pushes"


def test_a_wrong_client_secret_is_recorded_as_the_push_s_specific_error(empty_engine, tmp_path):
    stand_in = StandIn("vneid", "esibook", "s3cret")
    with serving(stand_in) as url:
        settings = wallet_settings(tmp_path, url, secret="not-the-secret")
        with_keys(empty_engine, settings)
        queue_card(empty_engine)
        work(empty_engine, settings)
    push = wallet_push(empty_engine)
    assert push.done_at is None and push.attempts == 1
    assert push.last_error == "PortalRefused: vneid refused esibook's client credentials: 401 invalid_client"
    assert "not-the-secret" not in push.last_error and stand_in.held() == []


def test_a_revoked_token_is_fetched_again_once_and_a_slow_system_times_out(tmp_path):
    stand_in = StandIn("vneid", "esibook", "s3cret")
    signer = throwaway_signer()
    with serving(stand_in) as url:
        wallet = HttpRepository(connection(wallet_settings(tmp_path, url, portal_timeout_seconds=1), "vneid"),
                                lambda: signer)
        assert wallet.receive([card_message("079085000123")]) == 1
        assert len(stand_in.tokens) == 1
        assert wallet.receive([card_message("079085000123")]) == 0, "the token is reused; the card held once"
        assert len(stand_in.tokens) == 1
        stand_in.revoke_tokens()  # the system forgot it before its expiry: 401, a new token, the push again
        assert wallet.receive([card_message("079085000123", seq=2)]) == 1
        assert len(stand_in.tokens) == 1 and stand_in.held() == [CARD, ("hi-card:DN4790123456789", 2)]
        stand_in.delay = 2
        with pytest.raises(httpx.TimeoutException):
            wallet.receive([card_message("079085000123", seq=3)])


def test_a_tampered_body_and_a_batch_the_wallet_cannot_hold_are_refused(tmp_path):
    stand_in = StandIn("vneid", "esibook", "s3cret")
    signer = throwaway_signer()
    with serving(stand_in) as url:
        token = httpx.post(f"{url}/token", data={"grant_type": "client_credentials"},
                           auth=("esibook", "s3cret")).json()["access_token"]
        body = batch_body([card_message("079085000123")])
        tampered = body.replace(b"079085000123", b"079085000999")
        answer = httpx.post(f"{url}/documents", content=tampered, headers={
            "authorization": f"Bearer {token}", "idempotency-key": hashlib.sha256(tampered).hexdigest(),
            SIGNATURE_HEADER: jws.sign_detached(signer, body, "esibook-portal-push+jws")})
        assert (answer.status_code, answer.json()["code"]) == (400, "signature.invalid")
        wallet = HttpRepository(connection(wallet_settings(tmp_path, url), "vneid"), lambda: signer)
        organisation = {**card_message("079085000123"), "holder": {"kind": "organisation", "id": "0101234567"}}
        with pytest.raises(PortalRefused, match="vneid refused the push: 400 holder.not_person"):
            wallet.receive([organisation])
    assert stand_in.held() == []


def test_incomplete_portal_settings_stop_the_worker_in_one_line(tmp_path):
    run = subprocess.run([sys.executable, "-m", "esibook", "worker", "--once"], capture_output=True, text=True,
                         env={**os.environ, "ESIBOOK_DATA_DIR": str(tmp_path),
                              "ESIBOOK_PORTAL_NDPP_URL": "https://ndpp.example"}, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().count("\n") == 0 and "ESIBOOK_PORTAL_NDPP_CLIENT_ID" in run.stderr


def test_the_stand_in_command_refuses_a_missing_secret_file(tmp_path):
    run = subprocess.run([sys.executable, "-m", "esibook", "portals", "standin", "--system", "vneid",
                          "--client-secret-file", str(tmp_path / "none")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2 and "cannot read" in run.stderr and "Traceback" not in run.stderr


def test_the_http_adapter_serves_only_the_systems_with_a_url(empty_engine, tmp_path):
    from esibook.portals.adapters import LocalRepository
    from esibook.portals.http import systems

    adapters = systems(session_factory(empty_engine), wallet_settings(tmp_path, "http://127.0.0.1:9"))
    assert isinstance(adapters["vneid"], HttpRepository)
    assert isinstance(adapters["ndpp"], LocalRepository) and isinstance(adapters["mof"], LocalRepository)


def test_over_mutual_tls_the_wallet_takes_esibook_s_client_certificate_and_nothing_without_it(tmp_path):
    tls = mutual_tls_files(tmp_path)
    stand_in = StandIn("vneid", "esibook", "s3cret")
    signer = throwaway_signer()
    with serving(stand_in, tls) as url:
        assert url.startswith("https://")
        settings = wallet_settings(tmp_path, url, portal_vneid_client_cert=tls["client_cert"],
                                   portal_vneid_client_key=tls["client_key"], portal_vneid_ca_bundle=tls["ca"])
        wallet = HttpRepository(connection(settings, "vneid"), lambda: signer)
        assert wallet.receive([card_message("079085000123")]) == 1
        anonymous = HttpRepository(connection(wallet_settings(tmp_path, url, portal_vneid_ca_bundle=tls["ca"],
                                                              portal_timeout_seconds=2), "vneid"), lambda: signer)
        with pytest.raises(httpx.TransportError):  # the TLS handshake fails: retried, nothing held
            anonymous.receive([card_message("079085000123", seq=2)])
        untrusted = HttpRepository(connection(wallet_settings(tmp_path, url), "vneid"), lambda: signer)
        with pytest.raises(httpx.ConnectError):  # the system's certificate is not from a CA esibook trusts
            untrusted.receive([card_message("079085000123", seq=3)])
    assert stand_in.held() == [CARD]


def test_a_client_key_that_is_not_a_key_stops_the_worker_in_one_line(tmp_path):
    tls = mutual_tls_files(tmp_path)
    with pytest.raises(PortalConfigError, match="not a usable PEM"):
        connection(wallet_settings(tmp_path, "https://127.0.0.1:1", portal_vneid_client_cert=tls["client_cert"],
                                   portal_vneid_client_key=tls["ca"]), "vneid")
