"""The salary adjustment tables completed from public transcriptions (version 2026-12-02.4), each worked by hand.

- claim year 2016, Thông tư 58/2015/TT-BLĐTBXH: the salary table (lawnet.vn; worked in test_legal_data);
- claim years 2017 and 2021, Thông tư 42/2016 and 23/2020: the salary tables now complete (nld.com.vn,
  thuvienphapluat.vn; the 2021 claim is worked in test_legal_data);
- claim year 2019, Thông tư 35/2018/TT-BLĐTBXH: Table 1 and Table 2 now complete (lawnet.vn);
- claim year 2018, Thông tư 32/2017/TT-BLĐTBXH: Table 2 (voluntary-SI incomes, 2008-2018);
- claim years 2022 and 2024 (Thông tư 36/2021, 20/2023): voluntary tables known in part (2008-2011, 2008-2012);
- claim year 2023 (Thông tư 01/2023): voluntary incomes of 2009-2012 added;
- a partial table refuses an unlisted year before the claim year even after its last listed year.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from esibook.benefits.coefficients import VOLUNTARY, current_coefficients
from esibook.benefits.rules import ContributedMonth, arithmetic_errors, one_time_withdrawal
from esibook.errors import DomainError
from esibook.periods import Month


def months(start: str, count: int, salary: int, kind: str = "compulsory") -> list[ContributedMonth]:
    first = Month.parse(start)
    return [ContributedMonth(first + i, salary, salary, kind, 1) for i in range(count)]


def worker_a() -> list[ContributedMonth]:
    """Vietnam Social Security's worker A (as in test_legal_data): 37 months of 2013-2016."""
    return (
        months("2013-01", 12, 1_200_000)
        + months("2014-01", 9, 1_445_000)
        + months("2014-10", 3, 2_140_000)
        + months("2015-07", 8, 2_140_000)
        + months("2016-03", 5, 2_515_000)
    )


def voluntary_year(year: int) -> list[ContributedMonth]:
    """12 voluntary months of ``year`` at 2,000,000: 24,000,000 before adjustment."""
    return months(f"{year}-01", 12, 2_000_000, kind="voluntary")


def refusal(career: list[ContributedMonth], day: date) -> str:
    with pytest.raises(DomainError) as refused:
        one_time_withdrawal(career, computed_on=day)
    assert refused.value.code == "benefits.no_coefficients"
    return refused.value.message_en


