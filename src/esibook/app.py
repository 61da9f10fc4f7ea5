"""``create_app(settings)``: the web application and the API, one instance per settings object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from esibook import __doc__ as package_doc
from esibook.access import api as access_api
from esibook.access import authorisation_api, consent_api, devidp
from esibook.access import pages as access_pages
from esibook.benefits import api as benefits_api
from esibook.benefits import benefit_payout_api, payout_pages, pension_api, pension_pages, stop_api, stop_pages
from esibook.benefits import pages as benefits_pages
from esibook.book import api as book_api
from esibook.book import pages as book_pages
from esibook.config import Settings, load_settings
from esibook.contributions import pages as contributions_pages
from esibook.db import is_postgres, make_engine, session_factory
from esibook.health import api as health_api
from esibook.health import pages as health_pages
from esibook.health import register_api as clinic_register_api
from esibook.health import register_pages as clinic_register_pages
from esibook.lookups import api as lookups_api
from esibook.lookups import pages as lookups_pages
from esibook.loop_reads import LoopReads
from esibook.notify import pages as notify_pages
from esibook.payments import api as payments_api
from esibook.payments import pages as payments_pages
from esibook.portals import pages as portals_pages
from esibook.reminders import api as reminders_api
from esibook.reminders import pages as reminders_pages
from esibook.transactions import api as transactions_api
from esibook.transactions import citizen_pages, employer_pages, officer_pages
from esibook.web import api as identifiers_api
from esibook.web import citizen, home, install, ratelimit, route_filter, security
from esibook.web.errors import ERROR_RESPONSES, install_error_handlers
from esibook.web.pages import make_templates

#: Every router the application serves; each of their routes declares its audience (access/policy.py).
ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    citizen.router,
    identifiers_api.router,
    access_api.router,
    access_api.oauth,
    access_pages.router,
    consent_api.api,
    consent_api.pages,
    book_api.router,
    book_api.well_known,
    book_api.tlog,
    book_pages.router,
    benefits_api.router,
    benefits_pages.router,
    transactions_api.router,
    employer_pages.router,
    citizen_pages.router,
    officer_pages.router,
    notify_pages.router,
    health_api.router,
    health_pages.router,
    clinic_register_pages.router,
    clinic_register_api.router,
    contributions_pages.router,
    install.router,
    payments_api.router,
    payments_pages.router,
    lookups_api.router,
    lookups_pages.router,
    reminders_api.router,
    reminders_pages.router,
    pension_api.router,
    pension_pages.router,
    payout_pages.router,
    stop_api.router,
    stop_pages.router,
    benefit_payout_api.router,
    authorisation_api.api,
    authorisation_api.pages,
    portals_pages.router,
)


def served_routes(app: FastAPI) -> list[APIRoute]:
    """Every route the application serves (the authorization test walks these)."""
    return [route for router in app.state.routers for route in router.routes if isinstance(route, APIRoute)]


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    """The threadpool that runs the synchronous routes gets as many threads as the pool has connections; on
    PostgreSQL the hot reads get their connections on the event loop (``esibook.loop_reads``), as many again."""
    settings = app.state.settings
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
    if not is_postgres(app.state.engine):
        yield
        return
    app.state.loop_reads = await LoopReads(settings.resolved_database_url(), settings.db_pool_size,
                                           settings.db_pool_timeout_seconds).open()
    try:
        yield
    finally:
        await app.state.loop_reads.close()
        app.state.loop_reads = None


def _routers(app: FastAPI, settings: Settings) -> list[APIRouter]:
    """:data:`ROUTERS`, with the book read as this database serves it (on the event loop on PostgreSQL)."""
    book_read = book_api.book_read_on_loop if is_postgres(app.state.engine) else book_api.book_read
    routers = list(ROUTERS)
    routers.insert(routers.index(book_api.router), book_read)
    return [*routers, *([devidp.router] if settings.dev_idp_enabled else [])]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(
        lifespan=_serving,
        title="esibook",
        version="0.1.0",
        description=package_doc,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.engine = make_engine(
        settings.resolved_database_url(), pool_size=settings.db_pool_size, pool_timeout=settings.db_pool_timeout_seconds
    )
    app.state.sessions = session_factory(app.state.engine)
    app.state.db_slots = anyio.CapacityLimiter(settings.db_pool_size)  # requests holding a session (web/deps.py)
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=str(resources.files("esibook.web") / "static")), name="static")
    app.state.routers = _routers(app, settings)
    for router in app.state.routers:
        app.include_router(router)
    route_filter.install(app)
    install_error_handlers(app)
    access_pages.install_login_redirect(app)
    ratelimit.install(app, settings)
    security.install(app, settings)
    return app
