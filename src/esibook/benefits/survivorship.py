"""Survivorship (chế độ tử tuất, Law on Social Insurance 2024, 41/2024/QH15, Art 85–91): the funeral grant (trợ cấp
mai táng) and the survivors' allowance, monthly (trợ cấp tuất hằng tháng) or as a lump sum (trợ cấp tuất một lần).

Pure functions over the deceased's contribution months and the dated reference level (mức tham chiếu, which is the
base salary while no separate level is set: Law 41/2024 Art 7) of the month of death, each returning a
:class:`Worksheet`. Who the deceased was (a pensioner, an accident victim) and who the relatives are is read by the
claim (:mod:`esibook.benefits.other_claims`) from the book and the population records and given here as facts.

- :func:`funeral_grant` — Art 85: 10 × the reference level of the month of death, to the person who arranges the
  funeral; the deceased had 12 months of compulsory SI (or 60 months of voluntary SI), or died of an occupational
  accident/disease, or was drawing a pension or a monthly accident/disease allowance.
- :func:`survivors_monthly` — Art 86 (who qualifies) and Art 87 (how much): 50% of the reference level a month per
  qualifying relative, 70% for one who has no one to care for them directly, at most 4 relatives.
- the lump sum (Art 88–89) is in :mod:`esibook.benefits.survivors_lump_sum`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from esibook.benefits.months import COMPULSORY, VOLUNTARY, ContributedMonth
from esibook.benefits.worksheet import (
    MONTHS,
    PERCENT,
    VND,
    Sheet,
    Text,
    Worksheet,
    num,
    pct,
    round_vnd,
)
from esibook.contributions.parameters import ParameterSet, current_parameters
from esibook.periods import Month

LAW = "Luật BHXH 2024 (41/2024/QH15)"
FUNERAL_SOURCE = f"{LAW}, Điều 85"
MONTHLY_CASES_SOURCE = f"{LAW}, Điều 86"
MONTHLY_AMOUNT_SOURCE = f"{LAW}, Điều 87"
LUMP_CASES_SOURCE = f"{LAW}, Điều 88"
LUMP_AMOUNT_SOURCE = f"{LAW}, Điều 89"

FUNERAL_MULTIPLE = 10
FUNERAL_COMPULSORY_MONTHS = 12
FUNERAL_VOLUNTARY_MONTHS = 60
MONTHLY_COMPULSORY_MONTHS = 180
MAX_MONTHLY_RELATIVES = 4
CHILD_AGE_LIMIT = 18
LUMP_MINIMUM_MONTHS = 3

RELATIONSHIPS = {
    "child": Text("con", "child"),
    "spouse": Text("vợ hoặc chồng", "spouse"),
    "father": Text("cha đẻ", "father"),
    "mother": Text("mẹ đẻ", "mother"),
    "spouse_father": Text("cha vợ hoặc cha chồng", "father-in-law"),
    "spouse_mother": Text("mẹ vợ hoặc mẹ chồng", "mother-in-law"),
    "carer": Text("người trực tiếp nuôi dưỡng", "the person who raised the deceased"),
}
"""The relatives a monthly allowance may be paid to (Art 86 khoản 2)."""


@dataclass(frozen=True)
class Deceased:
    """Facts about the deceased that the claim reads from the book and the dossier."""

    died_on: date
    pensioner: bool = False
    """Drawing a pension (a ``pension`` settlement in the book)."""
    occupational_death: bool = False
    """Died of an occupational accident or disease, or while being treated for one (shown by the scans)."""
    oad_monthly_loss: int = 0
    """The loss of working capacity (%) of a monthly occupational accident/disease allowance being drawn, or 0."""
    oad_monthly: bool = False
    """Drawing a monthly occupational accident/disease allowance (an ``oad_monthly`` settlement in the book), the
    loss of working capacity not known."""
    monthly_pension: int = 0
    """The pension being drawn (VND a month), from the pension decision in the book; 0 when not known."""
    pension_from: date | None = None
    """The first day the pension was paid."""


@dataclass(frozen=True)
class Relative:
    """A relative named for a monthly allowance, as the population records and the filer's statement give them."""

    relationship: str
    """A key of :data:`RELATIONSHIPS`."""
    age: int
    """Whole years of age on the day of the death."""
    sex: str
    disabled_81: bool = False
    """A loss of working capacity of 81% or more."""
    low_income: bool = True
    """No income, or a monthly income below the reference level (stated by the relative)."""
    no_carer: bool = False
    """No one cares for them directly (không có người trực tiếp nuôi dưỡng): 70% instead of 50%."""
    born_on: date | None = None
    """The date of birth (population records): a child qualifying by age is paid to the month they turn 18."""


