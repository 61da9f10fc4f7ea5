"""Where a one-off benefit is paid, as typed on a claim form: nothing named, a bank account, a post office, or an
agent (who still needs an account or a post office); refusals carry ``payout.*`` codes, pensions keep theirs."""

from __future__ import annotations

import pytest

from esibook.benefits.claim_payouts import PayoutChoice, chosen_method
from esibook.benefits.payouts import parse_payment_method
from esibook.errors import DomainError


def test_nothing_named_is_no_payee():
    assert chosen_method(PayoutChoice()) is None


def test_a_bank_account_is_checked_and_shown_masked():
    way = chosen_method(PayoutChoice(method="bank", bank_code="vcb", account_number="0071-0009 99111"))
    assert (way.bank_code, way.account_number, way.shown()) == ("VCB", "0071000999111", "Vietcombank ••••9111")


@pytest.mark.parametrize("choice, code", [
    (PayoutChoice(method="bank", bank_code="VCB", account_number="123"), "payout.account_number"),
    (PayoutChoice(method="bank", bank_code="XYZ", account_number="12345678"), "payout.bank"),
    (PayoutChoice(method="cash", post_office="  a "), "payout.post_office"),
    (PayoutChoice(authorisation_id=7), "payout.method"),
])
def test_a_bad_way_is_refused_with_a_payout_code(choice, code):
    with pytest.raises(DomainError) as refused:
        chosen_method(choice)
    assert refused.value.code == code


def test_a_pension_keeps_its_own_codes():
    with pytest.raises(DomainError) as refused:
        parse_payment_method("cash", post_office="x")
    assert refused.value.code == "pension.post_office" and "lương hưu" in refused.value.message("vi")
