"""The routers' path filter (web/route_filter.py) changes how fast a route is found, never which one: every served
route, every wrong method and any other path resolve as FastAPI resolves them unfiltered."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match

from esibook.app import create_app, served_routes
from esibook.config import Settings
from esibook.web import route_filter

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
SAMPLES = {"int": "7", "path": "a/b.txt", "float": "1.5", "uuid": "12345678-1234-5678-1234-567812345678"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("routes")
    return create_app(Settings(database_url=f"sqlite:///{data}/e.db", data_dir=data, env="test"))


def resolve(app, path: str, method: str, *, filtered: bool) -> tuple[str, object]:
    """The first route that matches fully, else the first partial match (a 405), as Starlette's router takes them."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": [],
             "app": app}
    partial = None
    for route in app.router.routes:
        if not filtered and isinstance(route, route_filter.PathFilteredRouter):
            match, child = route_filter._IncludedRouter.matches(route, scope)
        else:
            match, child = route.matches(scope)
        if match in (Match.FULL, Match.PARTIAL) and isinstance(route, route_filter._IncludedRouter):
            child = {"endpoint": route._match(scope)[2].endpoint}  # which of the router's routes
        if match == Match.FULL:
            return "full", child.get("endpoint")
        if match == Match.PARTIAL and partial is None:
            partial = ("partial", child.get("endpoint"))
    return partial or ("none", None)


def concrete(path_format: str) -> str:
    return _PARAM.sub(lambda m: SAMPLES.get(m.group(2) or "", "x1"), path_format)


def test_every_router_is_filtered(app):
    routers = [r for r in app.router.routes if isinstance(r, route_filter._IncludedRouter)]
    assert routers and all(isinstance(r, route_filter.PathFilteredRouter) for r in routers)


def test_every_route_and_every_wrong_method_resolve_as_unfiltered(app):
    routes = served_routes(app)
    assert len(routes) > 100
    for route in routes:
        path = concrete(route.path_format)
        for method in (*route.methods, "DELETE", "PATCH"):
            found = resolve(app, path, method, filtered=True)
            assert found == resolve(app, path, method, filtered=False), (method, path)
        assert resolve(app, path, next(iter(route.methods)), filtered=True)[0] == "full", path


def test_a_book_read_is_still_found_and_an_unknown_path_is_not(app):
    state, endpoint = resolve(app, "/api/v1/me/book", "GET", filtered=True)
    assert state == "full" and endpoint.__name__ == "my_book"
    assert resolve(app, "/api/v1/me/book", "POST", filtered=True)[0] == "partial"  # 405, not 404
    assert resolve(app, "/api/v1/no/such/thing", "GET", filtered=True) == ("none", None)


def test_the_union_ignores_parameter_names_shared_by_two_routes():
    union = route_filter.union_of_paths([re.compile(r"^/a/(?P<id>[^/]+)$"), re.compile(r"^/b/(?P<id>[0-9]+)$")])
    assert union.match("/a/x") and union.match("/b/12")
    assert not union.match("/b/x") and not union.match("/c/1")


@settings(max_examples=300, deadline=None)
@given(segments=st.lists(st.sampled_from(["api", "v1", "me", "book", "officer", "persons", "7", "log", "tile",
                                          "0", "x.p", "lookups", "pension", "", "%C3", "a b"]), max_size=6),
       method=st.sampled_from(["GET", "POST", "PUT"]))
def test_any_path_resolves_as_unfiltered(app, segments, method):
    path = "/" + "/".join(segments)
    assert resolve(app, path, method, filtered=True) == resolve(app, path, method, filtered=False)
