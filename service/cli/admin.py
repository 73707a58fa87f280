"""Who may use the service, and the audit log of what was done."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.common import CLI_ACTOR, fail, unit_of_work

if TYPE_CHECKING:
    from service.models import Role

user_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


ROLE_HELP = (
    "list_admin or analyst (regional roles, across partnerships); admin, commissioner or chair (held in the "
    "partnership named by --partnership); agency_contact (with --agency); reviewer (with --consultant); "
    "or bot."
)


def _role(role: str) -> "Role":
    from service.models import Role

    try:
        return Role(role.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        valid = ", ".join(r.value for r in Role if r != Role.member)
        raise fail(f"Unknown role {role!r}: use one of {valid}.") from None


@user_app.command("add")
def user_add(
    email: str,
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    partnership: Annotated[
        str | None, typer.Option(help="The prefix of the partnership the role is held in, e.g. CHS.")
    ] = None,
    slack_user_id: Annotated[str | None, typer.Option(help="Slack user id (U...) to link.")] = None,
    slack_team_id: Annotated[
        str | None,
        typer.Option(help="The Slack workspace (T...) of --slack-user-id, when not the deployment's own."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help='The name people see, e.g. "Jane Smith" (until set, the email).')
    ] = None,
    agency: Annotated[
        str | None, typer.Option(help="An agency contact's agency: its id, name or alias.")
    ] = None,
    consultant: Annotated[
        int | None, typer.Option(help="A reviewer's consultant record, by its id on the approved list.")
    ] = None,
) -> None:
    """Create a user and print their API token once."""
    import re

    from registry.models import SLACK_TEAM_ID
    from service.slack_settings import slack_team_key
    from service.users import add_user

    if slack_team_id is not None and not (slack_user_id and re.fullmatch(SLACK_TEAM_ID, slack_team_id)):
        raise fail(
            "--slack-team-id names the workspace of --slack-user-id: give both, the workspace as its team "
            "id (T then capitals and digits, like T012AB3CD)."
        )
    with unit_of_work() as session:
        _, token = add_user(
            session,
            email=email,
            role=_role(role),
            actor=CLI_ACTOR,
            slack_user_id=slack_user_id,
            slack_team=slack_team_key(slack_team_id),
            display_name=name,
            partnership=partnership,
            agency=agency,
            consultant_id=consultant,
        )
    typer.echo(token)


# The role and the partnership it is held in, as "scr user grant" and "ungrant" take them.
HeldRole = Annotated[str, typer.Option("--role", help="admin, commissioner or chair.")]
HeldIn = Annotated[str, typer.Option("--partnership", help="The prefix of the partnership, e.g. CHS.")]


@user_app.command("grant")
def user_grant(
    email: str,
    role: HeldRole,
    partnership: HeldIn,
) -> None:
    """Give an existing user another role in a partnership (a person may chair one and commission for
    another)."""
    from service.users import grant_role

    with unit_of_work() as session:
        user = grant_role(session, email=email, role=_role(role), partnership=partnership, actor=CLI_ACTOR)
        shown = user.shown_name
    typer.echo(f"{shown} holds the role {role} in {partnership.upper()}.")


@user_app.command("ungrant")
def user_ungrant(
    email: str,
    role: HeldRole,
    partnership: HeldIn,
) -> None:
    """Take a role in a partnership from a user."""
    from service.users import revoke_role

    with unit_of_work() as session:
        user = revoke_role(session, email=email, role=_role(role), partnership=partnership, actor=CLI_ACTOR)
        shown = user.shown_name
    typer.echo(f"{shown} no longer holds the role {role} in {partnership.upper()}.")


@user_app.command("revoke")
def user_revoke(email: str) -> None:
    """Deactivate a user; their token stops working at once."""
    from service.users import revoke_user

    with unit_of_work() as session:
        revoke_user(session, email=email, actor=CLI_ACTOR)
    typer.echo(f"Revoked {email}.")


@user_app.command("set-password")
def user_set_password(email: str) -> None:
    """Set the password EMAIL signs in to the admin pages with: asked twice, or two lines on stdin."""
    import sys

    from service.passwords import set_password

    if sys.stdin.isatty():
        password = typer.prompt("New password", hide_input=True)
        again = typer.prompt("Repeat it", hide_input=True)
    else:
        password, again = (sys.stdin.readline().rstrip("\r\n") for _ in range(2))
    if password != again:
        raise fail("The two passwords differ; nothing was changed.")
    with unit_of_work() as session:
        set_password(session, email=email, password=password, actor=CLI_ACTOR)
    typer.echo(f"Password set for {email}.")


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            envvar="SCR_AUDIT_CHECKPOINT",
            dir_okay=False,
            help="A file outside the database that records the log's newest event at each run (one line "
            "each); a later run fails if that event has gone. Keep it where the database's users cannot "
            "write.",
        ),
    ] = None,
) -> None:
    """Check the audit log's hash chain; exit 1 naming the first edited, inserted or deleted event, or,
    with a checkpoint, events deleted from the end since the last run."""
    from core import audit
    from core.clock import utcnow

    try:
        previous = audit.read_checkpoint(checkpoint) if checkpoint else None
    except (OSError, ValueError) as error:
        raise fail(f"The checkpoint file {checkpoint} could not be read: {error}.") from None
    with unit_of_work() as session:
        events = audit.history(session)
    broken = audit.verify(events)
    if broken:
        raise fail(f"Audit log broken: {broken.problem}.", code=1)
    lost = audit.shortened(events, previous) if previous else None
    if lost:
        raise fail(f"Audit log shortened: {lost}. The checkpoint file is {checkpoint}.", code=1)
    head = audit.Checkpoint.of(events, at=utcnow())
    newest = f"the newest is event {head.head_id}, hash {head.head_hash}" if events else "none yet"
    typer.echo(f"Audit log intact: {head.count} events; {newest}.")
    if checkpoint:
        try:
            audit.record_checkpoint(checkpoint, head)
        except OSError as error:
            raise fail(f"The checkpoint could not be recorded in {checkpoint}: {error}.") from None
        typer.echo(f"Checkpoint recorded in {checkpoint}.")
