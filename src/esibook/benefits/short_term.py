"""Short-term benefits: sickness, maternity (the mother's leave and the lump sum; the father's leave), and
unemployment."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from esibook.benefits.months import COMPULSORY, ContributedMonth, recent_average
from esibook.benefits.worksheet import DAYS, MONTHS, VND, YEARS, Sheet, Text, Worksheet, num, round_vnd
from esibook.contributions.parameters import ParameterSet, current_parameters
from esibook.errors import DomainError
from esibook.periods import Month

LAW = "Luật BHXH 2024 (41/2024/QH15)"
SICKNESS_SOURCE = f"{LAW}, Chương V, Mục 1 (chế độ ốm đau)"
MATERNITY_SOURCE = f"{LAW}, Chương V, Mục 2 (chế độ thai sản), Điều 50, 53, 58, 59"
EMPLOYMENT_LAW = "Luật Việc làm 2025 (74/2025/QH15), bảo hiểm thất nghiệp"

#: The father's leave at the birth (working days) by case, and the days added per child beyond two.
PATERNITY_CASES = {
    "normal": (5, Text("sinh thường", "normal birth")),
    "caesarean_or_premature": (
        7,
        Text("sinh phẫu thuật hoặc con dưới 32 tuần tuổi", "caesarean, or born before 32 weeks"),
    ),
    "twins": (10, Text("sinh đôi", "twins")),
    "twins_caesarean": (14, Text("sinh đôi phải phẫu thuật", "twins by caesarean")),
}
PATERNITY_EXTRA_PER_CHILD = 3


def _compulsory_before(months: Sequence[ContributedMonth], month: Month) -> list[ContributedMonth]:
    return sorted((m for m in months if m.kind == COMPULSORY and m.month < month), key=lambda m: m.month)


def sickness(
    months: Sequence[ContributedMonth],
    *,
    leave_month: Month,
    days: int | None = None,
    first_month_salary: int | None = None,
    participating: bool = True,
) -> Worksheet:
    """Sickness benefit: 75% of the SI salary of the most recent month with compulsory contributions before the
    month of the leave (the leave month's own salary when the leave falls in the first month of participation),
    per day ÷ 24 (Law 41/2024 Art. 45); at most 30 / 40 / 60 days a year for under 15 / 15 to under 30 / 30 or
    more years of compulsory SI. ``days``: the days of leave (the yearly maximum when not given, or when more are
    asked). ``first_month_salary``: the SI salary of the leave month, used when no month before it has
    contributions and the leave month's own line is not yet in ``months``. ``participating``: whether the person
    is in compulsory SI in the month of the leave (the caller knows; a claim checks the employment)."""
    sheet = Sheet(
        "sickness", Text("Trợ cấp ốm đau", "Sickness benefit"), Text("Mỗi ngày nghỉ", "Per day of leave"), "VND/day"
    )
    compulsory = _compulsory_before(months, leave_month)
    first_month = next((m for m in months if m.kind == COMPULSORY and m.month == leave_month), None)
    if first_month is None and first_month_salary:
        first_month = ContributedMonth(leave_month, first_month_salary, 0, COMPULSORY, None)
    previous = compulsory[-1] if compulsory else first_month
    sheet.given("leave_month", "Tháng nghỉ ốm", "Month of the leave", str(leave_month))
    sheet.given("si_months", "Số tháng đóng BHXH bắt buộc", "Months of compulsory SI", len(compulsory), MONTHS)
    sheet.rule(
        "Mức hưởng một ngày = 75% tiền lương đóng BHXH của tháng gần nhất đã đóng BHXH trước tháng nghỉ ốm (nếu "
        "nghỉ ốm ngay trong tháng đầu tham gia: tiền lương của chính tháng đó) ÷ 24. Tối đa mỗi năm 30 ngày "
        "(đóng dưới 15 năm), 40 ngày (từ 15 đến dưới 30 năm), 60 ngày (từ 30 năm).",
        "A day's benefit = 75% of the SI salary of the most recent month with contributions before the month of the "
        "leave (when sick in the first month of participation: that month's salary) ÷ 24. At most 30 days a year "
        "(under 15 years of SI), 40 days (15 to under 30 years), 60 days (30 years or more).",
        f"{SICKNESS_SOURCE}, Điều 45",
    )
    if not participating:
        sheet.note(
            f"Không tham gia BHXH bắt buộc trong tháng {leave_month}: chưa đủ điều kiện hưởng chế độ ốm đau.",
            f"Not in compulsory SI in {leave_month}: not eligible for sickness benefit.",
        )
        return sheet.done(eligible=False, result=0)
    if previous is None:
        sheet.note(
            f"Không có tháng đóng BHXH bắt buộc nào đến tháng {leave_month}: chưa đủ điều kiện hưởng chế độ ốm đau.",
            f"No month of compulsory SI up to {leave_month}: not eligible for sickness benefit.",
        )
        return sheet.done(eligible=False, result=0)
    if previous is first_month:
        sheet.note(
            f"Nghỉ ốm trong tháng đầu tham gia BHXH: dùng tiền lương tháng {leave_month}.",
            f"Sick in the first month of participation: the salary of {leave_month} is used.",
        )
    sheet.given(
        "previous_salary",
        f"Tiền lương đóng BHXH tháng {previous.month}",
        f"SI salary of {previous.month}",
        previous.salary,
        VND,
    )
    years = sheet.step(
        "si_years", "Số năm đóng đủ", "Full years of SI", f"floor({len(compulsory)} ÷ 12)", len(compulsory) // 12, YEARS
    )
    band = (
        (30, "dưới 15 năm", "under 15 years")
        if years < 15
        else (
            (40, "từ 15 đến dưới 30 năm", "15 to under 30 years")
            if years < 30
            else (60, "từ 30 năm", "30 years or more")
        )
    )
    maximum = sheet.step(
        "days_per_year",
        f"Số ngày tối đa mỗi năm ({band[1]})",
        f"Days a year at most ({band[2]})",
        str(band[0]),
        band[0],
        DAYS,
    )
    daily = sheet.step(
        "daily",
        "Mức hưởng một ngày",
        "Benefit per day",
        f"{num(previous.salary)} × 75% ÷ 24",
        round_vnd(Fraction(previous.salary) * Fraction(3, 4) / 24),
        VND,
    )
    asked = maximum if days is None else days
    taken = sheet.step("days", "Số ngày được hưởng", "Days paid", f"min({asked}; {maximum})", min(asked, maximum), DAYS)
    sheet.step(
        "amount_for_days",
        f"Tổng cho {taken} ngày",
        f"Total for {taken} days",
        f"{num(daily)} × {taken}",
        daily * taken,
        VND,
    )
    return sheet.done(eligible=True, result=daily)


def maternity(
    months: Sequence[ContributedMonth], *, birth_month: Month, children: int = 1, parameters: ParameterSet | None = None
) -> Worksheet:
    """The mother's maternity benefit at childbirth: 100% of the average SI salary of the last 6 months contributed
    before the leave × the months of leave (6, and 1 more per child from the second), plus a lump sum of
    2 × the reference level per child. Needs 6 months of compulsory SI in the 12 months before the birth."""
    parameters = parameters or current_parameters()
    sheet = Sheet(
        "maternity",
        Text("Chế độ thai sản khi sinh con", "Maternity benefit at childbirth"),
        Text("Tổng số tiền", "Total amount"),
    )
    sheet.parameters["contributions"] = parameters.version
    compulsory = _compulsory_before(months, birth_month)
    in_12 = sum(1 for m in compulsory if m.month >= birth_month - 12)
    reference = parameters.in_force(parameters.reference_level, birth_month.first_day())
    sheet.given("birth_month", "Tháng sinh con", "Month of the birth", str(birth_month))
    sheet.given("children", "Số con", "Children born", children)
    sheet.given(
        "months_in_12",
        "Số tháng đóng trong 12 tháng trước khi sinh",
        "Months contributed in the 12 months before the birth",
        in_12,
        MONTHS,
    )
    sheet.given("reference_level", "Mức tham chiếu", "Reference level", reference, VND)
    sheet.rule(
        "Mỗi tháng nghỉ hưởng 100% mức bình quân tiền lương đóng BHXH của 6 tháng gần nhất trước khi nghỉ; nghỉ 6 "
        "tháng, sinh đôi trở lên thì từ con thứ hai mỗi con thêm 1 tháng; trợ cấp một lần bằng 2 lần mức tham chiếu "
        "cho mỗi con. Điều kiện: đóng từ đủ 6 tháng trong 12 tháng trước khi sinh.",
        "Each month of leave pays 100% of the average SI salary of the last 6 months before the leave; 6 months of "
        "leave, and 1 more month for each child from the second; a lump sum of 2 × the reference level per child. "
        "Needs 6 months of contributions in the 12 months before the birth.",
        MATERNITY_SOURCE,
    )
    if in_12 < 6:
        sheet.note(
            f"Chưa đủ 6 tháng đóng BHXH trong 12 tháng trước khi sinh (có {in_12} tháng).",
            f"Fewer than 6 months of contributions in the 12 months before the birth ({in_12}).",
        )
        return sheet.done(eligible=False, result=0)
    average = recent_average(
        sheet,
        compulsory[-6:],
        key="average_salary",
        vi="Bình quân tiền lương 6 tháng gần nhất",
        en="Average salary of the last 6 months",
    )
    leave = sheet.step(
        "leave_months", "Số tháng nghỉ", "Months of leave", f"6 + ({children} − 1)", 5 + children, MONTHS
    )
    benefit = sheet.step(
        "leave_benefit",
        "Tiền thai sản trong thời gian nghỉ",
        "Benefit for the leave",
        f"{num(average)} × {leave}",
        average * leave,
        VND,
    )
    lump = sheet.step(
        "lump_sum",
        "Trợ cấp một lần khi sinh con",
        "Lump sum at the birth",
        f"2 × {num(reference)} × {children}",
        2 * reference * children,
        VND,
    )
    total = sheet.step("total", "Tổng cộng", "Total", f"{num(benefit)} + {num(lump)}", benefit + lump, VND)
    return sheet.done(eligible=True, result=total)


def paternity_leave(
    months: Sequence[ContributedMonth], *, birth_month: Month, case: str = "normal", children: int = 1
) -> Worksheet:
    """The father's leave when his wife gives birth: 5 working days (normal birth), 7 (caesarean, or a baby born
    before 32 weeks), 10 (twins), 14 (twins by caesarean), 3 more per child beyond two; each day pays the average SI
    salary of his last 6 months ÷ 24. He must be contributing (the month before the birth)."""
    base, description = PATERNITY_CASES[case]
    sheet = Sheet(
        "paternity",
        Text("Chế độ thai sản của lao động nam khi vợ sinh con", "Father's leave at the birth"),
        Text("Tổng số tiền", "Total amount"),
    )
    compulsory = _compulsory_before(months, birth_month)
    sheet.given("birth_month", "Tháng vợ sinh con", "Month of the birth", str(birth_month))
    sheet.given("case", "Trường hợp", "Case", description)
    sheet.rule(
        "Nghỉ 5 ngày làm việc (sinh thường), 7 ngày (sinh phẫu thuật hoặc con dưới 32 tuần tuổi), 10 ngày (sinh đôi), "
        "14 ngày (sinh đôi phải phẫu thuật), sinh ba trở lên mỗi con thêm 3 ngày; mỗi ngày hưởng mức bình quân tiền "
        "lương 6 tháng gần nhất ÷ 24.",
        "5 working days (normal birth), 7 (caesarean, or a baby born before 32 weeks), 10 (twins), 14 (twins by "
        "caesarean), 3 more days per child beyond two; each day pays the average salary of the last 6 months ÷ 24.",
        MATERNITY_SOURCE,
    )
    if not compulsory or compulsory[-1].month != birth_month - 1:
        sheet.note(
            f"Không đóng BHXH bắt buộc trong tháng {birth_month - 1}.",
            f"No compulsory SI paid for {birth_month - 1}.",
        )
        return sheet.done(eligible=False, result=0)
    average = recent_average(
        sheet,
        compulsory[-6:],
        key="average_salary",
        vi="Bình quân tiền lương 6 tháng gần nhất",
        en="Average salary of the last 6 months",
    )
    extra = max(children - 2, 0) if case.startswith("twins") else 0
    days = sheet.step(
        "days",
        "Số ngày làm việc được nghỉ",
        "Working days of leave",
        f"{base} + {PATERNITY_EXTRA_PER_CHILD} × {extra}",
        base + PATERNITY_EXTRA_PER_CHILD * extra,
        DAYS,
    )
    amount = sheet.step(
        "amount",
        "Số tiền = bình quân ÷ 24 × số ngày",
        "Amount = average ÷ 24 × days",
        f"{num(average)} ÷ 24 × {days}",
        round_vnd(Fraction(average * days, 24)),
        VND,
    )
    return sheet.done(eligible=True, result=amount)


def unemployment(
    months: Sequence[ContributedMonth],
    *,
    termination_month: Month,
    counted_from: Month | None = None,
    parameters: ParameterSet | None = None,
) -> Worksheet:
    """Unemployment benefit if the labour contract ends in ``termination_month`` (its last month, which counts when
    UI was paid for it): 60% of the average UI salary of the last 6 months contributed, at most 5 × the regional
    minimum wage of the last employer's region (refused with ``benefits.region_unknown`` when that region is not
    known); 3 months for 12 to 36 months of UI, 1 more month for each further 12 months, at most 12. Needs 12 months
    of UI in the 24 months up to the end of the contract (Law on Employment 2013 Art. 49, kept by Law 74/2025).
    ``counted_from``: UI months before it were already used for an earlier benefit."""
    parameters = parameters or current_parameters()
    sheet = Sheet(
        "unemployment",
        Text("Trợ cấp thất nghiệp", "Unemployment benefit"),
        Text("Mỗi tháng", "Per month"),
        "VND/month",
    )
    sheet.parameters["contributions"] = parameters.version
    ui = sorted(
        (
            m
            for m in months
            if m.ui_salary > 0 and m.month <= termination_month and (counted_from is None or m.month >= counted_from)
        ),
        key=lambda m: m.month,
    )
    in_24 = sum(1 for m in ui if m.month > termination_month - 24)
    sheet.given("termination_month", "Tháng chấm dứt hợp đồng", "Month the job ends", str(termination_month))
    sheet.given("ui_months", "Số tháng đóng BHTN chưa hưởng", "UI months not yet used", len(ui), MONTHS)
    sheet.given(
        "ui_months_in_24", "Số tháng đóng BHTN trong 24 tháng trước", "UI months in the 24 months before", in_24, MONTHS
    )
    sheet.rule(
        "Mức hưởng hằng tháng bằng 60% bình quân tiền lương đóng BHTN của 6 tháng gần nhất, tối đa 5 lần mức lương "
        "tối thiểu vùng. Đóng từ 12 đến 36 tháng được 3 tháng, sau đó mỗi 12 tháng thêm 1 tháng, tối đa 12 tháng. "
        "Điều kiện: đóng từ đủ 12 tháng trong 24 tháng trước khi chấm dứt hợp đồng.",
        "Each month pays 60% of the average UI salary of the last 6 months, at most 5 × the regional minimum wage. "
        "12 to 36 months of contributions give 3 months, then 1 more month per further 12 months, at most 12. Needs "
        "12 months of contributions in the 24 months before the job ends.",
        EMPLOYMENT_LAW,
    )
    if in_24 < 12:
        sheet.note(
            f"Chưa đủ 12 tháng đóng BHTN trong 24 tháng trước khi nghỉ việc (có {in_24} tháng).",
            f"Fewer than 12 months of UI in the 24 months before the job ends ({in_24}).",
        )
        return sheet.done(eligible=False, result=0)
    last = ui[-6:]
    region = last[-1].region
    if region is None:
        raise DomainError(
            "benefits.region_unknown",
            f"the region of the last employer (UI month {last[-1].month}) is not known, so the cap of 5 × the "
            "regional minimum wage cannot be set: the employer's record must give its region",
            f"chưa xác định được vùng của đơn vị sử dụng lao động cuối cùng (tháng đóng BHTN {last[-1].month}) nên "
            "không tính được mức tối đa 5 lần lương tối thiểu vùng: hồ sơ đơn vị cần ghi vùng",
            field="termination_month",
        )
    minimum = parameters.in_force(parameters.regional_minimum_wage, termination_month.first_day())[region]
    sheet.given("region", "Vùng của đơn vị", "Employer's region", region)
    sheet.given(
        "regional_minimum_wage",
        f"Lương tối thiểu vùng {region}",
        f"Regional minimum wage, region {region}",
        minimum,
        VND,
    )
    average = recent_average(
        sheet,
        last,
        key="average_ui_salary",
        vi="Bình quân tiền lương đóng BHTN 6 tháng gần nhất",
        en="Average UI salary of the last 6 months",
        ui=True,
    )
    sixty = sheet.step(
        "sixty_percent",
        "60% mức bình quân",
        "60% of the average",
        f"{num(average)} × 60%",
        round_vnd(Fraction(average * 60, 100)),
        VND,
    )
    cap = sheet.step(
        "cap",
        "Tối đa 5 lần lương tối thiểu vùng",
        "At most 5 × the regional minimum wage",
        f"5 × {num(minimum)}",
        5 * minimum,
        VND,
    )
    monthly = sheet.step(
        "monthly", "Mức hưởng hằng tháng", "Monthly benefit", f"min({num(sixty)}; {num(cap)})", min(sixty, cap), VND
    )
    if len(ui) <= 36:
        expression, duration = "3", 3
    else:
        expression, duration = f"min(3 + floor(({len(ui)} − 36) ÷ 12); 12)", min(3 + (len(ui) - 36) // 12, 12)
    duration = sheet.step("duration_months", "Số tháng được hưởng", "Months paid", expression, duration, MONTHS)
    sheet.step("total", "Tổng cộng", "Total", f"{num(monthly)} × {duration}", monthly * duration, VND)
    return sheet.done(eligible=True, result=monthly)
