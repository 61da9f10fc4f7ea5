"""Stopping a benefit paid by month (dừng hưởng), on SQLite and PostgreSQL: a child's survivors' allowance ends with
the month the child turns 18; a pensioner's death (the funeral claim approved) ends the pension with the month of
death, the month already paid after it listed to be recovered, nothing paid after; an approving officer stops an
unemployment allowance after a month not yet paid, the person sees why, the run pays nothing more, and each refusal
says what is wrong. Runs are settled benefit by benefit here (never the whole database's run, which other modules
count on)."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.models import AccessLogEntry, Authorisation, RoleGrant
from esibook.audit.models import AuditRecord
from esibook.benefits import claims
from esibook.benefits.models import MonthlyBenefit, MonthlyBenefitPayment, Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.monthly_benefits import BenefitLedger
from esibook.benefits.monthly_runs import settle, still_to_settle
from esibook.benefits.pension_runs import settle_pension
from esibook.dates import vietnam_today
from esibook.health.service import issue_card
from esibook.people.models import Person
from esibook.periods import Month
from esibook.reminders.due import due_reminders
from integration.test_conversion_and_printout import scanned_pdf
from support.retirees import add_citizen, add_retiree

NOW = Month.from_date(vietnam_today())
SCAN = [{"filename": "trich-luc-khai-tu.pdf", "content_base64": base64.b64encode(scanned_pdf()).decode()}]


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def married(engine, deceased_id: int, deceased_pid: str, *, serial: int, born: date) -> Person:
    wife = add_citizen(engine, serial=serial, born=born, sex="female", name="Ngô Thị Vợ", spouse_id=deceased_pid)
    with Session(engine) as session, session.begin():
        session.get(Person, deceased_id).spouse_id = wife.personal_id
    return wife


@pytest.fixture(scope="module")
def officer(world):
    client, ids, bearer = world
    return bearer(ids["officer-civil"].personal_id)


def approved(world, officer, headers, procedure: str, form: dict, key: str) -> dict:
    client, _, _ = world
    filed = client.post("/api/v1/dossiers", json={"procedure": procedure, "form": form, "attachments": SCAN},
                        headers={**headers, "idempotency-key": key})
    assert filed.status_code == 201, filed.text
    done = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"}, headers=officer)
    assert done.json()["status"] == "result_issued", done.text
    return filed.json()["form"]


def paid_months(engine, table, **keys) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.scalars(select(table).filter_by(**keys)).all()
        return {str(Month.from_int(r.month)): r.status for r in rows}


def test_a_childs_survivors_allowance_ends_with_the_month_the_child_turns_18(signed, world, officer):
    client, ids, bearer = world
    deceased_id, deceased_pid = add_retiree(signed.engine, serial=931_001, born=date(1970, 5, 5), years=18,
                                            first=Month(2004, 1))
    wife = married(signed.engine, deceased_id, deceased_pid, serial=931_002, born=date(1958, 2, 2))
    turns_18 = NOW + 1
    child = add_citizen(signed.engine, serial=931_003, born=date(turns_18.year - 18, turns_18.month, 15), sex="male",
                    name="Ngô Văn Con", father_id=deceased_pid, mother_id=wife.personal_id,
                    representative_id=wife.personal_id)
    died = vietnam_today() - timedelta(days=40)
    form = approved(world, officer, bearer(wife.personal_id), "claim_survivors", {
        "deceased_personal_id": deceased_pid, "relationship": "spouse", "died_on": died.isoformat(),
        "relatives": [wife.personal_id, child.personal_id], "method": "bank", "bank_code": "VCB",
        "account_number": "0071000931003"}, "stops-survivors-1")

    inputs = {i["key"]: i["value"] for i in form["worksheet"]["inputs"]}
    assert inputs["relative_2_until"] == str(turns_18), "the worksheet says the child is paid to the 18th birthday"
    assert "relative_1_until" not in inputs, "the widow's allowance runs on"
    with Session(signed.engine) as session:
        benefits = {b.beneficiary_id: b for b in session.scalars(
            select(MonthlyBenefit).where(MonthlyBenefit.person_id == deceased_id))}
        assert benefits[child.id].last_month == turns_18.as_int() and benefits[wife.id].last_month is None
        seq = benefits[wife.id].seq
        for run in (NOW + 1, NOW + 2, NOW + 3):
            settle(session, BenefitLedger(benefits[child.id]), run)
            settle(session, BenefitLedger(benefits[wife.id]), run)
        session.commit()
    theirs = paid_months(signed.engine, MonthlyBenefitPayment, beneficiary_id=child.id)
    assert max(theirs) == str(turns_18) and str(turns_18 + 1) not in theirs, "nothing after the month they turn 18"
    assert str(NOW + 3) in paid_months(signed.engine, MonthlyBenefitPayment, beneficiary_id=wife.id)
    mine = client.get("/api/v1/me/monthly-benefits", headers=bearer(wife.personal_id)).json()
    assert {(b["for_person"], b["last_month"]) for b in mine["benefits"]} == {
        (None, None), (child.full_name, str(turns_18))}, "the mother sees when her child's allowance ends"

    # the widow's page lists her allowance, which is in her husband's book: its form stops that one, in that book
    page = client.get(f"/officer/persons/{wife.id}/benefits", headers=officer).text
    assert f'action="/officer/persons/{deceased_id}/benefits/stop"' in page
    done = client.post(f"/officer/persons/{deceased_id}/benefits/stop", headers=officer, follow_redirects=False,
                       data={"seq": str(seq), "last_month": str(NOW + 3), "reason": "income", "back": str(wife.id)})
    assert done.status_code == 303 and done.headers["location"] == (
        f"/officer/persons/{wife.id}/benefits?stopped=survivors_monthly"), "back to the page the form was on"
    with Session(signed.engine) as session:
        stopped = session.get(MonthlyBenefit, (deceased_id, seq))
        assert (stopped.beneficiary_id, stopped.last_month, stopped.stop_reason) == (
            wife.id, (NOW + 3).as_int(), "income")
    odd = client.post(f"/officer/persons/{deceased_id}/benefits/stop", headers=officer,
                      data={"seq": "²", "last_month": str(NOW + 3), "reason": "income", "back": str(wife.id)})
    assert odd.status_code == 400 and "benefits.seq" in odd.text, "a digit that is not 0-9 is refused, not a 500"


def test_a_pensioners_death_ends_the_pension_with_the_month_of_death(signed, world, officer):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=931_011, born=date(1955, 7, 7), years=30)
    first = NOW - 4
    with Session(signed.engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=first.as_int(), monthly_amount=7_000_000, lump_sum=0,
                            decision_no="QD-STOP-1", decided_on=first.first_day(), authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=first.as_int(), method="cash",
                                         post_office="Bưu điện Hoàn Kiếm", authority="civil"))
    with Session(signed.engine) as session:
        assert settle_pension(session, session.get(Pension, person_id), NOW - 1).paid == 4
        session.commit()
    today = vietnam_today()
    with Session(signed.engine) as session, session.begin():
        issue_card(session, session.get(Person, person_id), group="GD", benefit_level=4,
                   valid_from=today - timedelta(days=300), valid_to=today + timedelta(days=20), authority="civil")
    clinic = bearer(ids["clinic"].personal_id)
    before = client.post("/api/v1/clinic/check-in", json={"code": personal_id}, headers=clinic).json()
    assert before["valid"], before
    with Session(signed.engine) as session:
        assert {d.kind for d in due_reminders(session, today, person_id, person_id)} == {"household_hi_expiring"}
    wife = married(signed.engine, person_id, personal_id, serial=931_012, born=date(1957, 1, 1))
    with Session(signed.engine) as session, session.begin():
        given = Authorisation(grantor_id=person_id, agent_id=wife.id, procedures="claim_sickness_own",
                              receive_payment=True, valid_until=today + timedelta(days=200))
        session.add(given)
        session.flush()
        authorisation_id = given.id
    act = f"/me/authorisations/{authorisation_id}/act"
    assert client.get(act, headers=bearer(wife.personal_id)).status_code == 200
    died = (NOW - 2).first_day().replace(day=10)
    approved(world, officer, bearer(wife.personal_id), "claim_funeral", {
        "deceased_personal_id": personal_id, "relationship": "spouse", "died_on": died.isoformat(),
        "method": "bank", "bank_code": "VCB", "account_number": "0071000931012"}, "stops-funeral-1")

    with Session(signed.engine) as session:
        assert session.get(Person, person_id).died_on == died, "the death is on the person's record"
        assert due_reminders(session, today, person_id, person_id) == [], "no reminder to the deceased"
    ended = client.get(act + "?lang=vi", headers=bearer(wife.personal_id))
    assert ended.status_code == 200 and "Đã chấm dứt: người ủy quyền đã chết" in ended.text, "the page says it ended"
    listed = client.get("/me/authorisations?lang=vi", headers=bearer(wife.personal_id)).text
    assert f'data-testid="act-{authorisation_id}"' not in listed, "no way to act under it is offered"
    filing = client.post(f"{act.removesuffix('/act')}/file/claim_sickness_own?lang=vi",
                         headers=bearer(wife.personal_id),
                         data={"leave_month": str(NOW - 3), "days": "1", "idempotency_key": "stops-after-death-1"})
    assert filing.status_code == 403 and "giấy ủy quyền đã chấm dứt" in filing.text, "filing under it is refused"
    after = client.post("/api/v1/clinic/check-in", json={"code": personal_id}, headers=clinic).json()
    assert not after["valid"] and after["reason"]["code"] == "checkin.holder_deceased", after
    assert "death" in after["reason"]["message_en"] and f"{died:%d/%m/%Y}" not in str(after["reason"]), (
        "the clinic is told why, not the day of death")
    with Session(signed.engine) as session:
        pension = session.get(Pension, person_id)
        assert (pension.last_month, pension.stop_reason) == ((NOW - 2).as_int(), "death")
        [record] = session.scalars(select(AuditRecord).where(
            AuditRecord.action == "benefit.stopped", AuditRecord.target == f"person:{person_id}")).all()
        details = json.loads(record.details)
        assert (details["paid_after_months"], details["paid_after_amount"]) == (1, 7_000_000), (
            "the month paid after the month of death is listed, to be recovered")
        assert personal_id not in str(record.details) + record.target, "no personal data in the audit record"
        assert settle_pension(session, pension, NOW).paid == 0, "nothing is paid after the month of death"
        owed = session.scalars(select(Pension.person_id).where(
            Pension.person_id == person_id,
            still_to_settle(Pension, PensionPayment, NOW, PensionPayment.person_id == Pension.person_id))).all()
        assert owed == [], "the monthly run no longer reads an ended, settled pension"
    assert str(NOW) not in paid_months(signed.engine, PensionPayment, person_id=person_id)
    [listed] = client.get(f"/api/v1/officer/persons/{person_id}/benefits-in-payment", headers=officer).json()[
        "benefits"]
    assert (listed["benefit"], listed["last_month"], listed["paid_after_last"]) == (
        "pension", str(NOW - 2), {"months": 1, "amount": 7_000_000}), "the officer sees what is to be recovered"
    page = client.get(f"/officer/persons/{person_id}/benefits?lang=vi", headers=officer).text
    assert 'data-testid="paid-after"' in page and "cần thu hồi" in page
    shown = client.get("/api/v1/me/pension", headers=bearer(personal_id)).json()["pension"]
    assert (shown["last_month"], shown["stop_reason"], shown["stop_reason_text"]["vi"]) == (
        str(NOW - 2), "death", "người hưởng đã chết")


def approve_unemployment(engine, person_id: int) -> None:
    """A 3-month unemployment allowance from this month (the termination last month), paid to a bank account."""
    form = {"regime": "unemployment", "termination_month": str(NOW - 1), "months": 3, "amount": 4_000_000,
            "total": 12_000_000, "payment": {"method": "bank", "bank_code": "VCB", "account_number": "0071000931021"}}
    with Session(engine) as session, session.begin():
        claims.approve_own_claim(session, session.get(Person, person_id), form)


def reviewer_only(engine, serial: int = 931_029) -> str:
    """An officer of the civil authority without the approver permission."""
    person = add_citizen(engine, serial=serial, born=date(1990, 3, 3), sex="male", name="Lý Văn Cán Bộ")
    with Session(engine) as session, session.begin():
        session.add(RoleGrant(personal_id=person.personal_id, role="officer", authority="civil",
                              permissions="reviewer"))
    return person.personal_id


def test_an_officer_stops_an_unemployment_allowance_after_a_month_not_yet_paid(signed, world, officer):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=931_021, born=date(1990, 8, 8), years=5,
                                         first=Month(2017, 1))
    approve_unemployment(signed.engine, person_id)
    listing = client.get(f"/api/v1/officer/persons/{person_id}/benefits-in-payment", headers=officer)
    assert listing.status_code == 200, listing.text
    [shown] = listing.json()["benefits"]
    assert (shown["benefit"], shown["first_month"], shown["last_month"], shown["last_paid"]) == (
        "unemployment", str(NOW), str(NOW + 2), str(NOW))
    assert shown["reasons"] == ["employed", "not_eligible"], "a death is recorded, not given as a reason"
    with Session(signed.engine) as session:
        assert session.scalars(select(AccessLogEntry.channel).where(
            AccessLogEntry.person_id == person_id, AccessLogEntry.groups == "4")).all() == ["api"], (
            "the officer's read is in the person's access log")

    url = f"/api/v1/officer/persons/{person_id}/benefit-stops"
    seq = shown["seq"]
    paid = client.post(url, headers=officer, json={"seq": seq, "last_month": str(NOW - 1), "reason": "employed"})
    assert paid.status_code == 400 and paid.json()["error"]["code"] == "benefits.stop_paid", paid.text
    assert str(NOW) in paid.json()["error"]["message_en"], "it names the first month that can be the last"
    wrong = client.post(url, headers=officer, json={"seq": seq, "last_month": str(NOW), "reason": "income"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "benefits.stop_reason"
    unknown = client.post(url, headers=officer, json={"seq": 999, "last_month": str(NOW), "reason": "employed"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "benefits.not_in_payment"
    bad = client.post(url, headers=officer, json={"seq": seq, "last_month": "2026-13", "reason": "employed"})
    assert bad.status_code in (400, 422) and bad.json()["error"]["code"]
    reviewer = client.post(url, headers=bearer(reviewer_only(signed.engine)),
                           json={"seq": seq, "last_month": str(NOW), "reason": "employed"})
    assert reviewer.status_code == 403 and reviewer.json()["error"]["code"] == "benefits.stop_permission"
    other = client.post(url, headers=bearer(ids["officer-defence"].personal_id),
                        json={"seq": seq, "last_month": str(NOW), "reason": "employed"})
    assert other.status_code == 404, "another authority's officer does not find the person"
    with Session(signed.engine) as session:
        assert session.get(MonthlyBenefit, (person_id, seq)).last_month == (NOW + 2).as_int(), "refusals change nothing"

    done = client.post(url, headers=officer, json={"seq": seq, "last_month": str(NOW), "reason": "employed"})
    assert done.status_code == 201 and done.json() == {"benefit": "unemployment", "last_month": str(NOW),
                                                        "reason": "employed"}, done.text
    again = client.post(url, headers=officer, json={"seq": seq, "last_month": str(NOW), "reason": "employed"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "benefits.already_ends"
    with Session(signed.engine) as session:
        benefit = session.get(MonthlyBenefit, (person_id, seq))
        assert settle(session, BenefitLedger(benefit), NOW + 2).paid == 0, "the run pays nothing after the stop"
        assert [json.loads(d) for d in session.scalars(select(AuditRecord.details).where(
            AuditRecord.action == "benefit.stopped", AuditRecord.target == f"person:{person_id}"))] == [
            {"regime": "unemployment", "seq": seq, "last_month": str(NOW), "reason": "employed"}]
    mine = client.get("/api/v1/me/monthly-benefits", headers=bearer(personal_id)).json()
    [benefit] = mine["benefits"]
    assert (benefit["last_month"], benefit["stop_reason"]) == (str(NOW), "employed")
    page = client.get("/me/benefit-payments?lang=vi", headers=bearer(personal_id)).text
    assert 'data-testid="stopped"' in page and "đã có việc làm" in page


def test_the_officers_page_lists_the_benefits_and_stops_one(signed, world, officer):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=931_031, born=date(1991, 9, 9), years=5,
                                         first=Month(2017, 1))
    approve_unemployment(signed.engine, person_id)
    page = client.get(f"/officer/persons/{person_id}/benefits?lang=vi", headers=officer)
    assert page.status_code == 200 and "Trợ cấp thất nghiệp" in page.text and "Dừng hưởng chế độ này" in page.text
    with Session(signed.engine) as session:
        seq = session.scalars(select(MonthlyBenefit.seq).where(MonthlyBenefit.person_id == person_id)).one()
    url = f"/officer/persons/{person_id}/benefits/stop"
    early = client.post(url, headers=officer, data={"seq": str(seq), "last_month": str(NOW - 3), "reason": "employed"})
    assert early.status_code == 400 and 'data-testid="stop-error"' in early.text and str(NOW.month) in early.text
    typo = client.post(url, headers=officer, data={"seq": "x1", "last_month": str(NOW), "reason": "employed"})
    assert typo.status_code == 400 and 'data-testid="stop-error"' in typo.text
    done = client.post(url, headers=officer, data={"seq": str(seq), "last_month": str(NOW + 1), "reason": "employed"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("stopped=unemployment")
    after = client.get(done.headers["location"] + "&lang=en", headers=officer).text
    assert 'data-testid="stop-done"' in after and "Stopped after" in after and "found a job" in after
    assert 'data-testid="stop-unemployment' not in after, "a stopped benefit has no stop form"
    person_page = client.get(f"/officer/persons/{person_id}?purpose=GDBHXH", headers=officer).text
    assert f'href="/officer/persons/{person_id}/benefits"' in person_page


def test_an_officer_records_the_death_of_a_widow_drawing_a_survivors_allowance(signed, world, officer):
    client, ids, bearer = world
    deceased_id, deceased_pid = add_retiree(signed.engine, serial=931_041, born=date(1960, 4, 4), years=20,
                                            first=Month(2000, 1))
    wife = married(signed.engine, deceased_id, deceased_pid, serial=931_042, born=date(1956, 6, 6))
    died = vietnam_today() - timedelta(days=100)
    approved(world, officer, bearer(wife.personal_id), "claim_survivors", {
        "deceased_personal_id": deceased_pid, "relationship": "spouse", "died_on": died.isoformat(),
        "relatives": [wife.personal_id], "method": "bank", "bank_code": "VCB", "account_number": "0071000931042"},
        "stops-widow-1")
    url = f"/api/v1/officer/persons/{wife.id}/death"
    future = client.post(url, headers=officer, json={"died_on": (vietnam_today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and future.json()["error"]["code"] == "death.died_on"
    garbled = client.post(url, headers=officer, json={"died_on": "31/02/2026"})
    assert garbled.status_code == 400 and garbled.json()["error"]["code"] == "death.died_on"
    reviewer = client.post(url, headers=bearer(reviewer_only(signed.engine, serial=931_049)),
                           json={"died_on": vietnam_today().isoformat()})
    assert reviewer.status_code == 403 and reviewer.json()["error"]["code"] == "death.permission"
    with Session(signed.engine) as session:
        assert session.get(Person, wife.id).died_on is None, "refusals record nothing"

    her_death = (NOW - 1).first_day().replace(day=5)
    done = client.post(url, headers=officer, json={"died_on": her_death.isoformat()})
    assert done.status_code == 201, done.text
    assert done.json()["paid_after_last"]["months"] == 1, "this month's allowance, paid at approval, is to recover"
    with Session(signed.engine) as session:
        assert session.get(Person, wife.id).died_on == her_death
        [allowance] = session.scalars(select(MonthlyBenefit).where(MonthlyBenefit.beneficiary_id == wife.id)).all()
        assert (allowance.last_month, allowance.stop_reason) == ((NOW - 1).as_int(), "death")
        assert settle(session, BenefitLedger(allowance), NOW + 1).paid == 0
    again = client.post(url, headers=officer, json={"died_on": her_death.isoformat()})
    assert again.status_code == 409 and again.json()["error"]["code"] == "death.already_recorded"
    page = client.get(f"/officer/persons/{wife.id}/benefits?lang=vi", headers=officer).text
    assert 'data-testid="died-on"' in page and 'data-testid="record-death"' not in page
    assert 'data-testid="paid-after"' in page, "what was paid after the death is shown to recover"
