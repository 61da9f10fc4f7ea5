"""Installing esibook on a phone: the web app manifest and the service worker that keeps the book, the HI card and
the contribution history readable offline once opened. Both are static files; the worker is served from the root
so that its scope is the whole site."""

from __future__ import annotations

from importlib import resources

from fastapi import Depends
from fastapi.responses import Response

from esibook.access import policy
from esibook.access.routing import Router

router = Router(include_in_schema=False)
STATIC = resources.files("esibook.web") / "static"


@router.get("/manifest.webmanifest", dependencies=[Depends(policy.PUBLIC)])
def manifest():
    return Response((STATIC / "manifest.webmanifest").read_bytes(), media_type="application/manifest+json")


@router.get("/sw.js", dependencies=[Depends(policy.PUBLIC)])
def service_worker():
    return Response(
        (STATIC / "sw.js").read_bytes(),
        media_type="application/javascript",
        headers={"service-worker-allowed": "/", "cache-control": "no-cache"},
    )
