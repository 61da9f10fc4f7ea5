"""Leave to care for a sick child (nghỉ việc chăm sóc con ốm đau), part of the sickness regime of the Law on
Social Insurance 2024 (41/2024/QH15).

- Days (Art 44; Art 27 of the 2014 law before it): in a year, for each child, at most 20 working days while the
  child is under 3 and 15 working days from 3 to under 7. When both parents are insured, each has the days.
- Amount (Art 45): a day pays 75% of the SI salary of the most recent month with compulsory contributions before
  the month of the leave (the salary of that month itself when the leave falls in the first month of
  participation) ÷ 24 — the same salary the parent's own sickness benefit uses (:func:`.short_term.sickness`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from esibook.benefits.months import COMPULSORY, ContributedMonth
from esibook.benefits.short_term import SICKNESS_SOURCE, _compulsory_before
from esibook.benefits.worksheet import DAYS, VND, YEARS, Sheet, Text, Worksheet, num, round_vnd
from esibook.periods import Month

DAYS_SOURCE = f"{SICKNESS_SOURCE}, Điều 44"
AMOUNT_SOURCE = f"{SICKNESS_SOURCE}, Điều 45"
UNDER_3_DAYS, UNDER_7_DAYS = 20, 15


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def sick_child_days(child_born: date, leave_month: Month) -> int:
    """The yearly maximum of working days for this child at the start of the leave month: 20, 15, or 0 (7 or older)."""
    age = age_on(child_born, leave_month.first_day())
    return UNDER_3_DAYS if age < 3 else UNDER_7_DAYS if age < 7 else 0


def sick_child(
    months: Sequence[ContributedMonth],
    *,
    leave_month: Month,
    child_born: date,
    days: int,
    days_taken: int = 0,
    first_month_salary: int | None = None,
) -> Worksheet:
    """The benefit for caring for a sick child: a day's amount (75% of the salary of the most recent month with
    compulsory contributions ÷ 24) and the total for the days paid (the days asked, at most what is left of the
    yearly maximum for this child after ``days_taken`` already paid this year). The result is the amount a day."""
    sheet = Sheet(
        "sick_child",
        Text("Trợ cấp nghỉ việc chăm sóc con ốm đau", "Leave to care for a sick child"),
        Text("Mỗi ngày nghỉ", "Per day of leave"),
        "VND/day",
    )
    age = age_on(child_born, leave_month.first_day())
    sheet.given("leave_month", "Tháng nghỉ chăm con ốm", "Month of the leave", str(leave_month))
    sheet.given("child_age", "Tuổi của con", "The child's age", age, YEARS)
    sheet.given("days_asked", "Số ngày nghỉ đề nghị", "Days of leave asked", days, DAYS)
    sheet.given(
        "days_taken",
        "Số ngày đã hưởng trong năm cho con này",
        "Days already paid this year for this child",
        days_taken,
        DAYS,
    )
    sheet.rule(
        "Mỗi năm, cho mỗi con, tối đa 20 ngày làm việc nếu con dưới 03 tuổi, tối đa 15 ngày làm việc nếu con từ đủ "
        "03 tuổi đến dưới 07 tuổi; cả cha và mẹ cùng tham gia BHXH thì mỗi người đều được hưởng.",
        "Each year, for each child, at most 20 working days while the child is under 3 and 15 working days from 3 to "
        "under 7; when both parents are insured, each has these days.",
        DAYS_SOURCE,
    )
    sheet.rule(
        "Mức hưởng một ngày = 75% tiền lương đóng BHXH của tháng gần nhất đã đóng BHXH trước tháng nghỉ việc (nghỉ "
        "trong tháng đầu tham gia: tiền lương của chính tháng đó) ÷ 24.",
        "A day's benefit = 75% of the SI salary of the most recent month with contributions before the month of the "
        "leave (in the first month of participation: that month's salary) ÷ 24.",
        AMOUNT_SOURCE,
    )
    maximum = UNDER_3_DAYS if age < 3 else UNDER_7_DAYS if age < 7 else 0
    if not maximum:
        sheet.note(
            f"Con đã {age} tuổi: chế độ chăm con ốm chỉ áp dụng với con dưới 7 tuổi.",
            f"The child is {age}: the leave is for a child under 7.",
        )
        return sheet.done(eligible=False, result=0)
    compulsory = _compulsory_before(months, leave_month)
    previous = compulsory[-1] if compulsory else None
    if previous is None:
        own = next((m for m in months if m.kind == COMPULSORY and m.month == leave_month), None)
        previous = own or (
            ContributedMonth(leave_month, first_month_salary, 0, COMPULSORY) if first_month_salary else None
        )
        if previous is not None:
            sheet.note(
                f"Nghỉ trong tháng đầu tham gia BHXH: dùng tiền lương tháng {leave_month}.",
                f"Leave in the first month of participation: the salary of {leave_month} is used.",
            )
    if previous is None:
        sheet.note(
            f"Không có tháng đóng BHXH bắt buộc nào đến tháng {leave_month}.",
            f"No month of compulsory SI up to {leave_month}.",
        )
        return sheet.done(eligible=False, result=0)
    sheet.given(
        "previous_salary",
        f"Tiền lương đóng BHXH tháng {previous.month}",
        f"SI salary of {previous.month}",
        previous.salary,
        VND,
    )
    cap = sheet.step(
        "days_per_year",
        "Số ngày tối đa mỗi năm cho con này" + (" (con dưới 3 tuổi)" if age < 3 else " (con từ 3 đến dưới 7 tuổi)"),
        "Days a year at most for this child" + (" (under 3)" if age < 3 else " (3 to under 7)"),
        str(maximum),
        maximum,
        DAYS,
    )
    left = sheet.step(
        "days_left",
        "Số ngày còn lại trong năm",
        "Days left this year",
        f"max({cap} − {days_taken}; 0)",
        max(cap - days_taken, 0),
        DAYS,
    )
    if not left:
        sheet.note(
            f"Đã hưởng đủ {cap} ngày trong năm {leave_month.year} cho con này.",
            f"All {cap} days of {leave_month.year} are already paid for this child.",
        )
        return sheet.done(eligible=False, result=0)
    daily = sheet.step(
        "daily",
        "Mức hưởng một ngày",
        "Benefit per day",
        f"{num(previous.salary)} × 75% ÷ 24",
        round_vnd(Fraction(previous.salary) * Fraction(3, 4) / 24),
        VND,
    )
    paid = sheet.step("days", "Số ngày được hưởng", "Days paid", f"min({days}; {left})", min(days, left), DAYS)
    sheet.step(
        "amount_for_days",
        f"Tổng cho {paid} ngày",
        f"Total for {paid} days",
        f"{num(daily)} × {paid}",
        daily * paid,
        VND,
    )
    return sheet.done(eligible=True, result=daily)
