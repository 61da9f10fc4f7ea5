"""What an order costs: pure functions over the dated parameters (``contributions/parameters.json``).

- **Voluntary SI** (Law 41/2024 Art. 36; Decree 159/2025): paid monthly, every 3, 6 or 12 months, or in advance
  for several years (at most 5, i.e. 60 months). Each month is priced with the parameters of that month: 22% of
  the chosen income (raised to that month's rural poverty line), less the State's support for the person's
  category while the 120-month limit allows (``contributions.dues.voluntary_payment``). A period that crosses
  2027-01 therefore pays the higher floor for its 2027 months.
- **Household HI**: 3, 6 or 12 months per member, each member at the amount of their place in the list (4.5% of
  the reference level for the first, then 70%, 60%, 50%, 40% of that; ``transactions.household.member_amount``),
  with the parameters of the member's first month.

- **Voluntary SI for the missing years at retirement age** (đóng một lần cho những năm còn thiếu; Law 41/2024
  Art. 36(2)(e), Decree 159/2025): who may, and for how many months, is checked (``missing_years_months``); the
  amount is refused (``price_missing_years``): it carries compound interest at a rate Vietnam Social Security
  announces each year, which is not in the parameters.

Not modelled: the discount on years paid in advance (the amount is the plain sum of the months), whose formula and
rate under Decree 159/2025 are not confirmed here; see docs/payments.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from esibook.contributions.dues import voluntary_payment
from esibook.contributions.parameters import current_parameters
from esibook.errors import DomainError
from esibook.periods import Month
from esibook.transactions.household import member_amount

#: Terms of voluntary SI (Art. 36(2)): the months of each, ``advance`` in whole years from 2 to 5.
VOLUNTARY_TERMS: dict[str, tuple[int, ...]] = {
    "monthly": (1,),
    "quarterly": (3,),
    "six_monthly": (6,),
    "yearly": (12,),
    "advance": (24, 36, 48, 60),
}
VOLUNTARY_MONTHS = tuple(m for months in VOLUNTARY_TERMS.values() for m in months)
HOUSEHOLD_MONTHS = (3, 6, 12)
#: In advance: at most five years ahead of the current month (Art. 36(2)(đ)).
MAX_AHEAD_MONTHS = 60


@dataclass(frozen=True)
class PricedMonth:
    """One month of voluntary SI: the contribution, the State's support and what the person pays."""

    month: Month
    contribution: int
    support: int
    parameters_version: str

    @property
    def payable(self) -> int:
        return self.contribution - self.support

    def as_dict(self) -> dict:
        return {
            "month": str(self.month),
            "contribution": self.contribution,
            "support": self.support,
            "payable": self.payable,
        }


def check_months(months: int, allowed: tuple[int, ...]) -> None:
    if months not in allowed:
        shown = ", ".join(str(m) for m in allowed)
        raise DomainError(
            "payments.term", f"pay for one of: {shown} months", f"hãy chọn đóng một trong: {shown} tháng",
            field="months",
        )


def voluntary_months(
    income: int, category: str, first: Month, months: int, *, supported_before: int
) -> list[PricedMonth]:
    """Each month from ``first`` priced with its own parameters; ``supported_before`` months of the State's
    support were used before ``first`` (the 120-month limit counts on through the order)."""
    check_months(months, VOLUNTARY_MONTHS)
    priced, used = [], supported_before
    for month in Month.range(first, first + (months - 1)):
        payment = voluntary_payment(income, month, category, 1, supported_before=used)
        support = payment.monthly_state_support if payment.supported_months else 0
        used += payment.supported_months
        priced.append(PricedMonth(month, payment.monthly_contribution, support, payment.parameters_version))
    return priced


def check_ahead(first: Month, months: int, today: Month) -> None:
    """An order may reach at most 60 months past the current month."""
    if (first + (months - 1)) - today > MAX_AHEAD_MONTHS:
        raise DomainError(
            "payments.too_far_ahead",
            f"voluntary SI can be paid at most {MAX_AHEAD_MONTHS} months ahead",
            f"chỉ được đóng trước tối đa {MAX_AHEAD_MONTHS} tháng",
            field="months",
        )


def household_amounts(first_months: list[Month], months: int) -> list[dict]:
    """For each renewing member (in the household's order), their place, monthly amount and total."""
    check_months(months, HOUSEHOLD_MONTHS)
    parameters = current_parameters()
    rows = []
    for order, first in enumerate(first_months, start=1):
        monthly = member_amount(parameters.for_month(first), order)
        rows.append({"order": order, "first_month": str(first), "monthly": monthly, "amount": monthly * months})
    return rows


def missing_years_months(contributed_months: int, *, at_retirement_age: bool, on: date) -> int:
    """How many months a voluntary participant may pay once on ``on`` for the years still missing to a pension
    (đóng một lần cho những năm còn thiếu): the months missing to the pension's years, allowed only at retirement
    age and only when no more are missing than the rule in force allows (from 2025-07-01: at most 60 missing of
    180, Law 41/2024 Art. 36(2)(e); before: 120 of 240, Decree 134/2015 Art. 9(1)(e))."""
    rule = current_parameters().missing_years_rule(on)
    if not at_retirement_age:
        raise DomainError(
            "payments.missing_years_not_retired",
            "paying once for the missing years is for those who have reached the retirement age",
            "chỉ người đã đủ tuổi nghỉ hưu mới được đóng một lần cho những năm còn thiếu",
            field="kind",
        )
    missing = rule.pension_months - contributed_months
    if missing <= 0:
        raise DomainError(
            "payments.missing_years_none",
            f"you already have the {rule.pension_months} months of contributions a pension needs",
            f"bạn đã có đủ {rule.pension_months} tháng đóng để hưởng lương hưu",
            field="kind",
        )
    if missing > rule.max_missing_months:
        raise DomainError(
            "payments.missing_years_too_many",
            f"{missing} months are missing; paying once is allowed for at most {rule.max_missing_months}",
            f"còn thiếu {missing} tháng; chỉ được đóng một lần khi thiếu không quá {rule.max_missing_months} tháng",
            field="kind",
        )
    return missing


def price_missing_years(missing: int) -> NoReturn:
    """Refused: the amount is the missing months' contributions with compound interest at the Social Insurance
    Fund's average monthly investment rate of the year before, which Vietnam Social Security announces; that rate
    (and the decree's exact formula) is not in the parameters, so no price is made up."""
    raise DomainError(
        "payments.missing_years_unpriced",
        f"paying once for {missing} missing months cannot be priced online yet: its interest rate (announced by "
        "Vietnam Social Security) is not known here; ask your social insurance office",
        f"chưa thể tính số tiền đóng một lần cho {missing} tháng còn thiếu trực tuyến: lãi suất do BHXH Việt Nam "
        "công bố chưa có ở đây; hãy liên hệ cơ quan BHXH",
        field="kind",
    )
