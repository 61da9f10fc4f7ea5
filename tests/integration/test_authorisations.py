"""Authorisations (ủy quyền) through the API: a person authorises another by personal ID, the authorised person
files for them under the one access policy, every use (refused ones too) is in the grantor's access log, and a
revocation stops the next use at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.models import AccessLogEntry, Authorisation
from esibook.audit.models import AuditRecord
from esibook.benefits.models import BenefitSettlement
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions.models import Dossier

AUTHORISED = "Người được ủy quyền"


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def until(days: int = 30) -> str:
    return (vietnam_today() + timedelta(days=days)).isoformat()


def authorise(client, headers, agent_pid, procedures=("claim_sickness_own",), receive=False, valid_until=None):
    body = {"agent_personal_id": agent_pid, "procedures": list(procedures), "receive_payment": receive,
            "valid_until": valid_until or until()}
    return client.post("/api/v1/me/authorisations", json=body, headers=headers)


def file_for(client, headers, grant_id, procedure, form, key):
    return client.post(f"/api/v1/me/authorisations/{grant_id}/dossiers", json={"procedure": procedure, "form": form},
                       headers={**headers, "idempotency-key": key})


def leave_month(engine, personal_id: str) -> str:
    """The last month of the grantor's last job (they have left it since)."""
    with Session(engine) as session:
        last = session.scalar(
            select(ParticipationPeriod.to_month)
            .join(Person, Person.id == ParticipationPeriod.person_id)
            .where(Person.personal_id == personal_id, ParticipationPeriod.participant_type == "employee",
                   ParticipationPeriod.to_month.is_not(None))
            .order_by(ParticipationPeriod.to_month.desc())
            .limit(1)
        )
    return str(Month.from_int(last))


def log_of(client, headers) -> list[dict]:
    entries = client.get("/api/v1/me/access-log", headers=headers).json()
    return [e for e in entries if e["accessor_kind"] == "authorised"]


def test_an_authorised_person_files_for_the_grantor_until_it_is_revoked(signed, world):
    client, ids, bearer = world
    grantor, agent = ids["grantor"], ids["employer-rep"]
    me, them = bearer(grantor.personal_id, grantor.name), bearer(agent.personal_id, agent.name)
    created = authorise(client, me, agent.personal_id)
    assert created.status_code == 201, created.text
    grant_id = created.json()["id"]
    received = client.get("/api/v1/me/authorisations", headers=them).json()["received"]
    assert [r["name"] for r in received if r["id"] == grant_id] == [grantor.name], "the agent sees who authorised"

    form = {"leave_month": leave_month(signed.engine, grantor.personal_id), "days": 3}
    filed = file_for(client, them, grant_id, "claim_sickness_own", form, "agent-sick-0001")
    assert filed.status_code == 201, filed.text
    with Session(signed.engine) as session:
        dossier = session.get(Dossier, filed.json()["id"])
        grantor_id = session.scalar(select(Person.id).where(Person.personal_id == grantor.personal_id))
        assert dossier.person_id == grantor_id and dossier.filer_ref == f"person:{grantor.personal_id}"
        assert agent.name in dossier.filer_name and grantor.name in dossier.filer_name
    assert filed.json()["code"] in [d["code"] for d in client.get("/api/v1/me/dossiers", headers=me).json()], (
        "the dossier is the grantor's"
    )
    [used] = log_of(client, me)
    assert used["outcome"] == "allowed" and AUTHORISED in used["accessor"] and agent.name in used["accessor"]
    officer = bearer(ids["officer-civil"].personal_id)
    decided = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"}, headers=officer)
    assert decided.status_code == 200 and decided.json()["status"] == "result_issued", decided.text
    with Session(signed.engine) as session:
        [settled] = session.scalars(select(BenefitSettlement).where(BenefitSettlement.person_id == grantor_id,
                                                                    BenefitSettlement.regime == "sickness")).all()
    assert settled.days == 3 and settled.amount > 0, "the grantor is paid, not the agent"
    kinds = [d["type"] for d in client.get("/api/v1/me/repository", headers=me).json()]
    assert "receipt" in kinds and "decision" in kinds, "the receipt and the result are in the grantor's repository"

    other = file_for(client, them, grant_id, "request_printout", {}, "agent-print-0001")
    assert other.status_code == 403 and other.json()["error"]["code"] == "authorisation.out_of_scope"

    assert client.post(f"/api/v1/me/authorisations/{grant_id}/revoke", headers=them).status_code == 404, (
        "only the grantor revokes"
    )
    assert client.post(f"/api/v1/me/authorisations/{grant_id}/revoke", headers=me).json()["state"] == "revoked"
    again = file_for(client, them, grant_id, "claim_sickness_own", {**form, "days": 2}, "agent-sick-0002")
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "authorisation.revoked"
    assert "thu hồi" in again.json()["error"]["message_vi"]
    outcomes = [e["outcome"] for e in log_of(client, me)]
    assert sorted(outcomes) == ["allowed", "refused", "refused"], "every use is in the grantor's access log"
    states = {g["id"]: g["state"] for g in client.get("/api/v1/me/authorisations", headers=me).json()["given"]}
    assert states[grant_id] == "revoked"