def test_a_claim_of_2017_now_gives_every_salary_year():
    """Thông tư 42/2016 as nld.com.vn quotes it: 2010 1.48, before 1995 4.40. 12 × 3,000,000 of 2010 settled in
    2017 = 36,000,000 × 1.48 = 53,280,000; a year before 1995 takes 4.40, the claim year 1.00. Its voluntary table is
    still not known: voluntary incomes of 2010 are refused."""
    sheet = one_time_withdrawal(months("2010-01", 12, 3_000_000), computed_on=date(2017, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert sheet.value("adjusted_2010") == 53_280_000
    assert any("42/2016" in rule.source for rule in sheet.rules)
    table = current_coefficients().on(date(2017, 6, 1))
    assert table.coefficient(1994) == Decimal("4.40") and table.coefficient(2017) == Decimal(1)
    assert "voluntary-SI incomes of 2010" in refusal(voluntary_year(2010), date(2017, 6, 1))


def test_a_claim_of_2019_uses_the_whole_2019_table():
    """Settled in June 2019, Thông tư 35/2018 Table 1 (2013 1.15, 2014 1.11, 2015 1.10, 2016 1.07):
    14,400,000 × 1.15 = 16,560,000; 19,425,000 × 1.11 = 21,561,750; 12,840,000 × 1.10 = 14,124,000;
    16,855,000 × 1.07 = 18,034,850; total 70,280,600 ÷ 37 = 1,899,475.7 → 1,899,476; × 6.5 = 12,346,594.
    A year the partial table did not give before is now computed: 12 × 3,000,000 of 2005 = 36,000,000 × 2.66 =
    95,760,000."""
    sheet = one_time_withdrawal(worker_a(), computed_on=date(2019, 6, 1))
    assert arithmetic_errors(sheet) == []
    assert [sheet.value(f"adjusted_{year}") for year in (2013, 2014, 2015, 2016)] == [
        16_560_000,
        21_561_750,
        14_124_000,
        18_034_850,
    ]
    assert sheet.value("average_salary") == 1_899_476 and sheet.result == 12_346_594
    assert any("35/2018" in rule.source for rule in sheet.rules), "the worksheet cites the 2019 circular"
    in_2005 = one_time_withdrawal(months("2005-01", 12, 3_000_000), computed_on=date(2019, 6, 1))
    assert in_2005.value("adjusted_2005") == 95_760_000


def test_voluntary_incomes_of_2019_and_2018_claims_use_their_tables():
    """Voluntary incomes of 2015 (24,000,000): in 2019 (Thông tư 35/2018 Table 2, 1.10) 26,400,000; in 2018
    (Thông tư 32/2017 Table 2, 1.06) 25,440,000; 2008 in 2018 (1.79) 42,960,000."""
    assert (
        one_time_withdrawal(voluntary_year(2015), computed_on=date(2019, 6, 1)).value("adjusted_2015_voluntary")
        == 26_400_000
    )
    assert (
        one_time_withdrawal(voluntary_year(2015), computed_on=date(2018, 6, 1)).value("adjusted_2015_voluntary")
        == 25_440_000
    )
    assert (
        one_time_withdrawal(voluntary_year(2008), computed_on=date(2018, 6, 1)).value("adjusted_2008_voluntary")
        == 42_960_000
    )


def test_the_partial_voluntary_table_of_2022_refuses_the_years_it_does_not_give():
    """Thông tư 36/2021 Table 2, known for 2008-2011: incomes of 2010, 24,000,000 × 1.72 = 41,280,000; incomes
    of 2015 are refused, naming the year and the circular."""
    sheet = one_time_withdrawal(voluntary_year(2010), computed_on=date(2022, 6, 1))
    assert sheet.value("adjusted_2010_voluntary") == 41_280_000
    message = refusal(voluntary_year(2015), date(2022, 6, 1))
    assert "voluntary-SI incomes of 2015" in message and "36/2021" in message


def test_the_partial_voluntary_table_of_2024_gives_2008_to_2012_only():
    """Thông tư 20/2023 Table 2, known for 2008-2012: incomes of 2012, 24,000,000 × 1.41 = 33,840,000. Incomes of
    2013 come after the last listed year but before the claim year: refused, not taken as 1.00. The claim year's
    own incomes are not adjusted (1.00)."""
    sheet = one_time_withdrawal(voluntary_year(2012), computed_on=date(2024, 6, 1))
    assert sheet.value("adjusted_2012_voluntary") == 33_840_000
    message = refusal(voluntary_year(2013), date(2024, 6, 1))
    assert "voluntary-SI incomes of 2013" in message and "20/2023" in message
    assert current_coefficients().on(date(2024, 6, 1)).coefficient(2024, VOLUNTARY) == Decimal(1)


def test_the_2023_voluntary_table_now_gives_2009_to_2012():
    """Thông tư 01/2023 Table 2: 2009 1.94, 2012 1.37 (1.41 of 2024 less its stated increase of 0.04):
    24,000,000 × 1.94 = 46,560,000; 24,000,000 × 1.37 = 32,880,000."""
    assert (
        one_time_withdrawal(voluntary_year(2009), computed_on=date(2023, 6, 1)).value("adjusted_2009_voluntary")
        == 46_560_000
    )
    assert (
        one_time_withdrawal(voluntary_year(2012), computed_on=date(2023, 6, 1)).value("adjusted_2012_voluntary")
        == 32_880_000
    )


def test_the_tables_still_missing_are_still_refused():
    """Not found in any source reachable here: the voluntary tables of 2017 and 2021, and any table of a claim year
    before 2016."""
    assert "voluntary-SI incomes of 2015" in refusal(voluntary_year(2015), date(2017, 6, 1))
    assert "voluntary-SI incomes of 2015" in refusal(voluntary_year(2015), date(2021, 6, 1))
    assert "2015" in refusal(worker_a()[:24], date(2015, 6, 1))
    assert current_coefficients().version == "2026-12-02.4"
