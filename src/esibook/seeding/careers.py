"""Working lives of a seed run: careers with job changes and gaps, voluntary periods, HI coverage, pensions,
benefit settlements and unemployment reserves; a part of :class:`~esibook.seeding.generator.Generator`."""

from __future__ import annotations

from datetime import date, timedelta

from esibook.access.authorities import Authority
from esibook.periods import Month
from esibook.seeding import vocab
from esibook.seeding.plan import (
    SELF_PAID,
    EmployerInfo,
    Life,
    PersonBatch,
    add_years,
    birthday,
    card_row,
    months_in,
    round_salary,
)


class Careers:
    """Careers and what follows from them (mixed into the generator)."""

    # --- insurance: careers, coverage, reserves, settlements -----------------------------------------------

    def _insurance(self, batch: PersonBatch, person: dict, province: str) -> None:
        age = self._age(person["date_of_birth"])
        retirement_age = 61 if person["sex"] == "male" else 57
        life = Life()
        if 18 <= age < retirement_age and self.rng.random() < 0.78:
            life.periods = self._career(batch, person)
            if life.periods:
                self._after_career(batch, person, life)
        elif 18 <= age < retirement_age and self.rng.random() < 0.12:
            life.periods = [self._voluntary(batch, person)]
        if age >= retirement_age + 1 and self.rng.random() < 0.5:
            self._pension(batch, person, life)
        self._coverage(batch, person, province, life)

    def _career(self, batch: PersonBatch, person: dict, force_work: bool = False) -> list[dict]:
        rng, plan = self.rng, self.plan
        self._careers += 1
        authority = Authority.CIVIL
        if not force_work:  # about 0.6% each, and at least one each once 100 careers exist
            authority = {7: Authority.DEFENCE, 87: Authority.SECURITY}.get(self._careers % 160, Authority.CIVIL)
        person["authority"] = authority.value
        pool = self.employers_by_authority[authority]
        if plan.history and not force_work:
            return self._long_career(batch, person, pool)
        month = plan.start_month if rng.random() < 0.7 else plan.start_month + rng.randrange(plan.months)
        job = rng.choice(vocab.JOB_TITLES)
        salary = round_salary(rng.randint(job[2], job[3]))
        periods: list[dict] = []
        while month <= plan.end_month and len(periods) < 4:
            employer = rng.choice(pool)
            length = rng.randint(3, plan.months * 2)
            last = month + (length - 1)
            open_ended = last >= plan.end_month and rng.random() < 0.85
            to_month = None if open_ended else min(last, plan.end_month)
            periods.append(self._period(person, len(periods) + 1, employer, month, to_month, job, salary))
            if to_month is None:
                break
            month = to_month + 1 + (rng.randint(1, 6) if rng.random() < 0.6 else 0)
            if rng.random() < 0.5:
                job = rng.choice(vocab.JOB_TITLES)
            salary = round_salary(max(salary * rng.uniform(1.0, 1.25), rng.randint(job[2], job[3])))
        batch.participation_periods.extend(periods)
        return periods

    def _period(
        self, person, seq, employer: EmployerInfo, from_month: Month, to_month: Month | None, job, salary: int
    ) -> dict:
        rng = self.rng
        armed = employer.authority != Authority.CIVIL
        units, ranks = (
            (vocab.MILITARY_UNITS, vocab.MILITARY_RANKS)
            if employer.authority == Authority.DEFENCE
            else (vocab.POLICE_UNITS, vocab.POLICE_RANKS)
        )
        position = rng.choices(vocab.POSITIONS, weights=[40] + [4] * (len(vocab.POSITIONS) - 1))[0]
        return {
            "person_id": person["id"],
            "seq": seq,
            "employer_id": employer.id,
            "from_month": from_month.as_int(),
            "to_month": to_month.as_int() if to_month else None,
            "job_title": "Quân nhân chuyên nghiệp"
            if armed and employer.authority == Authority.DEFENCE
            else "Cán bộ, chiến sĩ"
            if armed
            else job[0],
            "position": position[0],
            "workplace": employer.address.split(", ")[-1],
            "salary_basis": salary,
            "participant_type": "armed_forces" if armed else "employee",
            "classified_unit": rng.choice(units) if armed else None,
            "classified_rank": rng.choice(ranks) if armed else None,
            "provenance": "electronic",
            "authority": employer.authority.value,
        }

    def _voluntary(self, batch: PersonBatch, person: dict) -> dict:
        """Voluntary SI (BHXH tự nguyện): self-paid, on a chosen income above the rural poverty line."""
        plan, rng = self.plan, self.rng
        start = plan.start_month + rng.randrange(plan.months)
        income = round_salary(rng.randint(1_500_000, 8_000_000))
        period = {
            "person_id": person["id"],
            "seq": 1,
            "employer_id": SELF_PAID,
            "from_month": start.as_int(),
            "to_month": None,
            "job_title": None,
            "position": None,
            "workplace": None,
            "salary_basis": income,
            "participant_type": "voluntary",
            "classified_unit": None,
            "classified_rank": None,
            "provenance": "electronic",
            "authority": Authority.CIVIL.value,
        }
        batch.participation_periods.append(period)
        return period

    def _after_career(self, batch: PersonBatch, person: dict, life: Life) -> None:
        """Reserves for those who left their last job, and a few sickness / maternity settlements."""
        periods = life.periods
        last = periods[-1]
        rng = self.rng
        if last["to_month"] is not None and last["participant_type"] == "employee":
            months = sum(months_in(p, self.plan.end_month) for p in periods)
            if months >= 12:
                since = Month.from_int(last["to_month"]) + 1
                batch.unemployment_reserves.append(
                    {
                        "person_id": person["id"],
                        "seq": 1,
                        "reserved_months": months,
                        "since_month": since.as_int(),
                        "reason": "Chấm dứt hợp đồng lao động, chưa hưởng trợ cấp thất nghiệp",
                        "authority": person["authority"],
                        "created_at": self.created_at,
                    }
                )
                if rng.random() < 0.3:
                    self._settle(batch, person, life, "unemployment", since, 3, last["salary_basis"])
        if rng.random() < 0.04:
            self._settle(
                batch,
                person,
                life,
                "sickness",
                Month.from_int(last["from_month"]),
                rng.randint(2, 10),
                last["salary_basis"],
            )
        age = self._age(person["date_of_birth"])
        if person["sex"] == "female" and 20 <= age <= 40 and rng.random() < 0.05:
            self._settle(
                batch,
                person,
                life,
                "maternity",
                Month.from_int(last["from_month"]),
                180,
                last["salary_basis"],
            )

    def _settle(
        self, batch: PersonBatch, person: dict, life: Life, regime: str, month: Month, days: int, salary: int,
        related: dict | None = None,
    ) -> None:
        month = min(month, self.plan.end_month)
        if month < self.parameters.first_month():  # before the priced months: the paper book's time, no decision
            return
        params = self.parameters.for_month(month)
        basis = min(salary, params.si_cap)
        if regime in ("sickness", "sick_child"):
            amount = basis * 75 // 100 * days // 24
        elif regime == "maternity":
            amount = basis * 6 + 2 * params.reference_level
        else:
            amount = min(basis * 60 // 100, 5 * params.regional_minimum_wage[1]) * days
        start = month.first_day()
        end = start + timedelta(days=days - 1) if regime != "unemployment" else (month + days - 1).last_day()
        self._decisions += 1
        settlement = {
            "person_id": person["id"],
            "seq": len(life.settlements) + 1,
            "regime": regime,
            "period_from": start,
            "period_to": end,
            "days": days if regime != "unemployment" else None,
            "amount": amount,
            "decision_no": f"{self._decisions}/QĐ-BHXH",
            "decision_date": start,
            "authority": person["authority"],
            "related_person_id": related["id"] if related else None,
        }
        life.settlements.append(settlement)
        batch.benefit_settlements.append(settlement)

    def _pension(self, batch: PersonBatch, person: dict, life: Life) -> None:
        rng = self.rng
        retired = birthday(rng, self.plan.reference_day, rng.randint(0, 10))
        if self.plan.history:  # the working life that earned the pension, closed the month before it began
            life.periods = self._long_career(
                batch, person, self.employers_by_authority[Authority.CIVIL], until=Month.from_date(retired) - 1
            )
        self._decisions += 1
        settlement = {
            "person_id": person["id"],
            "seq": len(life.settlements) + 1,
            "regime": "pension",
            "period_from": retired,
            "period_to": self.plan.reference_day,
            "days": None,
            "amount": round_salary(rng.randint(3_000_000, 15_000_000)),
            "decision_no": f"{self._decisions}/QĐ-BHXH",
            "decision_date": retired,
            "authority": person["authority"],
            "related_person_id": None,
        }
        life.settlements.append(settlement)
        batch.benefit_settlements.append(settlement)

    def _coverage(self, batch: PersonBatch, person: dict, province: str, life: Life) -> None:
        group, level, valid_from, valid_to = self._card_terms(person, life)
        if group is None:
            return
        clinic = self.rng.choice(self.clinics_by_province[province])
        five_years = None
        if group in ("DN", "HC", "QN", "CA", "HT") and self.rng.random() < 0.4:
            five_years = valid_from - timedelta(days=self.rng.randint(0, 2000))
        card = card_row(person, group, level, province, clinic, valid_from, valid_to, five_years)
        batch.hi_coverages.append(card)
        if self.plan.history and self.rng.random() < 0.3:
            self._visits(batch, person, card, self.rng.randint(1, 3))

    def _card_terms(self, person: dict, life: Life):
        """Which HI card a person holds: through work, as a child, a pupil, a pensioner or a household."""
        rng, end = self.rng, self.plan.end_month
        dob, age = person["date_of_birth"], self._age(person["date_of_birth"])
        year_end = date(end.year, 12, 31)
        current = [p for p in life.periods if p["to_month"] is None and p["participant_type"] != "voluntary"]
        if current:
            employer = self.employer_infos[current[0]["employer_id"] - 1]
            group = {"defence": "QN", "security": "CA"}.get(employer.authority) or (
                "HC" if employer.business_type == "hcsn" else "DN"
            )
            level = 1 if group in ("QN", "CA") else 4
            return group, level, Month.from_int(current[0]["from_month"]).first_day(), year_end
        if age < 6:
            return "TE", 1, dob, add_years(dob, 6) - timedelta(days=1)
        if age < 18:
            return "HS", 4, date(end.year, 1, 1), year_end
        if any(s["regime"] == "pension" for s in life.settlements):
            return "HT", 2, date(end.year, 1, 1), year_end
        if rng.random() < 0.6:
            start = (end - rng.randrange(24)).first_day()
            return "GD", 4, start, add_years(start, 1) - timedelta(days=1)
        return None, None, None, None
