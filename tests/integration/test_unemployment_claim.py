"""The unemployment allowance filed through the dossier engine, end to end (on SQLite and PostgreSQL): a person
whose job has ended, with UI contributions in the book, files the claim on the services page as a user would; the
officer approves it; the person sees the settlement in the signed book (the worksheet's amount, checked here by
hand: 60% of the average UI salary of the last 6 months, at most 5 × the regional minimum wage, Law on Employment
74/2025/QH15), the monthly benefit with its number of months, and the months begun paid in
GET /api/v1/me/monthly-benefits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from esibook.contributions.dues import employee_dues
from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.contributions.parameters import current_parameters
from esibook.dates import vietnam_today
from esibook.employers.models import Employer
from esibook.people.identifiers import make_personal_id
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.periods import Month
from esibook.transactions.models import PopulationRecord
from esibook.trust import jws

NOW = Month.from_date(vietnam_today())
LAST_WORKED = NOW - 2
"""The last month of the labour contract: the allowance runs from the month after, so the approval pays that month
as back pay and the current month, and the rest are paid by the coming runs."""


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def employer(session: Session, serial: int, region: int) -> Employer:
    row = Employer(unit_code=f"U{serial % 1_000_000:06d}", name=f"Công ty TNHH Việc Làm {serial}",
                   name_key=f"cong ty tnhh viec lam {serial}", tax_code=f"09{serial:08d}", business_type="company",
                   address="1 Tràng Tiền", province_code="001", region=region, managing_agency="BHXH Hà Nội",
                   authority="civil")
    session.add(row)
    session.flush()
    return row


def line(person_id: int, month: Month, employer_row: Employer, salary: int) -> ContributionLine:
    dues = employee_dues(salary, month, employer_row.region)
    return ContributionLine(
        person_id=person_id, month=month.as_int(), employer_id=employer_row.id, participant_type="employee",
        **{fund: getattr(dues, fund) for fund in (
            "salary_basis", "ui_basis", "retirement_employer", "retirement_employee", "sickness_employer",
            "oad_employer", "ui_employer", "ui_employee", "hi_employer", "hi_employee")},
        total=dues.total, paid_amount=dues.total, status="paid", authority="civil",
        posted_at=datetime(2026, 1, 1, tzinfo=UTC))


def unemployed(engine, *, serial: int, region: int, salaries: list[int]) -> tuple[int, str]:
    """A person whose job with one employer (of ``region``) ended in :data:`LAST_WORKED`, one paid contribution
    line a month (the salaries given, oldest first, the last one in :data:`LAST_WORKED`), in the population
    database (to sign in)."""
    born = date(1990, 3, 3)
    first = LAST_WORKED - (len(salaries) - 1)
    with Session(engine) as session, session.begin():
        job = employer(session, serial, region)
        name = "Đặng Văn Nghỉ"
        person = Person(personal_id=make_personal_id("001", born, "male", serial), full_name=name,
                        name_key=fold_name(name), date_of_birth=born, sex="male", birth_province_code="001",
                        authority="civil")
        session.add(person)
        session.add(PopulationRecord(personal_id=person.personal_id, full_name=name, date_of_birth=born, sex="male",
                                     ethnicity_code="01", nationality="VN", birth_province_code="001"))
        session.flush()
        session.add(ParticipationPeriod(person_id=person.id, seq=1, employer_id=job.id, from_month=first.as_int(),
                                        to_month=LAST_WORKED.as_int(), salary_basis=salaries[-1],
                                        participant_type="employee", authority="civil"))
        session.add_all(line(person.id, first + i, job, salary) for i, salary in enumerate(salaries))
        return person.id, person.personal_id


def file_on_the_services_page(client, headers, key: str) -> str:
    """The form of the services page, as the browser sends it (the bank account named for the monthly payment)."""
    page = client.post("/me/services/claim_unemployment", headers=headers, data={
        "idempotency_key": key, "termination_month": str(LAST_WORKED), "method": "bank", "bank_code": "VCB",
        "account_number": "0071000777333", "post_office": "", "authorisation_id": ""})
    assert page.status_code == 200 and 'data-testid="dossier-created"' in page.text, page.text.partition(
        'data-testid="dossier-error">')[2][:300]
    return page.text


def my_claim(client, headers) -> dict:
    [dossier] = [d for d in client.get("/api/v1/me/dossiers", headers=headers).json()
                 if d["procedure"] == "claim_unemployment"]
    return dossier


def steps(form: dict) -> dict:
    return {s["key"]: s["value"] for s in form["worksheet"]["steps"]}


def approve(client, officer, dossier_id: int) -> dict:
    done = client.post(f"/api/v1/dossiers/{dossier_id}/actions", json={"action": "approve"}, headers=officer)
    assert done.status_code == 200, done.text
    return done.json()


def test_twelve_months_ending_with_the_last_month_worked_give_three_months_at_sixty_percent(signed, world):
    """12 months of UI, the last in the month the contract ends (it counts: 12 months in the 24 before the end),
    the last 6 at 10, 10, 11, 11, 12 and 12 million: average 66,000,000 ÷ 6 = 11,000,000, 60% = 6,600,000 a month
    (under 5 × 5,310,000 = 26,550,000, region I in 2026), 3 months (12 to 36 months of UI): 19,800,000."""
    client, ids, bearer = world
    salaries = [9_000_000] * 6 + [10_000_000, 10_000_000, 11_000_000, 11_000_000, 12_000_000, 12_000_000]
    _, personal_id = unemployed(signed.engine, serial=931_001, region=1, salaries=salaries)
    me = bearer(personal_id)
    assert "claim-unemployment" in client.get("/me/services", headers=me).text

    file_on_the_services_page(client, me, "ui-claim-twelve-1")
    filed = my_claim(client, me)
    assert filed["status"] == "submitted"
    form = filed["form"]
    minimum = current_parameters().in_force(current_parameters().regional_minimum_wage,
                                            LAST_WORKED.first_day())[1]
    assert {k: steps(form)[k] for k in ("average_ui_salary", "sixty_percent", "cap", "monthly", "duration_months",
                                        "total")} == {
        "average_ui_salary": 11_000_000, "sixty_percent": 6_600_000, "cap": 5 * minimum,
        "monthly": 6_600_000, "duration_months": 3, "total": 19_800_000}, "the officer reviews the arithmetic"
    assert (form["amount"], form["months"], form["total"], form["paid_to"]) == (
        6_600_000, 3, 19_800_000, "Vietcombank ••••7333")

    again = client.post("/api/v1/dossiers", json={"procedure": "claim_unemployment",
                                                  "form": {"termination_month": str(LAST_WORKED)}},
                        headers={**me, "idempotency-key": "ui-claim-twelve-2"})
    assert again.json()["error"]["code"] == "claim.pending", "one claim at a time"

    officer = bearer(ids["officer-civil"].personal_id)
    assert approve(client, officer, filed["id"])["status"] == "result_issued"
    assert my_claim(client, me)["status"] == "result_issued"

    book = jws.parts(client.get("/api/v1/me/book", headers=me).json()["document"])[1]
    [settled] = [b for b in book["benefits"] if b["regime"] == "unemployment"]
    assert settled["amount"] == 19_800_000, "the settlement in the new signed version of the book"

    mine = client.get("/api/v1/me/monthly-benefits", headers=me).json()
    [benefit] = mine["benefits"]
    assert (benefit["benefit"], benefit["first_month"], benefit["last_month"], benefit["monthly_amount"]) == (
        "unemployment", str(LAST_WORKED + 1), str(LAST_WORKED + 3), 6_600_000), "3 months from the month after"
    assert benefit["paid_to"]["shown"] == "Vietcombank ••••7333"
    paid = [(p["benefit"], p["month"], p["status"], p["amount"], p["back_pay"]) for p in mine["payments"]]
    assert paid == [("unemployment", str(NOW), "paid", 6_600_000, False),
                    ("unemployment", str(NOW - 1), "paid", 6_600_000, True)], (
        "the months begun are paid at approval, the earlier one as back pay; none ahead of time")

    twice = client.post("/api/v1/dossiers", json={"procedure": "claim_unemployment",
                                                  "form": {"termination_month": str(LAST_WORKED)}},
                        headers={**me, "idempotency-key": "ui-claim-twelve-3"})
    assert twice.json()["error"]["code"] == "claim.already_settled", "the same months are never paid twice"


def test_a_high_salary_is_capped_and_fifty_months_give_four(signed, world):
    """50 months of UI at 40,000,000 with an employer in region IV: 60% = 24,000,000 is over 5 × the region's
    minimum wage (3,700,000 in 2026: 18,500,000), so 18,500,000 a month; 3 + floor((50 − 36) ÷ 12) = 4 months."""
    client, ids, bearer = world
    _, personal_id = unemployed(signed.engine, serial=931_011, region=4, salaries=[40_000_000] * 50)
    me = bearer(personal_id)
    file_on_the_services_page(client, me, "ui-claim-capped-1")
    filed = my_claim(client, me)
    minimum = current_parameters().in_force(current_parameters().regional_minimum_wage,
                                            LAST_WORKED.first_day())[4]
    assert {k: steps(filed["form"])[k] for k in ("average_ui_salary", "sixty_percent", "monthly",
                                                 "duration_months")} == {
        "average_ui_salary": 40_000_000, "sixty_percent": 24_000_000, "monthly": 5 * minimum, "duration_months": 4}
    assert approve(client, bearer(ids["officer-civil"].personal_id), filed["id"])["status"] == "result_issued"
    [benefit] = client.get("/api/v1/me/monthly-benefits", headers=me).json()["benefits"]
    assert (benefit["first_month"], benefit["last_month"], benefit["monthly_amount"]) == (
        str(LAST_WORKED + 1), str(LAST_WORKED + 4), 5 * minimum)
