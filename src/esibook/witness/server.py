"""The witness over HTTP: ``POST <prefix>/add-checkpoint`` (C2SP tlog-witness) and ``GET <prefix>/key`` (its
cosigner verifier key, to put in a trust list). Errors are plain-text lines with a 4xx status, never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from esibook.witness.service import MAX_REQUEST_BYTES, Answer, Witness


def create_witness_app(witness: Witness) -> FastAPI:
    app = FastAPI(title="esibook witness", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = await _body(request)
        answer = await run_in_threadpool(witness.add_checkpoint, body) if body is not None else Answer(
            413, f"a request is at most {MAX_REQUEST_BYTES} bytes\n")
        return Response(answer.body, status_code=answer.status, headers={"content-type": answer.content_type})

    @app.get("/key")
    def key() -> PlainTextResponse:
        return PlainTextResponse(witness.vkey + "\n")

    return app


async def _body(request: Request) -> bytes | None:
    """The body, or None once it passes the limit (read no further)."""
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_REQUEST_BYTES:
            return None
    return bytes(received)
