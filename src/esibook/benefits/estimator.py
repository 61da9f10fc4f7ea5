"""The estimator: "what would I get?" computed from the person's own book.

Which months count (the rule chosen, see docs/benefits.md):
- a contribution line counts when it is ``paid``, or ``declared`` (posted and not yet due: the employer has until
  the end of the following month); ``unpaid`` and ``partly_paid`` months are in arrears and count only once paid
  (the worksheet lists them);
- household HI lines are health insurance only and never count;
- a month counts once: the salaries of all lines of the month add up (each was already capped);
- a period converted from a paper book counts each of its months that has no line, at the period's salary
  (compulsory, no UI), since the paper book records paid time;
- only months before the current month count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.benefits.long_term import one_time_withdrawal, pension, retirement_age
from esibook.benefits.models import BenefitSettlement
from esibook.benefits.months import COMPULSORY, VOLUNTARY, ContributedMonth
from esibook.benefits.short_term import sickness, unemployment
from esibook.benefits.worksheet import Sheet, Text, Worksheet
from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.periods import Month

COUNTED_STATUSES = ("paid", "declared")
ARREARS_STATUSES = ("unpaid", "partly_paid")


@dataclass(frozen=True)
class History:
    """A person's contribution months as the benefit rules read them."""

    months: tuple[ContributedMonth, ...]
    arrears: tuple[Month, ...]
    """Months in the book not counted because they are not (fully) paid."""
    from_paper: int
    """How many counted months come from periods converted from a paper book (no monthly line)."""
    ui_counted_from: Month | None
    """UI months before this month were used by an earlier unemployment benefit."""


@dataclass(frozen=True)
class Estimates:
    person_id: int
    full_name: str
    as_of: Month
    history: History
    worksheets: tuple[Worksheet, ...]

    def sheet(self, benefit: str) -> Worksheet:
        return next(w for w in self.worksheets if w.benefit == benefit)

    def as_dict(self) -> dict:
        return {
            "as_of": str(self.as_of),
            "full_name": self.full_name,
            "months_counted": len(self.history.months),
            "months_from_paper": self.history.from_paper,
            "months_in_arrears": [str(m) for m in self.history.arrears],
            "estimates": {w.benefit: w.as_dict() for w in self.worksheets},
        }


def contribution_history(session: Session, person_id: int, *, before: Month) -> History:
    """The months that count for benefits, before ``before`` (see the module's rule)."""
    lines = list(
        session.scalars(
            select(ContributionLine).where(
                ContributionLine.person_id == person_id,
                ContributionLine.month < before.as_int(),
                ContributionLine.participant_type != "household",
            )
        )
    )
    periods = list(session.scalars(select(ParticipationPeriod).where(ParticipationPeriod.person_id == person_id)))
    employer_ids = {line.employer_id for line in lines} | {p.employer_id for p in periods}
    regions = dict(session.execute(select(Employer.id, Employer.region).where(Employer.id.in_(employer_ids))).all())
    counted: dict[int, dict] = {}
    arrears: set[int] = set()
    for line in sorted(lines, key=lambda row: (row.month, row.employer_id)):
        if line.status not in COUNTED_STATUSES:
            arrears.add(line.month)
            continue
        slot = counted.setdefault(line.month, {"salary": 0, "ui": 0, "kinds": set(), "region": None})
        slot["salary"] += line.salary_basis
        slot["ui"] += line.ui_basis
        slot["kinds"].add(VOLUNTARY if line.participant_type == "voluntary" else COMPULSORY)
        if line.ui_basis and line.employer_id in regions:
            slot["region"] = regions[line.employer_id]
    lined = {line.month for line in lines}
    from_paper = 0
    for period in periods:
        if period.provenance != "converted_from_paper" or period.participant_type == "household":
            continue
        last = Month.from_int(period.to_month) if period.to_month else before - 1
        for month in Month.range(Month.from_int(period.from_month), min(last, before - 1)):
            key = month.as_int()
            if key in lined or key in counted:
                continue
            kind = VOLUNTARY if period.participant_type == "voluntary" else COMPULSORY
            counted[key] = {"salary": period.salary_basis, "ui": 0, "kinds": {kind}, "region": None}
            from_paper += 1
    months = tuple(
        ContributedMonth(
            Month.from_int(key),
            slot["salary"],
            slot["ui"],
            COMPULSORY if COMPULSORY in slot["kinds"] else VOLUNTARY,
            slot["region"],
        )
        for key, slot in sorted(counted.items())
    )
    used = session.scalar(
        select(BenefitSettlement.period_from)
        .where(BenefitSettlement.person_id == person_id, BenefitSettlement.regime == "unemployment")
        .order_by(BenefitSettlement.period_from.desc())
        .limit(1)
    )
    return History(
        months=months,
        arrears=tuple(Month.from_int(m) for m in sorted(arrears - set(counted))),
        from_paper=from_paper,
        ui_counted_from=Month.from_date(used) if used else None,
    )


