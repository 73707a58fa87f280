"""The ``scr`` command line.

Heavy modules are imported inside each command, so ``scr check`` loads only the threshold engine
and starts in a fraction of a second.
"""

from typing import Annotated

import typer

app = typer.Typer(help="Commission safeguarding case reviews.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")

CLI_ACTOR = "cli"


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade(get_settings().database_url)
    typer.echo("Database schema is up to date.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Migrate the database, then serve the API, admin pages and Slack endpoint."""
    import uvicorn

    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade(get_settings().database_url)
    uvicorn.run("service.app:create_app", factory=True, host=host, port=port, workers=workers)


@user_app.command("add")
def user_add(
    email: str,
    role: Annotated[str, typer.Option(help="admin, commissioner, chair or bot.")],
    slack_user_id: Annotated[str | None, typer.Option(help="Slack user id (U...) to link.")] = None,
) -> None:
    """Create a user and print their API token once."""
    from sqlmodel import Session

    from registry.errors import DomainError
    from service.db import get_engine
    from service.models import Role
    from service.users import add_user

    try:
        parsed_role = Role(role)
    except ValueError:
        raise _fail(f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}.") from None
    with Session(get_engine()) as session:
        try:
            _, token = add_user(
                session, email=email, role=parsed_role, actor=CLI_ACTOR, slack_user_id=slack_user_id
            )
        except DomainError as error:
            raise _fail(error.message) from None
    typer.echo(token)


@user_app.command("revoke")
def user_revoke(email: str) -> None:
    """Deactivate a user; their token stops working at once."""
    from sqlmodel import Session

    from registry.errors import DomainError
    from service.db import get_engine
    from service.users import revoke_user

    with Session(get_engine()) as session:
        try:
            revoke_user(session, email=email, actor=CLI_ACTOR)
        except DomainError as error:
            raise _fail(error.message) from None
    typer.echo(f"Revoked {email}.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first edited, inserted or deleted event."""
    from sqlmodel import Session

    from service import audit
    from service.db import get_engine

    with Session(get_engine()) as session:
        events = audit.history(session)
        broken = audit.verify(events)
    if broken:
        raise _fail(f"Audit log broken: {broken.problem}.", code=1)
    typer.echo(f"Audit log intact: {len(events)} events.")
