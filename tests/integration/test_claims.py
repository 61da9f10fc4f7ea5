"""Benefit claims on the dossier engine: the filed form carries the worksheet from the book, the officer approves,
and the settlement enters a new signed version of the book."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.models import BenefitSettlement
from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month
from esibook.trust import jws


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def file(client, headers, procedure, form, key, employer_id=None):
    body = {"procedure": procedure, "form": form, "employer_id": employer_id}
    return client.post("/api/v1/dossiers", json=body, headers={**headers, "idempotency-key": key})


def approve(client, headers, dossier_id):
    return client.post(f"/api/v1/dossiers/{dossier_id}/actions", json={"action": "approve"}, headers=headers)


def settlements(engine, person_id: int) -> list[BenefitSettlement]:
    with Session(engine) as session:
        return list(session.scalars(select(BenefitSettlement).where(BenefitSettlement.person_id == person_id)))


def test_an_employer_claims_sickness_days_and_the_settlement_enters_the_book(signed, world):
    client, ids, bearer = world
    rep, officer = ids["employer-rep"], ids["officer-civil"]
    employer_id = rep.grant[3]
    month = Month(2026, 6)  # the demo employer is behind from June 2026: May is the last month it paid
    skip = {i.personal_id for i in ids.values()}
    with Session(signed.engine) as session:
        worker = session.scalars(
            select(Person).join(ContributionLine, ContributionLine.person_id == Person.id)
            .where(ContributionLine.employer_id == employer_id, ContributionLine.month == (month - 1).as_int(),
                   ContributionLine.status == "paid", Person.personal_id.not_in(skip))
            .order_by(Person.id)
        ).first()
    form = {"personal_id": worker.personal_id, "leave_month": str(month), "days": 4}
    stranger = file(client, bearer(rep.personal_id), "claim_sickness", {**form, "personal_id": ids["citizen-l2"]
                    .personal_id}, "sick-stranger-1", employer_id)
    assert stranger.json()["error"]["code"] in ("claim.not_employee", "personal_id.century_sex")
    filed = file(client, bearer(rep.personal_id), "claim_sickness", form, "sick-ok-00001", employer_id)
    assert filed.status_code == 201, filed.text
    sheet = filed.json()["form"]["worksheet"]
    assert sheet["eligible"] and sheet["steps"], "the officer sees the arithmetic"
    daily = next(s["value"] for s in sheet["steps"] if s["key"] == "daily")
    assert filed.json()["form"]["total"] == pytest.approx(daily * 4, abs=2)
    again = file(client, bearer(rep.personal_id), "claim_sickness", form, "sick-again-001", employer_id)
    assert again.json()["error"]["code"] == "claim.pending", "one claim at a time for the same benefit"
    assert approve(client, bearer(officer.personal_id), filed.json()["id"]).json()["status"] == "result_issued"
    twice = file(client, bearer(rep.personal_id), "claim_sickness", form, "sick-twice-001", employer_id)
    assert twice.json()["error"]["code"] == "claim.already_settled", "the same days are never paid twice"
    [settled] = [s for s in settlements(signed.engine, worker.id) if s.regime == "sickness"]
    assert settled.days == 4 and settled.amount == filed.json()["form"]["total"]
    book = jws.parts(client.get("/api/v1/me/book", headers=bearer(worker.personal_id)).json()["document"])[1]
    assert {"regime": "sickness", "amount": settled.amount} in [
        {"regime": b["regime"], "amount": b["amount"]} for b in book["benefits"]
    ], "the settlement is in the new signed version of the book"


def test_unemployment_needs_the_job_ended_and_12_months_and_a_one_time_withdrawal_is_settled(signed, world):
    """The seed holds 6 months of lines: an unemployment claim is refused as not eligible (12 months of UI needed),
    with the reason; the one-time withdrawal of the same person is computed, approved and settled."""
    client, ids, bearer = world
    employed = ids["citizen-l2"]
    refused = file(client, bearer(employed.personal_id), "claim_unemployment",
                   {"termination_month": str(Month.from_date(vietnam_today()) - 1)}, "ui-employed-01")
    assert refused.json()["error"]["code"] == "claim.still_employed"
    with Session(signed.engine) as session:
        still_open = select(ParticipationPeriod.person_id).where(ParticipationPeriod.to_month.is_(None))
        last = func.max(ParticipationPeriod.to_month)
        person, last_month = session.execute(
            select(Person, last).join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .where(ParticipationPeriod.participant_type == "employee", Person.id.not_in(still_open),
                   Person.personal_id.is_not(None), Person.authority == "civil",
                   Person.personal_id.not_in({i.personal_id for i in ids.values()}))
            .group_by(Person.id).order_by(last.desc(), Person.id).limit(1)
        ).one()
    me = bearer(person.personal_id)
    short = file(client, me, "claim_unemployment", {"termination_month": str(Month.from_int(last_month))}, "ui-left-1")
    assert short.status_code == 400 and short.json()["error"]["code"] == "claim.not_eligible"
    assert "12" in short.json()["error"]["message_en"], short.text

    filed = file(client, me, "claim_one_time", {"reason": "going_abroad"}, "one-time-0001")
    assert filed.status_code == 201, filed.text
    form = filed.json()["form"]
    assert form["total"] > 0 and not arithmetic_errors_of(form["worksheet"])
    done = approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"])
    assert done.json().get("status") == "result_issued", done.text
    [settled] = [s for s in settlements(signed.engine, person.id) if s.regime == "one_time"]
    assert settled.amount == form["total"]
    again = file(client, me, "claim_one_time", {"reason": "going_abroad"}, "one-time-0002")
    assert again.json()["error"]["code"] == "claim.already_settled", "a one-time withdrawal is paid once"


def test_an_officer_cannot_approve_a_dossier_of_their_own(signed, world):
    client, ids, bearer = world
    officer = ids["officer-civil"]
    mine = file(client, bearer(officer.personal_id), "request_printout", {}, "own-case-0001")
    if mine.status_code == 400:  # the demo officer has no book of their own: file a correction instead
        mine = file(client, bearer(officer.personal_id), "reissue_hi_card", {"reason": "mất thẻ"}, "own-case-0002")
    assert mine.status_code == 201, mine.text
    refused = approve(client, bearer(officer.personal_id), mine.json()["id"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "dossier.own_case"


def arithmetic_errors_of(sheet: dict) -> list:
    """The worksheet as filed (JSON) still adds up: each step's value is what its expression computes."""
    from esibook.benefits.worksheet import ExpressionError, evaluate

    errors = []
    for step in sheet["steps"]:
        try:
            computed = evaluate(step["expression"])
        except ExpressionError:
            continue  # a step that states a count or a rule, not arithmetic
        if abs(float(computed) - float(step["value"])) > 1:
            errors.append(step["key"])
    return errors
