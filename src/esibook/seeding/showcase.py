"""The demo's first household, whose head is the citizen a newcomer signs in as (``access/demo.py`` picks the first
working adult): a book that reads like a life. A part of :class:`~esibook.seeding.generator.Generator`, used when
``SeedPlan.history`` is set.

- the head, 52: a first job in the 1990s, five employers, three gaps, the years before 2016 converted from the
  paper book, an unemployment benefit paid in the gap of 2018, a sickness benefit paid in 2023, and now an
  employer behind with its payments (employer 1 is always in arrears): unpaid months on top of the timeline;
- the spouse, 47, working (her employer is the demo employer representative's unit), a maternity benefit paid
  when the youngest was born, 3 days paid to care for the youngest when sick at 4, and the youngest's legal
  representative (the demo parent);
- three grown children on household health insurance (BHYT hộ gia đình, group GD) bought together, ending in the
  month after the data's last (the demo's current month: a reminder to renew, to them and to the head), and a pupil;
- visits reported by the clinics for each of them.
"""

from __future__ import annotations

from datetime import date, timedelta

from esibook.periods import Month
from esibook.seeding import vocab
from esibook.seeding.histories import salary_in
from esibook.seeding.plan import Life, PersonBatch, add_years, birthday, card_row

SHOWCASE_PERSONS = 6


def _job(title: str) -> tuple:
    return next(job for job in vocab.JOB_TITLES if job[0] == title)


class Showcase:
    """The showcase household (mixed into the generator)."""

    def _showcase_household(self, batch: PersonBatch) -> None:
        rng, today, end = self.rng, self.plan.reference_day, self.plan.end_month
        arrears_employer = self.employer_infos[0]
        province = arrears_employer.province_code
        household_id = self._next_household_id
        self._next_household_id += 1
        address = self.address(province)
        batch.households.append(
            {"id": household_id, "household_code": f"{province}{household_id:09d}", "address": address,
             "province_code": province}
        )
        head = self._person(batch, "male", birthday(rng, today, 52), province, address, insure=False)
        spouse = self._person(batch, "female", birthday(rng, today, 47), province, address, spouse_of=head,
                              insure=False)
        self._member(batch, household_id, head, "chu_ho")
        self._member(batch, household_id, spouse, "vo")
        children = []
        for age in (24, 21, 19, 9):
            child = self._person(batch, rng.choice(("male", "female")), birthday(rng, today, age), province,
                                 address, father=head, mother=spouse, insure=False)
            self._member(batch, household_id, child, "con")
            children.append(child)
        youngest = children[-1]
        youngest["representative_name"], youngest["representative_id"] = spouse["full_name"], spouse["personal_id"]
        others = [e for e in self.employers_by_authority["civil"] if e.id != arrears_employer.id] or [arrears_employer]
        paying = [e for e in others if not e.arrears_months] or others
        clinic = self.clinics_by_province[province][1]

        # The head: 1990s to now, five employers, gaps, benefits.
        y0 = head["date_of_birth"].year
        now_from = end - 64
        before = now_from - 31
        career = [
            (others[0], Month(y0 + 22, 9), Month(y0 + 27, 3), "Công nhân cơ khí", 9_000_000),
            (others[1 % len(others)], Month(y0 + 27, 10), Month(y0 + 35, 12), "Kỹ thuật viên bảo trì", 11_000_000),
            (others[2 % len(others)], Month(y0 + 36, 3), before - 5, "Kỹ sư cơ khí", 18_000_000),
            (paying[3 % len(paying)], before, now_from - 1, "Kỹ sư cơ khí", 22_000_000),
            (arrears_employer, now_from, None, "Trưởng phòng", 30_000_000),
        ]
        head_life = Life(self._showcase_periods(batch, head, career))
        salary = head_life.periods[-1]["salary_basis"]
        head["authority"] = "civil"
        self._settle(batch, head, head_life, "unemployment", before - 4, 3, head_life.periods[-2]["salary_basis"])
        self._settle(batch, head, head_life, "sickness", end - 30, 5, salary)
        card = self._showcase_card(batch, head, arrears_employer, province, clinic, now_from.first_day(),
                                   (before + 60).first_day())
        self._visits(batch, head, card, 3)

        # The spouse: one long job from her twenties (paper, then electronic), a maternity benefit, a second job.
        s0 = spouse["date_of_birth"].year
        born = Month.from_date(youngest["date_of_birth"])
        job_change = end - 69
        career = [
            (others[4 % len(others)], Month(s0 + 22, 3), job_change - 1, "Kế toán", 14_000_000),
            (paying[5 % len(paying)], job_change, None, "Kế toán trưởng", 24_000_000),
        ]
        spouse_life = Life(self._showcase_periods(batch, spouse, career))
        maternity_salary = next(p["salary_basis"] for p in spouse_life.periods if p["provenance"] == "electronic")
        self._settle(batch, spouse, spouse_life, "maternity", born, 180, maternity_salary)
        self._settle(batch, spouse, spouse_life, "sick_child", born + 50, 3, maternity_salary, related=youngest)
        card = self._showcase_card(batch, spouse, paying[5 % len(paying)], province, clinic, job_change.first_day(),
                                   (Month(s0 + 22, 3) + 60).first_day())
        self._visits(batch, spouse, card, 2)

        # Household HI for the three grown children, bought together (first member 100%, then 70%, 60%) for 12
        # months, ending with the month after the data's last: in the demo, this month, so the household is reminded
        # to renew (docs/reminders.md).
        joined = (end - 10).first_day()
        for n, child in enumerate(children[:3]):
            card = self._card_row(batch, child, "GD", 4, province, clinic, joined,
                                  add_years(joined, 1) - timedelta(days=1), None)
            if n < 2:
                self._visits(batch, child, card, 1)
        self._card_row(batch, youngest, "HS", 4, province, clinic, date(end.year, 1, 1), date(end.year, 12, 31), None)

    def _showcase_periods(self, batch: PersonBatch, person: dict, career: list) -> list[dict]:
        periods = []
        for employer, start, stop, title, real in career:
            periods.append(self._period(person, 0, employer, start, stop, _job(title), salary_in(real, start.year)))
        periods = self._priced_split(periods)
        batch.participation_periods.extend(periods)
        return periods

    def _showcase_card(self, batch, person, employer, province, clinic, valid_from: date, five_years: date) -> dict:
        """A card through work (DN, or HC at a public body) issued in the household's province."""
        group = "HC" if employer.business_type == "hcsn" else "DN"
        year_end = date(self.plan.end_month.year, 12, 31)
        return self._card_row(batch, person, group, 4, province, clinic, valid_from, year_end, five_years)

    def _card_row(self, batch, person, group, level, province, clinic, valid_from, valid_to, five_years) -> dict:
        card = card_row(person, group, level, province, clinic, valid_from, valid_to, five_years)
        batch.hi_coverages.append(card)
        return card
