"""The other monthly benefits paid month by month by the pension's run (on SQLite and PostgreSQL): an unemployment
allowance of 3 months is paid one month by each run and stops after the 3rd; a run made twice pays nothing twice;
the beneficiary sees each month, the benefit named, on the API and the page (English and Vietnamese); paid to an
authorised representative until the authorisation is revoked, then held with the grantor's access log saying so,
and paid the new way (as back pay) once the beneficiary names one; the survivors' monthly allowance is paid to each
relative, the way the filer named honoured for the filer's own child and held for a relative they do not
represent."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.models import AccessLogEntry
from esibook.benefits import claims, monthly_benefit_view, monthly_benefits
from esibook.benefits.models import MonthlyBenefit, MonthlyBenefitPayment
from esibook.benefits.pension_runs import pay_month
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month
from integration.test_conversion_and_printout import scanned_pdf
from support.retirees import add_citizen, add_retiree

NOW = Month.from_date(vietnam_today())
TERMINATED = NOW - 6
FIRST = TERMINATED + 1
MONTHLY = 4_500_000


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def on_day(monkeypatch, month: Month) -> None:
    """Approvals and changes are made on the 10th of ``month``."""
    day = month.first_day().replace(day=10)
    monkeypatch.setattr(monthly_benefits, "vietnam_today", lambda: day)
    monkeypatch.setattr(monthly_benefit_view, "vietnam_today", lambda: day)


def approve_unemployment(engine, person_id: int, payment: dict | None) -> None:
    """The officer's approval of a 3-month unemployment claim, as the dossier engine calls it."""
    form = {"regime": "unemployment", "termination_month": str(TERMINATED), "months": 3, "amount": MONTHLY,
            "total": 3 * MONTHLY, **({"payment": payment} if payment else {})}
    with Session(engine) as session, session.begin():
        claims.approve_own_claim(session, session.get(Person, person_id), form)


def months(engine, beneficiary_id: int) -> dict[str, MonthlyBenefitPayment]:
    with Session(engine) as session:
        rows = session.scalars(select(MonthlyBenefitPayment).where(
            MonthlyBenefitPayment.beneficiary_id == beneficiary_id)).all()
        session.expunge_all()
        return {str(Month.from_int(r.month)): r for r in rows}


def payout_log(engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(AccessLogEntry.outcome).where(
            AccessLogEntry.person_id == person_id, AccessLogEntry.channel == "payout").order_by(AccessLogEntry.id)))


