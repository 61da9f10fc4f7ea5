"""Security headers on every response (pages, API, errors, static files).

No inline script or style is allowed on esibook's own pages: scripts are files under ``/static``. The API
documentation (Swagger UI, served by FastAPI with one inline script and files from a CDN) gets a policy of its
own naming that script by its hash. Personal pages and API answers are ``Cache-Control: no-store``; only public,
non-personal endpoints may be cached. HSTS is sent only in production (where esibook is behind https).
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from esibook.config import Settings

#: esibook's pages: scripts and styles from its own files only; PDFs of scans shown in <object>.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: API answers: nothing to load, never framed.
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"
#: Files (scans, PDFs, images, the service worker): our own pages may show them in <object>.
FILE_POLICY = "default-src 'self'; frame-ancestors 'self'"
DOCS_CDN = "https://cdn.jsdelivr.net"
PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera={camera}, display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), serial=(), hid=()"
)
#: Pages that scan a QR with the camera.
CAMERA_PATHS = ("/verify", "/clinic/check-in")
#: Public, non-personal answers that may be cached (everything else is no-store).
CACHEABLE_PREFIXES = (
    "/static/",
    "/.well-known/",
    "/api/v1/log/checkpoint",
    "/api/v1/log/proof/",
    "/dev-idp/jwks",
    "/dev-idp/.well-known/",
    "/healthz",
    "/manifest.webmanifest",
)
HSTS = "max-age=31536000; includeSubDomains"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def headers_for(path: str, content_type: str, settings: Settings) -> dict[str, str]:
    """The headers a response to ``path`` carries (the CSP of the API documentation is made apart)."""
    if content_type.startswith("text/html"):
        policy = PAGE_POLICY
    elif content_type.startswith("application/json"):
        policy = JSON_POLICY
    else:
        policy = FILE_POLICY
    headers = {
        "content-security-policy": policy,
        "x-frame-options": "SAMEORIGIN" if policy == FILE_POLICY else "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": PERMISSIONS.format(camera="(self)" if path in CAMERA_PATHS else "()"),
    }
    if settings.env == "production":
        headers["strict-transport-security"] = HSTS
    return headers


def docs_policy(body: bytes) -> str:
    """Swagger UI's page: its CDN files, and its inline scripts allowed by their SHA-256 only."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    return (
        f"default-src 'self'; script-src 'self' {DOCS_CDN} {hashes}; style-src 'self' {DOCS_CDN}; "
        f"img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; object-src 'none'; "
        f"base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers at ``http.response.start`` (and never touches bodies, except the
    small documentation pages whose scripts it hashes)."""

    def __init__(self, app: ASGIApp, settings: Settings, docs_paths: tuple[str, ...]):
        self.app, self.settings, self.docs_paths = app, settings, docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in self.docs_paths:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._apply(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _apply(self, headers: MutableHeaders, path: str) -> None:
        for name, value in headers_for(path, headers.get("content-type", ""), self.settings).items():
            headers.setdefault(name, value)
        if not path.startswith(CACHEABLE_PREFIXES):
            headers.setdefault("cache-control", "no-store")

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = MutableHeaders(scope=start)
            self._apply(headers, scope["path"])
            headers["content-security-policy"] = docs_policy(body)
            headers["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffer)


def install(app: FastAPI, settings: Settings) -> None:
    """Wrap the whole middleware stack, outside Starlette's error middleware, so 500 pages carry the headers
    too."""
    docs_paths = tuple(p for p in (app.docs_url, app.swagger_ui_oauth2_redirect_url) if p)
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build(), settings, docs_paths)

    app.build_middleware_stack = build_with_headers