def child_last_month(date_of_birth: date) -> Month:
    """The last month of a child's survivors' allowance when being under 18 is why the child qualifies (Art 86
    khoản 2: "con chưa đủ 18 tuổi"): the month of the 18th birthday, paid to its end, nothing from the next."""
    return Month(date_of_birth.year + CHILD_AGE_LIMIT, date_of_birth.month)


def paid_until(relative: Relative) -> Month | None:
    """The last month a relative's monthly allowance is paid when it ends by itself (a child by age), else None."""
    if relative.relationship == "child" and relative.age < CHILD_AGE_LIMIT and not relative.disabled_81 \
            and relative.born_on is not None:
        return child_last_month(relative.born_on)
    return None


def _months_of(months: Sequence[ContributedMonth], kind: str, before: date) -> int:
    return sum(1 for m in months if m.kind == kind and m.month.first_day() <= before)


def _reference(sheet: Sheet, parameters: ParameterSet, died_on: date) -> int:
    reference = parameters.in_force(parameters.reference_level, died_on)
    sheet.parameters["contributions"] = parameters.version
    sheet.given(
        "reference_level", "Mức tham chiếu tại tháng chết", "Reference level in the month of death", reference, VND
    )
    return reference


def funeral_grant(
    months: Sequence[ContributedMonth], deceased: Deceased, *, parameters: ParameterSet | None = None
) -> Worksheet:
    """The funeral grant (Art 85): 10 × the reference level in force in the month of death, paid once to the person
    who arranges the funeral. Eligible when the deceased had 12 months or more of compulsory SI (contributing or
    with the time kept), 60 months or more of voluntary SI, died of an occupational accident or disease, or was
    drawing a pension or a monthly occupational accident/disease allowance."""
    parameters = parameters or current_parameters()
    sheet = Sheet(
        "funeral", Text("Trợ cấp mai táng", "Funeral grant"), Text("Số tiền nhận một lần", "Amount paid once")
    )
    compulsory = _months_of(months, COMPULSORY, deceased.died_on)
    voluntary = _months_of(months, VOLUNTARY, deceased.died_on)
    sheet.given("died_on", "Ngày chết", "Date of death", deceased.died_on.isoformat())
    sheet.given("compulsory_months", "Số tháng đóng BHXH bắt buộc", "Months of compulsory SI", compulsory, MONTHS)
    sheet.given("voluntary_months", "Số tháng đóng BHXH tự nguyện", "Months of voluntary SI", voluntary, MONTHS)
    reference = _reference(sheet, parameters, deceased.died_on)
    sheet.rule(
        "Người lo mai táng được nhận một lần trợ cấp mai táng bằng 10 lần mức tham chiếu tại tháng người tham gia "
        "chết, khi người chết đã đóng BHXH bắt buộc từ đủ 12 tháng (hoặc BHXH tự nguyện từ đủ 60 tháng), chết do tai "
        "nạn lao động, bệnh nghề nghiệp, hoặc đang hưởng lương hưu, trợ cấp TNLĐ-BNN hằng tháng.",
        "The person who arranges the funeral receives a grant of 10 × the reference level of the month of death, "
        "once, when the deceased had 12 months of compulsory SI (or 60 months of voluntary SI), died of an "
        "occupational accident or disease, or was drawing a pension or a monthly accident/disease allowance.",
        FUNERAL_SOURCE,
    )
    reasons = []
    if compulsory >= FUNERAL_COMPULSORY_MONTHS:
        reasons.append(Text(f"đã đóng BHXH bắt buộc {compulsory} tháng", f"{compulsory} months of compulsory SI"))
    if voluntary >= FUNERAL_VOLUNTARY_MONTHS:
        reasons.append(Text(f"đã đóng BHXH tự nguyện {voluntary} tháng", f"{voluntary} months of voluntary SI"))
    if deceased.occupational_death:
        reasons.append(Text("chết do TNLĐ-BNN", "died of an occupational accident or disease"))
    if deceased.pensioner:
        reasons.append(Text("đang hưởng lương hưu", "drawing a pension"))
    if deceased.oad_monthly_loss or deceased.oad_monthly:
        reasons.append(Text("đang hưởng trợ cấp TNLĐ-BNN hằng tháng", "drawing a monthly accident allowance"))
    if not reasons:
        sheet.note(
            f"Chưa đủ điều kiện: {compulsory} tháng BHXH bắt buộc (cần 12), {voluntary} tháng tự nguyện (cần 60), "
            "không hưởng lương hưu hay trợ cấp TNLĐ-BNN hằng tháng.",
            f"Not eligible: {compulsory} months of compulsory SI (12 needed), {voluntary} of voluntary SI (60 needed), "
            "no pension or monthly accident allowance.",
        )
        return sheet.done(eligible=False, result=0)
    sheet.note(
        "Đủ điều kiện: " + "; ".join(r.vi for r in reasons) + ".", "Eligible: " + "; ".join(r.en for r in reasons) + "."
    )
    grant = sheet.step(
        "grant",
        "Trợ cấp mai táng = 10 × mức tham chiếu",
        "Funeral grant = 10 × the reference level",
        f"{FUNERAL_MULTIPLE} × {num(reference)}",
        FUNERAL_MULTIPLE * reference,
        VND,
    )
    return sheet.done(eligible=True, result=grant)