def test_three_months_of_unemployment_one_a_run_then_none(signed, world, monkeypatch):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=929_001, born=date(1988, 4, 4), years=5,
                                         first=Month(2016, 1))
    on_day(monkeypatch, FIRST)
    approve_unemployment(signed.engine, person_id, {"method": "bank", "bank_code": "VCB",
                                                    "account_number": "0071000999111"})
    assert [(m, r.status, r.amount) for m, r in months(signed.engine, person_id).items()] == [
        (str(FIRST), "paid", MONTHLY)], "the approval pays the month begun"

    runs = [pay_month(Session(signed.engine), m) for m in (FIRST + 1, FIRST + 1, FIRST + 2, FIRST + 3)]
    assert runs[1].benefits_settled == 0 and runs[1].benefits_held == 0, "the same run twice pays nothing twice"
    paid = months(signed.engine, person_id)
    assert sorted(paid) == [str(FIRST), str(FIRST + 1), str(FIRST + 2)], "3 months, none after the 3rd"
    assert [paid[str(m)].paid_in for m in (FIRST, FIRST + 1, FIRST + 2)] == [
        m.as_int() for m in (FIRST, FIRST + 1, FIRST + 2)], "each paid by its own month's run"
    assert sum(r.amount for r in paid.values()) == 13_500_000
    assert {r.payee for r in paid.values()} == {"Vietcombank ••••9111"}

    me = bearer(personal_id)
    mine = client.get("/api/v1/me/monthly-benefits", headers=me).json()
    [benefit] = mine["benefits"]
    assert (benefit["benefit"], benefit["first_month"], benefit["last_month"], benefit["monthly_amount"]) == (
        "unemployment", str(FIRST), str(FIRST + 2), MONTHLY)
    assert [(p["benefit"], p["month"], p["status"]) for p in mine["payments"]] == [
        ("unemployment", str(m), "paid") for m in (FIRST + 2, FIRST + 1, FIRST)], "newest first, benefit named"
    assert "0071000999111" not in str(mine), "the account is shown masked"
    en = client.get("/me/benefit-payments?lang=en", headers=me).text
    assert "Unemployment allowance" in en and f'data-testid="line-unemployment-{FIRST}"' in en
    vi = client.get("/me/benefit-payments?lang=vi", headers=me).text
    assert "Trợ cấp thất nghiệp" in vi and "Đã chi trả" in vi

    officer = bearer(ids["officer-civil"].personal_id)
    made = client.get("/officer/pension-payouts/file", headers=officer,
                      params={"month": str(FIRST + 1), "channel": "bank", "benefit": "monthly"})
    assert made.status_code == 200 and f"chi-tra-che-do-hang-thang-{FIRST + 1}-bank.csv" in made.headers[
        "content-disposition"]
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["STT", "Số định danh cá nhân", "Họ và tên", "Chế độ", "Tháng hưởng", "Truy lĩnh",
                           "Số tiền (đồng)"]
    line = [r for r in rows if len(r) > 1 and r[1] == personal_id]
    assert [(r[3], r[4], r[5], r[6], r[7], r[8]) for r in line] == [
        ("Trợ cấp thất nghiệp", f"{(FIRST + 1).month:02d}/{(FIRST + 1).year}", "", str(MONTHLY), "Vietcombank",
         "0071000999111")], "the month the run paid, for the bank's transfer (the account in full)"
    assert rows[-1][2] == "Tổng cộng" and int(rows[-1][6]) == sum(int(r[6]) for r in rows[1:-1])


