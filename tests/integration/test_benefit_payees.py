"""Where a one-off benefit is paid: the claim names the claimant's account or post office, or a person they
authorised to receive it (nhận thay theo ủy quyền); the access policy decides the authorisation when the claim is
filed and again at the payout; paid to the agent, the settlement's payout names them and the claimant's access log
has it; an authorisation revoked before the payout holds it (not paid) until the claimant names another way."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access.models import AccessLogEntry
from esibook.audit.models import AuditRecord
from esibook.benefits.models import BenefitPayout, BenefitSettlement
from esibook.contributions.models import ContributionLine
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions.models import Dossier
from support.retirees import add_retiree

ACCOUNT = "0071 0009 9911 1"
TO_AGENT_BANK = {"method": "bank", "bank_code": "VCB", "account_number": ACCOUNT}


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def person(engine, serial: int) -> tuple[int, str, str]:
    """A person whose job ended years ago (one-time withdrawal open to them): id, personal ID, name."""
    person_id, personal_id = add_retiree(engine, serial=serial, born=date(1985, 3, 3), years=5, first=Month(2009, 1))
    with Session(engine) as session:
        return person_id, personal_id, session.get(Person, person_id).full_name


def authorise(client, headers, agent_pid, *, receive=True, procedures=("claim_one_time",)) -> int:
    until = (vietnam_today() + timedelta(days=60)).isoformat()
    made = client.post("/api/v1/me/authorisations", headers=headers, json={
        "agent_personal_id": agent_pid, "procedures": list(procedures), "receive_payment": receive,
        "valid_until": until})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def file(client, headers, form, key):
    return client.post("/api/v1/dossiers", json={"procedure": "claim_one_time", "form": form},
                       headers={**headers, "idempotency-key": key})


def approve(client, headers, dossier_id):
    done = client.post(f"/api/v1/dossiers/{dossier_id}/actions", json={"action": "approve"}, headers=headers)
    assert done.json().get("status") == "result_issued", done.text


def payout_of(engine, person_id: int) -> BenefitPayout:
    with Session(engine) as session:
        seq = session.scalar(select(BenefitSettlement.seq).where(BenefitSettlement.person_id == person_id,
                                                                 BenefitSettlement.regime == "one_time"))
        return session.get(BenefitPayout, (person_id, seq))


def payout_log(engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(AccessLogEntry.outcome).where(
            AccessLogEntry.person_id == person_id, AccessLogEntry.channel == "payout").order_by(AccessLogEntry.id)))


def dossiers_of(engine, person_id: int) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Dossier).where(Dossier.person_id == person_id))


def test_a_claim_paid_to_the_agent_names_them_and_is_in_the_claimants_access_log(signed, world):
    client, ids, bearer = world
    claimant_id, claimant_pid, _ = person(signed.engine, 927_001)
    agent_id, agent_pid, agent_name = person(signed.engine, 927_002)
    me = bearer(claimant_pid)
    grant = authorise(client, me, agent_pid)
    filed = file(client, me, {"reason": "going_abroad", **TO_AGENT_BANK, "authorisation_id": grant}, "payee-agent-01")
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["paid_to"] == f"Người nhận thay theo ủy quyền {agent_name}: Vietcombank ••••9111"

    approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"])
    row = payout_of(signed.engine, claimant_id)
    assert (row.status, row.agent_id, row.authorisation_id, row.beneficiary_id) == ("paid", agent_id, grant,
                                                                                     claimant_id)
    assert row.account_number == "0071000999111" and "00710009" not in row.payee, "kept for the transfer, shown masked"
    assert row.paid_at is not None
    assert payout_log(signed.engine, claimant_id) == ["allowed"], "the payout to the agent is in my access log"
    [entry] = [e for e in client.get("/api/v1/me/access-log", headers=me).json() if e["accessor_kind"] == "authorised"]
    assert agent_name in entry["accessor"]
    mine = client.get("/api/v1/me/benefit-payouts", headers=me).json()
    assert [(p["regime"], p["status"], p["paid_to"]) for p in mine["payouts"]] == [
        ("one_time", "paid", filed.json()["form"]["paid_to"])]
    assert "0071000999111" not in str(mine) and [a["name"] for a in mine["agents"]] == [agent_name]
    page = client.get("/me/services?lang=en", headers=me).text
    assert 'data-testid="payout-ot"' in page and f"My authorised representative: {agent_name}" in page
    assert filed.json()["form"]["paid_to"] in page and "0071000999111" not in page, "paid to …, masked"
    with Session(signed.engine) as session:
        audited = " ".join(f"{r.target} {r.details}" for r in session.scalars(select(AuditRecord)))
    assert "0071000999111" not in audited, "the account never enters the audit chain"


def test_an_authorisation_revoked_before_the_payout_holds_it_until_another_way_is_named(signed, world):
    client, ids, bearer = world
    claimant_id, claimant_pid, _ = person(signed.engine, 927_011)
    agent_id, agent_pid, agent_name = person(signed.engine, 927_012)
    me = bearer(claimant_pid)
    grant = authorise(client, me, agent_pid)
    filed = file(client, me, {"reason": "going_abroad", "method": "cash", "post_office": "Bưu điện Cầu Giấy",
                              "authorisation_id": grant}, "payee-held-01")
    assert filed.status_code == 201, filed.text
    assert client.post(f"/api/v1/me/authorisations/{grant}/revoke", headers=me).status_code == 200

    approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"])
    row = payout_of(signed.engine, claimant_id)
    assert (row.status, row.hold_reason, row.paid_at) == ("held", "authorisation.revoked", None), "not paid to them"
    assert payout_log(signed.engine, claimant_id) == ["refused"]
    page = client.get("/me/services?lang=vi", headers=me).text
    assert 'data-testid="payout-held"' in page and "Bạn đã thu hồi giấy ủy quyền" in page
    assert f'action="/me/benefit-payouts/{claimant_id}/{row.seq}"' in page, "the page offers another way"

    again = client.post(f"/api/v1/me/benefit-payouts/{claimant_id}/{row.seq}", headers=me,
                        json={"method": "bank", "bank_code": "BIDV", "account_number": "2101 4444 5678"})
    assert again.status_code == 200, again.text
    assert again.json() == {"status": "paid", "paid_to": "BIDV ••••5678", "hold_reason": None}
    row = payout_of(signed.engine, claimant_id)
    assert (row.status, row.authorisation_id, row.agent_id) == ("paid", None, None), "paid the new way, to me"
    twice = client.post(f"/api/v1/me/benefit-payouts/{claimant_id}/{row.seq}", headers=me, json={"method": "cash",
                        "post_office": "Bưu điện Hà Đông"})
    assert twice.status_code == 400 and twice.json()["error"]["code"] == "payout.not_held"
    other = bearer(agent_pid)
    assert client.post(f"/api/v1/me/benefit-payouts/{claimant_id}/{row.seq}", headers=other,
                       json={"method": "cash", "post_office": "Bưu điện Hà Đông"}).status_code == 404


def test_an_authorisation_without_receive_payment_cannot_name_the_agent(signed, world):
    client, _, bearer = world
    claimant_id, claimant_pid, _ = person(signed.engine, 927_021)
    _, agent_pid, agent_name = person(signed.engine, 927_022)
    me, them = bearer(claimant_pid), bearer(agent_pid)
    filing_only = authorise(client, me, agent_pid, receive=False)
    refused = file(client, me, {"reason": "going_abroad", **TO_AGENT_BANK, "authorisation_id": filing_only},
                   "payee-scope-01")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "authorisation.out_of_scope"
    on_behalf = client.post(f"/api/v1/me/authorisations/{filing_only}/dossiers", headers={
        **them, "idempotency-key": "payee-scope-02"}, json={"procedure": "claim_one_time", "form": {
            "reason": "going_abroad", **TO_AGENT_BANK, "authorisation_id": filing_only}})
    assert on_behalf.status_code == 403 and on_behalf.json()["error"]["code"] == "authorisation.out_of_scope", (
        "the agent filing for me may name themself only if the authorisation covers receiving the money")
    assert dossiers_of(signed.engine, claimant_id) == 0, "nothing filed"

    both = authorise(client, me, agent_pid, receive=True)
    allowed = client.post(f"/api/v1/me/authorisations/{both}/dossiers", headers={
        **them, "idempotency-key": "payee-scope-03"}, json={"procedure": "claim_one_time", "form": {
            "reason": "going_abroad", **TO_AGENT_BANK, "authorisation_id": both}})
    assert allowed.status_code == 201, allowed.text
    with Session(signed.engine) as session:
        filed = json.loads(session.get(Dossier, allowed.json()["id"]).form)
    assert filed["paid_to"] == f"Người nhận thay theo ủy quyền {agent_name}: Vietcombank ••••9111"


@pytest.mark.parametrize("way, code", [
    ({"method": "bank", "bank_code": "VCB", "account_number": "12-34"}, "payout.account_number"),
    ({"method": "bank", "bank_code": "NOPE", "account_number": "0071000999111"}, "payout.bank"),
    ({"method": "cash", "post_office": "x"}, "payout.post_office"),
    ({"method": "cheque"}, "payout.method"),
    ({"authorisation_id": 1}, "payout.method"),
])
def test_a_bad_way_is_refused_and_nothing_is_written(signed, world, way, code):
    client, _, bearer = world
    claimant_id, claimant_pid, _ = person(signed.engine, 927_031 + len(code) + len(str(way)))
    refused = file(client, bearer(claimant_pid), {"reason": "going_abroad", **way}, f"payee-bad-{code}-{len(way)}")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == code, refused.text
    assert dossiers_of(signed.engine, claimant_id) == 0


def test_a_corrected_claim_keeps_the_payee_named_first_unless_it_names_another(signed, world):
    client, ids, bearer = world
    claimant_id, claimant_pid, _ = person(signed.engine, 927_041)
    me, officer = bearer(claimant_pid), bearer(ids["officer-civil"].personal_id)
    filed = file(client, me, {"reason": "going_abroad", "method": "cash", "post_office": "Bưu điện Ba Đình"},
                 "payee-refile-01")
    assert filed.status_code == 201, filed.text
    dossier_id = filed.json()["id"]
    asked = client.post(f"/api/v1/dossiers/{dossier_id}/actions", headers=officer,
                        json={"action": "request_info", "note": "Bổ sung giấy tờ xuất cảnh"})
    assert asked.json()["status"] == "needs_info", asked.text
    again = client.post(f"/api/v1/dossiers/{dossier_id}/resubmit", headers=me,
                        json={"form": {"reason": "going_abroad"}})
    assert again.status_code == 200, again.text
    with Session(signed.engine) as session:
        kept = json.loads(session.get(Dossier, dossier_id).form)
    assert kept["paid_to"] == "Bưu điện Ba Đình" and kept["payment"]["method"] == "cash"
    approve(client, officer, dossier_id)
    assert payout_of(signed.engine, claimant_id).payee == "Bưu điện Ba Đình"


def test_an_employer_names_the_employees_account_never_an_agent(signed, world):
    client, ids, bearer = world
    rep = ids["employer-rep"]
    employer_id = rep.grant[3]
    skip = {i.personal_id for i in ids.values()}
    with Session(signed.engine) as session:
        worker = session.scalars(
            select(Person).join(ContributionLine, ContributionLine.person_id == Person.id)
            .where(ContributionLine.employer_id == employer_id, ContributionLine.month == 202605,
                   ContributionLine.status == "paid", Person.personal_id.not_in(skip))
            .order_by(Person.id.desc())
        ).first()
    form = {"personal_id": worker.personal_id, "leave_month": "2026-06", "days": 2, **TO_AGENT_BANK,
            "authorisation_id": 1}
    refused = client.post("/api/v1/dossiers", headers={**bearer(rep.personal_id), "idempotency-key": "payee-emp-01"},
                          json={"procedure": "claim_sickness", "form": form, "employer_id": employer_id})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "payout.agent_employer", refused.text
    with Session(signed.engine) as session:
        assert session.scalar(select(func.count()).select_from(Dossier).where(
            Dossier.procedure == "claim_sickness", Dossier.form.contains(worker.personal_id),
            Dossier.form.contains("paid_to"))) == 0, "nothing filed"
