"""JSON routes of the e-book: my book with its proof, PDF, HI card QR, the transparency log, the trust and status
lists, suspension, and verification."""

from __future__ import annotations

from fastapi import Depends, File, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from esibook.access import policy
from esibook.access.deps import csrf_protected
from esibook.access.principal import Principal
from esibook.access.routing import OnLoop, Router
from esibook.book import log, tiles
from esibook.book import service as books
from esibook.book.documents import signed_pdf
from esibook.book.status import status_list
from esibook.book.trust_list import trust_list
from esibook.errors import DomainError, NotFound
from esibook.health.card import card_qr
from esibook.loop_reads import loop_reads
from esibook.params import MAX_ROW_ID, RowId, RowIndex, SeqNo
from esibook.people.models import Person
from esibook.transactions.conversion import certified_printout
from esibook.trust.pki import root
from esibook.views import access as people_access
from esibook.views.verification import MAX_VERIFY_BYTES, check_online
from esibook.web.deps import db_session, request_session
from esibook.web.responses import json_response

router = Router(prefix="/api/v1", tags=["book"])
well_known = Router(tags=["book"])
#: The transparency log as C2SP tlog-tiles: https://c2sp.org/tlog-tiles, prefix <base_url>/log/.
tlog = Router(prefix="/log", tags=["log"])
IMMUTABLE = "public, max-age=31536000, immutable"


#: The book read, the most read route, has a router of its own: on PostgreSQL the app serves it on the event loop
#: (``book_read_on_loop``), elsewhere (the SQLite demo) in the threadpool (``book_read``), one hand-off a read.
book_read = Router(prefix="/api/v1", tags=["book"])
book_read_on_loop = Router(prefix="/api/v1", tags=["book"])
BOOK_READ = {"summary": "My latest book version with its inclusion proof and the signed checkpoint",
             "description": "The signed document of my latest book version (or of `version`), its leaf index in the "
             "transparency log, the inclusion proof and the signed checkpoint it leads to.",
             "response_model": dict, "name": "my_book"}


@book_read.get("/me/book", **BOOK_READ)
def my_book(request: Request, version: SeqNo | None = None, caller: Principal = Depends(policy.CITIZEN),
            session: Session = Depends(db_session)) -> Response:
    return json_response(_my_book(request.app.state.settings, session, policy.own_person_id(caller), version))


@book_read_on_loop.get("/me/book", **BOOK_READ)
async def my_book_on_loop(request: Request, version: SeqNo | None = None,
                          caller: Principal = Depends(OnLoop(policy.CITIZEN))) -> Response:
    """On the event loop when it can be (``esibook.loop_reads``: the version in one round trip, the checkpoint and
    tiles this process keeps), else in the request's session in the threadpool: the same bundle either way."""
    person_id = policy.own_person_id(caller)
    reads = loop_reads(request.app) if version is None else None
    found = await books.latest_bundle_on_loop(reads, request.app.state.engine, person_id) if reads else None
    if found is None:
        async with request_session(request) as session:
            found = await run_in_threadpool(_my_book, request.app.state.settings, session, person_id, version)
    return json_response(found)


def _my_book(settings, session: Session, person_id: int, version: int | None) -> dict:
    return books.bundle(session, settings, person_id, version).as_dict() if version else \
        books.latest_bundle(session, settings, person_id)


