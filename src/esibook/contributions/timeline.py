"""The citizen's contribution timeline (quá trình đóng theo tháng): per month the employer, the salary basis, each
fund and whether it was paid; and a chart of the salary basis over the years, drawn as SVG on the server (no
script, readable on any phone)."""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.contributions.dues import FUNDS
from esibook.contributions.models import ContributionLine
from esibook.employers.models import Employer
from esibook.money import format_vnd
from esibook.periods import Month


def timeline(session: Session, person_id: int) -> list[dict]:
    rows = session.execute(
        select(ContributionLine, Employer)
        .outerjoin(Employer, Employer.id == ContributionLine.employer_id)
        .where(ContributionLine.person_id == person_id)
        .order_by(ContributionLine.month.desc(), ContributionLine.employer_id)
    ).all()
    return [
        {
            "month": str(Month.from_int(line.month)),
            "employer": employer.name if employer else None,
            "unit_code": employer.unit_code if employer else None,
            "salary_basis": line.salary_basis,
            "funds": {fund: getattr(line, fund) for fund in FUNDS},
            "total": line.total,
            "paid": line.paid_amount,
            "status": line.status,
        }
        for line, employer in rows
    ]


def month_counts(session: Session, person_id: int) -> dict[str, int]:
    """How many months are on record and how many of them the employer has not (fully) paid."""
    months, unpaid = session.execute(
        select(
            func.count(func.distinct(ContributionLine.month)),
            func.count().filter(ContributionLine.status.in_(("unpaid", "partly_paid"))),
        ).where(ContributionLine.person_id == person_id)
    ).one()
    return {"months": months, "unpaid": unpaid}


UNPAID = ("unpaid", "partly_paid")
#: The funds a person reads about, each the sum of its columns (employer's and employee's shares).
FUND_GROUPS: dict[str, tuple[str, ...]] = {
    "retirement": ("retirement_employer", "retirement_employee"),
    "sickness": ("sickness_employer",),
    "occupational": ("oad_employer",),
    "unemployment": ("ui_employer", "ui_employee"),
    "health": ("hi_employer", "hi_employee"),
}


def by_year(months: list[dict]) -> list[dict]:
    """The months grouped by year, newest first, each year with its totals: months on record, paid, per fund."""
    years: dict[str, dict] = {}
    for month in months:
        year = years.setdefault(
            month["month"][:4],
            {"year": month["month"][:4], "months": [], "total": 0, "paid": 0, "funds": dict.fromkeys(FUND_GROUPS, 0)},
        )
        year["months"].append(month)
        year["total"] += month["total"]
        year["paid"] += month["paid"]
        for fund, columns in FUND_GROUPS.items():
            year["funds"][fund] += sum(month["funds"][c] for c in columns)
    return list(years.values())


def fund_totals(years: list[dict]) -> dict[str, int]:
    return {fund: sum(y["funds"][fund] for y in years) for fund in FUND_GROUPS}


def unpaid_months(months: list[dict]) -> list[dict]:
    """The months an employer has not (fully) paid, oldest first, with what is still owed."""
    return [{**m, "owed": m["total"] - m["paid"]} for m in reversed(months) if m["status"] in UNPAID]


CHART_W, CHART_H = 360, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 30


def salary_chart(months: list[dict], lang: str = "vi", label: str = "Salary basis") -> Markup:
    """The salary basis month by month as a step line, with a labelled scale (Vietnamese number format), a year on
    the axis below, and a tooltip on each month. SVG drawn on the server: no script."""
    points = sorted({m["month"]: m["salary_basis"] for m in months}.items())
    if len(points) < 2:
        return Markup("")
    top = _nice_top(max(v for _, v in points))
    plot_w, plot_h = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
    step = plot_w / (len(points) - 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(value: int) -> float:
        return TOP + plot_h - value / top * plot_h

    grid = "".join(
        f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{CHART_W - RIGHT}" y2="{y(v):.1f}" stroke="#d5d9e0"/>'
        f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="12" text-anchor="end" fill="#3a3a3a">'
        f"{escape(_short(v, lang))}</text>"
        for v in (0, top // 2, top)
    )
    years = [(i, m[:4]) for i, (m, _) in enumerate(points) if i == 0 or m.endswith("-01")]
    every = max(1, len(years) // 6)
    ticks = "".join(
        f'<text x="{x(i):.1f}" y="{CHART_H - 10}" font-size="12" text-anchor="middle" fill="#3a3a3a">{year}</text>'
        for n, (i, year) in enumerate(years)
        if n % every == 0
    )
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3 if len(points) <= 60 else 1.5}" fill="#0b5cab">'
        f"<title>{escape(_month_label(m))}: {escape(format_vnd(v, lang))}</title></circle>"
        for i, (m, v) in enumerate(points)
    )
    first, last = points[0], points[-1]
    summary = (
        f"{label}: {_month_label(first[0])} {format_vnd(first[1], lang)} → "
        f"{_month_label(last[0])} {format_vnd(last[1], lang)}"
    )
    return Markup(
        f'<svg viewBox="0 0 {CHART_W} {CHART_H}" role="img" class="chart" data-testid="salary-chart" '
        f'aria-label="{escape(summary)}">{grid}'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{CHART_W - RIGHT}" y2="{TOP + plot_h}" stroke="#6b7280"/>'
        f'<polyline fill="none" stroke="#0b5cab" stroke-width="2.5" points="{path}"/>{dots}{ticks}</svg>'
    )


def _nice_top(value: int) -> int:
    """A round top of the scale above the highest salary: 41,3 million -> 50 million."""
    magnitude = 10 ** max(len(str(max(value, 1))) - 1, 0)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return int(factor * magnitude)
    return 10 * magnitude


def _short(value: int, lang: str) -> str:
    """A scale label: "25 tr" (triệu) in Vietnamese, "25 M" in English; small amounts in full."""
    if value >= 1_000_000:
        millions = value / 1_000_000
        text = f"{millions:g}".replace(".", ",") if lang == "vi" else f"{millions:g}"
        return f"{text} tr" if lang == "vi" else f"{text} M"
    return format_vnd(value, lang, unit=False)


def _month_label(month: str) -> str:
    """ "2026-11" -> "11/2026"."""
    return f"{month[5:7]}/{month[:4]}"
