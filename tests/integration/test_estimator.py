"""The estimator over the API, on SQLite and PostgreSQL: a citizen gets estimates computed from their own book, each
with a worksheet that adds up; the one-time withdrawal is recomputed here from the database rows, by hand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from esibook.benefits.coefficients import current_coefficients
from esibook.benefits.estimator import contribution_history, estimate
from esibook.benefits.worksheet import evaluate, round_vnd
from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.people.models import Person
from esibook.periods import Month
from support.signed_in import bearer


def counted_months(session: Session, person_id: int, today: date) -> dict[tuple[int, str], int]:
    """The months that count, as docs/benefits.md states the rule: lines paid or declared (not household HI), before
    this month, one entry per month with the salaries added; months of periods converted from paper without a line,
    at the period's salary. Keyed by (YYYYMM, kind)."""
    now = Month.from_date(today).as_int()
    lines = session.execute(
        select(
            ContributionLine.month,
            ContributionLine.salary_basis,
            ContributionLine.status,
            ContributionLine.participant_type,
        ).where(ContributionLine.person_id == person_id, ContributionLine.month < now)
    ).all()
    salary: dict[int, int] = defaultdict(int)
    kinds: dict[int, set] = defaultdict(set)
    for month, basis, status, kind in lines:
        if kind == "household" or status not in ("paid", "declared"):
            continue
        salary[month] += basis
        kinds[month].add("voluntary" if kind == "voluntary" else "compulsory")
    with_line = {row[0] for row in lines}
    for period in session.scalars(select(ParticipationPeriod).where(ParticipationPeriod.person_id == person_id)):
        if period.provenance != "converted_from_paper":
            continue
        for month in Month.range(Month.from_int(period.from_month), Month.from_int(period.to_month or now)):
            if month.as_int() < now and month.as_int() not in with_line and month.as_int() not in salary:
                salary[month.as_int()] = period.salary_basis
                kinds[month.as_int()].add("voluntary" if period.participant_type == "voluntary" else "compulsory")
    return {(m, "compulsory" if "compulsory" in kinds[m] else "voluntary"): s for m, s in salary.items()}


def expected_one_time(session: Session, person_id: int, today: date) -> int:
    """The one-time withdrawal worked out from the rows: adjust each year's salaries by the coefficient in force
    today, average them; 1.5 months per year before 2014 and 2 from 2014 (pre-2014 leftover months moving on,
    leftover 1–6 months = half a year, 7–11 = a year); under a year, 22% of the adjusted salaries, at most 2 months
    of the average."""
    months = counted_months(session, person_id, today)
    table = current_coefficients().on(today)
    by_year: dict[tuple[int, str], int] = defaultdict(int)
    for (month, kind), salary in months.items():
        by_year[(month // 100, kind)] += salary
    adjusted = {key: round_vnd(total * Fraction(table.coefficient(key[0]))) for key, total in by_year.items()}
    count = len(months)
    average = round_vnd(Fraction(sum(adjusted.values()), count))
    if count < 12:
        contributed = sum(
            round_vnd(Fraction(sum(v for k, v in adjusted.items() if k[1] == kind) * 22, 100))
            for kind in ("compulsory", "voluntary")
            if any(k[1] == kind for k in adjusted)
        )
        return min(contributed, 2 * average)
    before = sum(1 for month, _ in months if month < 201401)
    after = count - before + before % 12
    leftover = after % 12
    years_after = after // 12 + (Fraction(0) if leftover == 0 else Fraction(1, 2) if leftover <= 6 else 1)
    return round_vnd(average * (Fraction(3, 2) * (before // 12) + 2 * years_after))


def sheet_adds_up(sheet: dict) -> None:
    for step in sheet["steps"]:
        exact = evaluate(step["expression"])
        expected = round_vnd(exact) if step["unit"] == "VND" else exact
        assert Fraction(expected) == Fraction(str(step["value"])), (sheet["benefit"], step)


@pytest.fixture(scope="module")
def client_and_ids(signed_app, signed_identities):
    return signed_app, signed_identities


def test_a_citizen_gets_estimates_computed_from_their_own_book(signed, client_and_ids):
    client, ids = client_and_ids
    citizen = ids["citizen-l2"]
    answer = client.get("/api/v1/me/estimates", headers=bearer(signed.settings, citizen.personal_id))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    today = vietnam_today()
    with Session(signed.engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == citizen.personal_id))
        months = counted_months(session, person.id, today)
        one_time = expected_one_time(session, person.id, today)
    assert body["full_name"] == person.full_name
    assert body["as_of"] == str(Month.from_date(today))
    assert body["months_counted"] == len(months) > 0
    assert set(body["estimates"]) == {"one_time", "pension", "unemployment", "sickness"}
    for sheet in body["estimates"].values():
        sheet_adds_up(sheet)
        assert sheet["rules"] and all(rule["source"] for rule in sheet["rules"])
        assert all(step["label"]["vi"] and step["label"]["en"] for step in sheet["steps"])
    assert body["estimates"]["one_time"]["result"] == one_time > 0
    last = max(months)
    sickness = body["estimates"]["sickness"]
    if last[0] == (Month.from_date(today) - 1).as_int() and last[1] == "compulsory":
        assert sickness["eligible"]
        assert sickness["result"] == round_vnd(Fraction(months[last] * 3, 4 * 24)), "75% of last month ÷ 24"


def test_estimates_need_a_level_2_sign_in_and_a_person(signed, client_and_ids):
    client, ids = client_and_ids
    assert client.get("/api/v1/me/estimates").status_code == 401
    level1 = client.get("/api/v1/me/estimates", headers=bearer(signed.settings, ids["citizen-l2"].personal_id, level=1))
    assert level1.status_code == 403
    assert level1.json()["error"]["code"] == "access.level2_required"
    unknown = client.get("/api/v1/me/estimates", headers=bearer(signed.settings, "001099000001"))
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "person.no_record"


def test_arrears_wait_and_paper_periods_count(signed, client_and_ids):
    """In a transaction rolled back at the end: one counted month of the citizen becomes unpaid, and an 8-month
    period converted from a paper book is added three years earlier. The unpaid month stops counting and is listed;
    the 8 paper months count at the salary written in the book."""
    _, ids = client_and_ids
    today = vietnam_today()
    with Session(signed.engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == ids["citizen-l2"].personal_id))
        before = contribution_history(session, person.id, before=Month.from_date(today))
        first = before.months[0].month
        unpaid = before.months[-1].month
        session.execute(
            update(ContributionLine)
            .where(ContributionLine.person_id == person.id, ContributionLine.month == unpaid.as_int())
            .values(status="unpaid")
        )
        start = first - 36
        session.add(
            ParticipationPeriod(
                person_id=person.id,
                seq=900,
                employer_id=0,
                from_month=start.as_int(),
                to_month=(start + 7).as_int(),
                salary_basis=4_000_000,
                participant_type="employee",
                provenance="converted_from_paper",
                authority=person.authority,
            )
        )
        session.flush()
        after = contribution_history(session, person.id, before=Month.from_date(today))
        estimates = estimate(session, person, today=today)
        expected = expected_one_time(session, person.id, today)
        session.rollback()
    assert len(after.months) == len(before.months) - 1 + 8
    assert unpaid in after.arrears and after.from_paper == 8
    assert [m.salary for m in after.months if m.month < first] == [4_000_000] * 8
    one_time = estimates.sheet("one_time")
    assert one_time.result == expected
    assert any(str(unpaid) in note.en for note in one_time.notes)
    assert any("paper book" in note.en for note in one_time.notes)
