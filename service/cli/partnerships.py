"""Partnerships: adding one with the areas it covers and its case-reference prefix, and listing them.

The command line acts as the operator of the whole service, across partnerships (its audit events name
it ``cli``).
"""

from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, unit_of_work

partnership_app = typer.Typer(
    help="Safeguarding partnerships and the areas they cover.", no_args_is_help=True
)


@partnership_app.command("add")
def partnership_add(
    name: str,
    areas: Annotated[
        str,
        typer.Option(
            help="The local-authority areas it covers, separated by commas: hackney,city-of-london."
        ),
    ],
    prefix: Annotated[str, typer.Option(help="Its case-reference prefix: 2 to 6 capital letters, e.g. CHS.")],
    reminder_channel: Annotated[
        str | None, typer.Option(help="The Slack channel its deadline reminders go to.")
    ] = None,
    admin_channel: Annotated[str | None, typer.Option(help="The Slack channel of its admins.")] = None,
    slack_team: Annotated[
        str | None,
        typer.Option(
            help="The team id of a Slack workspace of its own (T0123ABCD): that workspace serves it, and "
            "its channels are there."
        ),
    ] = None,
) -> None:
    """Add a partnership; its new cases take its prefix (CHS-2026-0001)."""
    from commissioning import partnerships
    from service import slack_partnerships

    with unit_of_work() as session:
        added = partnerships.add_partnership(
            session,
            name=name,
            prefix=prefix,
            areas=[area for area in areas.split(",") if area.strip()],
            actor=CLI_ACTOR,
            reminder_channel=reminder_channel,
            admin_channel=admin_channel,
        )
        if slack_team:
            slack_partnerships.add_served(
                session,
                team=slack_partnerships.team_key(slack_team),
                partnership=added.partnership,
                actor=CLI_ACTOR,
            )
        covered = ", ".join(partnerships.area_name(area) for area in added.areas) or "no area yet"
        typer.echo(f"Added {added.partnership.name} ({added.partnership.prefix}), covering {covered}.")
        if slack_team:
            typer.echo(f"Slack workspace {slack_team.strip().upper()} serves it.")


@partnership_app.command("list")
def partnership_list() -> None:
    """Every partnership: its prefix, its name and the areas it covers."""
    from commissioning import partnerships

    with unit_of_work() as session:
        found = partnerships.list_partnerships(session)
        if not found:
            typer.echo("No partnerships yet: add one with 'scr partnership add'.")
        for item in found:
            covered = ", ".join(partnerships.area_name(area) for area in item.areas) or "no area yet"
            typer.echo(f"{item.partnership.prefix}\t{item.partnership.name}\t{covered}")
