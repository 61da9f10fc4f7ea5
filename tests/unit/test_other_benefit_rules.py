"""The other benefits worked by hand (issue 14, item 6): the funeral grant and the survivors' allowances (Law 41/2024
Art 85–89), the leave to care for a sick child (Art 44–45) and the occupational accident/disease benefit (Law
84/2015 Art 48–49). Each case writes the arithmetic in a comment; the worksheet must show the same figures and add
up. Reference levels come from the dated contribution parameters (2,340,000 from 2024-07-01, 1,800,000 before).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esibook.benefits.coefficients import AdjustmentTable
from esibook.benefits.rules import (
    ContributedMonth,
    Deceased,
    Relative,
    arithmetic_errors,
    funeral_grant,
    occupational,
    sick_child,
    survivors_lump_sum,
    survivors_monthly,
)
from esibook.benefits.survivorship import child_last_month
from esibook.periods import Month

FLAT = AdjustmentTable(date(2025, 1, 1), "flat", Decimal(1), {}, "flat")


def months(start: str, count: int, salary: int, kind: str = "compulsory") -> list[ContributedMonth]:
    first = Month.parse(start)
    return [ContributedMonth(first + i, salary, 0, kind, 1) for i in range(count)]


def adds_up(sheet) -> None:
    assert not arithmetic_errors(sheet), arithmetic_errors(sheet)
    assert all(r.source for r in sheet.rules), "every rule cites its legal source"


# --- funeral grant (Art 85) -----------------------------------------------------------------------------------


def test_funeral_grant_is_10_times_the_reference_level_of_the_month_of_death():
    # 24 months of compulsory SI from 2024-01; died 2025-10-15: 22 of them before the death (≥ 12).
    # 10 × 2,340,000 = 23,400,000
    sheet = funeral_grant(months("2024-01", 24, 9_000_000), Deceased(died_on=date(2025, 10, 15)))
    adds_up(sheet)
    assert sheet.eligible and sheet.value("compulsory_months") == 22
    assert sheet.value("grant") == sheet.result == 23_400_000
    assert any("Điều 85" in r.source for r in sheet.rules)


def test_funeral_grant_uses_the_reference_level_in_force_in_the_month_of_death():
    # died 2024-06-30: 10 × 1,800,000 = 18,000,000; died 2024-07-01: 10 × 2,340,000 = 23,400,000
    history = months("2020-01", 48, 7_000_000)
    assert funeral_grant(history, Deceased(died_on=date(2024, 6, 30))).result == 18_000_000
    assert funeral_grant(history, Deceased(died_on=date(2024, 7, 1))).result == 23_400_000


def test_no_funeral_grant_under_12_compulsory_or_60_voluntary_months_unless_a_pensioner_or_occupational():
    # 6 compulsory + 30 voluntary months: neither threshold; a pensioner or an occupational death needs none.
    history = months("2025-01", 6, 6_000_000) + months("2022-01", 30, 3_000_000, "voluntary")
    died = date(2025, 9, 1)
    refused = funeral_grant(history, Deceased(died_on=died))
    assert not refused.eligible and refused.result == 0 and "12" in refused.notes[0].en
    assert funeral_grant(months("2015-01", 60, 3_000_000, "voluntary"), Deceased(died_on=died)).eligible
    assert funeral_grant([], Deceased(died_on=died, pensioner=True)).result == 23_400_000
    assert funeral_grant(history, Deceased(died_on=died, occupational_death=True)).eligible
    assert funeral_grant(history, Deceased(died_on=died, oad_monthly=True)).eligible


# --- survivors' allowance, monthly (Art 86–87) -------------------------------------------------------------------


def test_monthly_survivors_allowance_50_or_70_percent_for_at_most_4_relatives():
    # The deceased: 200 months of compulsory SI (≥ 180). Died 2025-03-10: reference level 2,340,000.
    # child 10 → 2,340,000 × 50% = 1,170,000
    # wife 56, no income, no one to care for her → 2,340,000 × 70% = 1,638,000
    # father 58, not disabled → does not qualify
    # mother 70 → 1,170,000
    # child 17 → 1,170,000
    # child 5 → qualifies, but 4 relatives are already paid
    # total = 1,170,000 + 1,638,000 + 1,170,000 + 1,170,000 = 5,148,000 a month
    relatives = [
        Relative("child", 10, "male"),
        Relative("spouse", 56, "female", no_carer=True),
        Relative("father", 58, "male"),
        Relative("mother", 70, "female"),
        Relative("child", 17, "female"),
        Relative("child", 5, "male"),
    ]
    sheet = survivors_monthly(months("2008-01", 200, 8_000_000), Deceased(died_on=date(2025, 3, 10)), relatives)
    adds_up(sheet)
    assert [sheet.value(f"relative_{n}") for n in (1, 2, 4, 5)] == [1_170_000, 1_638_000, 1_170_000, 1_170_000]
    assert not sheet.has("relative_3") and not sheet.has("relative_6")
    assert sheet.result == sheet.value("total") == 5_148_000
    assert any("4 relatives" in n.en for n in sheet.notes)


def test_a_spouse_with_income_or_a_wife_under_55_does_not_qualify_unless_disabled():
    # wife 50: under 55; husband 62 with an income above the reference level; wife 40 with 81% loss → 1,170,000
    history = months("2008-01", 200, 8_000_000)
    died = Deceased(died_on=date(2025, 3, 10))
    assert not survivors_monthly(history, died, [Relative("spouse", 50, "female")]).eligible
    assert not survivors_monthly(history, died, [Relative("spouse", 62, "male", low_income=False)]).eligible
    assert survivors_monthly(history, died, [Relative("spouse", 40, "female", disabled_81=True)]).result == 1_170_000


def test_a_child_paid_for_being_under_18_is_paid_to_the_month_of_the_18th_birthday():
    # died 2025-03-10; a child born 2008-09-30 (16) is paid to 09/2026; born 2007-02-28 (18 on 2025-02-28): too old;
    # a child of 17 with an 81% loss and a widow of 60 qualify on other grounds: no last month
    history, died = months("2008-01", 200, 8_000_000), Deceased(died_on=date(2025, 3, 10))
    relatives = [Relative("child", 16, "male", born_on=date(2008, 9, 30)),
                 Relative("child", 18, "female", born_on=date(2007, 2, 28)),
                 Relative("child", 17, "female", disabled_81=True, born_on=date(2007, 11, 1)),
                 Relative("spouse", 60, "female", born_on=date(1965, 1, 1))]
    sheet = survivors_monthly(history, died, relatives)
    adds_up(sheet)
    assert sheet.value("relative_1_until") == "2026-09"
    assert not sheet.has("relative_2") and not sheet.has("relative_3_until") and not sheet.has("relative_4_until")
    assert any("18" in r.text.en and "end of the month" in r.text.en for r in sheet.rules)
    assert child_last_month(date(2012, 2, 29)) == Month(2030, 2), "a 29 February birthday: the month is February"
    # born 2007-03-25: 17 on 2025-03-10, 18 in March 2025, the month of the death: no month to pay, no place taken
    late = survivors_monthly(history, died, [Relative("child", 17, "male", born_on=date(2007, 3, 25))])
    assert not late.eligible and any("no month is paid" in n.en for n in late.notes)


def test_no_monthly_allowance_under_15_years_unless_a_pensioner_or_an_occupational_death():
    # 100 compulsory months: the relatives get the lump sum instead; as a pensioner: 1 child × 1,170,000
    history, child = months("2015-01", 100, 8_000_000), [Relative("child", 3, "male")]
    refused = survivors_monthly(history, Deceased(died_on=date(2025, 3, 10)), child)
    assert not refused.eligible and "lump sum" in refused.notes[-1].en
    assert survivors_monthly(history, Deceased(date(2025, 3, 10), pensioner=True), child).result == 1_170_000
    assert survivors_monthly(history, Deceased(date(2025, 3, 10), oad_monthly_loss=61), child).eligible
    assert not survivors_monthly(history, Deceased(date(2025, 3, 10), oad_monthly_loss=60), child).eligible


# --- survivors' lump sum (Art 88–89) ----------------------------------------------------------------------------


def test_survivors_lump_sum_moves_pre_2014_leftover_months_and_rounds_later_ones():
    # 62 months before 2014 (2008-11 … 2013-12) and 75 from 2014 (2014-01 … 2020-03), 10,000,000 each (flat table):
    # before 2014: 5 full years, 2 leftover months move on; from 2014: 75 + 2 = 77 months = 6 years 5 months → 6.5
    # months = 1.5 × 5 + 2 × 6.5 = 20.5; amount = 10,000,000 × 20.5 = 205,000,000
    history = months("2008-11", 62, 10_000_000) + months("2014-01", 75, 10_000_000)
    sheet = survivors_lump_sum(history, Deceased(died_on=date(2020, 4, 10)), table=FLAT)
    adds_up(sheet)
    assert sheet.value("years_before_2014") == 5 and sheet.value("months_from_2014_counted") == 77
    assert sheet.value("years_from_2014") == Decimal("6.5") and sheet.value("months_counted") == Decimal("20.5")
    assert sheet.result == sheet.value("amount") == 205_000_000


def test_survivors_lump_sum_is_at_least_3_months_of_the_average():
    # 10 months in 2024 at 6,000,000: 10 months → 1 year → 2 months, raised to the minimum 3 → 18,000,000
    sheet = survivors_lump_sum(months("2024-01", 10, 6_000_000), Deceased(died_on=date(2024, 12, 1)), table=FLAT)
    adds_up(sheet)
    assert sheet.value("months_counted") == 2 and sheet.value("benefit_months") == 3
    assert sheet.result == 18_000_000


def test_a_pensioners_survivors_lump_sum_follows_the_months_of_pension_drawn():
    # pension 6,000,000 from 2025-01; died 2025-02-20: month 2 of the pension → 48 months = 288,000,000
    # died 2025-12-01: 12 months drawn → 48 − 0.5 × (12 − 2) = 43 months = 258,000,000
    # died 2033-01-05: 97 months → 48 − 47.5 = 0.5, raised to 3 months = 18,000,000
    history = months("2000-01", 300, 5_000_000)

    def lump(died: date):
        return survivors_lump_sum(
            history,
            Deceased(died, pensioner=True, monthly_pension=6_000_000, pension_from=date(2025, 1, 1)),
            table=FLAT,
        )

    early = lump(date(2025, 2, 20))
    adds_up(early)
    assert early.value("months_drawn") == 2 and early.value("benefit_months") == 48
    assert early.result == 288_000_000
    assert lump(date(2025, 12, 1)).result == 258_000_000
    assert lump(date(2033, 1, 5)).value("benefit_months") == 3
    unknown = survivors_lump_sum(history, Deceased(date(2025, 1, 1), pensioner=True))
    assert not unknown.eligible and "pension" in unknown.notes[0].en


# --- caring for a sick child (Art 44–45) --------------------------------------------------------------------------


def test_sick_child_under_3_has_20_days_a_year_at_75_percent_over_24():
    # salary of 2025-05 (the most recent month before the leave): 8,000,000; child born 2023-08-20 is 1 on 2025-06-01
    # at most 20 days; 17 already paid this year → 3 left; asked 5 → 3 paid
    # a day = 8,000,000 × 75% ÷ 24 = 250,000; total = 250,000 × 3 = 750,000
    sheet = sick_child(
        months("2025-01", 5, 8_000_000), leave_month=Month(2025, 6), child_born=date(2023, 8, 20), days=5, days_taken=17
    )
    adds_up(sheet)
    assert sheet.value("days_per_year") == 20 and sheet.value("days_left") == 3 and sheet.value("days") == 3
    assert sheet.result == sheet.value("daily") == 250_000 and sheet.value("amount_for_days") == 750_000


@pytest.mark.parametrize(
    ("born", "cap"),
    [(date(2022, 6, 2), 20), (date(2022, 6, 1), 15), (date(2018, 6, 2), 15), (date(2018, 6, 1), 0)],
)
def test_sick_child_days_by_the_childs_age_on_the_first_day_of_the_leave_month(born, cap):
    # on 2025-06-01: born 2022-06-02 is 2 (20 days); 2022-06-01 is 3 (15); 2018-06-02 is 6 (15); 2018-06-01 is 7 (none)
    sheet = sick_child(months("2025-01", 5, 8_000_000), leave_month=Month(2025, 6), child_born=born, days=2)
    assert sheet.eligible == bool(cap)
    if cap:
        assert sheet.value("days_per_year") == cap


def test_sick_child_in_the_first_month_uses_that_months_salary_and_a_used_up_year_pays_nothing():
    # no earlier month; 6,000,000 in 2025-06 itself: 6,000,000 × 75% ÷ 24 = 187,500 a day
    first = sick_child(
        [], leave_month=Month(2025, 6), child_born=date(2024, 1, 1), days=2, first_month_salary=6_000_000
    )
    assert first.result == 187_500 and first.value("amount_for_days") == 375_000
    used = sick_child(
        months("2025-01", 5, 8_000_000), leave_month=Month(2025, 6), child_born=date(2024, 1, 1), days=2, days_taken=20
    )
    assert not used.eligible and "20" in used.notes[-1].en


# --- occupational accident and disease (Law 84/2015 Art 48–49) ----------------------------------------------------


def test_occupational_lump_sum_for_a_20_percent_loss():
    # 38 months contributed (2022-03 … 2025-04) at 10,000,000; accident 2025-05, assessed 2025-08 (base 2,340,000)
    # years: 38 months → 3 years 2 months, leftover counts as a year → 4
    # by the loss: 5 + 0.5 × (20 − 5) = 12.5 → 2,340,000 × 12.5 = 29,250,000
    # by the years: 0.5 + 0.3 × (4 − 1) = 1.4 months → 10,000,000 × 1.4 = 14,000,000
    # total = 29,250,000 + 14,000,000 = 43,250,000
    sheet = occupational(
        months("2022-03", 38, 10_000_000), event_month=Month(2025, 5), assessed_month=Month(2025, 8), loss=20
    )
    adds_up(sheet)
    assert sheet.benefit == "oad" and sheet.value("years") == 4
    assert sheet.value("by_loss") == 29_250_000 and sheet.value("by_years") == 14_000_000
    assert sheet.result == sheet.value("total") == 43_250_000
    assert any("Điều 48" in r.source for r in sheet.rules)


def test_occupational_monthly_allowance_for_a_45_percent_loss():
    # same worker, 45%: rate 30 + 2 × (45 − 31) = 58% → 2,340,000 × 58% = 1,357,200
    # by the years: 0.5 + 0.3 × (4 − 1) = 1.4% → 10,000,000 × 1.4% = 140,000
    # monthly = 1,357,200 + 140,000 = 1,497,200
    sheet = occupational(
        months("2022-03", 38, 10_000_000),
        event_month=Month(2025, 5),
        assessed_month=Month(2025, 8),
        loss=45,
        kind="disease",
    )
    adds_up(sheet)
    assert sheet.benefit == "oad_monthly" and sheet.result_unit == "VND/month"
    assert sheet.value("by_loss") == 1_357_200 and sheet.value("by_years") == 140_000
    assert sheet.result == sheet.value("monthly") == 1_497_200
    assert any("Điều 49" in r.source for r in sheet.rules)


def test_occupational_edges_under_5_percent_and_one_month_contributed():
    # 4%: nothing. 5% with one month at 6,000,000: 2,340,000 × 5 = 11,700,000 + 6,000,000 × 0.5 = 3,000,000
    history = months("2025-04", 1, 6_000_000)
    assert not occupational(history, event_month=Month(2025, 5), assessed_month=Month(2025, 8), loss=4).eligible
    sheet = occupational(history, event_month=Month(2025, 5), assessed_month=Month(2025, 8), loss=5)
    assert sheet.value("years") == 1 and sheet.result == 14_700_000
    # 31% with one month: 2,340,000 × 30% = 702,000 + 6,000,000 × 0.5% = 30,000 → 732,000 a month
    assert occupational(history, event_month=Month(2025, 5), assessed_month=Month(2025, 8), loss=31).result == 732_000


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 140),
    salary=st.integers(2_000_000, 50_000_000),
    loss=st.integers(0, 100),
    age=st.integers(0, 90),
    born_offset=st.integers(0, 3000),
)
def test_every_other_benefit_worksheet_adds_up(count, salary, loss, age, born_offset):
    start = Month(2014, 1)  # the dated reference level starts in 2013
    history = months(str(start), count, salary)
    died = Deceased(died_on=(start + count).first_day())
    for sheet in (
        funeral_grant(history, died),
        survivors_monthly(history, died, [Relative("child", age, "male"), Relative("mother", age, "female")]),
        survivors_lump_sum(history, died, table=FLAT),
        occupational(history, event_month=start + count, assessed_month=Month(2025, 1), loss=loss),
        sick_child(
            history, leave_month=start + count, child_born=date(2012, 1, 1) + timedelta(days=born_offset), days=5
        ),
    ):
        assert not arithmetic_errors(sheet), (sheet.benefit, arithmetic_errors(sheet))
        assert sheet.eligible or sheet.result == 0


def test_a_stop_before_a_january_first_month_is_one_month_before_it():
    from types import SimpleNamespace

    from esibook.benefits.stops import _check_stop
    from esibook.errors import DomainError

    row = SimpleNamespace(first_month=202701, last_month=None)
    _check_stop(row, "unemployment", Month(2026, 12), "employed", None)  # stopped before it begins: allowed
    with pytest.raises(DomainError) as refused:
        _check_stop(row, "unemployment", Month(2026, 11), "employed", None)
    assert refused.value.code == "benefits.stop_paid" and "2026-12" in refused.value.message("en")
    with pytest.raises(DomainError) as paid:
        _check_stop(row, "unemployment", Month(2027, 1), "employed", 202702)
    assert "2027-02" in paid.value.message("en"), "not before the last month paid"
