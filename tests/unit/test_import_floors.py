"""The floors of ``src/esibook`` (docs/decisions/0005-floors.md), read from the imports themselves.

Every module sits on a floor of :data:`FLOORS`, by the longest prefix of :data:`PIECES` that names it. An import
may go down or sideways, never up; and no set of pieces imports itself round in a loop. Imports inside functions
count: a lazy import is still a dependency. The few exceptions carry their reason in :data:`EXCEPTIONS`.

Run ``python tests/unit/test_import_floors.py`` to print the pieces of every floor and what breaks the rules.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "esibook"

#: Lowest first. A module imports only its own floor or those below.
FLOORS = ("base", "registers", "identity", "contexts", "views", "top")

#: A piece is a top-level part (``esibook.<part>``) or, where a part still holds modules of two floors, a named
#: module of it; each piece is on one floor. Pieces are what the loop check joins: a module belongs to the piece of
#: the longest prefix here that names it.
PIECES: dict[str, str] = {
    # base: imports no context; every context may import it
    "errors": "base",
    "dates": "base",
    "money": "base",
    "params": "base",
    "text": "base",
    "canonical": "base",
    "columns": "base",
    "db": "base",
    "loop_reads": "base",  # reads on the event loop (the db floor's asynchronous twin)
    "config": "base",
    "periods": "base",
    "tabular": "base",
    "identifiers": "base",
    "jobs": "base",
    "access.authorities": "base",  # civil, defence, security: a column type of every register
    "people.identifiers": "base",  # pure checks of the numbers a person types
    "employers.identifiers": "base",
    "health.identifiers": "base",
    "web.deps": "base",  # the request's database session
    "web.i18n": "base",
    "web.security": "base",
    # registers: the records every context reads, and what writes beside them (audit, outbox, signatures)
    "people": "registers",
    "employers": "registers",
    "contributions": "registers",
    "audit": "registers",
    "notify": "registers",
    "trust": "registers",
    # identity: who is asking and the one access policy, over the person's record and employment
    "access": "identity",
    # contexts
    "health": "contexts",
    "benefits": "contexts",
    "book": "contexts",
    "transactions": "contexts",
    "witness": "contexts",
    "payments": "contexts",
    "lookups": "contexts",
    "reminders": "contexts",
    "portals": "contexts",
    # views: what combines contexts, and the routes (pages, JSON APIs) of every context
    "views": "views",
    "web": "views",  # the page helpers (render, errors, rate limits) routes use
    "access.devidp": "views",
    "access.demo": "views",
    "access.grants": "views",  # granting roles checks the employer and the clinic named (health is a context)
    "trust.verify": "views",
    # top: the wiring
    "app": "top",
    "cli": "top",
    "models": "top",
    "migrate": "top",
    "seeding": "top",
    "__main__": "top",
    "worker": "top",
}
#: The routes of a context (its HTML pages and JSON API: ``pages.py``, ``api.py``, or one module per audience such
#: as ``employer_pages.py``) are on the views floor: they parse, call one service of their context and ask the
#: access policy, which reads the registers.
ROUTE_MODULES = ("pages", "api")


def is_route_module(name: str) -> bool:
    return name in ROUTE_MODULES or name.endswith(tuple(f"_{kind}" for kind in ROUTE_MODULES))

#: (importer, imported) module pairs that may break the rules, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {}

#: Generated vocabulary data, exempt from the size limit.
DATA_MODULES = {"esibook.seeding.vocab"}
MAX_LINES = 450
#: Modules over the limit for now, each with its reason (and the way out).
TOO_LONG_FOR_NOW: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" not in path.relative_to(PACKAGE).parts:
            found[module_name(path)] = path
    return found


@cache
def imported(name: str, path: Path) -> set[str]:
    """The esibook modules this module imports, at import time or inside functions."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:  # a submodule by its name, else a name of the module
                submodule = f"{module}.{alias.name}"
                targets.add(submodule if _is_module(submodule) else module)
    return {t for t in targets if t.startswith("esibook.")}


def _is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def resolve(target: str, known: dict[str, Path]) -> str | None:
    """The module an import names (``from esibook.access import policy`` names ``esibook.access.policy``)."""
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def piece_of(module: str) -> str | None:
    dotted = module.removeprefix("esibook.")
    parts = dotted.split(".")
    if len(parts) > 1 and is_route_module(parts[-1]) and dotted not in PIECES:
        return dotted
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in PIECES:
            return ".".join(parts[:end])
    return None


def floor_of(piece: str) -> int:
    if piece in PIECES:
        return FLOORS.index(PIECES[piece])
    return FLOORS.index("views")  # a route module


@cache
def edges() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(piece, piece) -> the (importer, imported) module pairs behind it."""
    known = modules()
    found: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for name, path in known.items():
        for target in imported(name, path):
            module = resolve(target, known)
            if module in (None, name, "esibook") or (name, module) in EXCEPTIONS:
                continue
            source, dest = piece_of(name), piece_of(module)
            if source != dest:
                found[(source, dest)].add((name, module))
    return found


def loops(graph: dict[tuple[str, str], set]) -> list[list[str]]:
    """The strongly connected sets of more than one piece (Tarjan)."""
    successors: dict[str, set[str]] = defaultdict(set)
    for source, dest in graph:
        successors[source].add(dest)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(successors[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(successors):
        if node not in index:
            visit(node)
    return found


def describe(graph, members: list[str]) -> list[str]:
    lines = []
    for (source, dest), pairs in sorted(graph.items()):
        if source in members and dest in members:
            lines.append(f"  {source} -> {dest}: " + ", ".join(f"{a} -> {b}" for a, b in sorted(pairs)))
    return lines


def upward(graph) -> list[str]:
    return [
        f"{a} ({PIECES.get(source, 'views')}) -> {b} ({PIECES.get(dest, 'views')})"
        for (source, dest), pairs in sorted(graph.items())
        if floor_of(dest) > floor_of(source)
        for a, b in sorted(pairs)
    ]


def test_every_module_has_a_floor():
    assert [name for name in sorted(modules()) if name != "esibook" and piece_of(name) is None] == []


def test_no_import_loop_between_pieces():
    graph = edges()
    found = loops(graph)
    assert not found, "import loops:\n" + "\n".join(line for members in found for line in describe(graph, members))


def test_no_import_runs_upward():
    assert upward(edges()) == []


def test_every_exception_is_still_needed():
    known = modules()
    stale = [
        pair for pair in EXCEPTIONS if pair[1] not in {resolve(t, known) for t in imported(pair[0], known[pair[0]])}
    ]
    assert stale == []


def test_no_module_passes_450_lines():
    long = {
        name: n
        for name, path in modules().items()
        if name not in DATA_MODULES and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert {name: n for name, n in long.items() if name not in TOO_LONG_FOR_NOW} == {}
    assert set(TOO_LONG_FOR_NOW) <= set(long), "a module of TOO_LONG_FOR_NOW is short again: take it off the list"


if __name__ == "__main__":
    graph = edges()
    for floor in reversed(FLOORS):
        print(f"{floor:<10}", " ".join(sorted(p for p, f in PIECES.items() if f == floor)))
    for members in loops(graph):
        print("loop:", " ".join(members))
        print("\n".join(describe(graph, members)))
    print("\n".join(["upward:"] + upward(graph)))
