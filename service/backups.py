"""``scr backup`` and ``scr restore``: the database to one file and back, on SQLite or PostgreSQL.

SQLite is copied with its online backup API in one step, under one read transaction, so a backup taken
while the service writes holds each transaction whole or not at all. PostgreSQL is dumped by ``pg_dump``
in its custom format from a snapshot exported here, so the figures printed (migration, audit events, the
newest event) are those of the dump itself; ``pg_restore`` puts it back in one transaction
(``service.pg_tools``). Either way the file is written beside FILE and renamed into place only once
complete, readable only by its owner (a backup holds everything the service holds).

A file is restored only if it is a backup of this service (its tables, a migration this version knows),
and into a database that holds no records unless ``--force`` says to replace them. The restore then
migrates the database to this version's schema and records itself in the audit log, so the log says when
the records were put back and from which backup.
"""

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables every backup of this service holds; records counted before a restore may replace them.
SERVICE_TABLES = ("alembic_version", "audit_event", "app_user")
ARTICLE = {"SQLite": "an", "PostgreSQL": "a"}
RECORD_TABLES = {"audit_event": "audit event", "app_user": "user"}


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Figures:
    """What a database (or a backup of one) holds, as ``scr audit verify`` names it, to compare."""

    migration: str
    events: int
    newest_id: int | None
    newest_hash: str | None

    def describe(self) -> str:
        if not self.events:
            return f"migration {self.migration}; no audit events yet"
        newest = f"the newest is event {self.newest_id}, hash {self.newest_hash}"
        return f"migration {self.migration}; {_count(self.events, 'audit event')}, {newest}"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: the backup's figures, the migration it was brought to, the restore's event."""

    backup: Figures
    migrated_to: str
    event_id: int


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def where(url: str) -> str:
    """The database ``url`` names, for a person (no password)."""
    parsed = make_url(url)
    if is_postgres(url):
        return f"the PostgreSQL database {parsed.database} on {parsed.host or 'the local socket'}"
    return f"the SQLite database {_sqlite_path(url)}"


def figures(connection: Connection) -> Figures:
    """The migration and the audit log's size and head, read in ``connection``'s transaction."""
    migration = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    events, newest_id = connection.execute(text("SELECT count(*), max(id) FROM audit_event")).one()
    newest_hash = None
    if newest_id is not None:
        newest_hash = connection.execute(
            text("SELECT hash FROM audit_event WHERE id = :id"), {"id": newest_id}
        ).scalar_one()
    return Figures(migration, events, newest_id, newest_hash)


def check_migration(migration: str, *, file: Path) -> None:
    """Refuse a backup made at a migration this version does not know (made by a newer version)."""
    from service.migrate import known_revisions

    known = known_revisions()
    if migration not in known:
        raise BackupRefused(
            f"{file} was made at migration {migration}, which this version of the service does not know "
            f"(it knows {known[0]} to {known[-1]}): restore it with the version that made it, or a newer one."
        )


# Backing up ------------------------------------------------------------------------------------


def backup(url: str, target: Path, *, force: bool) -> Figures:
    """Write a backup of the database at ``url`` to ``target``; the figures of what it holds."""
    if target.is_dir():
        raise BackupRefused(f"{target} is a folder: name the file to write the backup to.")
    if not target.parent.is_dir():
        raise BackupRefused(f"The folder {target.parent} does not exist: make it, or name another file.")
    if not is_postgres(url) and target.exists() and target.resolve() == _sqlite_path(url).resolve():
        raise BackupRefused(f"{target} is the service's own database: name another file for the backup.")
    if target.exists() and not force:
        raise BackupRefused(f"{target} already exists: name a new file, or add --force to replace it.")
    with _partial_file(target) as partial:
        found = _pg_backup(url, partial) if is_postgres(url) else _sqlite_backup(url, partial)
        partial.replace(target)
    return found


@contextmanager
def _partial_file(target: Path) -> Iterator[Path]:
    """An empty file beside ``target``, readable by its owner only, removed unless renamed into place."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _pg_backup(url: str, partial: Path) -> Figures:
    from service import pg_tools

    with pg_tools.snapshot(url) as (connection, exported):
        found = figures(connection)
        pg_tools.dump(url, partial, snapshot_id=exported, server=pg_tools.server_major(connection))
    pg_tools.migration_in(partial, service_tables=SERVICE_TABLES)  # pg_restore reads it back
    return found


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupRefused(f"SCR_DATABASE_URL ({url}) names no database file to back up or restore.")
    return Path(database)


def _sqlite_backup(url: str, partial: Path) -> Figures:
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupRefused(f"There is no database at {source_path} to back up (SCR_DATABASE_URL).")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, so one moment's database
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        source.close()
        copy.close()
    return _sqlite_contents(partial, shown_as=partial)


def _read_only(path: Path) -> Engine:
    return create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True), poolclass=NullPool
    )


