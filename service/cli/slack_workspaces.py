"""Slack workspaces and the partnerships each serves: a request relayed from a workspace sees only those.

The deployment's own workspace serves every partnership until it is mapped to some; another serves none
until it is mapped (it may be mapped before it adds the app).
"""

from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.common import CLI_ACTOR, unit_of_work

if TYPE_CHECKING:
    from service.slack_partnerships import ServingWorkspace

slack_app = typer.Typer(help="Slack workspaces and the partnerships each serves.", no_args_is_help=True)
workspace_app = typer.Typer(help="The Slack workspaces the bot serves.", no_args_is_help=True)
slack_app.add_typer(workspace_app, name="workspace")


def _described(found: "ServingWorkspace") -> str:
    """One workspace, in a line: its team id (or "own workspace"), its name, what it serves."""
    team = "own workspace" if found.own else found.team
    name = f" ({found.name})" if found.name else ""
    return f"{team}{name}\tserves {found.serves_in_words()}"


@workspace_app.command("map")
def workspace_map(
    team: Annotated[str, typer.Argument(help="The workspace's team id, like T0123ABCD.")],
    partnership: Annotated[
        list[str] | None,
        typer.Option(help="The prefix of a partnership it serves (repeat for each); none: see --none."),
    ] = None,
    none: Annotated[
        bool,
        typer.Option(
            "--none", help="Serve no partnership (the own workspace: every partnership again, as at first)."
        ),
    ] = False,
) -> None:
    """Set which partnerships a Slack workspace serves, replacing those it served."""
    from service import slack_partnerships
    from service.cli.common import fail

    if bool(partnership) == none:
        raise fail("Name the partnerships it serves with --partnership PREFIX (repeated), or give --none.")
    with unit_of_work() as session:
        key = slack_partnerships.team_key(team)
        slack_partnerships.set_served(session, team=key, prefixes=partnership or [], actor=CLI_ACTOR)
        typer.echo(_described(slack_partnerships.workspace(session, key)))


@workspace_app.command("list")
def workspace_list() -> None:
    """The own workspace, each that added the app and each mapped, with the partnerships each serves."""
    from service import slack_partnerships

    with unit_of_work() as session:
        for found in slack_partnerships.workspaces(session):
            typer.echo(_described(found))
