"""The monthly run pays the other monthly benefits as it pays pensions, worked by hand: an unemployment allowance of
3 months at 4,500,000 from 2026-01 is paid one line by each month's run and none by the 4th; a run made twice in a
month pays nothing twice; a month held (no way of payment named) is paid, as back pay, by the first run after a way
is named; a month missed by the runs is back pay in the next one, never after the last month."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from esibook.benefits.models import BenefitSettlement
from esibook.benefits.monthly_benefits import months_of
from esibook.benefits.monthly_runs import NO_WAY, settle
from esibook.benefits.payouts import lines_due
from esibook.periods import Month

JAN, APR = Month(2026, 1), Month(2026, 4)
MONTHLY = 4_500_000


class FakeLedger:
    """A benefit's months kept in memory: the run's one settle() works on it as on the tables."""

    beneficiary_id, lump_sum, monthly = 1, 0, MONTHLY

    def __init__(self, first: Month, last: Month | None, way: dict | None = None):
        self.first, self.last, self.way, self.months = first, last, way, {}

    def rows(self, session, run):
        return {m: r for m, r in self.months.items() if m <= run}

    def new_row(self, session, month, amount, lump_sum):
        self.months[month] = row = SimpleNamespace(month=month, amount=amount, status=None, paid_in=None)
        return row

    def method_in(self, session, month):
        if self.way is None:
            return None, None
        way = {"authorisation_id": None, "agent_id": None, "bank_code": None, "account_number": None,
               "post_office": None, **self.way}
        return SimpleNamespace(**way), 1


def test_three_months_of_unemployment_one_line_a_run_and_none_after():
    paid: set[Month] = set()
    for run, expected in ((JAN, [JAN]), (JAN + 1, [JAN + 1]), (JAN + 2, [JAN + 2]), (APR, [])):
        lines = lines_due(JAN, run, paid, monthly=MONTHLY, lump_sum=0, last=JAN + 2)
        assert [line.month for line in lines] == expected
        assert all(line.amount == MONTHLY and not line.back_pay for line in lines)
        paid |= {line.month for line in lines}
    assert len(paid) * MONTHLY == 13_500_000, "3 × 4,500,000, the worksheet's total"


def test_a_month_the_runs_missed_is_back_pay_and_never_after_the_last_month():
    lines = lines_due(JAN, APR + 2, {JAN}, monthly=MONTHLY, lump_sum=0, last=JAN + 2)
    assert [(str(line.month), line.back_pay) for line in lines] == [("2026-02", True), ("2026-03", True)]


def test_the_run_pays_each_month_once_even_run_twice():
    ledger = FakeLedger(JAN, JAN + 2, {"method": "cash", "post_office": "Bưu điện Cầu Giấy"})
    first = settle(None, ledger, JAN)
    again = settle(None, ledger, JAN)
    assert (first.paid, first.held, again.paid, again.held) == (1, 0, 0, 0), "a run twice in a month pays nothing"
    assert ledger.months[JAN].payee == "Bưu điện Cầu Giấy" and ledger.months[JAN].status == "paid"
    assert [settle(None, ledger, m).paid for m in (JAN + 1, JAN + 2, APR, APR + 1)] == [1, 1, 0, 0]
    assert sum(r.amount for r in ledger.months.values()) == 13_500_000


def test_no_way_named_holds_the_month_until_one_is_named_then_it_is_back_pay():
    ledger = FakeLedger(JAN, None)
    held = settle(None, ledger, JAN)
    assert (held.paid, held.held) == (0, 1)
    assert (ledger.months[JAN].status, ledger.months[JAN].hold_reason, ledger.months[JAN].paid_at) == (
        "held", NO_WAY, None)
    assert settle(None, ledger, JAN) == held.__class__(0, 0), "held by this run: decided already"
    ledger.way = {"method": "bank", "bank_code": "VCB", "account_number": "0071000999111"}
    paid = settle(None, ledger, JAN + 1)
    assert (paid.paid, paid.held) == (2, 0)
    assert [(r.status, r.paid_in, r.payee) for r in ledger.months.values()] == [
        ("paid", (JAN + 1).as_int(), "Vietcombank ••••9111")] * 2, "the held month paid as back pay, the account masked"


def test_the_months_of_each_regime():
    unemployment = BenefitSettlement(regime="unemployment", period_from=date(2026, 1, 1), period_to=date(2026, 3, 31),
                                     amount=13_500_000)
    assert months_of(unemployment, {"amount": MONTHLY}) == (JAN, JAN + 2, MONTHLY)
    oad = BenefitSettlement(regime="oad_monthly", period_from=date(2025, 9, 1), period_to=date(2026, 2, 28),
                            amount=1_497_200)
    assert months_of(oad, {}) == (JAN + 1, None, 1_497_200), "from the month of the assessment, until stopped"
    survivors = BenefitSettlement(regime="survivors_monthly", period_from=date(2026, 12, 1),
                                  period_to=date(2026, 12, 31), amount=1_170_000)
    assert months_of(survivors, {}) == (Month(2026, 12), None, 1_170_000), "from the month after the death"
