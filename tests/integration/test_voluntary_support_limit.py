"""The State supports voluntary SI for at most 120 months in a life (Decree 159/2025/ND-CP): a registration counts
the voluntary months already in the book from 2018-01, when support began, and supports only what is left."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.people.models import Person
from esibook.transactions.citizen_procedures import VoluntaryRegistration, prepare_voluntary


def someone_not_participating(session: Session) -> Person:
    open_periods = select(ParticipationPeriod.person_id).where(ParticipationPeriod.to_month.is_(None))
    return session.scalar(select(Person).where(Person.id.not_in(open_periods)).order_by(Person.id).limit(1))


def voluntary_line(person: Person, month: int) -> ContributionLine:
    return ContributionLine(
        person_id=person.id, month=month, employer_id=0, participant_type="voluntary", salary_basis=3_000_000,
        ui_basis=0, retirement_employer=0, retirement_employee=660_000, sickness_employer=0, oad_employer=0,
        ui_employer=0, ui_employee=0, hi_employer=0, hi_employee=0, total=660_000, paid_amount=660_000,
        status="paid", authority=person.authority, posted_at=datetime(2018, 2, 1, tzinfo=UTC),
    )


def test_support_stops_when_the_book_holds_120_supported_months(seeded_engine):
    """The book: a paper-converted voluntary period 2018-01 to 2027-10 = 118 months (a paid voluntary line of
    2018-01 is the same month; one of 2017-12 came before support began and does not count).
    Registering from 2027-11, income 3,000,000, 3 months at once: 22% × 3,000,000 = 660,000 a month; support
    (anyone else, 20%) = 22% × 2,200,000 (the 2027 rural poverty line) × 20% = 96,800; 120 − 118 = 2 months
    left → 3 × 660,000 − 2 × 96,800 = 1,980,000 − 193,600 = 1,786,400.
    With the period to 2027-11 (119 months) and registering from 2027-12: 1 month left →
    1,980,000 − 96,800 = 1,883,200. (Support began in 2018-01, so nobody can reach 120 months before 2028-01; the
    case of none left is worked in tests/unit/test_legal_data.py.)"""
    with Session(seeded_engine) as session:
        person = someone_not_participating(session)
        seq = (session.scalar(select(func.max(ParticipationPeriod.seq)).where(
            ParticipationPeriod.person_id == person.id)) or 0) + 1
        paper = ParticipationPeriod(
            person_id=person.id, seq=seq, employer_id=0, from_month=201801, to_month=202710, salary_basis=3_000_000,
            participant_type="voluntary", provenance="converted_from_paper", authority=person.authority,
        )
        session.add_all([paper, voluntary_line(person, 201712), voluntary_line(person, 201801)])
        session.flush()
        form = prepare_voluntary(
            session, person, VoluntaryRegistration(income=3_000_000, from_month="2027-11", payment_months=3)
        )
        assert form["support_months_used_before"] == 118
        assert (form["monthly_contribution"], form["monthly_state_support"]) == (660_000, 96_800)
        assert (form["supported_months"], form["payable_per_period"]) == (2, 1_786_400)
        assert "120" in form["support_note"] and "118" in form["support_note_en"]
        paper.to_month = 202711
        session.flush()
        last = prepare_voluntary(
            session, person, VoluntaryRegistration(income=3_000_000, from_month="2027-12", payment_months=3)
        )
        assert (last["support_months_used_before"], last["supported_months"]) == (119, 1)
        assert last["payable_per_period"] == 1_883_200
        session.rollback()
