"""Routing that skips, at once, every router a request's path cannot be in.

FastAPI (from 0.12x) serves an included router as one ``_IncludedRouter`` entry of the application's routes, whose
match tries each of the router's routes in turn, with a few scope updates around each (≈ 5 µs a route on this
machine). With 35 routers and about 180 routes, a path served by one of the last routers paid ≈ 0.5–1 ms of
matching before its route ran: more than the rest of a small JSON answer. Here each included router gets one
compiled pattern, the union of its routes' own path patterns; a request whose path matches none of them is
answered ``Match.NONE`` by that router without trying its routes.

Nothing else changes: a FastAPI route matches (fully, or partly when only the method differs) only when its path
pattern matches, so a router whose union does not match would have answered ``Match.NONE`` anyway. A router
holding anything but FastAPI routes (a mount, a plain Starlette route) is never filtered, and where FastAPI has no
``_IncludedRouter`` (older releases copy the routes into the application) nothing is installed.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

try:
    from fastapi.routing import _IncludedRouter
except ImportError:  # pragma: no cover - FastAPI before included routers
    _IncludedRouter = None

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def union_of_paths(patterns: list[re.Pattern]) -> re.Pattern:
    """One pattern matching exactly the paths one of ``patterns`` matches (named groups made plain: two routes
    may name the same parameter)."""
    return re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.pattern)})" for p in patterns))


if _IncludedRouter is not None:

    class PathFilteredRouter(_IncludedRouter):
        """An included router that first checks the request's path against the union of its routes' paths."""

        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            if scope["type"] == "http":
                paths = self._paths()
                if paths is not None and paths.match(get_route_path(scope)) is None:
                    return Match.NONE, {}
            return super().matches(scope)

        def _paths(self) -> re.Pattern | None:
            """The union, rebuilt when the router's routes change (FastAPI's own count of changes)."""
            cached = self.__dict__.get("_esibook_paths")
            if cached is not None:
                version, union, nested = cached
                if version is not None and self._version(nested) == version:
                    return union
            nested = any(isinstance(route, _IncludedRouter) for route in self.original_router.routes)
            union = self._union()
            self.__dict__["_esibook_paths"] = (self._version(nested), union, nested)
            return union

        def _version(self, nested: bool) -> int | None:
            """The router's own change counter; for a router that includes routers itself, the sum over them
            (which walks its routes)."""
            router = self.original_router
            return router._get_routes_version() if nested else getattr(router, "_routes_version", None)

        def _union(self) -> re.Pattern | None:
            patterns = []
            for context in self.effective_route_contexts():
                regex = getattr(context, "path_regex", None)
                if not isinstance(context.original_route, APIRoute) or regex is None:
                    return None  # a mount or a plain route: matched as FastAPI matches it
                patterns.append(regex)
            return union_of_paths(patterns) if patterns else None


def install(app: FastAPI) -> int:
    """Filter every router included in ``app`` so far; returns how many."""
    if _IncludedRouter is None:
        return 0
    filtered = 0
    for route in app.router.routes:
        if type(route) is _IncludedRouter:
            route.__class__ = PathFilteredRouter
            filtered += 1
    return filtered
