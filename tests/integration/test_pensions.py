"""Pensions on the dossier engine: a person at retirement age files the retirement claim with the worksheet from
the book, the officer approves, and the pension is recorded (settlements in a new signed book version, the first
month in the payment history, a pensioner's HI card); a month is settled once however often it is paid; the
pensioner changes where it is paid from the next month."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.audit.models import AuditRecord
from esibook.benefits.models import BenefitSettlement, Pension, PensionPayment, PensionPaymentMethod
from esibook.benefits.pensions import pay_month
from esibook.benefits.worksheet import Step, step_error
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.health.models import HICoverage
from esibook.people.models import Person
from esibook.periods import Month
from esibook.trust import jws
from support.retirees import add_retiree

NOW = Month.from_date(vietnam_today())


@pytest.fixture(scope="module")
def world(signed, signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def file_claim(client, headers, form, key):
    return client.post("/api/v1/dossiers", json={"procedure": "claim_pension", "form": form},
                       headers={**headers, "idempotency-key": key})


def approve(client, headers, dossier_id):
    return client.post(f"/api/v1/dossiers/{dossier_id}/actions", json={"action": "approve"}, headers=headers)


BANK = {"method": "bank", "bank_code": "VCB", "account_number": "0071 000 123 456"}


def test_a_retiree_files_the_claim_the_officer_approves_and_the_first_month_is_paid(signed, world):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=915_001, born=date(1963, 6, 15))
    me, officer = bearer(personal_id), bearer(ids["officer-civil"].personal_id)
    bad = file_claim(client, me, {**BANK, "account_number": "12-ab"}, "pension-bad-acct")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "pension.account_number"

    filed = file_claim(client, me, BANK, "pension-claim-01")
    assert filed.status_code == 201, filed.text
    form = filed.json()["form"]
    sheet = form["worksheet"]
    steps = {s["key"]: s for s in sheet["steps"]}
    assert sheet["eligible"] and form["first_month"] == str(NOW), "the pension starts the month the claim is filed"
    assert steps["years_counted"]["value"] == 38 and steps["rate_capped"]["value"] == 75
    assert form["total"] == sheet["result"] == steps["pension"]["value"]
    assert steps["lump_sum_years"]["value"] == 3 and form["lump_sum"] == steps["lump_sum"]["value"] > 0
    assert not [e for e in (step_error(Step(s["key"], None, s["expression"], s["value"], s["unit"]))
                            for s in sheet["steps"]) if e], "the officer can recompute every step"
    assert form["paid_to"] == "Vietcombank ••••3456"
    again = file_claim(client, me, BANK, "pension-claim-02")
    assert again.json()["error"]["code"] == "claim.pending"

    done = approve(client, officer, filed.json()["id"])
    assert done.json().get("status") == "result_issued", done.text

    mine = client.get("/api/v1/me/pension", headers=me)
    assert mine.status_code == 200
    body = mine.json()
    assert body["pension"]["monthly_amount"] == form["total"] and body["pension"]["lump_sum"] == form["lump_sum"]
    [first] = body["payments"]
    assert first == {"month": str(NOW), "amount": form["total"], "lump_sum": form["lump_sum"], "method": "bank",
                     "paid_to": "Vietcombank ••••3456", "status": "paid", "paid_at": first["paid_at"],
                     "back_pay": False, "paid_in": str(NOW), "to_agent": False, "hold_reason": None}
    assert "0071000123456" not in mine.text, "the account number is shown masked"

    book = jws.parts(client.get("/api/v1/me/book", headers=me).json()["document"])[1]
    in_book = {b["regime"]: b["amount"] for b in book["benefits"] if b["regime"].startswith("pension")}
    assert in_book == {"pension": form["total"], "pension_lump": form["lump_sum"]}, \
        "the monthly pension and the lump sum at retirement are in the book, each as itself"
    with Session(signed.engine) as session:
        card = session.scalars(select(HICoverage).where(HICoverage.person_id == person_id)).one()
    assert card.beneficiary_group == "HT" and card.card_code.startswith("HT3")
    assert card.valid_from == NOW.first_day() and card.valid_to == (NOW + 11).last_day()
    page = client.get("/me/pension", headers=me)
    assert page.status_code == 200 and f"{NOW.month:02d}/{NOW.year}" in page.text.replace("-", "/")

    twice = file_claim(client, me, BANK, "pension-claim-03")
    assert twice.json()["error"]["code"] == "claim.already_settled", "a pension is awarded once"


def test_paying_a_month_settles_each_pensioner_once(signed):
    """A pension taken over from before (first month two months ago, nothing paid yet): paying last month pays it
    and the month before as back pay; paying it again changes nothing; a month not yet begun is refused."""
    person_id, _ = add_retiree(signed.engine, serial=915_002, born=date(1962, 3, 2), years=36)
    first = NOW - 2
    with Session(signed.engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=first.as_int(), monthly_amount=6_000_000, lump_sum=0,
                            decision_no="QD-OLD-1", decided_on=first.first_day(), authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=first.as_int(), method="cash",
                                         post_office="Bưu điện Ba Đình", authority="civil"))
    runs = select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "pension.month_paid", AuditRecord.target == f"pension-month:{NOW - 1}")
    with Session(signed.engine) as session:
        runs_before = session.scalar(runs)
        paid = pay_month(session, NOW - 1)
        assert paid.settled >= 1 and paid.pensioners >= 1
        again = pay_month(session, NOW - 1)
        assert again.settled == 0 and again.pensioners == paid.pensioners
        rows = session.scalars(select(PensionPayment).where(PensionPayment.person_id == person_id)).all()
        assert sorted((r.month, r.amount, r.method, r.payee, r.status, r.paid_in) for r in rows) == [
            ((NOW - 2).as_int(), 6_000_000, "cash", "Bưu điện Ba Đình", "paid", (NOW - 1).as_int()),
            ((NOW - 1).as_int(), 6_000_000, "cash", "Bưu điện Ba Đình", "paid", (NOW - 1).as_int())]
        assert session.scalar(runs) == runs_before + 2, "each run audited once"
        with pytest.raises(DomainError) as refused:
            pay_month(session, NOW + 1)
        assert refused.value.code == "pension.future_month"


def test_the_command_pays_a_month_and_says_how_many(signed):
    env = {**os.environ, "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False)}
    run = [sys.executable, "-m", "esibook", "pension", "pay", "--month", str(NOW)]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0 and " 0 settled now" in second.stdout, second.stdout
    bad = subprocess.run([*run[:-1], "2026-13"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "month" in bad.stderr


def test_a_pensioner_changes_where_it_is_paid_from_the_next_month(signed, world):
    client, ids, bearer = world
    person_id, personal_id = add_retiree(signed.engine, serial=915_003, born=date(1965, 2, 1), sex="female",
                                         years=31, first=Month(1990, 1))
    me = bearer(personal_id)
    filed = file_claim(client, me, {"method": "cash", "post_office": "Bưu điện Hoàn Kiếm"}, "pension-claim-w1")
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["lump_sum"] > 0, "31 years for a woman: one year above 30"
    approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"])
    refused = client.post("/api/v1/me/pension/payment-method", headers=me,
                          json={"method": "bank", "bank_code": "NOPE", "account_number": "123456789"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "pension.bank"
    changed = client.post("/api/v1/me/pension/payment-method", headers=me,
                          json={"method": "bank", "bank_code": "TCB", "account_number": "1903 5555 4321"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["paid_to"]["method"] == "cash", "this month is still paid as before"
    assert body["next_change"] == {"from_month": str(NOW + 1), "method": "bank", "shown": "Techcombank ••••4321",
                                   "authorisation_id": None}
    assert body["payments"][0]["paid_to"] == "Bưu điện Hoàn Kiếm"
    with Session(signed.engine) as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "pension.payment_method_changed",
                                                           AuditRecord.target == f"person:{person_id}")).one()
        assert "190355554321" not in record.details and "4321" not in record.details
    stranger = client.post("/api/v1/me/pension/payment-method", headers=bearer(ids["citizen-l2"].personal_id),
                           json={"method": "cash", "post_office": "Bưu điện X"})
    assert stranger.status_code == 400 and stranger.json()["error"]["code"] == "pension.none"


def test_a_worker_still_employed_or_too_young_cannot_claim(signed, world):
    client, ids, bearer = world
    employed = file_claim(client, bearer(ids["citizen-l2"].personal_id), BANK, "pension-young-1")
    assert employed.status_code == 400
    assert employed.json()["error"]["code"] in ("claim.still_employed", "claim.not_eligible")
    _, young = add_retiree(signed.engine, serial=915_004, born=date(1975, 1, 1), years=20, first=Month(2000, 1))
    early = file_claim(client, bearer(young), BANK, "pension-young-2")
    assert early.status_code == 400 and early.json()["error"]["code"] == "claim.not_eligible"
    assert "Retirement age not reached" in early.json()["error"]["message_en"]
    with Session(signed.engine) as session:
        assert not session.scalar(select(func.count()).select_from(BenefitSettlement).join(
            Person, Person.id == BenefitSettlement.person_id).where(Person.personal_id == young))


def test_the_demo_has_a_retiree_who_can_claim_and_a_pensioner_with_a_payment_history(signed, world):
    from esibook.seeding.pensioners import add_demo_pensioners

    client, _, bearer = world
    with Session(signed.engine) as session, session.begin():
        found = {role: (p.id, p.personal_id) for role, p in add_demo_pensioners(session)}
    with Session(signed.engine) as session, session.begin():
        again = {role: (p.id, p.personal_id) for role, p in add_demo_pensioners(session)}
    assert found == again, "added once"
    history = client.get("/api/v1/me/pension", headers=bearer(found["pensioner"][1])).json()
    assert [p["month"] for p in history["payments"]] == [str(NOW - i) for i in range(6)]
    assert {p["status"] for p in history["payments"]} == {"paid"}
    assert history["paid_to"]["shown"] == "Agribank ••••3456"
    with Session(signed.engine) as session:
        card = session.scalars(select(HICoverage).where(HICoverage.person_id == found["pensioner"][0])).one()
        assert card.beneficiary_group == "HT"
    filed = file_claim(client, bearer(found["can_claim"][1]), BANK, "pension-demo-01")
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["lump_sum"] > 0, "36 years: one year above 35"


def test_the_monthly_job_pays_the_month_once(signed):
    import time

    from esibook import jobs
    from esibook.benefits.pensions import pension_pay_month

    person_id, _ = add_retiree(signed.engine, serial=915_005, born=date(1961, 8, 8), years=35)
    with Session(signed.engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=NOW.as_int(), monthly_amount=5_000_000, lump_sum=0,
                            decision_no="QD-OLD-2", decided_on=NOW.first_day(), authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=NOW.as_int(), method="bank",
                                         bank_code="MB", account_number="99887766", authority="civil"))
    jobs.configure(signed.engine, signed.settings)
    at = int(time.time())
    pension_pay_month(timestamp=at)
    with Session(signed.engine) as session:
        before = session.scalar(select(func.count()).select_from(PensionPayment).where(
            PensionPayment.month == NOW.as_int()))  # paid, or held (an agent's authorisation ended)
        pensioners = session.scalar(select(func.count()).select_from(Pension).where(
            Pension.first_month <= NOW.as_int(),
            Pension.last_month.is_(None) | (Pension.last_month >= NOW.as_int())))  # not one ended (a death)
    pension_pay_month(timestamp=at)  # a retry, or a second worker
    with Session(signed.engine) as session:
        after = session.scalar(select(func.count()).select_from(PensionPayment).where(
            PensionPayment.month == NOW.as_int()))
    assert before == after == pensioners >= 1, "every pensioner's month once"
    with Session(signed.engine) as session:
        paid = session.get(PensionPayment, (person_id, NOW.as_int()))
        assert paid.status == "paid" and paid.payee == "MB Bank ••••7766"


def test_the_monthly_run_renews_the_pensioners_card_before_it_ends(signed):
    """A pensioner whose HT card ends with this month (December 2026 when written: the run crosses the year): the
    run issues the next card from the first day of next month for 12 months; a second run issues none."""
    from esibook.health.service import issue_card

    person_id, _ = add_retiree(signed.engine, serial=915_006, born=date(1960, 10, 10), years=35)
    with Session(signed.engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=(NOW - 11).as_int(), monthly_amount=5_500_000,
                            lump_sum=0, decision_no="QD-OLD-3", decided_on=(NOW - 11).first_day(), authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=(NOW - 11).as_int(), method="cash",
                                         post_office="Bưu điện Tây Hồ", authority="civil"))
        issue_card(session, session.get(Person, person_id), group="HT", benefit_level=3,
                   valid_from=(NOW - 11).first_day(), valid_to=NOW.last_day(), authority="civil")
    first = pay_month(Session(signed.engine), NOW)
    again = pay_month(Session(signed.engine), NOW)
    with Session(signed.engine) as session:
        cards = session.scalars(select(HICoverage).where(HICoverage.person_id == person_id)
                                .order_by(HICoverage.seq)).all()
    assert [(c.beneficiary_group, c.valid_from, c.valid_to) for c in cards] == [
        ("HT", (NOW - 11).first_day(), NOW.last_day()), ("HT", (NOW + 1).first_day(), (NOW + 12).last_day())]
    assert first.cards >= 1 and again.cards == 0
