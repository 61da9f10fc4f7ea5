"""Dated parameters (rates, reference level, regional minimum wages, caps) loaded from ``parameters.json``.

Values that change by decree are data, looked up by the date that matters, never constants in code.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from esibook.errors import DomainError
from esibook.periods import Month


@dataclass(frozen=True)
class Rates:
    """Contribution rates in basis points of the salary basis (1400 = 14%)."""

    retirement_employer: int
    sickness_employer: int
    oad_employer: int
    oad_employer_reduced: int
    ui_employer: int
    hi_employer: int
    retirement_employee: int
    ui_employee: int
    hi_employee: int
    voluntary_retirement: int


@dataclass(frozen=True)
class MonthParameters:
    """Everything a month's contribution needs, as in force on the first day of that month."""

    month: Month
    reference_level: int
    rural_poverty_line: int
    regional_minimum_wage: dict[int, int]
    rates: Rates
    si_cap: int
    ui_cap: dict[int, int]
    version: str
    voluntary_support_percent: dict[str, int]
    """State support of voluntary SI, in percent of the contribution on the rural poverty line, by category."""
    household_hi_basis_points: int
    household_member_percent: tuple[int, ...]
    """Household HI: the 1st, 2nd, 3rd, 4th member's share of the first member's amount; the last applies from the
    5th on."""


@dataclass(frozen=True)
class MissingYearsRule:
    """Voluntary SI paid once for the years still missing at retirement age: allowed when at most
    ``max_missing_months`` are missing of the ``pension_months`` a pension needs."""

    max_missing_months: int
    pension_months: int


@dataclass(frozen=True)
class ParameterSet:
    version: str
    reference_level: list[tuple[date, int]]
    rural_poverty_line: list[tuple[date, int]]
    regional_minimum_wage: list[tuple[date, dict[int, int]]]
    rates: list[tuple[date, Rates]]
    si_cap_multiple: int
    ui_cap_multiple: int
    voluntary_support: list[tuple[date, dict[str, int]]]
    household_hi: list[tuple[date, tuple[int, tuple[int, ...]]]]
    voluntary_support_months_limit: int = 120
    """State support of voluntary SI is paid for at most this many months in a life (Decree 159/2025/ND-CP)."""
    voluntary_missing_years: tuple[tuple[date, MissingYearsRule], ...] = ()
    """Paying once for the missing years at retirement age (đóng một lần cho những năm còn thiếu), by the day the
    payment is made."""

    def missing_years_rule(self, on: date) -> MissingYearsRule:
        return self.in_force(list(self.voluntary_missing_years), on)

    def voluntary_support_began(self) -> Month:
        """The first month in which the State supported voluntary SI (2018-01 under Decree 134/2015): the months
        counted towards the limit start there."""
        start = next(day for day, percent in self.voluntary_support if any(percent.values()))
        return Month.from_date(start)

    def in_force(self, series: list[tuple[date, object]], on: date):
        index = bisect_right([start for start, _ in series], on) - 1
        if index < 0:
            raise DomainError(
                "parameters.before_first",
                f"no parameter is in force on {on.isoformat()}",
                f"không có tham số nào có hiệu lực vào ngày {on.isoformat()}",
            )
        return series[index][1]

    def first_month(self) -> Month:
        """The first month on whose first day every series has a value: months before it cannot be priced."""
        series = (self.reference_level, self.rural_poverty_line, self.regional_minimum_wage, self.rates,
                  self.voluntary_support, self.household_hi)
        latest_start = max(entries[0][0] for entries in series)
        first = Month.from_date(latest_start)
        return first if latest_start.day == 1 else first + 1

    def for_month(self, month: Month) -> MonthParameters:
        day = month.first_day()
        reference = self.in_force(self.reference_level, day)
        minimum = self.in_force(self.regional_minimum_wage, day)
        return MonthParameters(
            month=month,
            reference_level=reference,
            rural_poverty_line=self.in_force(self.rural_poverty_line, day),
            regional_minimum_wage=minimum,
            rates=self.in_force(self.rates, day),
            si_cap=self.si_cap_multiple * reference,
            ui_cap={region: self.ui_cap_multiple * wage for region, wage in minimum.items()},
            version=self.version,
            voluntary_support_percent=self.in_force(self.voluntary_support, day),
            household_hi_basis_points=self.in_force(self.household_hi, day)[0],
            household_member_percent=self.in_force(self.household_hi, day)[1],
        )


def _dated(entries: list[dict], key: str, convert=lambda v: v) -> list[tuple[date, object]]:
    return sorted((date.fromisoformat(e["from"]), convert(e[key])) for e in entries)


def _figure(entry: dict | int) -> int:
    """A single figure: ``{"value": …, "source": …}`` (or, in an older file, the bare number)."""
    return entry["value"] if isinstance(entry, dict) else entry


def _rates(entry: dict) -> Rates:
    er, ee = entry["employer"], entry["employee"]
    return Rates(
        er["retirement"],
        er["sickness"],
        er["oad"],
        er["oad_reduced"],
        er["ui"],
        er["hi"],
        ee["retirement"],
        ee["ui"],
        ee["hi"],
        entry["voluntary"]["retirement"],
    )


@cache
def current_parameters() -> ParameterSet:
    raw = json.loads(resources.files("esibook.contributions").joinpath("parameters.json").read_text("utf-8"))
    return ParameterSet(
        version=raw["version"],
        reference_level=_dated(raw["reference_level"], "value"),
        rural_poverty_line=_dated(raw["rural_poverty_line"], "value"),
        regional_minimum_wage=_dated(
            raw["regional_minimum_wage"], "values", lambda v: {int(k): int(x) for k, x in v.items()}
        ),
        rates=sorted((date.fromisoformat(e["from"]), _rates(e)) for e in raw["contribution_rates"]),
        voluntary_support=_dated(raw["voluntary_support_percent"], "values"),
        household_hi=sorted(
            (date.fromisoformat(e["from"]), (e["rate_basis_points"], tuple(e["member_percent"])))
            for e in raw["household_hi"]
        ),
        si_cap_multiple=_figure(raw["si_hi_cap_multiple_of_reference_level"]),
        ui_cap_multiple=_figure(raw["ui_cap_multiple_of_regional_minimum_wage"]),
        voluntary_support_months_limit=raw["voluntary_support_months_limit"]["value"],
        voluntary_missing_years=tuple(sorted(
            (date.fromisoformat(e["from"]), MissingYearsRule(e["max_missing_months"], e["pension_months"]))
            for e in raw.get("voluntary_missing_years", [])
        )),
    )


def share(basis: int, basis_points: int) -> int:
    """One fund's share in VND: ``basis × rate``, rounded half up to the đồng (the one rounding rule)."""
    return (basis * basis_points + 5000) // 10000
