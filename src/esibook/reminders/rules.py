"""When a reminder is due: pure functions over dated data (Vietnam's days), one per kind.

- **HI card ending** (thẻ BHYT sắp hết hạn): from :data:`CARD_LEAD_DAYS` days before the card's last day to that
  day, unless a later card of the person already continues it. A household card (group GD) is its own kind, since
  renewing it is the household's registration.
- **Voluntary SI due** (đến hạn đóng BHXH tự nguyện): the registration's term (1, 3, 6 or 12 months) cuts the months
  from its first month into periods; the next period is the one holding the first month not yet paid. It is
  reminded from :data:`VOLUNTARY_LEAD_DAYS` days before the period begins until the period's last day (while it
  stays unpaid), once per period. esibook asks for the payment by the last day of the period's first month.
- **Unpaid months at the employer** (đơn vị chưa đóng): the months an employer still owes for the person whose due
  date (the last day of the following month, ``contributions.payments.due_date``) has passed; reminded once for each
  newest owed month, so a month that becomes owed later reminds again.
- **Dossier needing more information** (hồ sơ cần bổ sung): still waiting :data:`NEEDS_INFO_DAYS` days after the
  officer asked; once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from esibook.contributions.payments import due_date
from esibook.periods import Month
from esibook.text import N_

HI_CARD, HOUSEHOLD_HI, VOLUNTARY_SI, EMPLOYER_UNPAID, DOSSIER_NEEDS_INFO = (
    "hi_card_expiring",
    "household_hi_expiring",
    "voluntary_si_due",
    "employer_unpaid",
    "dossier_needs_info",
)
KINDS = (HI_CARD, HOUSEHOLD_HI, VOLUNTARY_SI, EMPLOYER_UNPAID, DOSSIER_NEEDS_INFO)
KIND_LABELS = {
    HI_CARD: N_("My HI card is ending"),
    HOUSEHOLD_HI: N_("My household HI card is ending"),
    VOLUNTARY_SI: N_("My voluntary SI payment is due"),
    EMPLOYER_UNPAID: N_("My employer has not paid a month"),
    DOSSIER_NEEDS_INFO: N_("A dossier of mine needs more information"),
}
CHANNELS = ("inapp", "email")

CARD_LEAD_DAYS = 30
VOLUNTARY_LEAD_DAYS = 7
NEEDS_INFO_DAYS = 3
HOUSEHOLD_GROUP = "GD"
TERMS = (1, 3, 6, 12)


def card_kind(beneficiary_group: str) -> str:
    return HOUSEHOLD_HI if beneficiary_group == HOUSEHOLD_GROUP else HI_CARD


#: Cards paid by the employee and the employer (Decision 1351/QĐ-BHXH): the employer renews them for as long as the
#: person works there, so they are reminded only to a person with no open employment.
EMPLOYER_PAID_GROUPS = frozenset({"DN", "HX", "CH", "NN", "TK", "HC", "XK"})
#: Cards the social insurance agency renews itself while the pension is paid (lương hưu): never reminded.
AGENCY_RENEWED_GROUPS = frozenset({"HT"})


def card_ending(valid_to: date, as_of: date, covered_until: date | None, *, group: str = HOUSEHOLD_GROUP,
                employed: bool = False) -> bool:
    """A card ending within :data:`CARD_LEAD_DAYS` days (its last day included) that no later card continues and
    that no one renews for the person: ``covered_until`` is the last day of the person's latest card; an employee's
    card (``group`` employer-paid) is renewed by the employer while ``employed``, a pensioner's by the agency."""
    if not as_of <= valid_to <= as_of + timedelta(days=CARD_LEAD_DAYS):
        return False
    if group in AGENCY_RENEWED_GROUPS or (group in EMPLOYER_PAID_GROUPS and employed):
        return False
    return covered_until is None or covered_until <= valid_to


@dataclass(frozen=True)
class VoluntaryDue:
    """The next period of a voluntary SI registration to pay: its first month, how many months, and by when."""

    first_month: Month
    months: int
    pay_by: date

    @property
    def subject_key(self) -> str:
        return f"{self.first_month}:{self.months}"


def voluntary_due(
    from_month: Month, term: int, last_paid: Month | None, as_of: date, to_month: Month | None = None
) -> VoluntaryDue | None:
    """The period to remind of on ``as_of``, or None. ``last_paid`` is the newest month paid (months are paid in
    order); ``to_month`` the registration's last month when it has ended."""
    term = term if term in TERMS else 1
    next_month = from_month if last_paid is None or last_paid < from_month else last_paid + 1
    if to_month is not None and next_month > to_month:
        return None
    first = from_month + ((next_month - from_month) // term) * term
    months = term if to_month is None else min(term, (to_month - first) + 1)
    begins, ends = first.first_day(), (first + (months - 1)).last_day()
    if not begins - timedelta(days=VOLUNTARY_LEAD_DAYS) <= as_of <= ends:
        return None
    return VoluntaryDue(first, months, first.last_day())


def owed_months(months: list[Month], as_of: date) -> list[Month]:
    """The months (still owed by an employer) whose due date is before ``as_of``, oldest first."""
    return sorted(m for m in set(months) if due_date(m) < as_of)


def employer_subject_key(employer_id: int, owed: list[Month]) -> str:
    return f"{employer_id}:{max(owed)}"


def needs_info_due(requested_on: date, as_of: date) -> bool:
    """A request for more information still unanswered :data:`NEEDS_INFO_DAYS` days after it was made."""
    return (as_of - requested_on).days >= NEEDS_INFO_DAYS