def test_paid_to_the_agent_until_revoked_then_held_then_paid_the_new_way(signed, world, monkeypatch):
    client, _, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=929_011, born=date(1987, 2, 2), years=5,
                                         first=Month(2016, 1))
    agent_id, agent_pid = add_retiree(signed.engine, serial=929_012, born=date(1990, 7, 7), years=1,
                                      first=Month(2015, 1))
    me = bearer(personal_id)
    grant = client.post("/api/v1/me/authorisations", headers=me, json={
        "agent_personal_id": agent_pid, "procedures": [], "receive_payment": True,
        "valid_until": (vietnam_today() + timedelta(days=200)).isoformat()})
    assert grant.status_code == 201, grant.text
    grant_id = grant.json()["id"]
    on_day(monkeypatch, FIRST)
    approve_unemployment(signed.engine, person_id, {"method": "cash", "post_office": "Bưu điện Hà Đông",
                                                    "authorisation_id": grant_id, "agent_id": agent_id})
    first = months(signed.engine, person_id)[str(FIRST)]
    assert (first.status, first.agent_id) == ("paid", agent_id), "received by the agent"
    assert payout_log(signed.engine, person_id) == ["allowed"]

    assert client.post(f"/api/v1/me/authorisations/{grant_id}/revoke", headers=me).status_code == 200
    pay_month(Session(signed.engine), FIRST + 1)
    held = months(signed.engine, person_id)[str(FIRST + 1)]
    assert (held.status, held.hold_reason, held.agent_id, held.paid_at) == ("held", "authorisation.revoked", None,
                                                                            None), "not paid to the agent"
    assert sorted(payout_log(signed.engine, person_id)) == ["allowed", "refused"], "the grantor's access log says so"
    again = pay_month(Session(signed.engine), FIRST + 1)
    assert again.benefits_settled == 0 and again.benefits_held == 0
    mine = client.get("/api/v1/me/monthly-benefits", headers=me).json()
    assert mine["held"] == [{"benefit": "unemployment", "month": str(FIRST + 1),
                             "hold_reason": "authorisation.revoked"}]
    vi = client.get("/me/benefit-payments?lang=vi", headers=me).text
    assert 'data-testid="monthly-held"' in vi and "Bạn đã thu hồi giấy ủy quyền" in vi

    [benefit] = mine["benefits"]
    on_day(monkeypatch, FIRST + 1)
    stranger = client.post(f"/api/v1/me/monthly-benefits/{benefit['person_id']}/{benefit['seq']}/payment-method",
                           headers=bearer(agent_pid), json={"method": "cash", "post_office": "Bưu điện X"})
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "payout.not_found"
    changed = client.post(f"/api/v1/me/monthly-benefits/{benefit['person_id']}/{benefit['seq']}/payment-method",
                          headers=me, json={"method": "bank", "bank_code": "BIDV", "account_number": "2101 4444 5678"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["benefits"][0]["next_change"]["shown"] == "BIDV ••••5678"
    pay_month(Session(signed.engine), FIRST + 2)
    rows = months(signed.engine, person_id)
    assert [(rows[str(m)].status, rows[str(m)].payee, rows[str(m)].paid_in) for m in (FIRST + 1, FIRST + 2)] == [
        ("paid", "BIDV ••••5678", (FIRST + 2).as_int())] * 2, "the held month paid the new way, as back pay"
    assert sum(r.amount for r in rows.values()) == 3 * MONTHLY


def test_the_survivors_allowance_goes_to_each_relative_the_filers_way_honoured(signed, world, monkeypatch):
    client, ids, bearer = world
    deceased_id, deceased_pid = add_retiree(signed.engine, serial=929_021, born=date(1975, 3, 3), years=18,
                                            first=Month(2005, 1))
    wife = add_citizen(signed.engine, serial=929_022, born=date(1980, 6, 6), sex="female", name="Phạm Thị Vợ",
                   spouse_id=deceased_pid)
    with Session(signed.engine) as session, session.begin():
        session.get(Person, deceased_id).spouse_id = wife.personal_id
    hers = add_citizen(signed.engine, serial=929_023, born=date(2014, 1, 1), sex="male", name="Trần Văn Con",
                   father_id=deceased_pid, mother_id=wife.personal_id, representative_id=wife.personal_id)
    grandmother = add_citizen(signed.engine, serial=929_025, born=date(1950, 9, 9), sex="female", name="Đỗ Thị Bà")
    other = add_citizen(signed.engine, serial=929_024, born=date(2011, 2, 2), sex="female", name="Trần Thị Con",
                    father_id=deceased_pid, representative_id=grandmother.personal_id)
    died = vietnam_today() - timedelta(days=40)
    body = {"procedure": "claim_survivors", "form": {
        "deceased_personal_id": deceased_pid, "relationship": "spouse", "died_on": died.isoformat(),
        "relatives": [hers.personal_id, other.personal_id], "method": "bank", "bank_code": "VCB",
        "account_number": "0071000999222"},
        "attachments": [{"filename": "trich-luc-khai-tu.pdf",
                         "content_base64": base64.b64encode(scanned_pdf()).decode()}]}
    filed = client.post("/api/v1/dossiers", json=body, headers={**bearer(wife.personal_id),
                                                               "idempotency-key": "monthly-survivors-1"})
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["paid_to"] == "Vietcombank ••••9222", "the way named is kept with the claim"
    done = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"},
                       headers=bearer(ids["officer-civil"].personal_id))
    assert done.json()["status"] == "result_issued", done.text

    first = Month.from_date(died) + 1
    with Session(signed.engine) as session:
        benefits = {b.beneficiary_id: b for b in session.scalars(select(MonthlyBenefit).where(
            MonthlyBenefit.person_id == deceased_id))}
    assert set(benefits) == {hers.id, other.id}, "one allowance a relative, each the relative's own"
    assert all(b.first_month == first.as_int() for b in benefits.values())
    assert (benefits[hers.id].last_month, benefits[other.id].last_month) == (203201, 202902), (
        "each child qualifying by age is paid to the month they turn 18")
    paid, held = months(signed.engine, hers.id), months(signed.engine, other.id)
    begun = [str(m) for m in Month.range(first, NOW)]
    assert sorted(paid) == begun and sorted(held) == begun, "every month begun is settled at approval"
    assert {(r.status, r.payee) for r in paid.values()} == {("paid", "Vietcombank ••••9222")}, (
        "the child the filer represents: paid the way the filer named")
    assert {(r.status, r.hold_reason) for r in held.values()} == {("held", "payout.no_way")}, (
        "a relative the filer does not represent: held until a way is named for them")
    assert paid[str(first)].amount == benefits[hers.id].monthly_amount

    mother = client.get("/api/v1/me/monthly-benefits", headers=bearer(wife.personal_id)).json()
    assert [(b["benefit"], b["for_person"], b["paid_to"]["shown"]) for b in mother["benefits"]] == [
        ("survivors_monthly", hers.full_name, "Vietcombank ••••9222")], "the mother reads her child's allowance"
    theirs = bearer(grandmother.personal_id)
    [held_one] = client.get("/api/v1/me/monthly-benefits", headers=theirs).json()["benefits"]
    assert (held_one["for_person"], held_one["paid_to"]) == (other.full_name, None), "no way named for this child"
    url = f"/api/v1/me/monthly-benefits/{deceased_id}/{held_one['seq']}/payment-method"
    assert client.post(url, headers=bearer(wife.personal_id), json={"method": "cash", "post_office": "Bưu điện X"}
                       ).status_code == 404, "the filer does not represent this child"
    on_day(monkeypatch, NOW)
    named = client.post(url, headers=theirs, json={"method": "cash", "post_office": "Bưu điện Thanh Xuân"})
    assert named.status_code == 200, named.text
    assert named.json()["benefits"][0]["next_change"] == {
        "method": "cash", "shown": "Bưu điện Thanh Xuân", "from_month": str(NOW + 1), "authorisation_id": None}
    page = client.get("/me/benefit-payments?lang=vi", headers=theirs).text
    assert "Trợ cấp tuất hằng tháng" in page and f"của {other.full_name}" in page


def test_the_monthly_accident_allowance_is_paid_from_the_assessment_to_the_employees_account(signed, world):
    """An employer's accident claim at 45% names the employee's account; approved, the allowance is paid from the
    month of the assessment, every month begun, to that account, and the worker sees it."""
    from esibook.contributions.models import ContributionLine

    client, ids, bearer = world
    rep = ids["employer-rep"]
    employer_id = rep.grant[3]
    with Session(signed.engine) as session:
        worker = session.scalars(
            select(Person).join(ContributionLine, ContributionLine.person_id == Person.id)
            .where(ContributionLine.employer_id == employer_id, ContributionLine.month == 202605,
                   ContributionLine.status == "paid", Person.authority == "civil",
                   Person.personal_id.not_in({i.personal_id for i in ids.values()}))
            .order_by(Person.id)
        ).first()
        session.expunge(worker)
    body = {"procedure": "claim_occupational", "employer_id": employer_id, "form": {
        "personal_id": worker.personal_id, "kind": "accident", "event_month": "2026-06", "assessed_month": "2026-08",
        "loss": 45, "method": "bank", "bank_code": "ACB", "account_number": "1234 5678 90"},
        "attachments": [{"filename": "bien-ban-giam-dinh.pdf",
                         "content_base64": base64.b64encode(scanned_pdf()).decode()}]}
    filed = client.post("/api/v1/dossiers", json=body, headers={**bearer(rep.personal_id),
                                                               "idempotency-key": "monthly-oad-1"})
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["regime"] == "oad_monthly" and filed.json()["form"]["paid_to"] == "ACB ••••7890"
    done = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"},
                       headers=bearer(ids["officer-civil"].personal_id))
    assert done.json()["status"] == "result_issued", done.text
    paid = months(signed.engine, worker.id)
    assert sorted(paid) == [str(m) for m in Month.range(Month(2026, 8), NOW)], "from the month of the assessment"
    assert {(r.status, r.payee, r.amount) for r in paid.values()} == {
        ("paid", "ACB ••••7890", filed.json()["form"]["total"])}
    mine = client.get("/api/v1/me/monthly-benefits", headers=bearer(worker.personal_id)).json()
    assert {p["benefit"] for p in mine["payments"]} >= {"oad_monthly"}
