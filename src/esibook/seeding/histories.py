"""Deep histories for a demo a person believes (``SeedPlan.history``): working lives from the first job, back to
the 1990s for older persons, with job changes, gaps, and the medical visits clinics reported; a part of
:class:`~esibook.seeding.generator.Generator`.

The dated parameters price months from :func:`~esibook.contributions.parameters.ParameterSet.first_month` (2016-01,
when the Law on Social Insurance 2014 took effect) on: the loader derives those months' contribution lines. What
came before is written the way the system records any month it cannot price, as participation periods *converted
from paper* (the salary the old book shows, no lines): a period that runs across that month is split there.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from esibook.periods import Month
from esibook.seeding import vocab
from esibook.seeding.plan import SELF_PAID, add_years, round_salary

#: Nominal wage growth a year, to write a 2026 salary in an earlier year's đồng (about what minimum wages did).
WAGE_GROWTH = 1.09
#: The earliest month a seeded career begins (a person's first job is at 18 to 26).
EARLIEST_MONTH = Month(1988, 1)
#: Main diagnoses of the visits seeded (ICD-10), with a typical cost of the visit in VND and whether it is a stay.
DIAGNOSES = (
    ("J06.9", 180_000, False),
    ("I10", 320_000, False),
    ("K29.7", 260_000, False),
    ("E11.9", 450_000, False),
    ("M54.5", 300_000, False),
    ("J18.9", 6_500_000, True),
    ("A09", 2_400_000, True),
    ("S93.4", 900_000, False),
)
#: Share of a visit's cost the HI fund pays, by benefit level (at the initial clinic, within caps).
FUND_PERCENT = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}


def salary_in(salary_2026: int, year: int) -> int:
    """A salary of 2026 written in ``year``'s đồng (rounded to 10,000 below two million, else to 100,000)."""
    value = salary_2026 / WAGE_GROWTH ** max(0, 2026 - year)
    return round_salary(value) if value >= 2_000_000 else max(10_000, int(round(value / 10_000)) * 10_000)


class Histories:
    """Careers from the first job, the paper/electronic split, and visits (mixed into the generator)."""

    def _first_priced(self) -> Month:
        return self.parameters.first_month()

    def _long_career(self, batch, person: dict, pool, *, until: Month | None = None) -> list[dict]:
        """A working life: from a first job at 18–26 (a third of those still working start later in life), jobs of
        half a year to ten years, a gap between some of them, up to nine periods; open at the end unless ``until``
        (a retirement) closes it."""
        rng, end = self.rng, until or self.plan.end_month
        entry = max(EARLIEST_MONTH, Month.from_date(add_years(person["date_of_birth"], rng.randint(18, 26))))
        entry = min(entry, end)  # a first job this month for the youngest: no career is empty
        late = until is None and rng.random() < 0.35  # a pension needs its years: only the working start late
        month = entry + rng.randrange(max(1, end - entry + 1)) if late else entry
        job = rng.choice(vocab.JOB_TITLES)
        real = rng.randint(job[2], job[3])
        periods: list[dict] = []
        while month <= end and len(periods) < 9:
            employer = rng.choice(pool)
            last = month + (rng.randint(6, 120) - 1)
            if last >= end:
                to_month = end if until or rng.random() < 0.15 else None
            else:
                to_month = last
            periods.append(
                self._period(person, 0, employer, month, to_month, job, salary_in(real, month.year))
            )
            if to_month is None or to_month >= end:
                break
            month = to_month + 1 + (rng.randint(1, 18) if rng.random() < 0.55 else 0)
            if rng.random() < 0.5:
                job = rng.choice(vocab.JOB_TITLES)
            real = int(max(real * rng.uniform(1.0, 1.2), rng.randint(job[2], job[3])))
        periods = self._priced_split(periods)
        batch.participation_periods.extend(periods)
        return periods

    def _priced_split(self, periods: list[dict]) -> list[dict]:
        """Months before the first priced month become periods converted from paper; a period across it is cut
        there, its electronic part paid at least that year's regional minimum wage. Numbered again from 1."""
        first, out = self._first_priced(), []
        for period in periods:
            start = Month.from_int(period["from_month"])
            stop = Month.from_int(period["to_month"]) if period["to_month"] else None
            if start >= first:
                out.append(period)
                continue
            paper_end = min(stop, first - 1) if stop else first - 1
            out.append({**period, "to_month": paper_end.as_int(), "provenance": "converted_from_paper"})
            if stop is None or stop >= first:
                floor = self.parameters.for_month(first).regional_minimum_wage[self._region_of(period)]
                grown = round_salary(period["salary_basis"] * WAGE_GROWTH ** (first.year - start.year))
                out.append({**period, "from_month": first.as_int(), "salary_basis": max(grown, floor)})
        for seq, period in enumerate(out, start=1):
            period["seq"] = seq
        return out

    def _region_of(self, period: dict) -> int:
        if period["employer_id"] == SELF_PAID:
            return 4
        return self.employer_infos[period["employer_id"] - 1].region

    def _visits(self, batch, person: dict, card: dict, count: int) -> None:
        """``count`` visits in the card's validity over the last two years, at the initial clinic or the
        provincial hospital, as the clinics reported them (XML1 fields, local time)."""
        rng, today = self.rng, self.plan.reference_day
        first = max(card["valid_from"], today - timedelta(days=730))
        last = min(card["valid_to"], today - timedelta(days=2))
        if last <= first:
            return
        province = f"0{card['province_code']}"
        hospital = self.clinics_by_province[province][0]
        for n in range(count):
            code, cost, stay = rng.choice(DIAGNOSES)
            day = first + timedelta(days=rng.randrange((last - first).days))
            admitted = datetime.combine(day, time(rng.randint(7, 15), rng.choice((0, 15, 30, 45))))
            length = timedelta(days=rng.randint(2, 6)) if stay else timedelta(minutes=rng.randint(40, 150))
            discharged = admitted + length
            total = round(cost * rng.uniform(0.7, 1.6), -3)
            fund = total * FUND_PERCENT[card["benefit_level"]] // 100
            clinic = hospital if stay else card["initial_clinic_code"]
            batch.medical_visits.append(
                {
                    "person_id": person["id"],
                    "id": person["id"] * 100 + n + 1,
                    "clinic_code": clinic,
                    "visit_ref": f"LK{day:%Y%m%d}{person['id']:07d}{n + 1}",
                    "card_code": card["card_code"],
                    "admitted_at": admitted,
                    "discharged_at": discharged,
                    "main_diagnosis": code,
                    "total_cost": int(total),
                    "hi_paid": int(fund),
                    "patient_paid": int(total - fund),
                    "other_paid": 0,
                    "source": "xml1",
                    "sent_by": "operator",
                    "received_at": datetime.combine(discharged.date() + timedelta(days=1), time(2), tzinfo=UTC),
                    "authority": card["authority"],
                }
            )
