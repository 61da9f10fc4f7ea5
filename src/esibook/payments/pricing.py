"""What an order costs: pure functions over the dated parameters (``contributions/parameters.json``).

- **Voluntary SI** (Law 41/2024 Art. 36; Decree 159/2025): paid monthly, every 3, 6 or 12 months, or in advance
  for several years (at most 5, i.e. 60 months). Each month is priced with the parameters of that month: 22% of
  the chosen income (raised to that month's rural poverty line), less the State's support for the person's
  category while the 120-month limit allows (``contributions.dues.voluntary_payment``). A period that crosses
  2027-01 therefore pays the higher floor for its 2027 months.
- **Household HI**: 3, 6 or 12 months per member, each member at the amount of their place in the list (4.5% of
  the reference level for the first, then 70%, 60%, 50%, 40% of that; ``transactions.household.member_amount``),
  with the parameters of the member's first month.

Not modelled: the discount Decree 159/2025 grants on years paid in advance (the amount is the plain sum of the
months); see docs/payments.md.
"""

from __future__ import annotations

from dataclasses import dataclass

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