def test_an_expired_authorisation_is_refused_and_logged(signed, world):
    client, ids, bearer = world
    grantor, agent = ids["grantor"], ids["citizen-defence"]
    me, them = bearer(grantor.personal_id, grantor.name), bearer(agent.personal_id, agent.name)
    grant_id = authorise(client, me, agent.personal_id, valid_until=until(0)).json()["id"]
    with Session(signed.engine) as session, session.begin():
        session.get(Authorisation, grant_id).valid_until = vietnam_today() - timedelta(days=1)
    before = len(log_of(client, me))
    refused = file_for(client, them, grant_id, "claim_sickness_own", {"leave_month": "2026-09", "days": 1},
                       "agent-expired-01")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "authorisation.expired"
    after = log_of(client, me)
    assert len(after) == before + 1 and after[0]["outcome"] == "refused", "the refused use is in the access log"


def test_who_may_be_authorised(world):
    client, ids, bearer = world
    grantor = ids["grantor"]
    me = bearer(grantor.personal_id, grantor.name)
    self_grant = authorise(client, me, grantor.personal_id)
    assert self_grant.status_code == 400 and self_grant.json()["error"]["code"] == "authorisation.self"
    unknown = authorise(client, me, "001099000001")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] in ("authorisation.agent_unknown", "personal_id.century_sex")
    empty = authorise(client, me, ids["citizen-l2"].personal_id, procedures=())
    assert empty.json()["error"]["code"] == "authorisation.scope_empty"
    wrong = authorise(client, me, ids["citizen-l2"].personal_id, procedures=("register_employees",))
    assert wrong.json()["error"]["code"] == "authorisation.procedure", "an employer's procedure is never in scope"
    past = authorise(client, me, ids["citizen-l2"].personal_id, valid_until=until(-1))
    assert past.json()["error"]["code"] == "authorisation.valid_until"


def test_someone_elses_authorisation_is_not_found_and_the_audit_names_no_one(signed, world):
    client, ids, bearer = world
    grantor = ids["grantor"]
    grant_id = authorise(client, bearer(grantor.personal_id, grantor.name), ids["clinic"].personal_id).json()["id"]
    stranger = bearer(ids["citizen-defence"].personal_id)
    response = file_for(client, stranger, grant_id, "claim_sickness_own", {"leave_month": "2026-09", "days": 1},
                        "stranger-try-01")
    assert response.status_code == 404 and response.json()["error"]["code"] == "authorisation.not_found"
    with Session(signed.engine) as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.target == f"authorisation:{grant_id}")).all()
    assert [r.action for r in rows] == ["authorisation.granted"]
    assert all(ids[k].personal_id not in r.details + r.actor for r in rows for k in ("grantor", "clinic"))