def _sqlite_contents(path: Path, *, shown_as: Path) -> Figures:
    """The figures of the SQLite database at ``path``, once it is shown sound and the service's."""
    engine = _read_only(path)
    try:
        with engine.connect() as connection:
            verdict = connection.execute(text("PRAGMA integrity_check")).scalar_one()
            if verdict != "ok":
                raise BackupRefused(f"{shown_as} is damaged (SQLite's integrity check: {verdict}).")
            missing = set(SERVICE_TABLES) - set(inspect(connection).get_table_names())
            if missing:
                raise BackupRefused(f"{shown_as} is an SQLite database, but not one of this service's.")
            return figures(connection)
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{shown_as} could not be read as an SQLite database ({error}).") from None
    finally:
        engine.dispose()


# Restoring -------------------------------------------------------------------------------------


def restore(url: str, source: Path, *, force: bool, actor: str) -> Restored:
    """Replace the database at ``url`` with the backup ``source``, migrate it, and audit the restore."""
    from service.migrate import upgrade

    kind = _kind_of(source)
    postgres = is_postgres(url)
    if kind != ("PostgreSQL" if postgres else "SQLite"):
        wanted = "PostgreSQL" if postgres else "SQLite"
        raise BackupRefused(
            f"{source} is a backup of {ARTICLE[kind]} {kind} database, but SCR_DATABASE_URL names "
            f"{ARTICLE[wanted]} {wanted} one: restore it into {ARTICLE[kind]} {kind} database."
        )
    if postgres:
        from service import pg_tools

        migration = pg_tools.migration_in(source, service_tables=SERVICE_TABLES)
        check_migration(migration, file=source)
        _check_target(url, migration=migration, force=force)
        pg_tools.restore(url, source)
    else:
        check_migration(_sqlite_contents(source, shown_as=source).migration, file=source)
        _check_target(url, migration=None, force=force)
        _sqlite_restore(source, _sqlite_path(url))
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            restored = figures(connection)
        upgrade(url)
        event_id = _record_restore(engine, source=source, restored=restored, actor=actor)
        with engine.connect() as connection:
            migrated_to = figures(connection).migration
    finally:
        engine.dispose()
    return Restored(restored, migrated_to, event_id)


def _kind_of(source: Path) -> str:
    try:
        with source.open("rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupRefused(f"{source} could not be read: {error.strerror}.") from None
    if start.startswith(SQLITE_MAGIC):
        return "SQLite"
    if start.startswith(PG_DUMP_MAGIC):
        return "PostgreSQL"
    raise BackupRefused(
        f"{source} is not a backup made by 'scr backup': it is neither an SQLite database nor a "
        "pg_dump archive in the custom format."
    )


def _engine(url: str) -> Engine:
    from service.db import make_engine

    return make_engine(url)


def _check_target(url: str, *, migration: str | None, force: bool) -> None:
    """Refuse to replace records, or to restore into a database a running service uses, without
    ``force``; and (PostgreSQL) refuse a database at another migration, which pg_restore would not
    make whole."""
    if not is_postgres(url) and not _sqlite_path(url).exists():
        return
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            counts = {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in RECORD_TABLES
                if name in tables
            }
            held = [_count(count, RECORD_TABLES[name]) for name, count in counts.items() if count]
            others = 0
            if is_postgres(url):
                from service import pg_tools

                others = pg_tools.other_sessions(connection)
            current = None
            if "alembic_version" in tables:
                current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    if held and not force:
        raise BackupRefused(
            f"There are records in {where(url)} already ({' and '.join(held)}). Restoring replaces all "
            "of them: back it up first ('scr backup FILE'), stop the service, then run this again with "
            "--force."
        )
    if others and not force:
        raise BackupRefused(
            f"{others} other connection(s) are open to {where(url)}: stop every replica of the service and "
            "the bot first (restoring under them mixes old and new records), or add --force."
        )
    if migration is not None and current is not None and current != migration:
        raise BackupRefused(
            f"The backup is at migration {migration} but {where(url)} at {current}: restore it into a new, "
            "empty database (createdb), point SCR_DATABASE_URL at that, then start the service on it."
        )


def _sqlite_restore(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` with the backup API: connections already open to ``target`` see
    the restored database, as they would not if its file were replaced under them."""
    if target.exists() and target.resolve() == source.resolve():
        raise BackupRefused(f"{source} is the service's own database: it cannot be restored onto itself.")
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        backup_file.backup(live)
        verdict = live.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        backup_file.close()
        live.close()
    if verdict != "ok":
        raise BackupRefused(f"The restored database at {target} failed SQLite's integrity check: {verdict}.")


def _record_restore(engine: Engine, *, source: Path, restored: Figures, actor: str) -> int:
    from core import audit
    from core.transaction import unit_of_work

    with unit_of_work(engine) as session:
        event = audit.record(
            session,
            "database.restore",
            source.name[:64],
            actor=actor,
            after={
                "backup": source.name,
                "migration": restored.migration,
                "events": restored.events,
                "newest_hash": restored.newest_hash,
            },
        )
        assert event.id is not None
        return event.id
