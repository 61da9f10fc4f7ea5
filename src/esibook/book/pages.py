"""Pages: My book (timeline, versions, PDF), My HI card (full screen, works offline once opened), the verifier."""

from __future__ import annotations

from datetime import UTC, datetime

import segno
from fastapi import Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.deps import csrf_protected, page_principal
from esibook.access.principal import Principal
from esibook.access.routing import Router
from esibook.book import service as books
from esibook.book.documents import printed_version
from esibook.errors import DomainError
from esibook.health.card import card_qr, level_text
from esibook.health.card_image import card_svg
from esibook.health.service import initial_clinic, latest_card
from esibook.params import RowId, SeqNo
from esibook.views import access as people_access
from esibook.views.verdict import verdict_view
from esibook.views.verification import MAX_VERIFY_BYTES, check_online
from esibook.web.deps import db_session
from esibook.web.i18n import request_language, translations
from esibook.web.pages import render, when

router = Router(include_in_schema=False)


@router.get("/me/book")
def my_book_page(
    request: Request, version: SeqNo | None = None, caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """The book; ``version`` (the deep link a national portal or the VNeID wallet holds) marks that version."""
    person = policy.own_person(session, caller)
    return render(request, "my_book.html", {**books.my_book(session, person.id), "opened": version})


@router.get("/me/card")
def my_card_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    """The card with its one-time QR first (renewed by the page), and the static QR for use offline below it."""
    return _card_page(request, session, policy.own_person(session, caller), "/me/card")


@router.get("/me/family/{person_id}/card")
def family_card_page(
    request: Request,
    person_id: RowId,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    """The card of a child or adult the caller represents (a parent shows their child's card at the clinic); the
    showing is in the child's access log."""
    person = people_access.represented_card_holder(session, caller, person_id)
    return _card_page(request, session, person, f"/me/family/{person.id}/card", family=True)


def _card_page(request: Request, session: Session, person, base: str, *, family: bool = False):
    card = latest_card(session, person.id)
    settings = request.app.state.settings
    lang = request_language(request, settings.default_language)
    one_time = card_qr(session, settings, person, one_time=True) if card else None
    offline = card_qr(session, settings, person) if card else None
    context = {
        "person": person,
        "card": card,
        "card_base": base,
        "family": family,
        "qr_svg": _svg(one_time.payload) if card else None,
        "offline_qr_svg": _svg(offline.payload) if card else None,
        "level": level_text(card.benefit_level, lang) if card else None,
        "clinic": initial_clinic(session, card),
        "suspended": books.active_suspension(session, person.id, "card") is not None,
    }
    return render(request, "my_card.html", context)


def _svg(payload: str) -> str:
    return segno.make(payload, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff", omitsize=True)


@router.get("/me/card.svg")
def my_card_image(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    """The card as an image to save or print, with its (validity-long) signed QR."""
    return _card_image(request, session, policy.own_person(session, caller))


@router.get("/me/family/{person_id}/card.svg")
def family_card_image(
    request: Request,
    person_id: RowId,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    return _card_image(request, session, policy.represented_person(session, caller, person_id))


def _card_image(request: Request, session: Session, person) -> Response:
    card = latest_card(session, person.id)
    if card is None:
        raise DomainError("card.none", "There is no HI card.", "Chưa có thẻ BHYT.")
    qr = card_qr(session, request.app.state.settings, person)
    image = card_svg(person, card, qr.payload, level_text(card.benefit_level, "vi"), initial_clinic(session, card))
    return Response(
        image,
        media_type="image/svg+xml",
        headers={"content-disposition": f'inline; filename="the-bhyt-{card.card_code}.svg"'},
    )


@router.post("/officer/persons/{person_id}/suspend", dependencies=[Depends(csrf_protected)])
def suspend_from_page(
    person_id: RowId,
    subject: str = Form(),
    reason: str = Form(""),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    books.suspend(session, caller, person_id, subject=subject, reason=reason)
    return RedirectResponse(f"/officer/persons/{person_id}?purpose=GDBHXH", status_code=303)


@router.post("/officer/persons/{person_id}/restore", dependencies=[Depends(csrf_protected)])
def restore_from_page(
    person_id: RowId,
    subject: str = Form(),
    caller: Principal = Depends(policy.OFFICER.page),
    session: Session = Depends(db_session),
):
    books.restore(session, caller, person_id, subject=subject)
    return RedirectResponse(f"/officer/persons/{person_id}?purpose=GDBHXH", status_code=303)


@router.get("/me/card/one-time.svg")
def one_time_qr(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    return _one_time_qr(request, session, policy.own_person(session, caller))


@router.get("/me/family/{person_id}/card/one-time.svg")
def family_one_time_qr(
    request: Request,
    person_id: RowId,
    caller: Principal = Depends(policy.CITIZEN.page),
    session: Session = Depends(db_session),
):
    return _one_time_qr(request, session, policy.represented_person(session, caller, person_id))


def _one_time_qr(request: Request, session: Session, person) -> Response:
    qr = card_qr(session, request.app.state.settings, person, one_time=True)
    return Response(
        _svg(qr.payload),
        media_type="image/svg+xml",
        headers={"cache-control": "no-store", "x-expires-at": qr.expires_at.isoformat()},
    )


@router.get("/verify", dependencies=[Depends(policy.PUBLIC)])
def verify_page(
    request: Request,
    book: str | None = Query(None, max_length=40),
    v: SeqNo | None = Query(None),
    d: str | None = Query(None, max_length=64),
    _viewer=Depends(page_principal),
    session: Session = Depends(db_session),
):
    lookup = printed_version(session, book, v, d or "") if book else None
    return render(request, "verify.html", {"result": None, "lookup": lookup})


@router.post("/verify", dependencies=[Depends(policy.PUBLIC)])
def verify_submit(
    request: Request,
    text: str = Form(""),
    file: UploadFile | None = File(None),
    _viewer=Depends(page_principal),
    session: Session = Depends(db_session),
):
    data = file.file.read(MAX_VERIFY_BYTES + 1) if file and file.filename else text.encode()
    if len(data) > MAX_VERIFY_BYTES:
        data = b""
    settings = request.app.state.settings
    result = check_online(session, settings, data) if data.strip() else None
    view = _verdict_view(request, result) if result else None
    return render(request, "verify.html", {"result": view, "lookup": None, "empty": result is None})


def _verdict_view(request: Request, result) -> dict:
    lang = request_language(request, request.app.state.settings.default_language)

    def moment(value, with_time: bool) -> str:
        if isinstance(value, int | float):
            value = datetime.fromtimestamp(value, UTC)
        return when({"lang": lang}, value, time=None if with_time else False)

    return verdict_view(result, lang, translations(lang).gettext, moment)