def test_an_officer_who_filed_as_the_agent_does_not_review_the_dossier(signed, world):
    """The filed form names the agent: the officer's conflict-of-interest rule sees it."""
    client, ids, bearer = world
    grantor, officer = ids["grantor"], ids["officer-civil"]
    me = bearer(grantor.personal_id, grantor.name)
    grant_id = authorise(client, me, officer.personal_id, procedures=("request_printout",)).json()["id"]
    them = bearer(officer.personal_id, officer.name)
    filed = file_for(client, them, grant_id, "request_printout", {"delivery": "electronic", "copies": 1},
                     "officer-agent-01")
    assert filed.status_code == 201, filed.text
    decided = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"}, headers=them)
    assert decided.status_code == 403 and decided.json()["error"]["code"] == "dossier.own_case"


def test_a_parent_gets_a_childs_card_and_the_showing_is_in_the_childs_access_log(signed, world):
    client, ids, bearer = world
    parent = ids["guardian"]
    with Session(signed.engine) as session:
        child = session.scalar(select(Person.id).where(Person.representative_id == parent.personal_id).limit(1))
        stranger = session.scalar(select(Person.id).where(Person.representative_id.is_(None)).limit(1))
    headers = bearer(parent.personal_id, parent.name)
    listed = client.get("/api/v1/me/dependants", headers=headers).json()
    assert child in [d["person_id"] for d in listed]
    card = client.get(f"/api/v1/me/dependants/{child}/card/qr", params={"one_time": True}, headers=headers)
    assert card.status_code == 200 and card.json()["one_time"] and card.json()["payload"]
    assert client.get(f"/api/v1/me/dependants/{stranger}/card/qr", headers=headers).status_code == 404
    with Session(signed.engine) as session:
        entries = session.scalars(select(AccessLogEntry).where(AccessLogEntry.person_id == child)).all()
    assert any(e.accessor_kind == "representative" and parent.name in e.accessor and e.groups == "5"
               for e in entries), "the child's access log names the parent who showed the card"


def test_a_person_still_employed_does_not_claim_sickness_themself(world):
    client, ids, bearer = world
    worker = ids["citizen-l2"]
    body = {"procedure": "claim_sickness_own", "form": {"leave_month": "2026-09", "days": 2}}
    response = client.post("/api/v1/dossiers", json=body,
                           headers={**bearer(worker.personal_id), "idempotency-key": "own-sick-employed"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "claim.still_employed"


def test_receiving_a_benefit_needs_an_authorisation_that_covers_it(signed, world):
    client, ids, bearer = world
    grantor, agent = ids["grantor"], ids["clinic"]
    me, them = bearer(grantor.personal_id, grantor.name), bearer(agent.personal_id, agent.name)
    receive = authorise(client, me, agent.personal_id, procedures=(), receive=True).json()["id"]
    file_only = authorise(client, me, agent.personal_id).json()["id"]
    before = [e for e in log_of(client, me) if e["purpose"] == "GDBHXH"]
    allowed = client.get(f"/api/v1/me/authorisations/{receive}/benefits", headers=them)
    assert allowed.status_code == 200 and isinstance(allowed.json(), list)
    with Session(signed.engine) as session:
        grantor_id = session.scalar(select(Person.id).where(Person.personal_id == grantor.personal_id))
        decided = session.scalars(select(BenefitSettlement.decision_no)
                                  .where(BenefitSettlement.person_id == grantor_id)).all()
    assert sorted(b["decision_no"] for b in allowed.json()) == sorted(decided)
    refused = client.get(f"/api/v1/me/authorisations/{file_only}/benefits", headers=them)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "authorisation.out_of_scope"
    filing = file_for(client, them, receive, "claim_sickness_own", {"leave_month": "2026-09", "days": 1},
                      "receive-only-01")
    assert filing.json()["error"]["code"] == "authorisation.out_of_scope", "receiving is not filing"
    after = [e for e in log_of(client, me) if e["purpose"] == "GDBHXH"]
    assert [e["outcome"] for e in after[: len(after) - len(before)]] == ["refused", "allowed"]