def estimate(session: Session, person: Person, *, today: date | None = None) -> Estimates:
    """Every estimate for a person from their book: one-time withdrawal now, pension at retirement age, the
    unemployment benefit if the job ended now, and the sickness benefit per day. No access check: callers check."""
    today = today or vietnam_today()
    now = Month.from_date(today)
    history = contribution_history(session, person.id, before=now)
    months = history.months
    worksheets = [
        _with_history_notes(one_time_withdrawal(months, computed_on=today), history),
        _with_history_notes(_pension_at_retirement(person, months, now), history),
        _with_history_notes(_unemployment_if_job_ended(months, now, history.ui_counted_from), history),
        _with_history_notes(sickness(months, leave_month=now, participating=_in_compulsory_si(session, person, now)),
                            history),
    ]
    return Estimates(person.id, person.full_name, now, history, tuple(worksheets))


def _in_compulsory_si(session: Session, person: Person, month: Month) -> bool:
    """Whether a compulsory participation period (an employee's, or the armed forces') covers ``month``."""
    return bool(
        session.scalar(
            select(ParticipationPeriod.seq)
            .where(
                ParticipationPeriod.person_id == person.id,
                ParticipationPeriod.participant_type.in_(("employee", "armed_forces")),
                ParticipationPeriod.from_month <= month.as_int(),
                func.coalesce(ParticipationPeriod.to_month, 999912) >= month.as_int(),
            )
            .limit(1)
        )
        is not None
    )


def _unemployment_if_job_ended(months: tuple[ContributedMonth, ...], now: Month, counted_from: Month | None):
    """The unemployment estimate if the contract had ended with the last month before ``now`` (the months of the
    book); when the rule refuses (the last employer's region is unknown) the estimate says why instead of a
    figure."""
    try:
        return unemployment(months, termination_month=now - 1, counted_from=counted_from)
    except DomainError as refused:
        sheet = Sheet("unemployment", Text("Trợ cấp thất nghiệp", "Unemployment benefit"),
                      Text("Mỗi tháng", "Per month"), "VND/month")
        sheet.note(refused.message_vi, refused.message_en)
        return sheet.done(eligible=False, result=0)


def _pension_at_retirement(person: Person, months: tuple[ContributedMonth, ...], now: Month) -> Worksheet:
    """The pension from the month after the person reaches retirement age (or now, if later), assuming that a
    person contributing last month keeps contributing at that salary until then."""
    reached = retirement_age(person.date_of_birth, person.sex).reached
    retire = max(reached + 1, now)
    ahead: list[ContributedMonth] = []
    last = months[-1] if months else None
    if last is not None and last.month == now - 1:
        ahead = [
            ContributedMonth(m, last.salary, last.ui_salary, last.kind, last.region, projected=True)
            for m in Month.range(now, retire - 1)
        ]
    sheet = pension([*months, *ahead], sex=person.sex, date_of_birth=person.date_of_birth, retire_month=retire)
    if ahead:
        sheet = _add_note(
            sheet,
            Text(
                f"Giả định bạn tiếp tục đóng với mức lương hiện nay ({f'{last.salary:,}'.replace(',', '.')} đồng) "
                "đến khi nghỉ hưu; tiền lương sau này không được điều chỉnh.",
                f"Assumes you keep contributing at your current salary ({last.salary:,} VND) until you retire; "
                "future salaries are not adjusted.",
            ),
        )
    return sheet


def _with_history_notes(sheet: Worksheet, history: History) -> Worksheet:
    if history.arrears:
        listed = ", ".join(str(m) for m in history.arrears)
        sheet = _add_note(
            sheet,
            Text(
                f"{len(history.arrears)} tháng đơn vị chưa đóng đủ chưa được tính ({listed}); được tính khi đã đóng.",
                f"{len(history.arrears)} months your employer has not fully paid are not counted ({listed}); they "
                "count once paid.",
            ),
        )
    if history.from_paper and sheet.benefit in ("pension", "one_time"):
        sheet = _add_note(
            sheet,
            Text(
                f"{history.from_paper} tháng lấy từ sổ BHXH giấy đã chuyển đổi, theo mức lương ghi trong sổ.",
                f"{history.from_paper} months come from your converted paper book, at the salary written in it.",
            ),
        )
    return sheet


def _add_note(sheet: Worksheet, note: Text) -> Worksheet:
    return replace(sheet, notes=(*sheet.notes, note))


def my_estimates(session: Session, caller: Principal, *, today: date | None = None) -> Estimates:
    """The caller's own estimates: a person signed in with VNeID level 2, reading only their own book."""
    person = policy.own_person(session, caller)
    return estimate(session, person, today=today)
