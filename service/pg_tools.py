"""``pg_dump`` and ``pg_restore``, as ``scr backup`` and ``scr restore`` run them on PostgreSQL.

They come with the PostgreSQL client (Debian: ``postgresql-client-15`` for a version 15 server). pg_dump
refuses a server newer than itself, so install the client of the server's major version. The password
goes to them in the environment (``PGPASSWORD``), never on a command line others can read in ``ps``.

The dump is the custom format (compressed, restorable table by table). The restore runs in one
transaction (``--single-transaction``): it ends with every table restored or nothing changed. It drops
what the dump holds before recreating it (``--clean --if-exists``) and makes the restoring role the owner
of everything (``--no-owner``), so a backup from one server restores on another whose roles differ.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from service.backups import BackupRefused

RESTORE_FLAGS = ("--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error")
# A table of the service's in pg_restore's list of a dump: "215; 1259 16390 TABLE public audit_event scr".
_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ")


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection URI for a SQLAlchemy ``url`` (no password in it), and the environment that
    carries the password."""
    parsed = make_url(url)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return uri, env


def _tool(name: str, *, server: str = "") -> str:
    found = shutil.which(name)
    if found is None:
        package = f"postgresql-client-{server}" if server else "postgresql-client"
        raise BackupRefused(
            f"{name} was not found. It comes with the PostgreSQL client: install the one matching the "
            f"server (on Debian or Ubuntu, apt-get install {package}), then run this again."
        )
    return found


def _run(command: list[str], *, env: dict[str, str], doing: str, server: str = "") -> str:
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        said = result.stderr.strip() or f"exit status {result.returncode}"
        hint = ""
        if "version mismatch" in said:
            hint = (
                f" Install the PostgreSQL client for the server's version (postgresql-client-{server})."
                if server
                else " Install the PostgreSQL client for the server's version."
            )
        raise BackupRefused(f"{doing} failed: {said}.{hint}")
    return result.stdout


def server_major(connection: Connection) -> str:
    number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    return str(number // 10000)


@contextmanager
def snapshot(url: str) -> Iterator[tuple[Connection, str]]:
    """A connection in a REPEATABLE READ transaction and the id of its exported snapshot, which pg_dump
    takes up (``--snapshot``): what the connection reads is exactly what the dump holds."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            yield connection, exported
    finally:
        engine.dispose()


def dump(url: str, target: Path, *, snapshot_id: str, server: str) -> None:
    """``pg_dump`` the database at ``url`` as of ``snapshot_id`` into ``target`` (custom format)."""
    uri, env = libpq(url)
    pg_dump = _tool("pg_dump", server=server)
    command = [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}", "--no-password"]
    _run([*command, f"--dbname={uri}"], env=env, doing="pg_dump", server=server)


def tables_in(source: Path) -> set[str]:
    """The tables a custom-format dump holds (``pg_restore --list``)."""
    listed = _run([_tool("pg_restore"), "--list", str(source)], env={}, doing=f"Reading {source}")
    return {match.group(1) for line in listed.splitlines() if (match := _TABLE.match(line))}


def migration_in(source: Path, *, service_tables: tuple[str, ...]) -> str:
    """The migration a dump was made at, once it is shown to be of this service's database."""
    if set(service_tables) - tables_in(source):
        raise BackupRefused(f"{source} is a PostgreSQL dump, but not of this service's database.")
    data = _run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(source)],
        env={},
        doing=f"Reading {source}",
    )
    rows = data.partition("FROM stdin;\n")[2].partition("\\.")[0].split()
    if len(rows) != 1:
        raise BackupRefused(f"{source} records no single migration, so it cannot be restored safely.")
    return rows[0]


def restore(url: str, source: Path) -> None:
    """``pg_restore`` ``source`` into the database at ``url``, in one transaction."""
    uri, env = libpq(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            server = server_major(connection)
    finally:
        engine.dispose()
    pg_restore = _tool("pg_restore", server=server)
    command = [pg_restore, *RESTORE_FLAGS, "--no-password", f"--dbname={uri}", str(source)]
    _run(command, env=env, doing="pg_restore", server=server)


def other_sessions(connection: Connection) -> int:
    """How many other connections are open to this connection's database (a running service's)."""
    return connection.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
    ).scalar_one()
