"""``esibook grants …``: who may act on others' records (officers, employer representatives, clinic staff)."""

from __future__ import annotations

from typing import Annotated

import typer

from esibook.cli.common import app, friendly_errors, open_session
from esibook.dates import in_vietnam
from esibook.params import MAX_ROW_ID

grants_app = typer.Typer(
    help="Role grants: officer of an authority with permissions, employer representative, clinic staff.",
    no_args_is_help=True,
)
app.add_typer(grants_app, name="grants")


@grants_app.command("add")
@friendly_errors
def grants_add(
    personal_id: Annotated[str, typer.Argument(help="The 12-digit personal ID number the person signs in with.")],
    role: Annotated[str, typer.Option(help="officer, employer_rep or clinic.")],
    authority: Annotated[str | None, typer.Option(help="An officer's authority: civil, defence or security.")]
    = None,
    permissions: Annotated[str, typer.Option(help="An officer's permissions, e.g. reviewer,approver (reviewer, "
                                                  "approver, auditor, key_custodian, reference_data).")] = "",
    employer: Annotated[str | None, typer.Option(help="An employer representative's employer: its unit code.")]
    = None,
    clinic: Annotated[str | None, typer.Option(help="Clinic staff's clinic: its 5-digit code (MA_CSKCB).")] = None,
) -> None:
    """Grant a role; it counts from the person's next request (VNeID level 2). Written to the audit chain."""
    from esibook.access.grants import add_grant

    with open_session() as session:
        grant = add_grant(session, personal_id=personal_id, role=role, authority=authority,
                          permissions=permissions, employer=employer, clinic=clinic)
        typer.echo(f"grant {grant.id} added: {_what(grant.role, grant.authority, grant.permissions)}")


@grants_app.command("list")
@friendly_errors
def grants_list(
    personal_id: Annotated[str | None, typer.Argument(help="Only this person's grants.")] = None,
) -> None:
    """The active grants, oldest first; times are Vietnam time."""
    from esibook.access.grants import active_grants

    with open_session() as session:
        grants = active_grants(session, personal_id)
    if not grants:
        typer.echo("no active grants")
        return
    typer.echo(f"{'id':>6}  {'personal ID':<12}  {'role':<12}  {'authority':<9}  {'permissions':<40}  "
               f"{'employer/clinic':<16}  granted (Vietnam time)")
    for g in grants:
        place = (f"employer {g.employer}" if g.employer else f"clinic {g.clinic_code}" if g.clinic_code else "-")
        typer.echo(f"{g.id:>6}  {g.personal_id:<12}  {g.role:<12}  {g.authority:<9}  "
                   f"{','.join(g.permissions) or '-':<40}  {place:<16}  {in_vietnam(g.created_at):%Y-%m-%d %H:%M}")


@grants_app.command("revoke")
@friendly_errors
def grants_revoke(
    grant_id: Annotated[int, typer.Argument(help="The grant's id (from esibook grants list).", min=1,
                                            max=MAX_ROW_ID)],
) -> None:
    """Revoke a grant; it stops counting at the holder's next request, in a browser already signed in too."""
    from esibook.access.grants import revoke_grant

    with open_session() as session:
        grant = revoke_grant(session, grant_id)
        typer.echo(f"grant {grant.id} revoked: {_what(grant.role, grant.authority, grant.permissions)}")


def _what(role: str, authority: str, permissions: str) -> str:
    if role == "officer":
        return f"officer of {authority} ({permissions or 'no permissions'})"
    return f"{role} ({authority})"
