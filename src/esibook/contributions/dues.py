"""Monthly dues (số phải đóng): for one employee and one month, the salary basis after the floor and the caps, and
the amount of each fund, employer's and employee's share. Pure functions over the dated parameters.

- SI/HI basis: the declared salary, raised to the region's minimum wage and capped at 20 × the reference level.
- UI basis: the same floor, capped at 20 × the region's minimum wage.
- Each fund's share is ``basis × rate`` rounded half up to the đồng (``parameters.share``).
The bulk posting computes the same in SQL (``contributions.dues_sql``); a test holds the two together.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from esibook.contributions.parameters import MonthParameters, current_parameters, share
from esibook.periods import Month

#: The funds of a contribution line, in the order of the book and the notices.
FUNDS = (
    "retirement_employer",
    "retirement_employee",
    "sickness_employer",
    "oad_employer",
    "ui_employer",
    "ui_employee",
    "hi_employer",
    "hi_employee",
)


@dataclass(frozen=True)
class Dues:
    month: Month
    declared_salary: int
    salary_basis: int
    """SI and HI basis after the floor and the cap."""
    ui_basis: int
    retirement_employer: int
    retirement_employee: int
    sickness_employer: int
    oad_employer: int
    ui_employer: int
    ui_employee: int
    hi_employer: int
    hi_employee: int
    parameters_version: str

    @property
    def employer_share(self) -> int:
        return (
            self.retirement_employer
            + self.sickness_employer
            + self.oad_employer
            + self.ui_employer
            + (self.hi_employer)
        )

    @property
    def employee_share(self) -> int:
        return self.retirement_employee + self.ui_employee + self.hi_employee

    @property
    def total(self) -> int:
        return self.employer_share + self.employee_share

    def funds(self) -> dict[str, int]:
        return {fund: getattr(self, fund) for fund in FUNDS}

    def as_dict(self) -> dict:
        return {**asdict(self), "month": str(self.month), "total": self.total}


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def employee_dues(
    salary: int, month: Month, region: int, *, reduced_oad: bool = False, params: MonthParameters | None = None
) -> Dues:
    """Dues of an employee (người lao động) with a labour contract: all five funds."""
    p = params or current_parameters().for_month(month)
    floor = p.regional_minimum_wage[region]
    basis = clamp(salary, floor, p.si_cap)
    ui_basis = clamp(salary, floor, p.ui_cap[region])
    r = p.rates
    return Dues(
        month=month,
        declared_salary=salary,
        salary_basis=basis,
        ui_basis=ui_basis,
        retirement_employer=share(basis, r.retirement_employer),
        retirement_employee=share(basis, r.retirement_employee),
        sickness_employer=share(basis, r.sickness_employer),
        oad_employer=share(basis, r.oad_employer_reduced if reduced_oad else r.oad_employer),
        ui_employer=share(ui_basis, r.ui_employer),
        ui_employee=share(ui_basis, r.ui_employee),
        hi_employer=share(basis, r.hi_employer),
        hi_employee=share(basis, r.hi_employee),
        parameters_version=p.version,
    )


def voluntary_dues(income: int, month: Month, params: MonthParameters | None = None) -> Dues:
    """Voluntary SI (BHXH tự nguyện): 22% of the chosen income, between the rural poverty line and the cap."""
    p = params or current_parameters().for_month(month)
    basis = clamp(income, p.rural_poverty_line, p.si_cap)
    return Dues(
        month=month,
        declared_salary=income,
        salary_basis=basis,
        ui_basis=0,
        retirement_employer=0,
        retirement_employee=share(basis, p.rates.voluntary_retirement),
        sickness_employer=0,
        oad_employer=0,
        ui_employer=0,
        ui_employee=0,
        hi_employer=0,
        hi_employee=0,
        parameters_version=p.version,
    )


SUPPORT_CATEGORIES = ("poor", "near_poor", "ethnic_minority", "other")


@dataclass(frozen=True)
class VoluntaryPayment:
    """What a voluntary participant pays for a period paid at once (1, 3, 6 or 12 months, in advance)."""

    monthly_contribution: int
    monthly_state_support: int
    months: int
    parameters_version: str

    @property
    def monthly_payable(self) -> int:
        return self.monthly_contribution - self.monthly_state_support

    @property
    def payable(self) -> int:
        return self.monthly_payable * self.months


def voluntary_payment(income: int, month: Month, category: str, months: int) -> VoluntaryPayment:
    """22% of the chosen income, less the State's support: a percentage (by category) of 22% of the rural poverty
    line (Law on Social Insurance 2024, Art. 31; at most 120 months of support in a life)."""
    p = current_parameters().for_month(month)
    contribution = voluntary_dues(income, month, p).total
    on_poverty_line = share(p.rural_poverty_line, p.rates.voluntary_retirement)
    support = (on_poverty_line * p.voluntary_support_percent[category] + 50) // 100
    return VoluntaryPayment(contribution, support, months, p.version)
