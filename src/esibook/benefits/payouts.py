"""Where and how a pension (or a one-off benefit, :mod:`esibook.benefits.claim_payouts`) is paid (Law 41/2024
Art. 93): to the pensioner's bank account, or in cash at a post office (bưu điện, the collection and payment agent
of Vietnam Social Security). Pure checks of what the pensioner types, and how an account is shown (masked).

A change of where or how takes effect from the month after it is made: the current month is already being paid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from esibook.errors import DomainError
from esibook.periods import Month

#: Banks a pension is paid into (demo-sized list: code → name, as the State Bank's bank codes).
BANKS = {
    "VCB": "Vietcombank",
    "BIDV": "BIDV",
    "CTG": "VietinBank",
    "AGRIBANK": "Agribank",
    "TCB": "Techcombank",
    "MB": "MB Bank",
    "ACB": "ACB",
    "VPB": "VPBank",
    "LPB": "LPBank",
    "SHB": "SHB",
}
_ACCOUNT = re.compile(r"[0-9]{6,19}")


@dataclass(frozen=True)
class PaymentMethod:
    """``bank`` (a bank and an account number) or ``cash`` (at a post office)."""

    method: str
    bank_code: str | None = None
    account_number: str | None = None
    post_office: str | None = None
    authorisation_id: int | None = None
    """Paid to the authorised representative of this authorisation (their account, or cash they collect)."""
    agent_name: str | None = None

    def shown(self) -> str:
        """As a page or a payment row shows it: the account masked, or the post office; and the agent, if any."""
        where = (f"{BANKS[self.bank_code]} {mask_account(self.account_number)}" if self.method == "bank"
                 else self.post_office or "")
        return f"{AGENT_LABEL} {self.agent_name}: {where}" if self.authorisation_id else where

    def as_dict(self) -> dict:
        return {"method": self.method, "bank_code": self.bank_code, "account_number": self.account_number,
                "post_office": self.post_office, "authorisation_id": self.authorisation_id}


#: How a payment to an authorised representative is named on a payment row (Vietnamese, as stored).
AGENT_LABEL = "Người nhận thay theo ủy quyền"


def mask_account(number: str) -> str:
    """An account number as shown: only its last 4 digits (``••••6789``)."""
    return "••••" + number[-4:]


def _refuse(code: str, en: str, vi: str, field: str) -> DomainError:
    return DomainError(code, en, vi, field=field)


def parse_payment_method(
    method: str, bank_code: str | None = None, account_number: str | None = None, post_office: str | None = None,
    *, codes: str = "pension",
) -> PaymentMethod:
    """A payment method as typed: a known bank and an account of 6 to 19 digits (spaces and dashes allowed), or a
    post office named in 3 to 120 characters. ``codes``: the refusals' prefix (``pension.*`` for a pension,
    ``payout.*`` for a one-off benefit)."""
    method = (method or "").strip()
    what_en, what_vi = ("the pension", "lương hưu") if codes == "pension" else ("the benefit", "tiền chế độ")
    if method == "bank":
        bank = (bank_code or "").strip().upper()
        if bank not in BANKS:
            raise _refuse(f"{codes}.bank", "choose a bank from the list", "hãy chọn một ngân hàng trong danh sách",
                          "bank_code")
        digits = re.sub(r"[\s-]", "", account_number or "")
        if not _ACCOUNT.fullmatch(digits):
            raise _refuse(f"{codes}.account_number", "an account number is 6 to 19 digits",
                          "số tài khoản gồm 6 đến 19 chữ số", "account_number")
        return PaymentMethod("bank", bank_code=bank, account_number=digits)
    if method == "cash":
        office = " ".join((post_office or "").split())
        if not 3 <= len(office) <= 120:
            raise _refuse(f"{codes}.post_office", f"name the post office where you collect {what_en} (3 to 120 "
                          "characters)", f"hãy ghi tên bưu điện nơi nhận {what_vi} (3 đến 120 ký tự)", "post_office")
        return PaymentMethod("cash", post_office=office)
    raise _refuse(f"{codes}.method", "choose a bank account or cash at a post office",
                  "hãy chọn nhận qua tài khoản ngân hàng hoặc tiền mặt tại bưu điện", "method")


def change_takes_effect(current: Month, first_month: Month) -> Month:
    """The month a change of payment method made in ``current`` applies from: the next month, and never before
    the pension's first month."""
    return max(current + 1, first_month)


@dataclass(frozen=True)
class PayoutLine:
    """One month a run pays: the month's pension, the lump sum with the first month, and whether it is back pay
    (truy lĩnh: a month before the run's month, paid late in this run)."""

    month: Month
    amount: int
    lump_sum: int
    back_pay: bool


def lines_due(first: Month, run: Month, settled: set[Month], *, monthly: int, lump_sum: int,
              last: Month | None = None) -> list[PayoutLine]:
    """The lines a run for ``run`` pays a benefit from ``first`` (to ``last``, if it ends: the unemployment
    allowance's number of months): each month from the first to the run's month (not after the last) not yet paid
    (``settled``), oldest first, one line a month at the monthly amount; never a month already paid."""
    until = run if last is None else min(run, last)
    return [PayoutLine(month, monthly, lump_sum if month == first else 0, month < run)
            for month in Month.range(first, until) if month not in settled]


def card_renewal(valid_to: date | None, run: Month, months: int) -> tuple[date, date] | None:
    """The pensioner's next HI card (from, to) the run for ``run`` issues, or None while the card in hand is valid
    through the end of the next month: a new card starts the day after the old one ends (or with the run's month,
    if it had already lapsed or there was none) and runs ``months`` months, so the card never lapses."""
    if valid_to is not None and valid_to >= (run + 1).last_day():
        return None
    start = run.first_day() if valid_to is None or valid_to < run.first_day() else valid_to + timedelta(days=1)
    return start, (Month.from_date(start) + (months - 1)).last_day()


def first_pension_month(age_reached: Month, last_contributed: Month | None, filed: Month) -> Month:
    """The first month of pension: the month after the retirement age is reached and after the last month of
    contributions, and not before the month the claim is filed (no back pay is computed here)."""
    after_work = last_contributed + 1 if last_contributed else filed
    return max(age_reached + 1, after_work, filed)
