"""Routes whose audience is decided in the route's own thread (one hand-off to the threadpool a read, not two).

FastAPI runs a synchronous dependency and the synchronous route each in a threadpool hand-off of its own, and a
generator dependency (the session) through an exit stack; on a read these cost as much as the read's queries.
:class:`AudienceRoute` (every router's ``route_class``) rewrites a ``GET`` route whose one audience is a parameter
or a route dependency: the request's session is opened around the route (``web.deps.request_session``, what
``db_session`` gives), FastAPI calls an async :class:`DecidedInRoute` in the audience's place, which refuses a
caller who brought no credential at all (as the audience would, before anything else), and the route's thread
calls the audience itself — the same :class:`~esibook.access.policy.Audience`, with the same request and session —
before the route's body. The route declares its audience exactly as before, and :func:`audience_of` finds it.

A route with a body, a form or another dependency that asks for an audience or a session keeps FastAPI's way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from fastapi import Depends, Request
from fastapi.dependencies.utils import get_dependant, get_typed_return_annotation, get_typed_signature
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute, APIRouter
from starlette.concurrency import run_in_threadpool

from esibook.access.deps import has_credentials, person_on_loop
from esibook.access.policy import Audience
from esibook.access.principal import Principal
from esibook.loop_reads import loop_reads
from esibook.web.deps import db_session, request_session

READS = frozenset({"GET", "HEAD"})
_REQUEST = "esibook_request"


@dataclass(frozen=True, eq=False)
class DecidedInRoute:
    """Stands for ``audience`` in the route's signature; the route's thread decides it (:func:`in_route_thread`)."""

    audience: Audience

    async def __call__(self, request: Request) -> None:
        if self.audience.admits is not None and not has_credentials(request):
            self.audience.refuse_anonymous(request)  # at once, as the audience would: no database needed


@dataclass(frozen=True, eq=False)
class OnLoop:
    """Stands for ``audience`` in an ``async`` read (``Depends(OnLoop(policy.CITIZEN))``): a person with a bearer
    token is looked up on the event loop (:func:`esibook.access.deps.person_on_loop`, on the app's
    :func:`esibook.loop_reads.loop_reads`); any other caller, or an app without loop reads, as the audience itself
    looks them up, in the request's session in the threadpool. The same audience decides either way."""

    audience: Audience

    async def __call__(self, request: Request) -> Principal | None:
        reads = loop_reads(request.app) if self.audience.admits is not None else None
        caller = await person_on_loop(request, reads) if reads is not None else None
        if caller is not None:
            return self.audience.decide(request, caller)
        if self.audience.admits is not None and not has_credentials(request):
            self.audience.refuse_anonymous(request)
        async with request_session(request) as session:
            return await run_in_threadpool(self.audience, request, session)


class AudienceRoute(APIRoute):
    """An ``APIRoute`` that decides a read's audience in the route's thread (see the module's docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any):
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        self.decided_audience: Audience | None = None
        if methods and methods <= READS and not inspect.iscoroutinefunction(endpoint):
            endpoint, kwargs["dependencies"], self.decided_audience = in_route_thread(
                endpoint, list(kwargs.get("dependencies") or ()))
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        audience = self.decided_audience
        if audience is None:
            return handler

        async def in_one_session(request: Request) -> Any:
            """The request's session (``web.deps.request_session``, as ``db_session`` gives it) around the whole
            route. A caller outside the audience is refused before being told what is wrong with the query or
            path (as FastAPI's own order would): on a validation error, the audience is decided first."""
            async with request_session(request) as session:
                try:
                    return await handler(request)
                except RequestValidationError:
                    await run_in_threadpool(audience, request, session)
                    raise

        return in_one_session


def in_route_thread(endpoint: Callable[..., Any], dependencies: list) -> tuple[Callable, list, Audience | None]:
    """``endpoint`` and its route ``dependencies`` rewritten so that its one audience runs in its thread, with the
    request's session (opened around the route by :class:`AudienceRoute`); unchanged when it has no audience or
    another dependency of its own asks for an audience or a session."""
    signature = get_typed_signature(endpoint)
    params = list(signature.parameters.values())
    in_params = [p for p in params if _audience(p.default)]
    in_dependencies = [d for d in dependencies if _audience(d)]
    if len(in_params) + len(in_dependencies) != 1 or _others_need_the_database(params, dependencies):
        return endpoint, dependencies, None
    audience = _audience(in_params[0].default if in_params else in_dependencies[0])
    caller_name = in_params[0].name if in_params else None
    request_name = next((p.name for p in params if p.annotation is Request), None)
    session_name = next((p.name for p in params if _is_session(p.default)), None)
    rewritten = [p.replace(default=Depends(DecidedInRoute(audience))) if p.name == caller_name else p
                 for p in params if p.name != session_name]
    if request_name is None:
        rewritten.append(inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request))

    @wraps(endpoint)
    def decided_then_run(**values: Any) -> Any:
        request = values[request_name] if request_name else values.pop(_REQUEST)
        session = request.state.db
        caller = audience(request, session)
        if caller_name:
            values[caller_name] = caller
        if session_name:
            values[session_name] = session
        return endpoint(**values)

    decided_then_run.__signature__ = signature.replace(parameters=_keyword_order(rewritten),
                                                       return_annotation=get_typed_return_annotation(endpoint))
    route_dependencies = [Depends(DecidedInRoute(audience)) if _audience(d) else d for d in dependencies]
    return decided_then_run, route_dependencies, audience


def audience_of(dependant) -> Audience | None:
    """The audience a route declared (searched through its dependency tree), or None if it declared none."""
    for sub in dependant.dependencies:
        call = sub.call.audience if isinstance(sub.call, DecidedInRoute | OnLoop) else sub.call
        if isinstance(call, Audience):
            return call
        found = audience_of(sub)
        if found:
            return found
    return None


def _audience(default: Any) -> Audience | None:
    dependency = default.dependency if isinstance(default, DependsParam) else None
    return dependency if isinstance(dependency, Audience) else None


def _is_session(default: Any) -> bool:
    return isinstance(default, DependsParam) and default.dependency is db_session


def _others_need_the_database(params: list[inspect.Parameter], dependencies: list) -> bool:
    """Whether a dependency other than the audience and the session asks for an audience or a session (it would
    run in a hand-off of its own, with the session the route no longer takes from FastAPI)."""
    others = [p.default for p in params if isinstance(p.default, DependsParam)] + list(dependencies)
    return any(_needs_database(d.dependency) for d in others
               if isinstance(d, DependsParam) and not _audience(d) and not _is_session(d))


def _needs_database(call: Any) -> bool:
    """Whether ``call`` is, or depends (as FastAPI resolves it) on, an audience or the session."""
    if call is db_session or isinstance(call, Audience):
        return True
    return any(_needs_database(sub.call) for sub in get_dependant(path="", call=call).dependencies)


def _keyword_order(params: list[inspect.Parameter]) -> list[inspect.Parameter]:
    """Every parameter keyword-only (FastAPI passes them by name), so the added ones may follow defaults."""
    return [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params]


class Router(APIRouter):
    """Every router of esibook: an ``APIRouter`` whose routes are :class:`AudienceRoute`."""

    def __init__(self, **kwargs: Any):
        super().__init__(route_class=AudienceRoute, **kwargs)
