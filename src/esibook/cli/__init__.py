"""The ``esibook`` command: database, demo data, look-ups and the server. One module per command group; the
console script is ``esibook.cli:main`` (and ``python -m esibook``).

Bad input ends with one line on standard error saying what is wrong, and a non-zero exit code (2).
"""

# ruff: noqa: I001 (the command modules are imported in the order of the help)
from __future__ import annotations

import sys

import typer

# Each module registers its commands on the root command: the order here is the order of ``esibook --help``.
from esibook.cli import db  # noqa: F401
from esibook.cli import people  # noqa: F401
from esibook.cli import keys  # noqa: F401
from esibook.cli import trust  # noqa: F401
from esibook.cli import book  # noqa: F401
from esibook.cli import card  # noqa: F401
from esibook.cli import audit  # noqa: F401
from esibook.cli import clients  # noqa: F401
from esibook.cli import grants  # noqa: F401
from esibook.cli import seed  # noqa: F401
from esibook.cli import verify  # noqa: F401
from esibook.cli import visits  # noqa: F401
from esibook.cli import clinics  # noqa: F401
from esibook.cli import serve  # noqa: F401
from esibook.cli import witness  # noqa: F401
from esibook.cli import demo  # noqa: F401
from esibook.cli import contributions  # noqa: F401
from esibook.cli import online_payments  # noqa: F401
from esibook.cli import reminders  # noqa: F401
from esibook.cli import pension  # noqa: F401
from esibook.cli import portals  # noqa: F401
from esibook.cli.common import UsageError, app, err


def main() -> None:
    """Console entry point: usage errors too end as one line and exit code 2."""
    try:
        code = app(prog_name="esibook", standalone_mode=False)
    except UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError" and error.ctx:
            typer.echo(error.ctx.get_help())
            sys.exit(0)
        err.print(f"[bold red]error:[/] {error.format_message()}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
