"""The development page of the national systems' stand-ins (development only): what each holds, and the pushes."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.routing import Router
from esibook.portals import service
from esibook.web.deps import db_session
from esibook.web.pages import render

router = Router(include_in_schema=False)


@router.get("/demo/portals", dependencies=[Depends(policy.DEVELOPMENT)])
def portals_page(request: Request, session: Session = Depends(db_session)):
    """What the stand-ins of the National Public Service Portal, the Ministry of Finance system and the VNeID wallet
    hold (personal IDs masked), and the latest pushes."""
    return render(request, "portals.html", service.stand_in_view(session))
