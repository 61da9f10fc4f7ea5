"""``esibook pension …``: pensions in payment."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook.cli.common import app, friendly_errors, open_session

pension_app = typer.Typer(help="Pensions in payment (lương hưu hằng tháng).", no_args_is_help=True)
app.add_typer(pension_app, name="pension")


@pension_app.command("pay")
@friendly_errors
def pension_pay(
    month: Annotated[str, typer.Option("--month", help="The month to settle, YYYY-MM (it must have begun).")],
) -> None:
    """Settle a month for every pensioner whose pension has begun, each with the payment method in force that
    month. Idempotent: a month already paid is left as it is, so running it twice pays nobody twice."""
    from esibook.benefits.pensions import pay_month
    from esibook.periods import Month

    chosen = Month.parse_input(month, field="month")
    with open_session() as session:
        result = pay_month(session, chosen, actor="cli:pension-pay")
    typer.echo(f"{result.month}: {result.pensioners} pensioners, {result.settled} settled now, "
               f"{result.pensioners - result.settled} already paid")
