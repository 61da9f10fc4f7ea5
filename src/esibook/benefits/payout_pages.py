"""The officer's page of payout files (danh sách chi trả lương hưu): a month's run listed for the banks or the post
offices, downloaded as CSV (approving officers of the authority, as the other money pages)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.benefits.payout_files import officer_payout_file
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.periods import Month
from esibook.web.deps import db_session
from esibook.web.i18n import request_language
from esibook.web.pages import render

router = Router(include_in_schema=False)


@router.get("/officer/pension-payouts")
def payouts_page(
    request: Request,
    caller: Principal = Depends(policy.OFFICER.page),
):
    """Choose a month and a channel; the file downloads."""
    return _payouts_page(request, caller)


def _payouts_page(request: Request, caller: Principal, *, error: str | None = None):
    month = str(Month.from_date(vietnam_today()))
    return render(request, "officer_pension_payouts.html", {"month": month, "error": error},
                  status_code=400 if error else 200)


@router.get("/officer/pension-payouts/file")
def payout_file_download(
    request: Request,
    month: str = "",
    channel: str = "",
    benefit: str = "pension",
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    """The CSV of the month's run for the channel (bank or post) and the benefit (pension or the other monthly
    benefits), of the officer's authority."""
    try:
        made = officer_payout_file(session, caller, month[:7], channel[:4], benefit[:8])
    except DomainError as failure:
        if failure.code.startswith("access.") or failure.code.endswith(".permission"):
            raise
        lang = request_language(request, request.app.state.settings.default_language)
        return _payouts_page(request, caller, error=failure.message(lang))
    return Response(made.content, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{made.filename}"'})
