"""The other benefits on the dossier engine (issue 14, item 6): a relative files the funeral grant or the survivors'
allowance about a deceased person (the relationship checked against the population records, the death certificate
attached), an employer files a sick child's leave or an occupational accident benefit (the assessment report
attached); the officer approves and the settlement enters the book of the deceased or of the worker."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.estimator import contribution_history
from esibook.benefits.models import BenefitSettlement
from esibook.contributions.models import ContributionLine
from esibook.contributions.parameters import current_parameters
from esibook.people.identifiers import make_personal_id
from esibook.people.models import Person
from esibook.periods import Month
from esibook.transactions.models import Dossier
from esibook.trust import jws
from integration.test_claims import arithmetic_errors_of
from integration.test_conversion_and_printout import scanned_pdf

DIED_ON = date(2026, 11, 5)  # after the seed's last month (2026-10), before the machine's today
CERTIFICATE = [("trich-luc-khai-tu.pdf", scanned_pdf())]


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, signed_bearer


def file(client, headers, procedure, form, key, attachments=(), employer_id=None):
    body = {
        "procedure": procedure,
        "form": form,
        "employer_id": employer_id,
        "attachments": [{"filename": n, "content_base64": base64.b64encode(d).decode()} for n, d in attachments],
    }
    return client.post("/api/v1/dossiers", json=body, headers={**headers, "idempotency-key": key})


def approve(client, headers, dossier_id):
    return client.post(f"/api/v1/dossiers/{dossier_id}/actions", json={"action": "approve"}, headers=headers)


def settlements(engine, person_id: int, regime: str) -> list[BenefitSettlement]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(BenefitSettlement).where(
                    BenefitSettlement.person_id == person_id, BenefitSettlement.regime == regime
                )
            )
        )


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def families(engine, skip: set[str]) -> list[tuple[Person, Person, list[Person], int]]:
    """Civil persons with a spouse and children on record: (deceased, spouse, children, compulsory months)."""
    with Session(engine) as session:
        people = {p.personal_id: p for p in session.scalars(select(Person)) if p.personal_id}
        found = []
        for person in sorted(people.values(), key=lambda p: p.id):
            spouse = people.get(person.spouse_id or "")
            if person.authority != "civil" or spouse is None or spouse.authority != "civil":
                continue
            if person.personal_id in skip or spouse.personal_id in skip or spouse.spouse_id != person.personal_id:
                continue
            children = [c for c in people.values() if person.personal_id in (c.father_id, c.mother_id)]
            months = contribution_history(session, person.id, before=Month.from_date(DIED_ON) + 1).months
            found.append((person, spouse, children, sum(1 for m in months if m.kind == "compulsory")))
        session.expunge_all()
    return found


def reference_level() -> int:
    parameters = current_parameters()
    return parameters.in_force(parameters.reference_level, DIED_ON)


def test_a_relative_files_the_funeral_grant_and_it_enters_the_deceaseds_book(signed, world):
    client, ids, bearer = world
    skip = {i.personal_id for i in ids.values()}
    deceased, spouse, _, months = next(f for f in families(signed.engine, skip) if 0 < f[3] < 12)
    stranger = next(f[0] for f in families(signed.engine, skip) if f[0].id not in (deceased.id, spouse.id))
    facts = {"deceased_personal_id": deceased.personal_id, "relationship": "spouse", "died_on": DIED_ON.isoformat()}
    relative = bearer(spouse.personal_id)

    not_spouse = file(client, bearer(stranger.personal_id), "claim_funeral", facts, "funeral-stranger", CERTIFICATE)
    assert not_spouse.status_code == 400 and not_spouse.json()["error"]["code"] == "claim.relationship"
    no_scan = file(client, relative, "claim_funeral", {**facts, "occupational_death": True}, "funeral-no-scan")
    assert no_scan.status_code == 400 and no_scan.json()["error"]["code"] == "dossier.attachment_required"
    future = file(client, relative, "claim_funeral", {**facts, "died_on": "2099-01-01"}, "funeral-future", CERTIFICATE)
    assert future.json()["error"]["code"] == "claim.died_on"
    short = file(client, relative, "claim_funeral", facts, "funeral-short", CERTIFICATE)
    assert short.status_code == 400 and short.json()["error"]["code"] == "claim.not_eligible"
    assert "12" in short.json()["error"]["message_en"], f"{months} months is under the 12 the grant needs"

    filed = file(client, relative, "claim_funeral", {**facts, "occupational_death": True}, "funeral-ok", CERTIFICATE)
    assert filed.status_code == 201, filed.text
    form = filed.json()["form"]
    assert form["total"] == 10 * reference_level(), "10 × the reference level of the month of death"
    assert form["relationship_shown_by"] == "population_records"
    assert not arithmetic_errors_of(form["worksheet"]) and form["worksheet"]["rules"][0]["source"].endswith("Điều 85")
    again = file(client, relative, "claim_funeral", {**facts, "occupational_death": True}, "funeral-2", CERTIFICATE)
    assert again.json()["error"]["code"] == "claim.pending", "one open funeral claim about the deceased"

    done = approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"])
    assert done.json()["status"] == "result_issued", done.text
    [settled] = settlements(signed.engine, deceased.id, "funeral")
    assert settled.amount == form["total"] and settled.related_person_id == spouse.id
    twice = file(client, relative, "claim_funeral", {**facts, "occupational_death": True}, "funeral-3", CERTIFICATE)
    assert twice.json()["error"]["code"] == "claim.already_settled", "the funeral grant is paid once"
    book = jws.parts(client.get("/api/v1/me/book", headers=bearer(deceased.personal_id)).json()["document"])[1]
    assert {"regime": "funeral", "amount": settled.amount} in [
        {"regime": b["regime"], "amount": b["amount"]} for b in book["benefits"]
    ], "the grant is in the new signed version of the deceased's book"


def test_survivors_monthly_for_each_child_or_the_lump_sum(signed, world):
    client, ids, bearer = world
    skip = {i.personal_id for i in ids.values()}
    found = families(signed.engine, skip)
    young = [f for f in found if f[3] > 0 and any(6 <= age(c.date_of_birth, DIED_ON) < 18 for c in f[2])]
    deceased, spouse, children, _ = young[0]
    minors = [c for c in children if 6 <= age(c.date_of_birth, DIED_ON) < 18]
    facts = {"deceased_personal_id": deceased.personal_id, "relationship": "spouse", "died_on": DIED_ON.isoformat()}
    relative = bearer(spouse.personal_id)

    outsider = next(f[0] for f in found if f[0].id not in (deceased.id, spouse.id))
    unknown = file(client, relative, "claim_survivors", {**facts, "relatives": [outsider.personal_id]},
                   "surv-outsider", CERTIFICATE)
    assert unknown.json()["error"]["code"] == "claim.relative_not_on_record"
    under_15_years = file(client, relative, "claim_survivors", {**facts, "relatives": [minors[0].personal_id]},
                          "surv-short", CERTIFICATE)
    assert under_15_years.json()["error"]["code"] == "claim.not_eligible"
    assert "lump sum" in under_15_years.json()["error"]["message_en"]

    form = {**facts, "occupational_death": True, "relatives": [c.personal_id for c in minors],
            "no_carer": [minors[0].personal_id]}
    filed = file(client, relative, "claim_survivors", form, "surv-monthly", CERTIFICATE)
    assert filed.status_code == 201, filed.text
    paid = filed.json()["form"]["paid_relatives"]
    expected = [reference_level() * (70 if n == 0 else 50) // 100 for n in range(len(minors[:4]))]
    assert [p["amount"] for p in paid] == expected, "70% for the child with no carer, 50% for each other child"
    assert filed.json()["form"]["total"] == sum(expected)
    assert approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"]).json()["status"] == (
        "result_issued"
    )
    monthly = settlements(signed.engine, deceased.id, "survivors_monthly")
    assert sorted((s.related_person_id, s.amount) for s in monthly) == sorted(
        (c.id, a) for c, a in zip(minors[:4], expected, strict=True)
    )
    assert all(s.period_from == date(2026, 12, 1) for s in monthly), "paid from the month after the death"
    twice = file(client, relative, "claim_survivors", {**facts, "choice": "lump_sum"}, "surv-again", CERTIFICATE)
    assert twice.json()["error"]["code"] == "claim.already_settled"

    other, other_spouse, other_children, _ = next(f for f in found if f[3] > 0 and f[0].id != deceased.id
                                                  and f[1].id != deceased.id)
    lump = file(client, bearer(other_spouse.personal_id), "claim_survivors",
                {"deceased_personal_id": other.personal_id, "relationship": "spouse", "died_on": DIED_ON.isoformat(),
                 "choice": "lump_sum"}, "surv-lump", CERTIFICATE)
    assert lump.status_code == 201, lump.text
    sheet = lump.json()["form"]["worksheet"]
    average = next(s["value"] for s in sheet["steps"] if s["key"] == "average_salary")
    assert lump.json()["form"]["total"] == 3 * average, "under 1.5 years contributed: the minimum of 3 months"
    assert approve(client, bearer(ids["officer-civil"].personal_id), lump.json()["id"]).json()["status"] == (
        "result_issued"
    )
    [settled] = settlements(signed.engine, other.id, "survivors_lump")
    assert settled.related_person_id == other_spouse.id and settled.amount == 3 * average


def test_the_lump_sum_cannot_be_chosen_over_a_child_under_6(signed, world):
    client, ids, bearer = world
    skip = {i.personal_id for i in ids.values()}
    with_toddler = [
        f for f in families(signed.engine, skip) if any(age(c.date_of_birth, DIED_ON) < 6 for c in f[2])
    ]
    deceased, spouse, children, _ = with_toddler[-1]
    toddler = next(c for c in children if age(c.date_of_birth, DIED_ON) < 6)
    refused = file(client, bearer(spouse.personal_id), "claim_survivors",
                   {"deceased_personal_id": deceased.personal_id, "relationship": "spouse",
                    "died_on": DIED_ON.isoformat(), "occupational_death": True, "choice": "lump_sum",
                    "relatives": [toddler.personal_id]}, "surv-toddler", CERTIFICATE)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "claim.lump_sum_not_allowed"
    bad = file(client, bearer(spouse.personal_id), "claim_survivors",
               {"deceased_personal_id": deceased.personal_id, "relationship": "cousin", "died_on": "2026-11-05"},
               "surv-bad-form", CERTIFICATE)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "dossier.form"
    yourself = file(client, bearer(spouse.personal_id), "claim_funeral",
                    {"deceased_personal_id": spouse.personal_id, "relationship": "spouse", "died_on": "2026-11-05"},
                    "funeral-self", CERTIFICATE)
    assert yourself.json()["error"]["code"] == "claim.deceased_self"


def a_child_of(engine, parent: Person, born: date, serial: int) -> Person:
    """A child on the population record of ``parent`` (the seed's families are not always among the employees)."""
    with Session(engine) as session, session.begin():
        child = Person(
            personal_id=make_personal_id("001", born, "female", 900_000 + serial),
            full_name="Nguyễn Thị Bé",
            name_key="nguyen thi be",
            date_of_birth=born,
            sex="female",
            mother_id=parent.personal_id if parent.sex == "female" else None,
            father_id=parent.personal_id if parent.sex == "male" else None,
            authority=parent.authority,
        )
        session.add(child)
        session.flush()
        session.expunge(child)
    return child


def test_an_employer_claims_a_sick_childs_leave_and_an_occupational_accident(signed, world):
    client, ids, bearer = world
    rep, officer = ids["employer-rep"], bearer(ids["officer-civil"].personal_id)
    employer_id, headers = rep.grant[3], bearer(rep.personal_id)
    month = Month(2026, 6)  # the demo employer paid up to May 2026
    skip = {i.personal_id for i in ids.values()}
    with Session(signed.engine) as session:
        worker, salary = session.execute(
            select(Person, ContributionLine.salary_basis)
            .join(ContributionLine, ContributionLine.person_id == Person.id)
            .where(ContributionLine.employer_id == employer_id, ContributionLine.month == (month - 1).as_int(),
                   ContributionLine.status == "paid", Person.personal_id.not_in(skip), Person.authority == "civil")
            .order_by(Person.id.desc())
        ).first()
        session.expunge(worker)
    child = a_child_of(signed.engine, worker, date(2024, 3, 1), worker.id)  # 2 on 2026-06-01: 20 days a year
    form = {"personal_id": worker.personal_id, "child_personal_id": child.personal_id, "leave_month": str(month),
            "days": 5}
    not_theirs = file(client, headers, "claim_sick_child", {**form, "child_personal_id": rep.personal_id},
                      "child-not-theirs", employer_id=employer_id)
    assert not_theirs.json()["error"]["code"] in ("claim.not_child", "claim.not_employee")
    filed = file(client, headers, "claim_sick_child", form, "child-ok-001", employer_id=employer_id)
    assert filed.status_code == 201, filed.text
    daily = round(salary * 3 / 4 / 24)  # 75% of May's salary ÷ 24 (half up; the sheet rounds the same way)
    assert abs(filed.json()["form"]["total"] - daily * 5) <= 5 and not arithmetic_errors_of(
        filed.json()["form"]["worksheet"]
    )
    assert approve(client, officer, filed.json()["id"]).json()["status"] == "result_issued"
    [settled] = settlements(signed.engine, worker.id, "sick_child")
    assert settled.days == 5 and settled.related_person_id == child.id
    too_many = file(client, headers, "claim_sick_child", {**form, "leave_month": "2026-07", "days": 16},
                    "child-too-many", employer_id=employer_id)
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "claim.sick_child_days"
    assert "15" in too_many.json()["error"]["message_en"], "20 − 5 days left"

    accident = {"personal_id": worker.personal_id, "kind": "accident", "event_month": str(month),
                "assessed_month": "2026-08", "loss": 20}
    report = [("bien-ban-giam-dinh.pdf", scanned_pdf())]
    no_report = file(client, headers, "claim_occupational", accident, "oad-no-report", employer_id=employer_id)
    assert no_report.json()["error"]["code"] == "dossier.attachment_required"
    backwards = file(client, headers, "claim_occupational", {**accident, "assessed_month": "2026-05"}, "oad-back",
                     report, employer_id=employer_id)
    assert backwards.json()["error"]["code"] == "claim.assessed_month"
    nothing = file(client, headers, "claim_occupational", {**accident, "loss": 0}, "oad-zero", report,
                   employer_id=employer_id)
    assert nothing.status_code == 400 and nothing.json()["error"]["code"] == "dossier.form"
    lump = file(client, headers, "claim_occupational", accident, "oad-lump-01", report, employer_id=employer_id)
    assert lump.status_code == 201, lump.text
    steps = {s["key"]: s["value"] for s in lump.json()["form"]["worksheet"]["steps"]}
    base = current_parameters().in_force(current_parameters().reference_level, date(2026, 8, 1))
    assert steps["by_loss"] == base * 25 // 2, "5 + 0.5 × (20 − 5) = 12.5 × the base salary"
    assert lump.json()["form"]["total"] == steps["by_loss"] + steps["by_years"]
    assert approve(client, officer, lump.json()["id"]).json()["status"] == "result_issued"
    [oad] = settlements(signed.engine, worker.id, "oad")
    assert oad.amount == lump.json()["form"]["total"] and oad.period_from == date(2026, 6, 1)
    same = file(client, headers, "claim_occupational", {**accident, "loss": 45}, "oad-same", report,
                employer_id=employer_id)
    assert same.json()["error"]["code"] == "claim.already_settled", "one settlement per accident"
    monthly = file(client, headers, "claim_occupational", {**accident, "event_month": "2026-07", "loss": 45},
                   "oad-monthly-1", report, employer_id=employer_id)
    assert monthly.status_code == 201, monthly.text
    assert monthly.json()["form"]["regime"] == "oad_monthly"
    assert monthly.json()["form"]["worksheet"]["result_unit"] == "VND/month"


def test_a_pensioners_survivors_lump_sum_follows_the_pension_in_the_book(signed, world):
    client, ids, bearer = world
    skip = {i.personal_id for i in ids.values()}
    with Session(signed.engine) as session:
        pensions = {
            s.person_id: s
            for s in session.scalars(select(BenefitSettlement).where(BenefitSettlement.regime == "pension"))
            if s.period_from <= DIED_ON
        }
    deceased, spouse, _, _ = next(f for f in families(signed.engine, skip) if f[0].id in pensions)
    pension = pensions[deceased.id]
    drawn = Month.from_date(DIED_ON) - Month.from_date(pension.period_from) + 1
    # 48 months in the first 2 months of the pension, 0.5 less per further month drawn, at least 3
    months = max(48 - 0.5 * max(drawn - 2, 0), 3)
    filed = file(client, bearer(spouse.personal_id), "claim_survivors",
                 {"deceased_personal_id": deceased.personal_id, "relationship": "spouse",
                  "died_on": DIED_ON.isoformat(), "choice": "lump_sum"}, "surv-pensioner", CERTIFICATE)
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["total"] == round(pension.amount * months)
    assert approve(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"]).json()["status"] == (
        "result_issued"
    )
    [settled] = settlements(signed.engine, deceased.id, "survivors_lump")
    assert settled.amount == filed.json()["form"]["total"] and settled.related_person_id == spouse.id


DIGITS = st.text(alphabet="0123456789", min_size=0, max_size=14)
MONTHS = st.one_of(st.sampled_from(["2026-06", "2026-08", "1994-12", "2026-13", "9999-01", "", "06/2026"]), DIGITS)
DATES = st.one_of(st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(date.isoformat), st.text(max_size=12))
RELATION = st.sampled_from(["spouse", "child", "father", "sibling", "other_relative", "cousin", "", "SPOUSE"])


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    procedure=st.sampled_from(["claim_funeral", "claim_survivors", "claim_sick_child", "claim_occupational"]),
    ids=st.lists(st.one_of(DIGITS, st.sampled_from(["001200000001", "079088000123"])), max_size=4),
    died_on=DATES,
    relationship=RELATION,
    month=MONTHS,
    other_month=MONTHS,
    number=st.one_of(st.integers(-5, 200), st.text(max_size=4), st.none()),
    flag=st.one_of(st.booleans(), st.text(max_size=3)),
    choice=st.sampled_from(["monthly", "lump_sum", "both", ""]),
)
def test_any_other_claim_form_is_answered_without_a_server_error_or_a_partial_write(
    signed, world, procedure, ids, died_on, relationship, month, other_month, number, flag, choice
):
    client, identities, bearer = world
    rep = identities["employer-rep"]
    first = ids[0] if ids else ""
    form = {
        "deceased_personal_id": first, "relationship": relationship, "died_on": died_on, "occupational_death": flag,
        "choice": choice, "relatives": ids[1:], "no_carer": ids[:1], "personal_id": first,
        "child_personal_id": ids[-1] if ids else "", "leave_month": month, "event_month": month,
        "assessed_month": other_month, "days": number, "loss": number, "kind": "accident",
    }
    headers = bearer(rep.personal_id) if procedure in ("claim_sick_child", "claim_occupational") else bearer(
        identities["citizen-l2"].personal_id
    )
    with Session(signed.engine) as session:
        before = session.scalar(select(func.count()).select_from(Dossier))
    answer = file(client, headers, procedure, form, f"fuzz-{abs(hash(repr(form))):x}"[:40], CERTIFICATE,
                  employer_id=rep.grant[3] if procedure in ("claim_sick_child", "claim_occupational") else None)
    assert answer.status_code < 500, answer.text
    with Session(signed.engine) as session:
        after = session.scalar(select(func.count()).select_from(Dossier))
    if answer.status_code != 201:
        assert after == before and "code" in answer.json()["error"], "a refusal writes nothing and says why"
