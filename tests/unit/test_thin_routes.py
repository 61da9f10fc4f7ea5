"""Thin routes (docs/decisions/0005-floors.md): a route parses, calls a service of its context, renders. Read from
the source of every module that declares a router (``esibook.access.routing.Router``):

- it writes no query and opens no transaction (no ``select``, ``session.execute`` … ``session.add``, no
  ``db.transaction``): the query is a service function with a domain name;
- it imports nothing from another route module and no private (underscore) name from any module;
- no route is ``async def``: FastAPI runs a ``def`` route in its threadpool, so synchronous database work never
  blocks the event loop (a body or form is read by an ``async`` dependency, ``web.deps.form_data``); except a hot
  read whose audience is ``OnLoop`` (it awaits its reads on the loop's connections) and which hands anything
  synchronous to the threadpool.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "esibook"

#: What a route may take from SQLAlchemy: the session's type, for its signature.
ALLOWED_SQLALCHEMY = {("sqlalchemy.orm", "Session")}
#: Session methods that run SQL or manage a transaction.
SESSION_WORK = {
    "execute", "scalar", "scalars", "get", "query", "add", "add_all", "delete", "flush", "commit", "rollback",
    "begin", "refresh", "merge",
}
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "api_route"}
#: Route modules that may break a rule, with the reason.
EXCEPTIONS = {
    "access/devidp.py": "the development identity provider stands in for VNeID (never in production): its one-use "
    "authorization codes are its own state, kept beside its routes",
}


@cache
def route_modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if " = Router(" in text:
            found[str(path.relative_to(PACKAGE))] = ast.parse(text)
    return found


def _is_route_module_name(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last in ("pages", "api") or last.endswith(("_pages", "_api"))


def problems(name: str, tree: ast.Module) -> list[str]:
    found = []
    own = name.removesuffix(".py").replace("/", ".")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if node.module.startswith("sqlalchemy") and (node.module, alias.name) not in ALLOWED_SQLALCHEMY:
                    found.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: imports the private {alias.name} from {node.module}")
                if node.module == "esibook.db" and alias.name == "transaction":
                    found.append(f"line {node.lineno}: opens its own transaction (esibook.db.transaction)")
                target = f"{node.module}.{alias.name}"
                for module in (node.module, target):
                    if module.startswith("esibook.") and _is_route_module_name(module) and module != f"esibook.{own}":
                        if module != "esibook.web.pages":  # the page renderer, not a router
                            found.append(f"line {node.lineno}: imports from the route module {module}")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_WORK
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
        ):
            found.append(f"line {node.lineno}: session.{node.func.attr}(…)")
        elif isinstance(node, ast.AsyncFunctionDef) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
            for d in node.decorator_list
        ) and not _reads_on_the_loop(node):
            found.append(f"line {node.lineno}: the route {node.name} is async def")
    return found


def _reads_on_the_loop(route: ast.AsyncFunctionDef) -> bool:
    """An ``async`` route is allowed when its audience is ``OnLoop(...)`` (its caller and reads on the loop's own
    connections, ``esibook.loop_reads``) and whatever else it does runs in the threadpool (``run_in_threadpool``)."""
    defaults = [d for d in route.args.defaults + route.args.kw_defaults if d is not None]
    on_loop = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "OnLoop"
                  for d in defaults for n in ast.walk(d))
    hands_off = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "run_in_threadpool"
                    for n in ast.walk(route))
    return on_loop and hands_off


def test_the_route_modules_are_found():
    found = route_modules()
    assert {"book/pages.py", "transactions/api.py", "transactions/officer_pages.py", "web/home.py"} <= set(found)
    assert set(EXCEPTIONS) <= set(found)
    assert all(problems(name, found[name]) for name in EXCEPTIONS), "an exception follows the rules now: remove it"


def test_routes_are_thin_and_sync():
    modules = route_modules()
    broken = {name: found for name in modules if name not in EXCEPTIONS and (found := problems(name, modules[name]))}
    assert broken == {}


def test_the_check_sees_what_it_forbids():
    """The rules catch each kind of fat route (so an empty result above means something)."""
    fat = ast.parse(
        "from sqlalchemy import select\n"
        "from esibook.db import transaction\n"
        "from esibook.book.api import _helper\n"
        "@router.post('/x')\n"
        "async def route(session):\n"
        "    session.execute(select(1))\n"
    )
    found = problems("book/pages.py", fat)
    assert len(found) == 6, found
