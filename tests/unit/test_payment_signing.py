"""The gateway's signature (VNPay's ``vnp_SecureHash``): HMAC-SHA512 over the sorted, URL-encoded parameters,
checked against a string written out by hand."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from esibook.payments import signing
from esibook.payments.gateway import PayRequest, SignedRedirectGateway

SECRET = "DEVSECRET0123456789"
PARAMS = {
    "vnp_TxnRef": "TT20261202ABCDE",
    "vnp_Amount": "79200000",
    "vnp_OrderInfo": "Thanh toan TT20261202ABCDE voluntary_si 3 thang",
    "vnp_Command": "pay",
    "vnp_ReturnUrl": "http://127.0.0.1:8000/me/payments/return",
    "other": "not signed",
}
#: Written by hand: the vnp_ fields sorted by name, values URL-encoded with + for a space.
BY_HAND = (
    "vnp_Amount=79200000&vnp_Command=pay"
    "&vnp_OrderInfo=Thanh+toan+TT20261202ABCDE+voluntary_si+3+thang"
    "&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fme%2Fpayments%2Freturn"
    "&vnp_TxnRef=TT20261202ABCDE"
)


def test_the_signed_string_is_the_sorted_encoded_fields():
    assert signing.canonical_query(PARAMS) == BY_HAND


def test_the_hash_is_hmac_sha512_of_that_string():
    expected = hmac.new(SECRET.encode(), BY_HAND.encode(), hashlib.sha512).hexdigest()
    assert signing.secure_hash(PARAMS, SECRET) == expected
    assert len(expected) == 128


def test_a_signed_message_verifies_and_an_altered_one_does_not():
    signed = signing.sign(PARAMS, SECRET)
    assert signing.verify(signed, SECRET)
    assert signing.verify({**signed, "vnp_SecureHash": signed["vnp_SecureHash"].upper()}, SECRET)
    assert not signing.verify({**signed, "vnp_Amount": "79200100"}, SECRET)
    assert not signing.verify(signed, "another secret")
    assert not signing.verify({k: v for k, v in signed.items() if k != "vnp_SecureHash"}, SECRET)
    # the hash type and fields outside vnp_ are not signed: adding them changes nothing
    assert signing.verify({**signed, "vnp_SecureHashType": "HmacSHA512", "lang": "en"}, SECRET)


def test_the_pay_url_carries_the_amount_times_100_and_a_valid_signature():
    gateway = SignedRedirectGateway("https://gw.example/pay", "ESIBOOK1", SECRET)
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    params = gateway.order_params(
        PayRequest("TT1", 792_000, "Thanh toan TT1", now, now + timedelta(minutes=15), "http://x/me/payments/return")
    )
    assert params["vnp_Amount"] == "79200000"
    assert params["vnp_CreateDate"] == "20261202100000"  # Vietnam time, GMT+7
    assert params["vnp_ExpireDate"] == "20261202101500"
    assert signing.verify(params, SECRET)
    assert gateway.pay_url(PayRequest("TT1", 792_000, "x", now, now, "http://x/r")).startswith("https://gw.example/pay?")


@given(st.dictionaries(st.text(min_size=1, max_size=8).map(lambda k: "vnp_" + k), st.text(min_size=1, max_size=20),
                       max_size=8))
def test_any_signed_parameters_verify_and_one_changed_value_fails(params):
    signed = signing.sign(params, SECRET)
    assert signing.verify(signed, SECRET)
    for key in params:
        assert not signing.verify({**signed, key: params[key] + "x"}, SECRET)
