"""Backups: the database to one file, and back (``service.backups`` says how, on SQLite and PostgreSQL)."""

from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, fail


def backup(
    file: Annotated[Path, typer.Argument(help="The file to write: a new one, kept away from this machine.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Back the database up to FILE, consistently even while the service is writing."""
    from service.backups import BackupRefused, where
    from service.backups import backup as back_up
    from service.settings import get_settings

    url = get_settings().database_url
    try:
        found = back_up(url, file, force=force)
    except BackupRefused as error:
        raise fail(error.message, code=1) from None
    size = file.stat().st_size
    typer.echo(f"Backed up {where(url)} to {file} ({size:,} bytes): {found.describe()}.")


def restore(
    file: Annotated[
        Path, typer.Argument(help="A file 'scr backup' wrote.", exists=True, dir_okay=False, readable=True)
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the records the database holds, or restore with other connections open."
        ),
    ] = False,
) -> None:
    """Restore the backup FILE into the database SCR_DATABASE_URL names, empty unless --force.

    The database is then migrated to this version, and the restore recorded in the audit log.
    """
    from service.backups import BackupRefused, where
    from service.backups import restore as put_back
    from service.settings import get_settings

    url = get_settings().database_url
    try:
        done = put_back(url, file, force=force, actor=CLI_ACTOR)
    except BackupRefused as error:
        raise fail(error.message, code=1) from None
    typer.echo(f"Restored {file} into {where(url)}: {done.backup.describe()}.")
    if done.migrated_to != done.backup.migration:
        typer.echo(f"Migrated it from {done.backup.migration} to {done.migrated_to}.")
    typer.echo(
        f"The audit log records the restore as event {done.event_id}. "
        "Run 'scr audit verify' to check the log, then start the service."
    )