@router.get("/me/book/versions", summary="Every version of my book")
def my_book_versions(caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> list[dict]:
    person = policy.own_person(session, caller)
    return [{"version": v.version, "issued_at": v.issued_at.isoformat(), "reason": v.reason,
             "leaf_index": v.leaf_index} for v in books.versions(session, person.id)]


@router.get("/me/book.pdf", summary="My book as a signed PDF (PAdES)", response_class=Response)
def my_book_pdf(request: Request, version: SeqNo | None = None, caller: Principal = Depends(policy.CITIZEN),
                session: Session = Depends(db_session)) -> Response:
    person = policy.own_person(session, caller)
    data = signed_pdf(session, request.app.state.settings, person.id, version)
    return Response(data, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="so-bhxh-{person.personal_id}.pdf"'})


@router.get("/me/book/printout.pdf", summary="A certified paper printout of my book (electronic → paper)",
            response_class=Response)
def my_printout(request: Request, caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)):
    person = policy.own_person(session, caller)
    return _printout(request, session, person, caller)


@router.get("/officer/persons/{person_id}/printout.pdf", summary="A certified printout of a person's book",
            response_class=Response)
def officer_printout(request: Request, person_id: RowId, caller: Principal = Depends(policy.OFFICER),
                     session: Session = Depends(db_session)):
    person = policy.officer_acts_on(session, caller, person_id)
    return _printout(request, session, person, caller)


def _printout(request: Request, session: Session, person: Person, caller: Principal) -> Response:
    pdf = certified_printout(session, request.app.state.settings, caller, person)
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="ban-in-so-bhxh-{person.id}.pdf"'})


@router.get("/me/card/qr", summary="My HI card as a signed QR payload (one-time: valid 5 minutes)")
def my_card_qr(request: Request, one_time: bool = False, caller: Principal = Depends(policy.CITIZEN),
               session: Session = Depends(db_session)) -> dict:
    person = policy.own_person(session, caller)
    qr = card_qr(session, request.app.state.settings, person, one_time=one_time)
    return {"payload": qr.payload, "expires_at": qr.expires_at.isoformat(), "one_time": qr.one_time}


@router.get("/me/dependants/{person_id}/card/qr",
            summary="The HI card of a person I represent (my child), as a signed QR payload")
def dependant_card_qr(request: Request, person_id: RowId, one_time: bool = False,
                      caller: Principal = Depends(policy.CITIZEN), session: Session = Depends(db_session)) -> dict:
    person = people_access.represented_card_holder(session, caller, person_id, channel="api")
    qr = card_qr(session, request.app.state.settings, person, one_time=one_time)
    return {"payload": qr.payload, "expires_at": qr.expires_at.isoformat(), "one_time": qr.one_time}


@router.get("/log/checkpoint", dependencies=[Depends(policy.PUBLIC)],
            summary="The latest signed checkpoint of the transparency log")
def checkpoint(request: Request, session: Session = Depends(db_session)) -> dict:
    row = log.current_checkpoint(session, request.app.state.settings)
    return {"tree_size": row.tree_size, "root_hash": row.root_hash, "checkpoint": log.checkpoint_note(session, row)}


@router.get("/log/proof/inclusion", dependencies=[Depends(policy.PUBLIC)],
            summary="Inclusion proof of a leaf in a tree of a given size (RFC 6962), computed from the tiles")
def inclusion(leaf_index: int = Query(ge=0, le=MAX_ROW_ID), tree_size: int = Query(ge=1, le=MAX_ROW_ID),
              session: Session = Depends(db_session)) -> dict:
    return {"leaf_index": leaf_index, "tree_size": tree_size,
            "audit_path": log.inclusion_proof(session, leaf_index, tree_size)}


@router.get("/log/proof/consistency", dependencies=[Depends(policy.PUBLIC)],
            summary="Consistency proof between two tree sizes (RFC 6962)")
def consistency(first: int = Query(ge=1, le=MAX_ROW_ID), second: int = Query(ge=1, le=MAX_ROW_ID),
                session: Session = Depends(db_session)) -> dict:
    return {"first": first, "second": second, "consistency": log.consistency_proof(session, first, second)}


@router.get("/log/entries/{leaf_index}", dependencies=[Depends(policy.PUBLIC)],
            summary="The entry logged at a leaf and its hash (never the book: a public log carries no personal data)")
def log_entry(leaf_index: RowIndex, session: Session = Depends(db_session)) -> dict:
    size = log.log_size(session)
    if leaf_index >= size:
        raise NotFound("log.leaf_index", "The log has no leaf at this index.", "Nhật ký không có lá ở vị trí này.")
    proofs = log.proofs(session, size)
    return {"leaf_index": leaf_index, "entry": proofs.entry(leaf_index).hex(),
            "leaf_hash": proofs.leaf(leaf_index).hex()}


class SuspensionBody(BaseModel):
    subject: str = Field(pattern="^(book|card)$")
    reason: str = Field(min_length=3, max_length=200)


@router.post("/officer/persons/{person_id}/suspensions", status_code=201, dependencies=[Depends(csrf_protected)],
             summary="Suspend a book or an HI card (fraud, forgery)")
def suspend(person_id: RowId, body: SuspensionBody, caller: Principal = Depends(policy.OFFICER),
            session: Session = Depends(db_session)) -> dict:
    row = books.suspend(session, caller, person_id, subject=body.subject, reason=body.reason)
    return {"subject": row.subject, "person_id": row.person_id, "since": row.suspended_at.isoformat()}


@router.delete("/officer/persons/{person_id}/suspensions/{subject}", status_code=204,
               dependencies=[Depends(csrf_protected)], summary="Restore a suspended book or HI card")
def restore(person_id: RowId, subject: str, caller: Principal = Depends(policy.OFFICER),
            session: Session = Depends(db_session)):
    books.restore(session, caller, person_id, subject=subject)


async def raw_body(request: Request) -> bytes:
    """The body sent as is (a QR payload, a signed document), read on the event loop before the route runs in the
    threadpool; a form without a ``file`` part carries nothing to check (its stream was read as the form)."""
    if request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return b""
    return (await request.body())[: MAX_VERIFY_BYTES + 1]


@router.post("/verify", dependencies=[Depends(policy.PUBLIC)],
             summary="Check a PDF, a signed book or an HI card QR payload, trusting only the trust list")
def verify_upload(request: Request, file: UploadFile | None = File(None),
                  session: Session = Depends(db_session), body: bytes = Depends(raw_body)) -> dict:
    data = file.file.read(MAX_VERIFY_BYTES + 1) if file else body
    if len(data) > MAX_VERIFY_BYTES:
        raise DomainError("verify.too_large", "Files up to 10 MB can be checked.", "Chỉ kiểm tra được tệp đến 10 MB.")
    if not data.strip():
        raise DomainError("verify.empty", "Send a file, or the text of a QR code.", "Hãy gửi tệp hoặc nội dung mã QR.")
    return check_online(session, request.app.state.settings, data).as_dict()


@well_known.get("/.well-known/esibook/trust-list.jws", dependencies=[Depends(policy.PUBLIC)],
                response_class=PlainTextResponse,
                summary="The root-signed trust list")
def trust_list_route(request: Request, session: Session = Depends(db_session)) -> str:
    return trust_list(session, request.app.state.settings)


@well_known.get("/.well-known/esibook/root.pem", dependencies=[Depends(policy.PUBLIC)],
                response_class=PlainTextResponse,
                summary="The national root certificate (to pin out of band)")
def root_pem(session: Session = Depends(db_session)) -> str:
    row = root(session)
    if row is None:
        raise DomainError("keys.not_initialised", "no keys yet", "chưa có khóa")
    return row.cert_pem


@well_known.get("/.well-known/esibook/status-list.jws", dependencies=[Depends(policy.PUBLIC)],
                response_class=PlainTextResponse,
                summary="The signed list of suspended books and cards")
def status_list_route(request: Request, session: Session = Depends(db_session)) -> str:
    return status_list(session, request.app.state.settings)


# --- the tiled log (C2SP tlog-tiles, tlog-checkpoint) ------------------------------------------------------------


def _octets(data: bytes | None, cache: str) -> Response:
    if data is None:
        raise NotFound("log.tile", "The log has no such tile.", "Nhật ký không có ô (tile) này.")
    return Response(data, media_type="application/octet-stream", headers={"cache-control": cache})


def _tile_index(path: str) -> tuple[int, int]:
    parsed = tiles.parse_index(path)
    if parsed is None:
        raise NotFound("log.tile", "Not a tile path of this log.", "Không phải đường dẫn ô (tile) của nhật ký.")
    return parsed


@tlog.get("/checkpoint", dependencies=[Depends(policy.PUBLIC)], response_class=PlainTextResponse,
          summary="The latest checkpoint: a C2SP signed note (origin, size, base64 root hash), Ed25519, with "
                  "the witnesses' cosignatures")
def log_checkpoint(request: Request, session: Session = Depends(db_session)) -> Response:
    row = log.current_checkpoint(session, request.app.state.settings)
    return PlainTextResponse(log.checkpoint_note(session, row), headers={"cache-control": "public, max-age=1"})


@tlog.get("/key", dependencies=[Depends(policy.PUBLIC)], response_class=PlainTextResponse,
          summary="The log's verifier key in signed-note form: <origin>+<key id hex>+<base64 key>")
def log_key(request: Request) -> Response:
    vkey = log.log_verifier(request.app.state.settings).vkey
    return PlainTextResponse(vkey + "\n", headers={"cache-control": "public, max-age=3600"})


@tlog.get("/tile/entries/{index:path}", dependencies=[Depends(policy.PUBLIC)], response_class=Response,
          summary="An entry bundle: up to 256 entries, each a big-endian uint16 length then the entry")
def log_entry_bundle(index: str, session: Session = Depends(db_session)) -> Response:
    n, width = _tile_index(index)
    return _octets(log.read_tile(session, tiles.ENTRIES, n, width), IMMUTABLE)


@tlog.get("/tile/{level}/{index:path}", dependencies=[Depends(policy.PUBLIC)], response_class=Response,
          summary="A tile of Merkle tree hashes (height 8; .p/<W> for a partial tile of the current tree)")
def log_tile(level: str, index: str, session: Session = Depends(db_session)) -> Response:
    if not (level.isascii() and level.isdigit() and str(int(level)) == level and int(level) < 64):
        raise NotFound("log.tile", "Not a tile path of this log.", "Không phải đường dẫn ô (tile) của nhật ký.")
    n, width = _tile_index(index)
    return _octets(log.read_tile(session, int(level), n, width), IMMUTABLE)
