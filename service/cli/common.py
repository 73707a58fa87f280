"""What every command shares: who the audit log says acted, and how a command gives up."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # for annotations only: ``scr check`` never loads the database
    from sqlmodel import Session

CLI_ACTOR = "cli"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say why on standard error; the caller raises the exit (2 for bad input, unless ``code`` says)."""
    typer.echo(message, err=True)
    return typer.Exit(code)


@contextmanager
def unit_of_work() -> Iterator["Session"]:
    """One command's unit of work on the configured database; a domain refusal (a conflict, a record not
    found, bad input) rolls it back and ends the command with the refusal's message."""
    from core.errors import DomainError
    from core.transaction import unit_of_work as work
    from service.db import get_engine

    try:
        with work(get_engine()) as session:
            yield session
    except DomainError as error:
        raise fail(error.message) from None
