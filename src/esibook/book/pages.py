"""Pages: My book (timeline, versions, PDF), My HI card (full screen, works offline once opened), the verifier."""

from __future__ import annotations

import hmac

import segno
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.pages import page_principal
from esibook.access.principal import Principal
from esibook.book import service as books
from esibook.book.api import MAX_VERIFY_BYTES
from esibook.book.documents import document_digest
from esibook.book.models import BookVersion
from esibook.book.status import StatusView
from esibook.employers.models import Employer
from esibook.errors import DomainError
from esibook.health.card import card_qr, level_text
from esibook.health.card_image import card_svg
from esibook.health.service import latest_card
from esibook.params import RowId, SeqNo
from esibook.trust import jws
from esibook.views.verification import check_online
from esibook.web.deps import db_session
from esibook.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/me/book")
def my_book_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    person = policy.own_person(session, caller)
    versions = books.versions(session, person.id)
    payload = jws.parts(versions[0].document)[1] if versions else None
    employers = {}
    if payload:
        codes = {m["unit_code"] for m in payload["contributions"] if m["unit_code"]}
        found = session.scalars(select(Employer).where(Employer.unit_code.in_(codes)))
        employers = {e.unit_code: e.name for e in found}
    suspended = books.active_suspension(session, person.id, "book") is not None
    return render(
        request, "my_book.html", {"book": payload, "versions": versions, "employers": employers, "suspended": suspended}
    )


@router.get("/me/card")
def my_card_page(
    request: Request, caller: Principal = Depends(policy.CITIZEN.page), session: Session = Depends(db_session)
):
    person = policy.own_person(session, caller)
    card = latest_card(session, person.id)
    qr = card_qr(session, request.app.state.settings, person) if card else None
    context = {
        "person": person,
        "card": card,
        "qr": qr,
        "qr_svg": _svg(qr.payload) if qr else None,
        "level": level_text(card.benefit_level, "vi") if card else None,
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
    person = policy.own_person(session, caller)
    card = latest_card(session, person.id)
    if card is None:
        raise DomainError("card.none", "You have no HI card.", "Bạn chưa có thẻ BHYT.")
    qr = card_qr(session, request.app.state.settings, person)
    image = card_svg(person, card, qr.payload, level_text(card.benefit_level, "vi"))
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
    person = policy.own_person(session, caller)
    qr = card_qr(session, request.app.state.settings, person, one_time=True)
    return Response(
        _svg(qr.payload),
        media_type="image/svg+xml",
        headers={"cache-control": "no-store", "x-expires-at": qr.expires_at.isoformat()},
    )


@router.get("/sw.js", dependencies=[Depends(policy.PUBLIC)])
def service_worker():
    """Keeps the HI card page available offline once it has been opened (network first, then the copy)."""
    script = """
const CACHE = 'esibook-card-v1';
self.addEventListener('install', e => self.skipWaiting());
self.addEventListener('activate', e => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', e => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || !(url.pathname === '/me/card' || url.pathname.startsWith('/static/'))) return;
  e.respondWith(fetch(e.request).then(r => { const copy = r.clone();
    caches.open(CACHE).then(c => c.put(e.request, copy)); return r; })
    .catch(() => caches.match(e.request)));
});"""
    return Response(script, media_type="application/javascript", headers={"service-worker-allowed": "/"})


@router.get("/verify", dependencies=[Depends(policy.PUBLIC)])
def verify_page(
    request: Request,
    book: str | None = Query(None, max_length=40),
    v: SeqNo | None = Query(None),
    d: str | None = Query(None, max_length=64),
    _viewer=Depends(page_principal),
    session: Session = Depends(db_session),
):
    lookup = _lookup(session, book, v, d or "") if book else None
    return render(request, "verify.html", {"result": None, "lookup": lookup})


def _lookup(session: Session, book_id: str, version: int | None, digest: str) -> dict:
    """What the QR on a printed page asks: is this version of this book genuine and current? Only with the
    digest printed in that QR: typing a personal ID number tells nothing about its holder."""
    rows = list(
        session.scalars(select(BookVersion).where(BookVersion.book_id == book_id).order_by(BookVersion.version.desc()))
    )
    found = next((r for r in rows if r.version == version), None) if version else None
    if found is None or not hmac.compare_digest(document_digest(found.document), digest):
        return {"found": False, "book_id": book_id}
    payload = jws.parts(found.document)[1]
    status = StatusView.from_database(session)
    return {
        "found": True,
        "book_id": book_id,
        "version": found.version,
        "latest": rows[0].version,
        "issued_at": payload["issued_at"],
        "suspended": status.is_suspended("book", book_id),
    }


@router.post("/verify", dependencies=[Depends(policy.PUBLIC)])
async def verify_submit(
    request: Request,
    text: str = Form(""),
    file: UploadFile | None = File(None),
    _viewer=Depends(page_principal),
    session: Session = Depends(db_session),
):
    data = (await file.read(MAX_VERIFY_BYTES + 1)) if file and file.filename else text.encode()
    if len(data) > MAX_VERIFY_BYTES:
        data = b""
    settings = request.app.state.settings
    result = await run_in_threadpool(check_online, session, settings, data) if data.strip() else None
    return render(request, "verify.html", {"result": result, "lookup": None, "empty": result is None})

