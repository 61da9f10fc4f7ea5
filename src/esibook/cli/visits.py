"""``esibook visits …``: medical visits reported by clinics (XML 130)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esibook.cli.common import (
    app,
    friendly_errors,
    open_session,
    read_input,
)

visits_app = typer.Typer(
    help="Medical visits reported by clinics (XML 130 of the Ministry of Health).", no_args_is_help=True
)
app.add_typer(visits_app, name="visits")


@visits_app.command("import")
@friendly_errors
def visits_import(
    file: Annotated[Path, typer.Argument(help="An XML file of Decision 130/QĐ-BYT (GIAMDINHHS or TONG_HOP).")],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's code (MA_CSKCB) the file is from.")],
) -> None:
    """Check and store a clinic's visit summaries (table XML1). Prints how many were stored and each rejected
    record with its reasons; exit code 1 when any record was rejected."""
    from esibook.health.visit_service import operator_sender, receive_visits, xml_clinic
    from esibook.health.xml130 import read_xml1

    parsed = read_xml1(read_input(file))
    with open_session() as session:
        sender = operator_sender(session, xml_clinic(parsed, clinic))
        report = receive_visits(session, sender, parsed.items, source="xml1")
    typer.echo(
        f"clinic {report.clinic_code}: {report.received} received, {report.accepted} stored, "
        f"{report.duplicates} already stored, {len(report.rejected)} rejected"
    )
    for rejection in report.rejected:
        for problem in rejection.reasons:
            typer.echo(f"  #{rejection.index} {rejection.visit_ref or '-'}: {problem.code} {problem.message_en}")
    raise typer.Exit(1 if report.rejected else 0)
