"""``create_app(settings)``: the web application and the API, one instance per settings object."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from esibook import __doc__ as package_doc
from esibook.access import api as access_api
from esibook.access import devidp
from esibook.access import pages as access_pages
from esibook.benefits import api as benefits_api
from esibook.benefits import pages as benefits_pages
from esibook.book import api as book_api
from esibook.book import pages as book_pages
from esibook.config import Settings, load_settings
from esibook.contributions import pages as contributions_pages
from esibook.db import make_engine, session_factory
from esibook.health import api as health_api
from esibook.health import pages as health_pages
from esibook.transactions import api as transactions_api
from esibook.transactions import pages as transactions_pages
from esibook.web import api as identifiers_api
from esibook.web import home
from esibook.web.errors import ERROR_RESPONSES, install_error_handlers
from esibook.web.pages import make_templates


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(
        title="esibook",
        version="0.1.0",
        description=package_doc,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url())
    app.state.sessions = session_factory(app.state.engine)
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=str(resources.files("esibook.web") / "static")), name="static")
    app.include_router(home.router)
    app.include_router(identifiers_api.router)
    app.include_router(access_api.router)
    app.include_router(access_api.oauth)
    app.include_router(access_pages.router)
    app.include_router(book_api.router)
    app.include_router(book_api.well_known)
    app.include_router(book_pages.router)
    app.include_router(benefits_api.router)
    app.include_router(benefits_pages.router)
    app.include_router(transactions_api.router)
    app.include_router(transactions_pages.router)
    app.include_router(health_api.router)
    app.include_router(health_pages.router)
    app.include_router(contributions_pages.router)
    if settings.dev_idp_enabled:
        app.include_router(devidp.router)
    install_error_handlers(app)
    access_pages.install_login_redirect(app)
    return app
