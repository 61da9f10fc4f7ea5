"""The HTTP interface to the national systems (docs/portals.md): a batch's body, its idempotency key and its
detached signature; the connection settings; what the stand-in answers to any body."""

from __future__ import annotations

import hashlib
import json

import hypothesis
import pytest
from hypothesis import strategies as st
from starlette.testclient import TestClient

from esibook.config import Settings
from esibook.portals.http import (
    SIGNATURE_HEADER,
    SIGNATURE_TYPE,
    PortalConfigError,
    batch_body,
    connection,
    idempotency_key,
)
from esibook.portals.standin import StandIn
from esibook.trust import jws
from support.portal_standin import throwaway_signer

SIGNER = throwaway_signer()
CARD = {"document_id": "hi-card:DN4790123456789", "version": 1, "document_type": "hi_card",
        "holder": {"kind": "person", "id": "079085000123"}, "title_vi": "Thẻ bảo hiểm y tế"}


def test_the_same_batch_is_the_same_body_and_key_whatever_the_order_of_its_fields():
    reordered = dict(reversed(list(CARD.items())))
    assert batch_body([CARD]) == batch_body([reordered])
    assert idempotency_key(batch_body([CARD])) == hashlib.sha256(batch_body([CARD])).hexdigest()
    assert idempotency_key(batch_body([CARD])) != idempotency_key(batch_body([{**CARD, "version": 2}]))


def test_a_detached_signature_verifies_the_body_sent_and_nothing_else():
    body = batch_body([CARD])
    token = jws.sign_detached(SIGNER, body, SIGNATURE_TYPE)
    head, middle, _ = token.split(".")
    assert middle == "", "detached: the body is not repeated in the header"
    header, chain = jws.verify_detached(token, body)
    assert header["typ"] == SIGNATURE_TYPE and chain[0] == SIGNER.certificate
    with pytest.raises(jws.JwsError) as refused:
        jws.verify_detached(token, body.replace(b"079085000123", b"079085000124"))
    assert refused.value.reason == "bad_signature"
    with pytest.raises(jws.JwsError):
        jws.verify_detached("not a jws", body)


def portal(**settings) -> Settings:
    return Settings(portal_mof_url="https://mof.example/api/", **settings)


def test_a_system_without_a_url_keeps_its_stand_in_and_one_with_a_url_needs_its_client(tmp_path):
    assert connection(Settings(), "mof") is None
    with pytest.raises(PortalConfigError, match="ESIBOOK_PORTAL_MOF_CLIENT_ID"):
        connection(portal(), "mof")
    with pytest.raises(PortalConfigError, match="CLIENT_SECRET"):
        connection(portal(portal_mof_client_id="esibook"), "mof")
    with pytest.raises(PortalConfigError, match="ESIBOOK_PORTAL_MOF_CLIENT_CERT: cannot read"):
        connection(portal(portal_mof_client_id="e", portal_mof_client_secret="s",
                          portal_mof_client_cert=tmp_path / "missing.pem"), "mof")
    with pytest.raises(PortalConfigError, match="https://"):
        connection(Settings(portal_mof_url="ftp://x", portal_mof_client_id="e"), "mof")
    secret = tmp_path / "secret"
    secret.write_text("s3cret-value\n")
    link = connection(portal(portal_mof_client_id="esibook", portal_mof_client_secret_file=secret), "mof")
    assert (link.url, link.token_url, link.client_secret) == (
        "https://mof.example/api", "https://mof.example/api/token", "s3cret-value")
    assert "s3cret" not in repr(link) and "s3cret" not in repr(portal(portal_mof_client_secret="s3cret"))


def signed_post(client: TestClient, token: str, body: bytes):
    return client.post("/documents", content=body, headers={
        "authorization": f"Bearer {token}", "idempotency-key": hashlib.sha256(body).hexdigest(),
        SIGNATURE_HEADER: jws.sign_detached(SIGNER, body, SIGNATURE_TYPE)})


STAND_IN = StandIn("vneid", "esibook", "s3cret")
CLIENT = TestClient(STAND_IN.app())


def fresh_token() -> str:
    """A token of the stand-in's, minted when the test runs (one minted at import expires in a long run)."""
    return CLIENT.post("/token", data={"grant_type": "client_credentials"},
                       auth=("esibook", "s3cret")).json()["access_token"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                 max_size=4), max_leaves=12)
MESSAGE = st.fixed_dictionaries({"document_id": JSON | st.text(max_size=90), "version": JSON,
                                 "document_type": JSON | st.just("hi_card"),
                                 "holder": JSON | st.fixed_dictionaries({"kind": st.sampled_from(
                                     ["person", "organisation", "x"]), "id": JSON | st.text(max_size=45)})})


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(body=st.one_of(JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40),
                                 st.lists(MESSAGE | JSON, max_size=4).map(
                                     lambda m: json.dumps({"messages": m}).encode())))
def test_whatever_body_is_signed_and_sent_the_stand_in_answers_stored_or_a_400_with_its_code(body):
    answer = signed_post(CLIENT, fresh_token(), body)
    assert answer.status_code in (200, 400), answer.text
    found = answer.json()
    assert isinstance(found["stored"], int) if answer.status_code == 200 else found["code"] and found["message"]


def test_the_stand_in_refuses_a_missing_token_a_wrong_key_and_a_tampered_body():
    body = batch_body([CARD])
    assert CLIENT.post("/documents", content=body).json()["code"] == "token.invalid"
    wrong = CLIENT.post("/token", data={"grant_type": "client_credentials"}, auth=("esibook", "guess"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    signature = jws.sign_detached(SIGNER, body, SIGNATURE_TYPE)
    tampered = body.replace(b'"version":1', b'"version":7')
    answer = CLIENT.post("/documents", content=tampered, headers={
        "authorization": f"Bearer {fresh_token()}", "idempotency-key": hashlib.sha256(tampered).hexdigest(),
        SIGNATURE_HEADER: signature})
    assert (answer.status_code, answer.json()["code"]) == (400, "signature.invalid")
    trusting = StandIn("ndpp", "esibook", "s3cret", trust_root=throwaway_signer("another root").certificate)
    with TestClient(trusting.app()) as other:
        token = other.post("/token", data={"grant_type": "client_credentials", "client_id": "esibook",
                                           "client_secret": "s3cret"}).json()["access_token"]
        assert signed_post(other, token, body).json()["code"] == "signature.untrusted"
    assert trusting.held() == []
