"""A pension paid to the pensioner's authorised representative (nhận thay theo ủy quyền): the pensioner authorises
someone to receive a benefit for them and names them as payee; each month paid that way records the agent and is
in the pensioner's access log; after the pensioner revokes the authorisation the next month is held (not paid to
the agent) and /me/pension says why; naming another way pays the held month with the next run, as back pay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.benefits import pensions
from esibook.benefits.models import Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.pensions import pay_month
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month
from support.retirees import add_retiree

NOW = Month.from_date(vietnam_today())
FIRST = NOW - 3


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def on_day(monkeypatch, month: Month) -> None:
    """The pensioner makes the change on the 10th of ``month`` (so it takes effect the month after)."""
    monkeypatch.setattr(pensions, "vietnam_today", lambda: month.first_day().replace(day=10))


def payments(engine, person_id: int) -> dict[str, PensionPayment]:
    with Session(engine) as session:
        rows = session.scalars(select(PensionPayment).where(PensionPayment.person_id == person_id)).all()
        return {str(Month.from_int(r.month)): r for r in rows}


def agent_entries(client, headers) -> list[dict]:
    return [e for e in client.get("/api/v1/me/access-log", headers=headers).json()
            if e["accessor_kind"] == "authorised"]


def test_paid_to_the_agent_until_revoked_then_held_then_paid_the_new_way(signed, world, monkeypatch):
    client, _, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=916_001, born=date(1962, 5, 5), years=36)
    agent_id, agent_pid = add_retiree(signed.engine, serial=916_002, born=date(1990, 7, 7), years=1,
                                      first=Month(2015, 1))
    with Session(signed.engine) as session, session.begin():
        agent_name = session.get(Person, agent_id).full_name
        session.add(Pension(person_id=person_id, first_month=FIRST.as_int(), monthly_amount=6_500_000, lump_sum=0,
                            decision_no="QD-AGENT-1", decided_on=FIRST.first_day(), authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=FIRST.as_int(), method="bank",
                                         bank_code="VCB", account_number="0071000999111", authority="civil"))
    me = bearer(personal_id)
    pay_month(Session(signed.engine), FIRST)
    assert payments(signed.engine, person_id)[str(FIRST)].agent_id is None, "paid to the pensioner's own account"

    until = (vietnam_today() + timedelta(days=400)).isoformat()
    filing_only = client.post("/api/v1/me/authorisations", headers=me, json={
        "agent_personal_id": agent_pid, "procedures": ["claim_pension"], "valid_until": until})
    grant = client.post("/api/v1/me/authorisations", headers=me, json={
        "agent_personal_id": agent_pid, "procedures": [], "receive_payment": True, "valid_until": until})
    assert grant.status_code == 201, grant.text
    grant_id = grant.json()["id"]
    to_agent = {"method": "bank", "bank_code": "BIDV", "account_number": "2101 4444 5678"}
    on_day(monkeypatch, FIRST)
    out_of_scope = client.post("/api/v1/me/pension/payment-method", headers=me,
                               json={**to_agent, "authorisation_id": filing_only.json()["id"]})
    assert out_of_scope.status_code == 403, "an authorisation to file only does not cover receiving the pension"
    assert out_of_scope.json()["error"]["code"] == "authorisation.out_of_scope"
    chosen = client.post("/api/v1/me/pension/payment-method", headers=me,
                         json={**to_agent, "authorisation_id": grant_id})
    assert chosen.status_code == 200, chosen.text
    paid_to = chosen.json()["paid_to"]  # the change, made three months ago, is in force now
    assert paid_to["from_month"] == str(FIRST + 1) and paid_to["authorisation_id"] == grant_id
    assert paid_to["shown"] == f"Người nhận thay theo ủy quyền {agent_name}: BIDV ••••5678"

    paid = pay_month(Session(signed.engine), FIRST + 1)
    row = payments(signed.engine, person_id)[str(FIRST + 1)]
    assert (row.status, row.agent_id, row.method) == ("paid", agent_id, "bank"), "recorded as received by the agent"
    assert agent_name in row.payee and "21014444" not in row.payee
    assert paid.held == 0
    [entry] = agent_entries(client, me)
    assert entry["outcome"] == "allowed" and agent_name in entry["accessor"], "the payout is in my access log"

    revoked = client.post(f"/api/v1/me/authorisations/{grant_id}/revoke", headers=me)
    assert revoked.status_code == 200
    held = pay_month(Session(signed.engine), FIRST + 2)
    row = payments(signed.engine, person_id)[str(FIRST + 2)]
    assert (row.status, row.hold_reason, row.agent_id, row.paid_at) == ("held", "authorisation.revoked", None, None)
    assert held.held >= 1
    again = pay_month(Session(signed.engine), FIRST + 2)
    assert again.settled == 0 and again.held == 0, "a second run of the month changes nothing"
    assert [e["outcome"] for e in agent_entries(client, me)] == ["refused", "allowed"], "held once, logged once"

    mine = client.get("/api/v1/me/pension", headers=me).json()
    assert mine["held"] == [str(FIRST + 2)]
    page = client.get("/me/pension?lang=en", headers=me)
    assert 'data-testid="pension-held"' in page.text
    assert "You revoked the authorisation of the person named to receive it." in page.text
    vi = client.get("/me/pension?lang=vi", headers=me).text
    assert "Bạn đã thu hồi giấy ủy quyền của người được chỉ định nhận thay." in vi and "Tạm giữ" in vi

    on_day(monkeypatch, FIRST + 2)
    back = client.post("/api/v1/me/pension/payment-method", headers=me,
                       json={"method": "cash", "post_office": "Bưu điện Đống Đa"})
    assert back.status_code == 200
    pay_month(Session(signed.engine), NOW)
    rows = payments(signed.engine, person_id)
    assert [(rows[m].status, rows[m].payee, rows[m].paid_in, rows[m].agent_id) for m in (str(FIRST + 2), str(NOW))] \
        == [("paid", "Bưu điện Đống Đa", NOW.as_int(), None)] * 2, "the held month is paid the new way, as back pay"
    assert sum(r.amount for r in rows.values()) == 4 * 6_500_000, "four months, each paid once"


def test_a_stranger_cannot_name_someone_elses_authorisation(signed, world):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=916_003, born=date(1961, 1, 1), years=35)
    with Session(signed.engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=NOW.as_int(), monthly_amount=5_000_000, lump_sum=0,
                            decision_no="QD-AGENT-2", decided_on=NOW.first_day(), authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=NOW.as_int(), method="cash",
                                         post_office="Bưu điện Cầu Giấy", authority="civil"))
    other = ids["grantor"]
    theirs = client.post("/api/v1/me/authorisations", headers=bearer(other.personal_id, other.name), json={
        "agent_personal_id": ids["citizen-l2"].personal_id, "procedures": [], "receive_payment": True,
        "valid_until": (vietnam_today() + timedelta(days=30)).isoformat()})
    assert theirs.status_code == 201, theirs.text
    refused = client.post("/api/v1/me/pension/payment-method", headers=bearer(personal_id), json={
        "method": "cash", "post_office": "Bưu điện X", "authorisation_id": theirs.json()["id"]})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "authorisation.not_found"


def test_an_expired_authorisation_holds_the_month(signed, world, monkeypatch):
    """The authorisation ran out before the run: the month is held ("expired"), not paid to the agent."""
    from esibook.access.models import Authorisation

    client, _, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=916_004, born=date(1960, 2, 2), years=35)
    _, agent_pid = add_retiree(signed.engine, serial=916_005, born=date(1988, 3, 3), years=1, first=Month(2016, 1))
    with Session(signed.engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=(NOW - 1).as_int(), monthly_amount=5_000_000,
                            lump_sum=0, decision_no="QD-AGENT-3", decided_on=(NOW - 1).first_day(),
                            authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=(NOW - 1).as_int(), method="cash",
                                         post_office="Bưu điện Hà Đông", authority="civil"))
    me = bearer(personal_id)
    grant_id = client.post("/api/v1/me/authorisations", headers=me, json={
        "agent_personal_id": agent_pid, "procedures": [], "receive_payment": True,
        "valid_until": (vietnam_today() + timedelta(days=10)).isoformat()}).json()["id"]
    on_day(monkeypatch, NOW - 1)
    chosen = client.post("/api/v1/me/pension/payment-method", headers=me, json={
        "method": "cash", "post_office": "Bưu điện Hà Đông", "authorisation_id": grant_id})
    assert chosen.status_code == 200, chosen.text
    with Session(signed.engine) as session, session.begin():
        session.get(Authorisation, grant_id).valid_until = vietnam_today() - timedelta(days=1)
    pay_month(Session(signed.engine), NOW)
    rows = payments(signed.engine, person_id)
    assert {m: (r.status, r.hold_reason) for m, r in rows.items()} == {
        str(NOW - 1): ("held", "authorisation.expired"), str(NOW): ("held", "authorisation.expired")}
    page = client.get("/me/pension?lang=en", headers=me).text
    assert "The authorisation of the person named to receive it has expired." in page
