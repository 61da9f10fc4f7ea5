"""The survivors' lump sum (trợ cấp tuất một lần, Law on Social Insurance 2024, 41/2024/QH15): Art 88 (when it may
be chosen instead of the monthly allowance) and Art 89 (how much): 1.5 months of the career-average salary per year
contributed before 2014 and 2 months per year from 2014, at least 3 months; for a pensioner, 48 months of the
pension less 0.5 month per further month drawn. The facts (:class:`Deceased`, :class:`Relative`) and the monthly
allowance are in :mod:`esibook.benefits.survivorship`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from esibook.benefits.coefficients import AdjustmentTable, current_coefficients
from esibook.benefits.long_term import months_by_period
from esibook.benefits.months import ContributedMonth, career_average
from esibook.benefits.survivorship import (
    LUMP_AMOUNT_SOURCE,
    LUMP_MINIMUM_MONTHS,
    Deceased,
    Relative,
    relative_qualifies,
)
from esibook.benefits.worksheet import (
    MONTHS,
    VND,
    Sheet,
    Text,
    Worksheet,
    num,
    round_vnd,
)
from esibook.contributions.parameters import ParameterSet, current_parameters
from esibook.periods import Month


def lump_sum_allowed(relatives: Sequence[Relative]) -> Text | None:
    """Why a relative who qualifies monthly may not take the lump sum instead (Art 88 khoản 1): a child under 6, or a
    child or spouse with a loss of working capacity of 81% or more; None when the lump sum may be chosen."""
    for relative in relatives:
        if relative_qualifies(relative) is None:
            continue
        if relative.relationship == "child" and relative.age < 6:
            return Text("có con dưới 6 tuổi", "a child under 6")
        if relative.relationship in ("child", "spouse") and relative.disabled_81:
            return Text("có con hoặc vợ, chồng suy giảm khả năng lao động từ 81%", "a child or spouse with 81% loss")
    return None


def survivors_lump_sum(
    months: Sequence[ContributedMonth],
    deceased: Deceased,
    *,
    table: AdjustmentTable | None = None,
    parameters: ParameterSet | None = None,
) -> Worksheet:
    """The survivors' lump sum of a deceased who was contributing or had kept their contribution time (Art 89
    khoản 1): 1.5 months of the career-average salary per year contributed before 2014 and 2 months per year from
    2014 (leftover months before 2014 move into the from-2014 period, whose leftover 1–6 months count as half a year
    and 7–11 as a full year), at least 3 months of the average. For a pensioner (Art 89 khoản 2): 48 months of the
    pension when death comes in the first 2 months of it, 0.5 month less for each further month drawn, at least 3
    months (:func:`_pensioner_lump_sum`)."""
    parameters = parameters or current_parameters()
    table = table or current_coefficients().on(deceased.died_on)
    sheet = Sheet(
        "survivors_lump",
        Text("Trợ cấp tuất một lần", "Survivors' lump sum"),
        Text("Số tiền nhận một lần", "Amount paid once"),
    )
    sheet.parameters["contributions"] = parameters.version
    ordered = sorted((m for m in months if m.month.first_day() <= deceased.died_on), key=lambda m: m.month)
    before = sum(1 for m in ordered if m.month.year < 2014)
    after = len(ordered) - before
    sheet.given("died_on", "Ngày chết", "Date of death", deceased.died_on.isoformat())
    sheet.given("months_before_2014", "Số tháng đóng trước năm 2014", "Months contributed before 2014", before, MONTHS)
    sheet.given("months_from_2014", "Số tháng đóng từ năm 2014", "Months contributed from 2014", after, MONTHS)
    sheet.rule(
        "Mỗi năm đóng BHXH trước năm 2014 tính 1,5 tháng, mỗi năm từ năm 2014 tính 2 tháng mức bình quân tiền lương "
        "đóng BHXH; tháng lẻ trước 2014 chuyển sang giai đoạn từ 2014; tháng lẻ từ 1 đến 6 tính nửa năm, từ 7 đến 11 "
        "tính một năm. Mức thấp nhất bằng 03 tháng mức bình quân tiền lương.",
        "1.5 months of the average SI salary per year contributed before 2014 and 2 months per year from 2014; "
        "leftover months before 2014 move into the from-2014 period; leftover months 1–6 count as half a year, 7–11 "
        "as a full year. At least 3 months of the average salary.",
        LUMP_AMOUNT_SOURCE,
    )
    if deceased.pensioner:
        return _pensioner_lump_sum(sheet, deceased)
    if not ordered:
        sheet.note("Người chết chưa có tháng đóng BHXH nào.", "The deceased has no month of contributions.")
        return sheet.done(eligible=False, result=0)
    average = career_average(sheet, ordered, table).average
    months, terms = months_by_period(sheet, before, after)
    counted = sheet.step(
        "months_counted",
        "Số tháng theo thời gian đóng",
        "Months by the time contributed",
        terms,
        months,
        MONTHS,
    )
    benefit_months = sheet.step(
        "benefit_months",
        "Số tháng bình quân được nhận (tối thiểu 3)",
        "Months of the average paid (at least 3)",
        f"max({num(counted)}; {LUMP_MINIMUM_MONTHS})",
        max(Fraction(counted), LUMP_MINIMUM_MONTHS),
        MONTHS,
    )
    amount = sheet.step(
        "amount",
        "Số tiền = bình quân tiền lương × số tháng",
        "Amount = average salary × months",
        f"{num(average)} × {num(benefit_months)}",
        round_vnd(average * Fraction(benefit_months)),
        VND,
    )
    return sheet.done(eligible=True, result=amount)


def _pensioner_lump_sum(sheet: Sheet, deceased: Deceased) -> Worksheet:
    """The survivors' lump sum of a pensioner (Art 89 khoản 2): 48 months of the pension being drawn when the death
    comes in the first 2 months of it; each further month drawn takes 0.5 month off; at least 3 months."""
    sheet.rule(
        "Thân nhân của người đang hưởng lương hưu chết: nếu chết trong 02 tháng đầu hưởng lương hưu thì bằng 48 tháng "
        "lương hưu đang hưởng; chết vào những tháng sau đó, cứ hưởng thêm 01 tháng lương hưu thì giảm 0,5 tháng; "
        "mức thấp nhất bằng 03 tháng lương hưu đang hưởng.",
        "The relatives of a pensioner: 48 months of the pension being drawn when the death comes in the first 2 "
        "months of the pension; each further month drawn takes 0.5 month off; at least 3 months of the pension.",
        f"{LUMP_AMOUNT_SOURCE}, khoản 2",
    )
    if not deceased.monthly_pension or deceased.pension_from is None:
        sheet.note(
            "Người chết đang hưởng lương hưu nhưng sổ chưa có mức lương hưu: cán bộ tính theo quyết định hưởng lương "
            "hưu.",
            "The deceased drew a pension but the book holds no pension amount: the officer computes it from the "
            "pension decision.",
        )
        return sheet.done(eligible=False, result=0)
    started, died = Month.from_date(deceased.pension_from), Month.from_date(deceased.died_on)
    drawn = max(died - started + 1, 1)
    sheet.given("monthly_pension", "Lương hưu đang hưởng", "Pension being drawn", deceased.monthly_pension, VND)
    sheet.given("pension_from", "Tháng bắt đầu hưởng lương hưu", "First month of the pension", str(started))
    sheet.given("months_drawn", "Số tháng đã hưởng lương hưu", "Months of pension drawn", drawn, MONTHS)
    months = sheet.step(
        "benefit_months",
        "Số tháng lương hưu được nhận (tối thiểu 3)",
        "Months of pension paid (at least 3)",
        f"max(48 − 0.5 × max({drawn} − 2; 0); {LUMP_MINIMUM_MONTHS})",
        max(48 - Fraction(max(drawn - 2, 0), 2), LUMP_MINIMUM_MONTHS),
        MONTHS,
    )
    amount = sheet.step(
        "amount",
        "Số tiền = lương hưu × số tháng",
        "Amount = pension × months",
        f"{num(deceased.monthly_pension)} × {num(months)}",
        round_vnd(deceased.monthly_pension * Fraction(months)),
        VND,
    )
    return sheet.done(eligible=True, result=amount)
