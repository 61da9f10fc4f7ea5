"""Occupational accident and disease insurance (bảo hiểm tai nạn lao động, bệnh nghề nghiệp): the benefit after the
medical assessment council (Hội đồng giám định y khoa) has set the loss of working capacity.

Law on Occupational Safety and Health 2015 (84/2015/QH13), with Decree 88/2020/NĐ-CP and Circular 26/2017:

- Art 46–47: the worker was insured, the accident happened at work (or the disease is an occupational one) and the
  assessment found a loss of working capacity of 5% or more.
- Art 48, lump sum for a loss of 5% to 30%: 5 × the base salary at 5%, 0.5 × the base salary more for each further
  1%; plus, by the time contributed, 0.5 month's salary for one year or less and 0.3 month's salary more for each
  further year.
- Art 49, monthly allowance for a loss of 31% or more: 30% of the base salary at 31%, 2% more for each further 1%;
  plus, by the time contributed, 0.5% of the month's salary for one year or less and 0.3% more for each further
  year.

"The month's salary" is the SI salary of the month before the accident (or the diagnosis); when the accident falls
in the first month of participation, that month's salary. Contribution time with leftover months counts the
leftover as a full year (Circular 26/2017/TT-BLĐTBXH). "The base salary" is the reference level of the dated
parameters (Law 41/2024 Art 7: the base salary while no separate reference level is set), in force in the month the
benefit starts (the month of the assessment).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from esibook.benefits.months import COMPULSORY, ContributedMonth
from esibook.benefits.short_term import _compulsory_before
from esibook.benefits.worksheet import MONTHS, PERCENT, VND, YEARS, Sheet, Text, Worksheet, num, pct, round_vnd
from esibook.contributions.parameters import ParameterSet, current_parameters
from esibook.periods import Month

LAW = "Luật An toàn, vệ sinh lao động 2015 (84/2015/QH13)"
CONDITIONS_SOURCE = f"{LAW}, Điều 45, 46, 47"
LUMP_SOURCE = f"{LAW}, Điều 48; Nghị định 88/2020/NĐ-CP"
MONTHLY_SOURCE = f"{LAW}, Điều 49; Nghị định 88/2020/NĐ-CP"
YEARS_SOURCE = "Thông tư 26/2017/TT-BLĐTBXH"
MIN_LOSS, MONTHLY_FROM = 5, 31
KINDS = {
    "accident": Text("tai nạn lao động", "occupational accident"),
    "disease": Text("bệnh nghề nghiệp", "occupational disease"),
}


def occupational(
    months: Sequence[ContributedMonth],
    *,
    event_month: Month,
    assessed_month: Month,
    loss: int,
    kind: str = "accident",
    first_month_salary: int | None = None,
    parameters: ParameterSet | None = None,
) -> Worksheet:
    """The occupational accident/disease benefit for a loss of working capacity of ``loss`` % found by the medical
    assessment: a lump sum (5–30%, benefit ``oad``) or a monthly allowance (31% or more, benefit ``oad_monthly``).
    ``event_month``: the month of the accident or of the diagnosis; the salary is that of the month before it."""
    parameters = parameters or current_parameters()
    monthly = loss >= MONTHLY_FROM
    sheet = Sheet(
        "oad_monthly" if monthly else "oad",
        Text(
            f"Trợ cấp {KINDS[kind].vi} " + ("hằng tháng" if monthly else "một lần"),
            f"{KINDS[kind].en.capitalize()} " + ("monthly allowance" if monthly else "lump sum"),
        ),
        Text("Mỗi tháng", "Per month") if monthly else Text("Số tiền nhận một lần", "Amount paid once"),
        "VND/month" if monthly else VND,
    )
    sheet.parameters["contributions"] = parameters.version
    base = parameters.in_force(parameters.reference_level, assessed_month.first_day())
    sheet.given("kind", "Loại", "Kind", KINDS[kind])
    sheet.given(
        "event_month", "Tháng bị tai nạn hoặc phát hiện bệnh", "Month of the accident or diagnosis", str(event_month)
    )
    sheet.given("assessed_month", "Tháng giám định", "Month of the assessment", str(assessed_month))
    sheet.given("loss", "Mức suy giảm khả năng lao động", "Loss of working capacity", loss, PERCENT)
    sheet.given("base_salary", "Mức lương cơ sở (mức tham chiếu)", "Base salary (reference level)", base, VND)
    sheet.rule(
        "Được hưởng khi đang tham gia bảo hiểm TNLĐ-BNN, bị tai nạn tại nơi làm việc trong giờ làm việc (hoặc mắc "
        "bệnh nghề nghiệp) và bị suy giảm khả năng lao động từ 5% trở lên theo kết luận giám định y khoa.",
        "Paid to an insured worker injured at work during working hours (or with an occupational disease) whose loss "
        "of working capacity, as the medical assessment finds it, is 5% or more.",
        CONDITIONS_SOURCE,
    )
    if monthly:
        sheet.rule(
            "Suy giảm từ 31% trở lên hưởng hằng tháng: suy giảm 31% bằng 30% mức lương cơ sở, sau đó cứ thêm 1% được "
            "thêm 2% mức lương cơ sở; cộng theo số năm đóng: từ một năm trở xuống bằng 0,5% mức tiền lương tháng, mỗi "
            "năm thêm 0,3%.",
            "A loss of 31% or more is paid monthly: 30% of the base salary at 31%, 2% of the base salary more for each "
            "further 1%; plus, by the years contributed, 0.5% of the month's salary for one year or less and 0.3% "
            "more for each further year.",
            MONTHLY_SOURCE,
        )
    else:
        sheet.rule(
            "Suy giảm từ 5% đến 30% hưởng một lần: suy giảm 5% bằng 5 lần mức lương cơ sở, sau đó cứ thêm 1% được "
            "thêm 0,5 lần; cộng theo số năm đóng: từ một năm trở xuống bằng 0,5 tháng tiền lương, mỗi năm thêm 0,3 "
            "tháng.",
            "A loss of 5% to 30% is paid once: 5 × the base salary at 5%, 0.5 × the base salary more for each further "
            "1%; plus, by the years contributed, 0.5 month's salary for one year or less and 0.3 month's salary more "
            "for each further year.",
            LUMP_SOURCE,
        )
    sheet.rule(
        "Thời gian đóng có tháng lẻ thì tháng lẻ được tính tròn thành một năm.",
        "Leftover months of the time contributed count as a full year.",
        YEARS_SOURCE,
    )
    if loss < MIN_LOSS:
        sheet.note(
            f"Suy giảm {loss}%: dưới 5% không được hưởng trợ cấp.",
            f"A loss of {loss}%: under 5% is not paid.",
        )
        return sheet.done(eligible=False, result=0)
    compulsory = _compulsory_before(months, event_month)
    previous = compulsory[-1] if compulsory else None
    if previous is None and first_month_salary:
        previous = ContributedMonth(event_month, first_month_salary, 0, COMPULSORY)
        sheet.note(
            f"Bị tai nạn trong tháng đầu tham gia: dùng tiền lương tháng {event_month}.",
            f"In the first month of participation: the salary of {event_month} is used.",
        )
    if previous is None:
        sheet.note(
            f"Không có tháng đóng bảo hiểm TNLĐ-BNN nào đến tháng {event_month}.",
            f"No month of accident insurance up to {event_month}.",
        )
        return sheet.done(eligible=False, result=0)
    counted = max(len(compulsory), 1)
    sheet.given("months_contributed", "Số tháng đã đóng", "Months contributed", counted, MONTHS)
    sheet.given(
        "salary", f"Tiền lương đóng BHXH tháng {previous.month}", f"SI salary of {previous.month}", previous.salary, VND
    )
    years = sheet.step(
        "years",
        "Số năm đóng (tháng lẻ tính một năm)",
        "Years contributed (leftover months count as a year)",
        f"floor(({counted} + 11) ÷ 12)",
        (counted + 11) // 12,
        YEARS,
    )
    if monthly:
        rate = sheet.step(
            "loss_rate",
            "Tỷ lệ theo mức suy giảm",
            "Rate by the loss",
            f"30 + 2 × ({loss} − 31)",
            30 + 2 * (loss - MONTHLY_FROM),
            PERCENT,
        )
        by_loss = sheet.step(
            "by_loss",
            "Trợ cấp theo mức suy giảm",
            "By the loss",
            f"{num(base)} × {pct(rate)}",
            round_vnd(base * Fraction(rate) / 100),
            VND,
        )
        seniority_rate = sheet.step(
            "seniority_rate",
            "Tỷ lệ theo số năm đóng",
            "Rate by the years contributed",
            f"0.5 + 0.3 × ({years} − 1)",
            Fraction(5 + 3 * (years - 1), 10),
            PERCENT,
        )
        by_years = sheet.step(
            "by_years",
            "Trợ cấp theo số năm đóng",
            "By the years contributed",
            f"{num(previous.salary)} × {pct(seniority_rate)}",
            round_vnd(previous.salary * Fraction(seniority_rate) / 100),
            VND,
        )
        total = sheet.step(
            "monthly",
            "Trợ cấp hằng tháng",
            "Monthly allowance",
            f"{num(by_loss)} + {num(by_years)}",
            by_loss + by_years,
            VND,
        )
        return sheet.done(eligible=True, result=total)
    multiple = sheet.step(
        "loss_multiple",
        "Số lần mức lương cơ sở",
        "Times the base salary",
        f"5 + 0.5 × ({loss} − 5)",
        5 + Fraction(loss - MIN_LOSS, 2),
        MONTHS,
    )
    by_loss = sheet.step(
        "by_loss",
        "Trợ cấp theo mức suy giảm",
        "By the loss",
        f"{num(base)} × {num(multiple)}",
        round_vnd(base * Fraction(multiple)),
        VND,
    )
    seniority = sheet.step(
        "seniority_months",
        "Số tháng lương theo số năm đóng",
        "Months of salary by the years",
        f"0.5 + 0.3 × ({years} − 1)",
        Fraction(5 + 3 * (years - 1), 10),
        MONTHS,
    )
    by_years = sheet.step(
        "by_years",
        "Trợ cấp theo số năm đóng",
        "By the years contributed",
        f"{num(previous.salary)} × {num(seniority)}",
        round_vnd(previous.salary * Fraction(seniority)),
        VND,
    )
    total = sheet.step(
        "total", "Tổng trợ cấp một lần", "Total lump sum", f"{num(by_loss)} + {num(by_years)}", by_loss + by_years, VND
    )
    return sheet.done(eligible=True, result=total)
