"""The demo's data reads like people's lives (``esibook demo`` seeds it with deep histories): the citizen a newcomer
signs in as started work in the 1990s, changed employers, had gaps, has months their employer has not paid, visits
reported by clinics, benefits paid and a household on household health insurance; older generated persons have
histories too; the years before the priced months come from paper books; and enough residents are left to register
as new employees."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from esibook.access.demo import demo_identities, grant_demo_roles
from esibook.benefits.estimator import contribution_history
from esibook.benefits.models import BenefitSettlement
from esibook.cli.demo import demo_plan
from esibook.contributions.parameters import current_parameters, share
from esibook.dates import vietnam_today
from esibook.health.icd10 import normalize_icd10
from esibook.models import (
    Clinic,
    ContributionLine,
    Employer,
    HICoverage,
    HouseholdMember,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)
from esibook.periods import Month
from esibook.seeding.loader import seed
from esibook.transactions.population import never_insured

END = Month(2026, 10)
FIRST_PRICED = Month(2016, 1)


@pytest.fixture(scope="module")
def demo_engine(databases) -> Engine:
    engine = databases.engine()
    seed(engine, replace(demo_plan(), end_month=END))
    with Session(engine) as session, session.begin():
        grant_demo_roles(session)
    return engine


def person_of(session: Session, key: str) -> Person:
    identity = next(i for i in demo_identities(session) if i.key == key)
    return session.scalar(select(Person).where(Person.personal_id == identity.personal_id))


def periods_of(session: Session, person: Person) -> list[ParticipationPeriod]:
    return list(session.scalars(
        select(ParticipationPeriod).where(ParticipationPeriod.person_id == person.id)
        .order_by(ParticipationPeriod.from_month)))


def gaps(periods: list[ParticipationPeriod]) -> int:
    """Months without any period between the first and the last."""
    return sum(
        1 for before, after in zip(periods, periods[1:], strict=False)
        if before.to_month and Month.from_int(after.from_month) > Month.from_int(before.to_month) + 1
    )


def test_the_demo_citizen_has_worked_since_the_1990s_for_several_employers_with_gaps(demo_engine):
    with Session(demo_engine) as session:
        citizen = person_of(session, "citizen-l2")
        periods = periods_of(session, citizen)
        assert periods[0].from_month < 200001, "months before 2000"
        assert len({p.employer_id for p in periods}) >= 4, "job changes between employers"
        assert gaps(periods) >= 2, "months without contribution between jobs"
        assert periods[-1].to_month is None, "working now"
        lines = session.execute(
            select(ContributionLine.month, ContributionLine.status, ContributionLine.employer_id)
            .where(ContributionLine.person_id == citizen.id)
        ).all()
    months = {month for month, _, _ in lines}
    assert min(months) == FIRST_PRICED.as_int() and max(months) == END.as_int()
    assert len(months) >= 100, "ten years of contribution months on the timeline"
    unpaid = {(month, employer) for month, status, employer in lines if status == "unpaid"}
    assert len(unpaid) >= 2, "some months the employer has not paid"
    assert {employer for _, employer in unpaid} == {periods[-1].employer_id}, "the current employer's"


def test_the_years_before_2016_are_from_the_paper_book_and_count_for_benefits(demo_engine):
    with Session(demo_engine) as session:
        citizen = person_of(session, "citizen-l2")
        periods = periods_of(session, citizen)
        history = contribution_history(session, citizen.id, before=END + 1)
        early_lines = session.scalar(
            select(func.count()).select_from(ContributionLine).where(ContributionLine.month < FIRST_PRICED.as_int())
        )
        paper_months = session.scalar(
            select(func.count()).select_from(ParticipationPeriod).where(
                ParticipationPeriod.provenance == "converted_from_paper",
                ParticipationPeriod.to_month >= FIRST_PRICED.as_int(),
            )
        )
    paper = [p for p in periods if p.provenance == "converted_from_paper"]
    assert paper and all(p.to_month < FIRST_PRICED.as_int() for p in paper)
    assert all(p.from_month >= FIRST_PRICED.as_int() for p in periods if p.provenance == "electronic")
    assert early_lines == 0 and paper_months == 0, "no month is priced before the parameters begin"
    assert history.from_paper >= 200, "the paper years count as contribution time"
    assert len(history.months) >= 300


def test_months_from_2016_are_priced_by_that_years_parameters(demo_engine):
    parameters = current_parameters()
    with Session(demo_engine) as session:
        rows = session.execute(
            select(ContributionLine, Employer.region, Employer.reduced_oad_rate)
            .join(Employer, Employer.id == ContributionLine.employer_id)
            .where(ContributionLine.participant_type == "employee", ContributionLine.month < 201901)
        ).all()
    assert len(rows) > 500
    for line, region, reduced in rows:
        p = parameters.for_month(Month.from_int(line.month))
        assert p.regional_minimum_wage[region] <= line.salary_basis <= p.si_cap
        oad = p.rates.oad_employer_reduced if reduced else p.rates.oad_employer
        assert oad == (100 if line.month < 201706 else 50), "OAD 1% until Decree 44/2017, then 0.5%"
        assert line.oad_employer == share(line.salary_basis, oad)
        assert line.retirement_employer == share(line.salary_basis, 1400)


def test_the_demo_household_has_benefits_paid_visits_and_household_hi(demo_engine):
    with Session(demo_engine) as session:
        citizen = person_of(session, "citizen-l2")
        parent = person_of(session, "guardian")
        household = session.scalar(select(HouseholdMember.household_id).where(HouseholdMember.person_id == citizen.id))
        members = list(session.scalars(select(HouseholdMember.person_id).where(
            HouseholdMember.household_id == household)))
        cards = list(session.scalars(select(HICoverage).where(HICoverage.person_id.in_(members))))
        settled = session.execute(
            select(BenefitSettlement.person_id, BenefitSettlement.regime, BenefitSettlement.amount)
            .where(BenefitSettlement.person_id.in_(members))
        ).all()
        visits = session.scalar(select(func.count()).select_from(MedicalVisit).where(
            MedicalVisit.person_id == citizen.id))
    assert parent.id in members and parent.spouse_id == citizen.personal_id, "the demo parent is the spouse"
    household_hi = [c for c in cards if c.beneficiary_group == "GD"]
    assert len(household_hi) >= 3 and len({c.valid_from for c in household_hi}) == 1, "bought together"
    assert {(pid, regime) for pid, regime, _ in settled} >= {(citizen.id, "sickness"), (parent.id, "maternity")}
    assert all(amount > 0 for _, _, amount in settled)
    assert visits >= 3


def test_older_generated_persons_have_histories_back_to_the_1990s(demo_engine):
    with Session(demo_engine) as session:
        household = session.scalar(select(HouseholdMember.household_id).where(
            HouseholdMember.person_id == person_of(session, "citizen-l2").id))
        showcase = set(session.scalars(select(HouseholdMember.person_id).where(
            HouseholdMember.household_id == household)))
        early = set(session.scalars(select(ParticipationPeriod.person_id).where(
            ParticipationPeriod.from_month < 200001)))
        changed = session.execute(
            select(ParticipationPeriod.person_id).group_by(ParticipationPeriod.person_id)
            .having(func.count(func.distinct(ParticipationPeriod.employer_id)) >= 3)
        ).scalars().all()
        visited = session.scalar(select(func.count(func.distinct(MedicalVisit.person_id))))
    assert len(early - showcase) >= 20, "a share of generated persons, not only the showcase"
    assert len(changed) >= 40, "job changes are common"
    assert visited >= 50


def test_every_seeded_visit_passes_what_a_clinic_report_is_checked_for(demo_engine):
    with Session(demo_engine) as session:
        rows = session.execute(
            select(MedicalVisit, HICoverage)
            .join(HICoverage, (HICoverage.person_id == MedicalVisit.person_id)
                  & (HICoverage.card_code == MedicalVisit.card_code))
        ).all()
        clinics = set(session.scalars(select(Clinic.code)))
        total = session.scalar(select(func.count()).select_from(MedicalVisit))
    assert len(rows) == total > 0, "each visit is on the holder's own card"
    for visit, card in rows:
        assert card.valid_from <= visit.admitted_at.date() <= card.valid_to
        assert visit.admitted_at <= visit.discharged_at and visit.discharged_at.date() <= END.last_day()
        assert visit.clinic_code in clinics and normalize_icd10(visit.main_diagnosis) == visit.main_diagnosis
        assert visit.hi_paid + visit.patient_paid + visit.other_paid == visit.total_cost


def test_at_least_twenty_residents_can_be_registered_as_new_employees(demo_engine):
    with Session(demo_engine) as session:
        count, residents = never_insured(session, 30)
        known = set(session.scalars(select(Person.personal_id).where(
            Person.personal_id.in_([r.personal_id for r in residents]))))
    assert count >= 20 and len(residents) >= 20
    assert not known, "none of them has a record yet"
    for resident in residents:
        age = (date(2026, 10, 31) - resident.date_of_birth).days // 365
        assert 18 <= age <= 31, "of working age"


def test_the_demo_parent_was_paid_to_care_for_the_youngest_when_sick(demo_engine):
    with Session(demo_engine) as session:
        parent = person_of(session, "guardian")
        [settled] = session.scalars(select(BenefitSettlement).where(
            BenefitSettlement.person_id == parent.id, BenefitSettlement.regime == "sick_child")).all()
        child = session.get(Person, settled.related_person_id)
    assert parent.personal_id in (child.mother_id, child.father_id), "the settlement names her child"
    assert settled.days == 3 and settled.amount > 0


def test_the_demo_citizen_is_reminded_of_the_household_cards_and_the_unpaid_months(demo_engine):
    """In the month after the data's last (the demo's today), the household's cards end this month and the employer
    still owes months: the day's reminders for the demo citizen (docs/reminders.md), read without sending."""
    from esibook.reminders.due import due_reminders

    with Session(demo_engine) as session:
        citizen = person_of(session, "citizen-l2")
        household = session.scalar(select(HouseholdMember.household_id).where(HouseholdMember.person_id == citizen.id))
        members = list(session.scalars(select(HouseholdMember.person_id).where(
            HouseholdMember.household_id == household)))
        everyone = due_reminders(session, date(2026, 11, 5), min(members), max(members))
    due = [d for d in everyone if d.person_id == citizen.id]
    kinds = [d.kind for d in due]
    assert kinds.count("household_hi_expiring") == 3, "the three grown children's cards, told to the head"
    assert all(d.details["valid_to"] == "2026-11-30" for d in due if d.kind == "household_hi_expiring")
    owed = next(d for d in due if d.kind == "employer_unpaid")
    assert owed.details["months"] and owed.details["owed"] > 0


def test_a_person_who_left_their_job_has_authorised_the_citizen_to_claim_sickness_for_them(demo_engine):
    from esibook.access import policy
    from esibook.access.models import Authorisation
    from esibook.benefits.claims import OwnSicknessClaim, prepare_own_sickness

    with Session(demo_engine) as session:
        grantor, citizen = person_of(session, "grantor"), person_of(session, "citizen-l2")
        [grant] = session.scalars(select(Authorisation).where(Authorisation.grantor_id == grantor.id)).all()
        assert grant.agent_id == citizen.id
        today = vietnam_today()
        assert policy.authorisation_refusal(grant, agent_id=citizen.id, scope="file:claim_sickness_own",
                                            today=today) is None
        last = max(p.to_month for p in periods_of(session, grantor) if p.participant_type == "employee")
        assert all(p.to_month is not None for p in periods_of(session, grantor)), "their job has ended"
        filed = prepare_own_sickness(session, grantor, OwnSicknessClaim(leave_month=str(Month.from_int(last)), days=3),
                                     open_claim=lambda *_: False)
        assert filed["total"] > 0 and filed["worksheet"]["eligible"], "the claim the citizen can file is payable"
