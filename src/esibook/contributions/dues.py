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
    """What a voluntary participant pays for a period paid at once (1, 3, 6 or 12 months, in advance).

    The State supports at most 120 months in a life: ``supported_months`` of the period carry the support, the
    rest are paid in full; ``support_stopped`` says why when a month of the period has none."""

    monthly_contribution: int
    monthly_state_support: int
    months: int
    parameters_version: str
    supported_months: int = 0
    support_months_used_before: int = 0
    support_months_limit: int = 120

    @property
    def monthly_payable(self) -> int:
        """What a supported month costs (the contribution when no month of the period is supported)."""
        return self.monthly_contribution - (self.monthly_state_support if self.supported_months else 0)

    @property
    def payable(self) -> int:
        return self.monthly_contribution * self.months - self.monthly_state_support * self.supported_months

    @property
    def support_stopped(self) -> tuple[str, str] | None:
        """Why some month of the period gets no support (English, Vietnamese), or None."""
        if self.supported_months == self.months or not self.monthly_state_support:
            return None
        limit, used = self.support_months_limit, self.support_months_used_before
        return (
            f"the State supports voluntary SI for at most {limit} months; {used} months were supported before, so "
            f"{self.supported_months} of these {self.months} months are supported and the rest are paid in full",
            f"Nhà nước hỗ trợ đóng BHXH tự nguyện tối đa {limit} tháng; đã được hỗ trợ {used} tháng, nên "
            f"{self.supported_months} trong {self.months} tháng này được hỗ trợ, các tháng còn lại đóng đủ",
        )


def voluntary_payment(
    income: int, month: Month, category: str, months: int, *, supported_before: int = 0
) -> VoluntaryPayment:
    """22% of the chosen income, less the State's support: a percentage (by category) of 22% of the rural poverty
    line (Law on Social Insurance 2024, Art. 31), for at most 120 months in a life (Decree 159/2025/ND-CP):
    ``supported_before`` is the number of months already supported."""
    parameters = current_parameters()
    p = parameters.for_month(month)
    contribution = voluntary_dues(income, month, p).total
    on_poverty_line = share(p.rural_poverty_line, p.rates.voluntary_retirement)
    support = (on_poverty_line * p.voluntary_support_percent[category] + 50) // 100
    limit = parameters.voluntary_support_months_limit
    supported = min(months, max(0, limit - supported_before)) if support else 0
    return VoluntaryPayment(contribution, support, months, p.version, supported, supported_before, limit)
