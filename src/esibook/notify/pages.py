"""The demo's mailbox page (development only): every email the system sent."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.errors import forbidden
from esibook.access.routing import Router
from esibook.notify.mailbox import sent_emails
from esibook.web.deps import db_session
from esibook.web.pages import render

router = Router(include_in_schema=False)


@router.get("/demo/mailbox", dependencies=[Depends(policy.DEVELOPMENT)])
def mailbox_page(request: Request, session: Session = Depends(db_session)):
    """The demo's mail sink (development only): every email the system sent."""
    if not request.app.state.settings.dev_idp_enabled:
        raise forbidden(
            "demo.only", "The demo mailbox exists only in the demo.", "Hộp thư thử nghiệm chỉ có khi chạy thử."
        )
    return render(request, "mailbox.html", {"mails": sent_emails(session)})
