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
    """The run for a month, for every pensioner whose pension has begun and every other monthly benefit begun
    (unemployment, survivors', accident/disease): each month up to it not yet paid (back pay included, never after
    a benefit's last month), by the payment method in force that month; a month for an authorised representative
    no longer allowed (or with no way named) is held; the pensioner's HI card is renewed before it ends.
    Idempotent: running it twice pays nobody twice."""
    from esibook.benefits.pensions import pay_month
    from esibook.periods import Month

    chosen = Month.parse_input(month, field="month")
    with open_session() as session:
        result = pay_month(session, chosen, actor="cli:pension-pay")
    typer.echo(f"{result.month}: {result.pensioners} pensioners, {result.settled} settled now (months, back pay "
               f"included), {result.held} held, {result.cards} HI cards renewed; {result.benefits} other monthly "
               f"benefits, {result.benefits_settled} months settled, {result.benefits_held} held")


@pension_app.command("payout-file")
@friendly_errors
def pension_payout_file(
    month: Annotated[str, typer.Option("--month", help="The month whose run is listed, YYYY-MM.")],
    channel: Annotated[str, typer.Option("--channel", help="bank (transfers) or post (cash at post offices).")],
    output: Annotated[str | None, typer.Option(
        "--output", help="Where to write the CSV (default: chi-tra-luong-huu-YYYY-MM-CHANNEL.csv here).")] = None,
    authority: Annotated[str | None, typer.Option(
        "--authority", help="Only this authority (civil, defence, security); default all.")] = None,
    benefit: Annotated[str, typer.Option(
        "--benefit", help="pension, or monthly (the unemployment, survivors' and accident/disease monthly "
        "allowances the same run pays).")] = "pension",
) -> None:
    """Write the payout file (danh sách chi trả) of a month's run for the banks or the post offices: CSV, UTF-8 with
    BOM, Vietnamese headers, amounts in đồng, one line per month paid (back pay marked) and a total."""
    from pathlib import Path

    from esibook.benefits.payout_files import check_authority, check_benefit, check_channel, payout_file
    from esibook.periods import Month

    chosen = Month.parse_input(month, field="month")
    check_channel(channel)
    check_authority(authority)
    check_benefit(benefit)
    with open_session() as session:
        made = payout_file(session, chosen, channel, authority=authority, actor="cli:pension-payout-file",
                           benefit=benefit)
    path = Path(output or made.filename)
    path.write_bytes(made.content)
    typer.echo(f"{path}: {made.lines} lines, {made.total:,} đồng".replace(",", "."))
