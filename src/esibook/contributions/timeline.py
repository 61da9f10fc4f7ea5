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
from esibook.periods import Month

WIDTH, HEIGHT, PAD = 640, 220, 36


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


def salary_chart(months: list[dict]) -> Markup:
    """A line of the salary basis month by month, with a tick for each January."""
    points = sorted({m["month"]: m["salary_basis"] for m in months}.items())
    if len(points) < 2:
        return Markup("")
    top = max(v for _, v in points) or 1
    step = (WIDTH - 2 * PAD) / (len(points) - 1)

    def xy(i: int, value: int) -> str:
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - (value / top) * (HEIGHT - 2 * PAD):.1f}"

    line = " ".join(xy(i, v) for i, (_, v) in enumerate(points))
    ticks = "".join(
        f'<text x="{PAD + i * step:.1f}" y="{HEIGHT - 10}" font-size="11" text-anchor="middle">{escape(m[:4])}</text>'
        for i, (m, _) in enumerate(points)
        if m.endswith("-01") or i == 0
    )
    label = f'<text x="{PAD}" y="16" font-size="11">{top:,} ₫</text>'
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" data-testid="salary-chart" '
        f'aria-label="salary basis by month">'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#99a"/>'
        f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" points="{line}"/>{ticks}{label}</svg>'
    )
