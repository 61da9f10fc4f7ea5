"""What finding a request's route costs, with and without the routers' path filter (``web/route_filter.py``).

The application's routes are matched in order; FastAPI serves each included router as one entry whose match
tries its routes one by one. For a path served early (``/healthz``), midway (``/api/v1/me/book``) and by the last
entry (a route added to the application itself, as the bare endpoint of ``benchmarks/book_reads.py`` is), the
median time of one match over every entry until the one that takes it, filtered and unfiltered (the same
routers, their match called as FastAPI defines it). The result goes to docs/performance.md.

    .venv/bin/python benchmarks/routing.py       # also run by `make bench`
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from starlette.routing import Match

from esibook.app import create_app
from esibook.config import Settings
from esibook.web import route_filter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import write_section  # noqa: E402

PATHS = ("/healthz", "/api/v1/me/book", "/me/book", "/lookups/clinics", "/bench/bare")
ROUNDS, CALLS = 7, 2000


def matcher(app, filtered: bool):
    routes = app.router.routes
    unfiltered = route_filter._IncludedRouter.matches

    def match(path: str) -> int:
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": b"",
                 "headers": [], "app": app}
        for index, route in enumerate(routes):
            if not filtered and isinstance(route, route_filter.PathFilteredRouter):
                found, _ = unfiltered(route, scope)
            else:
                found, _ = route.matches(scope)
            if found == Match.FULL:
                return index
        raise LookupError(path)

    return match


def timed(match, path: str) -> float:
    """Median µs of one match over ``ROUNDS`` rounds of ``CALLS``."""
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            match(path)
        rounds.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(rounds)


def measure() -> list[tuple[str, int, float, float]]:
    with tempfile.TemporaryDirectory() as data:
        app = create_app(Settings(database_url=f"sqlite:///{data}/e.db", data_dir=Path(data), env="test"))
        app.add_api_route("/bench/bare", lambda: {"ok": True}, methods=["GET"])
        plain, filtered = matcher(app, False), matcher(app, True)
        rows = []
        for path in PATHS:
            index = filtered(path)
            assert plain(path) == index
            rows.append((path, index, timed(plain, path), timed(filtered, path)))
        return rows


def write_results(rows: list[tuple[str, int, float, float]], entries: int) -> None:
    lines = "\n".join(f"| `{path}` | {index + 1} of {entries} | {plain:,.1f} µs | {filtered:,.1f} µs |"
                      for path, index, plain, filtered in rows)
    section = (
        "## Finding a request's route (`benchmarks/routing.py`)\n\n"
        f"Median of {ROUNDS} rounds of {CALLS:,} matches, one process: every entry of the application's routes "
        "tried in order until the one that takes the path, with FastAPI's own match of each included router "
        "(unfiltered) and with the routers' path filter (`web/route_filter.py`, in the served application since "
        "2026-12-03).\n\n"
        "| path | served by entry | unfiltered | filtered |\n|---|---|---|---|\n"
        f"{lines}\n\n"
        "Before the filter, a route of one of the last routers paid up to a millisecond of matching before it ran "
        "(and so did the bare endpoint of `benchmarks/book_reads.py`, added after every router: the book-read "
        "ratios measured before 2026-12-03 compared the book read with an endpoint that paid that millisecond).\n\n"
    )
    write_section("## Finding a request's route", section)


def main() -> None:
    rows = measure()
    with tempfile.TemporaryDirectory() as data:
        entries = len(create_app(Settings(database_url=f"sqlite:///{data}/e.db", data_dir=Path(data),
                                          env="test")).router.routes) + 1
    for path, index, plain, filtered in rows:
        print(f"{path}: entry {index + 1}, unfiltered {plain:,.1f} µs, filtered {filtered:,.1f} µs")
    write_results(rows, entries)


if __name__ == "__main__":
    main()
