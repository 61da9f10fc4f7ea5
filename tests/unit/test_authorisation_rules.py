"""The access policy's rule for an authorised representative (người được ủy quyền): valid only if given to the
caller, not revoked, not expired (the last day included) and within scope; never to oneself."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esibook.access import policy
from esibook.access.models import Authorisation

TODAY = date(2026, 12, 2)
GRANTOR, AGENT, STRANGER = 11, 22, 33


def grant(**changes) -> Authorisation:
    values = {
        "id": 1, "grantor_id": GRANTOR, "agent_id": AGENT, "procedures": "claim_sickness_own",
        "receive_payment": False, "valid_until": date(2027, 6, 30), "revoked_at": None,
    }
    return Authorisation(**{**values, **changes})


def refusal(row: Authorisation, *, agent=AGENT, scope="file:claim_sickness_own", today=TODAY) -> str | None:
    found = policy.authorisation_refusal(row, agent_id=agent, scope=scope, today=today)
    return found.code if found else None


def test_a_valid_authorisation_lets_the_agent_file_the_procedure_it_names():
    assert refusal(grant()) is None


def test_the_last_day_still_counts_and_the_next_day_is_refused_as_expired():
    row = grant(valid_until=TODAY)
    assert refusal(row) is None
    assert refusal(row, today=date(2026, 12, 3)) == "authorisation.expired"
    found = policy.authorisation_refusal(row, agent_id=AGENT, scope="file:claim_sickness_own", today=date(2026, 12, 3))
    assert "02/12/2026" in found.message("vi") and "02/12/2026" in found.message("en"), "the message names the end"


def test_a_revoked_authorisation_is_refused_even_before_its_end_date():
    assert refusal(grant(revoked_at=datetime(2026, 12, 1, tzinfo=UTC))) == "authorisation.revoked"


def test_an_authorisation_ends_when_its_grantor_dies():
    found = policy.authorisation_refusal(grant(receive_payment=True), agent_id=AGENT, scope="receive_payment",
                                         today=TODAY, grantor_died_on=date(2026, 11, 20))
    assert found.code == "authorisation.grantor_deceased" and "20/11/2026" in found.message("vi")
    assert refusal(grant()) is None, "a living grantor's authorisation stands"


@pytest.mark.parametrize(
    ("procedures", "receive", "scope", "expected"),
    [
        ("claim_sickness_own", False, "file:claim_one_time", "authorisation.out_of_scope"),
        ("claim_sickness_own", False, "receive_payment", "authorisation.out_of_scope"),
        ("", True, "receive_payment", None),
        ("", True, "file:claim_sickness_own", "authorisation.out_of_scope"),
        ("*", False, "file:request_printout", None),
        ("*", False, "file:", "authorisation.out_of_scope"),
        ("claim_one_time,request_printout", False, "file:request_printout", None),
        ("claim_sickness_own", False, "claim_sickness_own", "authorisation.out_of_scope"),
    ],
)
def test_the_scope_names_the_procedures_and_receiving_a_benefit(procedures, receive, scope, expected):
    assert refusal(grant(procedures=procedures, receive_payment=receive), scope=scope) == expected


def test_only_the_person_authorised_may_use_it():
    assert refusal(grant(), agent=STRANGER) == "authorisation.not_yours"
    assert refusal(grant(), agent=GRANTOR) == "authorisation.not_yours"
    assert refusal(grant(), agent=None) == "authorisation.not_yours"


def test_a_self_authorisation_never_counts():
    assert refusal(grant(agent_id=GRANTOR), agent=GRANTOR) == "authorisation.not_yours"


def test_a_refusal_is_403_with_a_message_in_both_languages():
    found = policy.authorisation_refusal(grant(revoked_at=datetime(2026, 12, 1, tzinfo=UTC)), agent_id=AGENT,
                                         scope="file:claim_sickness_own", today=TODAY)
    assert found.status == 403
    assert "revoked" in found.message("en") and "thu hồi" in found.message("vi")


@given(
    valid_until=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    revoked=st.booleans(),
    in_scope=st.booleans(),
)
def test_an_authorisation_holds_exactly_when_unrevoked_unexpired_and_in_scope(valid_until, today, revoked, in_scope):
    row = grant(valid_until=valid_until, revoked_at=datetime(2026, 1, 1, tzinfo=UTC) if revoked else None)
    scope = "file:claim_sickness_own" if in_scope else "file:claim_one_time"
    found = refusal(row, scope=scope, today=today)
    assert (found is None) == (not revoked and valid_until >= today and in_scope)
    if revoked:
        assert found == "authorisation.revoked", "revocation is named first, whatever the dates"
