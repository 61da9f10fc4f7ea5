"""What every command of ``esibook`` shares: the root command, one-line errors (exit code 2), settings, a
database session and reading an input file."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from esibook.config import Settings, load_settings
from esibook.dates import vietnam_today
from esibook.db import make_engine, session_factory
from esibook.errors import DomainError
from esibook.periods import Month

app = typer.Typer(
    help="esibook: the electronic social insurance book and the National Insurance Database.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
#: Typer vendors click and does not export its UsageError (bad option values, unknown commands).
UsageError = typer.BadParameter.__base__


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def friendly_errors(command: Callable) -> Callable:
    """Turn domain errors and unreachable databases into one line and exit code 2."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            fail(f"{error.message_en} ({error.code})")
        except OperationalError as error:
            fail(f"cannot use the database: {str(error.orig).strip().splitlines()[0]}")

    return run


def settings() -> Settings:
    return load_settings()


def last_complete_month() -> Month:
    return Month.from_date(vietnam_today()) - 1


def open_session():
    return session_factory(make_engine(settings().resolved_database_url()))()


def read_input(path: Path) -> bytes:
    if not path.is_file():
        fail(f"no such file: {path}")
    return path.read_bytes()