def deceased_qualifies_monthly(months: Sequence[ContributedMonth], deceased: Deceased) -> Text | None:
    """Why the deceased's relatives may have a monthly allowance (Art 86 khoản 1), or None: 15 years of compulsory
    SI, drawing a pension, an occupational death, or a monthly accident/disease allowance at 61% or more."""
    compulsory = _months_of(months, COMPULSORY, deceased.died_on)
    if compulsory >= MONTHLY_COMPULSORY_MONTHS:
        return Text(
            f"đã đóng BHXH bắt buộc {compulsory} tháng (từ đủ 15 năm)",
            f"{compulsory} months of compulsory SI (15 years or more)",
        )
    if deceased.pensioner:
        return Text("đang hưởng lương hưu", "drawing a pension")
    if deceased.occupational_death:
        return Text("chết do TNLĐ-BNN", "died of an occupational accident or disease")
    if deceased.oad_monthly_loss >= 61:
        return Text(
            f"đang hưởng trợ cấp TNLĐ-BNN hằng tháng, suy giảm {deceased.oad_monthly_loss}%",
            f"drawing a monthly accident allowance at {deceased.oad_monthly_loss}% loss",
        )
    return None


def relative_qualifies(relative: Relative) -> Text | None:
    """Why a relative qualifies for a monthly allowance (Art 86 khoản 2 and 3), or None: a child under 18; a wife 55
    or older, a husband 60 or older; a father or father-in-law 60 or older, a mother or mother-in-law 55 or older;
    any of them with a loss of working capacity of 81% or more. Spouses and parents must have no income or one below
    the reference level."""
    if relative.relationship == "child":
        if relative.age < 18:
            return Text(f"con dưới 18 tuổi ({relative.age} tuổi)", f"a child under 18 ({relative.age})")
        if relative.disabled_81:
            return Text(
                "con suy giảm khả năng lao động từ 81%", "a child with a loss of working capacity of 81% or more"
            )
        return None
    if relative.relationship not in RELATIONSHIPS:
        return None
    if not relative.low_income:
        return None
    threshold = 60 if relative.sex == "male" else 55
    if relative.age >= threshold:
        return Text(f"đủ {threshold} tuổi ({relative.age} tuổi)", f"{threshold} or older ({relative.age})")
    if relative.disabled_81:
        return Text("suy giảm khả năng lao động từ 81%", "a loss of working capacity of 81% or more")
    return None


