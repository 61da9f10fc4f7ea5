"""Long-term benefits: retirement age, the monthly pension, and the one-time withdrawal (BHXH một lần)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from esibook.benefits.coefficients import AdjustmentTable, current_coefficients
from esibook.benefits.months import COMPULSORY, VOLUNTARY, ContributedMonth, career_average
from esibook.benefits.worksheet import (
    MONTHS,
    PERCENT,
    VND,
    YEARS,
    Sheet,
    Text,
    Worksheet,
    counted_years,
    leftover_value,
    num,
    pct,
    round_vnd,
)
from esibook.contributions.parameters import ParameterSet, current_parameters
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.periods import Month

LAW = "Luật BHXH 2024 (41/2024/QH15)"
AGE_SOURCE = "Bộ luật Lao động 2019, Điều 169; Nghị định 135/2020/NĐ-CP"
SEXES = {"male": Text("nam", "male"), "female": Text("nữ", "female")}

# The retirement-age roadmap of the Labour Code 2019 (Art. 169), in months of age: from 2021 men 60 years 3 months,
# +3 months a year up to 62; women 55 years 4 months, +4 months a year up to 60. Before 2021: 60 and 55.
_ROADMAP = {"male": (720, 723, 3, 744), "female": (660, 664, 4, 720)}
_FIRST_ROADMAP_YEAR = 2021


@dataclass(frozen=True)
class RetirementAge:
    """The normal retirement age of a person and the month they reach it."""

    years: int
    months: int
    reached: Month

    def text(self) -> Text:
        extra_vi = f" {self.months} tháng" if self.months else ""
        extra_en = f" {self.months} months" if self.months else ""
        return Text(f"{self.years} tuổi{extra_vi}", f"{self.years} years{extra_en}")


def retirement_age(date_of_birth: date, sex: str) -> RetirementAge:
    """The retirement age in normal working conditions that applies to this person (it is the age for the year in
    which they reach it), and the month they reach it."""
    before, start, step, cap = _ROADMAP[sex]
    born = Month.from_date(date_of_birth)
    if (born + before).year < _FIRST_ROADMAP_YEAR:
        age = before
    else:
        year = _FIRST_ROADMAP_YEAR
        while True:
            age = min(start + step * (year - _FIRST_ROADMAP_YEAR), cap)
            if (born + age).year <= year:
                break
            year += 1
    return RetirementAge(age // 12, age % 12, born + age)


def _contribution_years(sheet: Sheet, months: int) -> Fraction:
    full, leftover = divmod(months, 12)
    sheet.step("full_years", "Số năm đóng đủ", "Full years contributed", f"floor({months} ÷ 12)", full, YEARS)
    sheet.step("leftover_months", "Số tháng lẻ", "Leftover months", f"{months} − 12 × {full}", leftover, MONTHS)
    return sheet.step(
        "years_counted",
        "Số năm tính hưởng (tháng lẻ 1–6 tính nửa năm, 7–11 tính một năm)",
        "Years counted (leftover months 1–6 count as half a year, 7–11 as a full year)",
        f"{full} + {leftover_value(leftover)}",
        counted_years(months),
        YEARS,
    )


def pension(
    months: Sequence[ContributedMonth],
    *,
    sex: str,
    date_of_birth: date,
    retire_month: Month,
    early_months_allowed: int = 0,
    table: AdjustmentTable | None = None,
) -> Worksheet:
    """The monthly pension from ``retire_month``.

    ``early_months_allowed``: how many months before the normal retirement age the person may retire (e.g. 60 for a
    reduced working capacity of 61% to under 81%, 120 for 81% or more; 0 otherwise). Each year early takes 2% off
    the rate; leftover months under 6 take nothing, 6 to 11 take 1%.
    """
    table = table or current_coefficients().on(retire_month.first_day())
    sheet = Sheet(
        "pension",
        Text("Lương hưu hằng tháng", "Monthly pension"),
        Text("Lương hưu mỗi tháng", "Pension a month"),
        "VND/month",
    )
    age = retirement_age(date_of_birth, sex)
    sheet.given("sex", "Giới tính", "Sex", SEXES[sex])
    sheet.given("date_of_birth", "Ngày sinh", "Date of birth", date_of_birth.isoformat())
    sheet.given("retirement_age", "Tuổi nghỉ hưu", "Retirement age", age.text())
    sheet.given("retirement_age_month", "Tháng đủ tuổi nghỉ hưu", "Month the age is reached", str(age.reached))
    sheet.given("retire_month", "Tháng nghỉ hưu", "Month of retirement", str(retire_month))
    sheet.rule(
        "Đủ tuổi nghỉ hưu và có từ đủ 15 năm đóng BHXH.",
        "Retirement age reached and at least 15 years of contributions.",
        f"{LAW}, Điều 64; {AGE_SOURCE}",
    )
    sheet.rule(
        "Nữ: 45% ứng với 15 năm; nam: 45% ứng với 20 năm; sau đó mỗi năm thêm 2%, tối đa 75%. Nam đóng từ 15 đến "
        "dưới 20 năm: 40% ứng với 15 năm, mỗi năm thêm 1%. Nghỉ hưu trước tuổi: mỗi năm giảm 2% (tháng lẻ dưới 6 "
        "tháng không giảm, từ 6 tháng giảm 1%).",
        "Women: 45% for 15 years; men: 45% for 20 years; then 2% more per year, at most 75%. Men with 15 to under 20 "
        "years: 40% for 15 years, 1% more per year. Retiring early: 2% less per year early (leftover months under 6: "
        "nothing; 6 to 11: 1%).",
        f"{LAW}, Điều 66",
    )
    average = career_average(sheet, months, table)
    years = _contribution_years(sheet, average.months)
    early = age.reached - retire_month
    eligible = True
    if early > early_months_allowed:
        eligible = False
        sheet.note(
            f"Chưa đủ tuổi nghỉ hưu: bạn đủ {age.text().vi} vào tháng {age.reached}.",
            f"Retirement age not reached: you reach {age.text().en} in {age.reached}.",
        )
    if average.months < 180:
        eligible = False
        sheet.note(
            f"Chưa đủ 15 năm đóng BHXH (mới có {average.months} tháng).",
            f"Fewer than 15 years of contributions ({average.months} months so far).",
        )
    if not eligible:
        return sheet.done(eligible=False, result=0)
    if sex == "female":
        rate = sheet.step(
            "rate",
            "Tỷ lệ hưởng (nữ)",
            "Rate (women)",
            f"45 + 2 × ({num(years)} − 15)",
            45 + 2 * (years - 15),
            PERCENT,
        )
    elif years >= 20:
        rate = sheet.step(
            "rate",
            "Tỷ lệ hưởng (nam)",
            "Rate (men)",
            f"45 + 2 × ({num(years)} − 20)",
            45 + 2 * (years - 20),
            PERCENT,
        )
    else:
        rate = sheet.step(
            "rate",
            "Tỷ lệ hưởng (nam, từ 15 đến dưới 20 năm)",
            "Rate (men, 15 to under 20 years)",
            f"40 + 1 × ({num(years)} − 15)",
            40 + (years - 15),
            PERCENT,
        )
    rate = sheet.step(
        "rate_capped",
        "Tỷ lệ, tối đa 75%",
        "Rate, at most 75%",
        f"min({num(rate)}; 75)",
        min(Fraction(rate), 75),
        PERCENT,
    )
    if early > 0:
        full, leftover = divmod(early, 12)
        half = 1 if leftover >= 6 else 0
        sheet.given("months_early", "Số tháng nghỉ hưu trước tuổi", "Months retired early", early, MONTHS)
        reduction = sheet.step(
            "early_reduction",
            f"Giảm do nghỉ hưu trước tuổi ({full} năm {leftover} tháng)",
            f"Reduction for retiring early ({full} years {leftover} months)",
            f"2 × {full} + {half}",
            2 * full + half,
            PERCENT,
        )
        rate = sheet.step(
            "rate_final",
            "Tỷ lệ hưởng sau khi giảm",
            "Rate after the reduction",
            f"max({num(rate)} − {reduction}; 0)",
            max(Fraction(rate) - reduction, 0),
            PERCENT,
        )
    amount = sheet.step(
        "pension",
        "Lương hưu hằng tháng = bình quân tiền lương × tỷ lệ",
        "Monthly pension = average salary × rate",
        f"{num(average.average)} × {pct(rate)}",
        round_vnd(Fraction(average.average) * Fraction(rate) / 100),
        VND,
    )
    if any(m.kind == COMPULSORY for m in months):
        amount = _at_least_the_minimum(sheet, amount, retire_month)
    _lump_sum_above_the_years(sheet, sex, years, average.average)
    return sheet.done(eligible=True, result=amount)


#: Years of contributions above which each further year earns a lump sum at retirement (Law 41/2024 Art. 68).
LUMP_SUM_ABOVE_YEARS = {"male": 35, "female": 30}


def _at_least_the_minimum(sheet: Sheet, amount: int, retire_month: Month) -> int:
    """The lowest monthly pension of a person who contributed compulsorily is the reference level (mức tham chiếu)
    in force in the month of retirement (Law 41/2024 Art. 66)."""
    parameters = current_parameters()
    try:
        minimum = parameters.in_force(parameters.reference_level, retire_month.first_day())
    except DomainError:  # a retirement before the first dated reference level: no minimum on file
        return amount
    sheet.parameters["contributions"] = parameters.version
    sheet.rule(
        "Lương hưu hằng tháng thấp nhất của người tham gia BHXH bắt buộc bằng mức tham chiếu.",
        "The lowest monthly pension of a person who contributed compulsorily is the reference level.",
        f"{LAW}, Điều 66",
    )
    sheet.given("minimum_pension", "Mức tham chiếu (lương hưu thấp nhất)", "Reference level (lowest pension)",
                minimum, VND)
    return sheet.step(
        "pension_paid",
        "Lương hưu hằng tháng, không thấp hơn mức tham chiếu",
        "Monthly pension, not below the reference level",
        f"max({amount}; {minimum})",
        max(amount, minimum),
        VND,
    )


def _lump_sum_above_the_years(sheet: Sheet, sex: str, years: Fraction, average: int) -> None:
    """Trợ cấp một lần khi nghỉ hưu: 0.5 month of the average salary for each year above 35 (men) / 30 (women),
    the years counted as for the pension (leftover months 1–6 half a year, 7–11 a year)."""
    above = LUMP_SUM_ABOVE_YEARS[sex]
    sheet.rule(
        f"Đóng BHXH cao hơn {above} năm ({SEXES[sex].vi}): mỗi năm cao hơn được trợ cấp một lần 0,5 tháng bình "
        "quân tiền lương khi nghỉ hưu.",
        f"Contributions above {above} years ({SEXES[sex].en}): a lump sum at retirement of 0.5 month of the "
        "average salary per year above.",
        f"{LAW}, Điều 68",
    )
    if years <= above:
        return
    extra = sheet.step(
        "lump_sum_years",
        f"Số năm đóng cao hơn {above} năm",
        f"Years contributed above {above}",
        f"{num(years)} − {above}",
        Fraction(years) - above,
        YEARS,
    )
    sheet.step(
        "lump_sum",
        "Trợ cấp một lần khi nghỉ hưu = 0,5 × bình quân tiền lương × số năm cao hơn",
        "Lump sum at retirement = 0.5 × average salary × years above",
        f"0.5 × {num(average)} × {num(extra)}",
        round_vnd(Fraction(1, 2) * average * Fraction(extra)),
        VND,
    )


def lump_sum_of(sheet: Worksheet) -> int:
    """The lump sum at retirement on a pension worksheet (0 when the years are not above the threshold)."""
    return int(sheet.value("lump_sum")) if sheet.has("lump_sum") else 0


def one_time_withdrawal(
    months: Sequence[ContributedMonth],
    *,
    computed_on: date | None = None,
    table: AdjustmentTable | None = None,
    parameters: ParameterSet | None = None,
) -> Worksheet:
    """The one-time withdrawal (bảo hiểm xã hội một lần) of the contribution time given.

    1.5 months of the career-average salary per year before 2014 and 2 months per year from 2014; leftover months
    of the pre-2014 period move into the from-2014 period, whose leftover months count as half a year (1–6) or a
    full year (7–11). Under one year in all: the amount contributed to the retirement and survivorship fund (its
    rates, in force on ``computed_on``, times the adjusted salaries), at most 2 months of the average salary.
    """
    ordered = sorted(months, key=lambda m: m.month)
    computed_on = computed_on or ((ordered[-1].month + 1).first_day() if ordered else vietnam_today())
    table = table or current_coefficients().on(computed_on)
    parameters = parameters or current_parameters()
    sheet = Sheet(
        "one_time",
        Text("Bảo hiểm xã hội một lần", "One-time withdrawal"),
        Text("Số tiền nhận một lần", "Amount paid once"),
    )
    sheet.parameters["contributions"] = parameters.version
    cutoff = Month(2014, 1)
    before = sum(1 for m in ordered if m.month < cutoff)
    after = len(ordered) - before
    sheet.given("months_before_2014", "Số tháng đóng trước năm 2014", "Months contributed before 2014", before, MONTHS)
    sheet.given("months_from_2014", "Số tháng đóng từ năm 2014", "Months contributed from 2014", after, MONTHS)
    sheet.rule(
        "Mỗi năm đóng trước năm 2014 tính 1,5 tháng, mỗi năm từ năm 2014 tính 2 tháng mức bình quân tiền lương; tháng "
        "lẻ của giai đoạn trước 2014 chuyển sang giai đoạn từ 2014; tháng lẻ từ 1 đến 6 tính nửa năm, từ 7 đến 11 "
        "tính một năm. Dưới một năm: bằng số tiền đã đóng, tối đa 2 tháng mức bình quân tiền lương.",
        "1.5 months of the average salary per year contributed before 2014 and 2 months per year from 2014; leftover "
        "months before 2014 move into the from-2014 period; leftover months 1–6 count as half a year, 7–11 as a full "
        "year. Under one year: the amount contributed, at most 2 months of the average salary.",
        f"{LAW}, Điều 70",
    )
    sheet.note(
        "Chỉ được nhận khi thuộc một trong các trường hợp luật cho phép (đủ tuổi nghỉ hưu mà chưa đủ 15 năm đóng, ra "
        "nước ngoài định cư, mắc bệnh hiểm nghèo, hoặc đã tham gia trước 01/7/2025 và sau 12 tháng không đóng mà "
        "chưa đủ 20 năm đóng). Phần Nhà nước hỗ trợ cho BHXH tự nguyện (nếu có) được trừ khi giải quyết.",
        "Paid only in the cases the law allows (retirement age reached with under 15 years of contributions, "
        "settling abroad, a serious illness, or participation before 2025-07-01 and 12 months without contributing "
        "with under 20 years). State support towards voluntary SI, if any, is deducted on settlement.",
    )
    if not ordered:
        sheet.note("Chưa có tháng đóng nào được tính.", "No contribution month counts yet.")
        return sheet.done(eligible=False, result=0)
    average = career_average(sheet, ordered, table)
    if len(ordered) < 12:
        rates = parameters.in_force(parameters.rates, computed_on)
        fund_rate = {
            COMPULSORY: Fraction(rates.retirement_employer + rates.retirement_employee, 100),
            VOLUNTARY: Fraction(rates.voluntary_retirement, 100),
        }
        parts = []
        for kind in (COMPULSORY, VOLUNTARY):
            adjusted = average.adjusted_of(kind)
            if not adjusted:
                continue
            parts.append(
                sheet.step(
                    f"contributed_{kind}",
                    "Số tiền đã đóng vào quỹ hưu trí, tử tuất" + (" (tự nguyện)" if kind == VOLUNTARY else ""),
                    "Contributed to the retirement and survivorship fund"
                    + (" (voluntary)" if kind == VOLUNTARY else ""),
                    f"({' + '.join(num(v) for v in adjusted)}) × {pct(fund_rate[kind])}",
                    round_vnd(sum(adjusted) * fund_rate[kind] / 100),
                    VND,
                )
            )
        contributed = parts[0]
        if len(parts) > 1:
            contributed = sheet.step(
                "contributed", "Tổng số tiền đã đóng", "Total contributed", " + ".join(map(num, parts)), sum(parts), VND
            )
        cap = sheet.step(
            "cap",
            "Tối đa 2 tháng mức bình quân tiền lương",
            "At most 2 months of the average salary",
            f"2 × {num(average.average)}",
            2 * average.average,
            VND,
        )
        amount = sheet.step(
            "amount",
            "Số tiền nhận (dưới một năm đóng)",
            "Amount (under one year contributed)",
            f"min({num(contributed)}; {num(cap)})",
            min(contributed, cap),
            VND,
        )
        return sheet.done(eligible=True, result=amount)
    counted, terms = months_by_period(sheet, before, after)
    benefit_months = sheet.step(
        "benefit_months",
        "Số tháng bình quân tiền lương được nhận",
        "Months of average salary paid",
        terms,
        counted,
        MONTHS,
    )
    amount = sheet.step(
        "amount",
        "Số tiền nhận = bình quân tiền lương × số tháng",
        "Amount = average salary × months",
        f"{num(average.average)} × {num(benefit_months)}",
        round_vnd(average.average * Fraction(benefit_months)),
        VND,
    )
    return sheet.done(eligible=True, result=amount)


def months_by_period(sheet: Sheet, before: int, after: int) -> tuple[Fraction, str]:
    """The months of the average salary earned by the time contributed, as the one-time withdrawal (Law 41/2024
    Art 70) and the survivors' lump sum (Art 89) count them: 1.5 a year before 2014 and 2 a year from 2014; the
    leftover months before 2014 move into the from-2014 period, whose leftover 1–6 months count as half a year and
    7–11 as a full year. Writes the steps and returns (months, the formula)."""
    full_before, left_before = divmod(before, 12)
    terms = []
    if before:
        sheet.step(
            "years_before_2014",
            "Số năm đủ trước năm 2014",
            "Full years before 2014",
            f"floor({before} ÷ 12)",
            full_before,
            YEARS,
        )
        sheet.step(
            "leftover_before_2014",
            "Tháng lẻ trước 2014, chuyển sang giai đoạn từ 2014",
            "Leftover months before 2014, moved to the from-2014 period",
            f"{before} − 12 × {full_before}",
            left_before,
            MONTHS,
        )
        terms.append(f"1.5 × {full_before}")
    from_2014 = sheet.step(
        "months_from_2014_counted",
        "Số tháng tính cho giai đoạn từ 2014",
        "Months counted for the period from 2014",
        f"{after} + {left_before}",
        after + left_before,
        MONTHS,
    )
    years_after = sheet.step(
        "years_from_2014",
        "Số năm từ 2014 (tháng lẻ 1–6 tính nửa năm, 7–11 tính một năm)",
        "Years from 2014 (leftover months 1–6 count as half a year, 7–11 as a full year)",
        f"floor({from_2014} ÷ 12) + {leftover_value(from_2014 % 12)}",
        counted_years(from_2014),
        YEARS,
    )
    terms.append(f"2 × {num(years_after)}")
    return Fraction(3, 2) * full_before + 2 * Fraction(years_after), " + ".join(terms)