def survivors_monthly(
    months: Sequence[ContributedMonth],
    deceased: Deceased,
    relatives: Sequence[Relative],
    *,
    parameters: ParameterSet | None = None,
) -> Worksheet:
    """The monthly survivors' allowance (Art 86, 87): for each qualifying relative, at most 4, 50% of the reference
    level of the month of death a month (70% for one with no one to care for them directly), from the month after
    the death. The result is the total a month for the relatives paid; a step ``relative_<n>`` gives each one's."""
    parameters = parameters or current_parameters()
    sheet = Sheet(
        "survivors_monthly",
        Text("Trợ cấp tuất hằng tháng", "Monthly survivors' allowance"),
        Text("Tổng mỗi tháng", "Total a month"),
        "VND/month",
    )
    sheet.given("died_on", "Ngày chết", "Date of death", deceased.died_on.isoformat())
    sheet.given(
        "compulsory_months",
        "Số tháng đóng BHXH bắt buộc",
        "Months of compulsory SI",
        _months_of(months, COMPULSORY, deceased.died_on),
        MONTHS,
    )
    reference = _reference(sheet, parameters, deceased.died_on)
    sheet.rule(
        "Thân nhân của người đã đóng BHXH bắt buộc từ đủ 15 năm, đang hưởng lương hưu, chết do TNLĐ-BNN hoặc đang "
        "hưởng trợ cấp TNLĐ-BNN hằng tháng với mức suy giảm từ 61% được hưởng trợ cấp tuất hằng tháng: con dưới 18 "
        "tuổi; vợ từ đủ 55 tuổi, chồng từ đủ 60 tuổi; cha, mẹ (đẻ, vợ hoặc chồng, người nuôi dưỡng) nam từ đủ 60, "
        "nữ từ đủ 55 tuổi; hoặc bị suy giảm khả năng lao động từ 81%. Vợ, chồng, cha, mẹ phải không có thu nhập hoặc "
        "thu nhập thấp hơn mức tham chiếu.",
        "The relatives of a person who had 15 years of compulsory SI, drew a pension, died of an occupational "
        "accident or disease, or drew a monthly accident allowance at 61% loss or more, have a monthly allowance: "
        "a child under 18; a wife 55 or older, a husband 60 or older; a father (or father-in-law, or carer) 60 or "
        "older, a mother 55 or older; or any with a loss of working capacity of 81% or more. Spouses and parents must "
        "have no income or one below the reference level.",
        MONTHLY_CASES_SOURCE,
    )
    sheet.rule(
        "Mỗi thân nhân hưởng 50% mức tham chiếu mỗi tháng; thân nhân không có người trực tiếp nuôi dưỡng hưởng 70%. "
        "Một người chết thì tối đa 04 thân nhân được hưởng; hưởng từ tháng liền kề sau tháng người tham gia chết. "
        "Con hưởng vì chưa đủ 18 tuổi được hưởng đến hết tháng đủ 18 tuổi.",
        "Each relative receives 50% of the reference level a month; one with no one to care for them directly "
        "receives 70%. At most 4 relatives of one deceased; paid from the month after the death. A child paid for "
        "being under 18 is paid to the end of the month they turn 18.",
        MONTHLY_AMOUNT_SOURCE,
    )
    why = deceased_qualifies_monthly(months, deceased)
    if why is None:
        sheet.note(
            "Người chết chưa đủ điều kiện để thân nhân hưởng trợ cấp tuất hằng tháng (chưa đủ 15 năm đóng BHXH bắt "
            "buộc, không hưởng lương hưu): thân nhân hưởng trợ cấp tuất một lần.",
            "The deceased does not qualify their relatives for a monthly allowance (under 15 years of compulsory SI, "
            "no pension): the relatives receive the lump sum.",
        )
        return sheet.done(eligible=False, result=0)
    sheet.note("Người chết: " + why.vi + ".", "The deceased: " + why.en + ".")
    paid: list[int] = []
    for index, relative in enumerate(relatives, start=1):
        label = RELATIONSHIPS.get(relative.relationship, Text(relative.relationship, relative.relationship))
        reason = relative_qualifies(relative)
        if reason is None:
            sheet.note(
                f"Thân nhân {index} ({label.vi}, {relative.age} tuổi): không đủ điều kiện.",
                f"Relative {index} ({label.en}, {relative.age}): does not qualify.",
            )
            continue
        until = paid_until(relative)
        if until is not None and until < Month.from_date(deceased.died_on) + 1:
            sheet.note(
                f"Thân nhân {index} ({label.vi}): đủ 18 tuổi trong tháng người tham gia chết, không còn tháng hưởng.",
                f"Relative {index} ({label.en}): turns 18 in the month of the death, so no month is paid.",
            )
            continue
        if len(paid) == MAX_MONTHLY_RELATIVES:
            sheet.note(
                f"Thân nhân {index} ({label.vi}): đã đủ 04 thân nhân được hưởng.",
                f"Relative {index} ({label.en}): 4 relatives are already paid.",
            )
            continue
        rate = 70 if relative.no_carer else 50
        sheet.given(
            f"relative_{index}_reason",
            f"Thân nhân {index} ({label.vi})",
            f"Relative {index} ({label.en})",
            reason,
        )
        sheet.given(
            f"relative_{index}_rate", f"Tỷ lệ của thân nhân {index}", f"Rate of relative {index}", rate, PERCENT
        )
        if until:
            sheet.given(f"relative_{index}_until", f"Thân nhân {index} hưởng đến hết tháng (đủ 18 tuổi)",
                        f"Relative {index} is paid to the end of (turning 18)", str(until))
        paid.append(
            sheet.step(
                f"relative_{index}",
                f"Trợ cấp hằng tháng của thân nhân {index} ({label.vi})",
                f"Monthly allowance of relative {index} ({label.en})",
                f"{num(reference)} × {pct(rate)}",
                round_vnd(Fraction(reference * rate, 100)),
                VND,
            )
        )
    if not paid:
        sheet.note(
            "Không có thân nhân nào đủ điều kiện hưởng hằng tháng: thân nhân hưởng trợ cấp tuất một lần.",
            "No relative qualifies for a monthly allowance: the relatives receive the lump sum.",
        )
        return sheet.done(eligible=False, result=0)
    total = sheet.step(
        "total", "Tổng trợ cấp mỗi tháng", "Total a month", " + ".join(num(p) for p in paid), sum(paid), VND
    )
    return sheet.done(eligible=True, result=total)
