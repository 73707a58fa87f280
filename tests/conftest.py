"""Shared fixtures: a migrated database per test run, a clean slate per test, and personas.

Tests run on SQLite by default. With ``SCR_DATABASE_URL`` pointing at PostgreSQL, the run creates
its own database on that server (so concurrent runs never share state) and drops it at the end.
"""

import io
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, make_url, text
from sqlmodel import Session, SQLModel

# The service refuses to start without a real secret key: this run has its own, which the servers the
# tests start as processes (uvicorn in tests/recovery) inherit.
os.environ["SCR_SECRET_KEY"] = secrets.token_urlsafe(48)
os.environ.setdefault("SCR_RETENTION_PURGE_CHECK_SECONDS", "0")  # the purge loop runs where a test says

BASE_URL = os.environ.get("SCR_DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgresql")


@contextmanager
def _database_of_its_own(prefix: str) -> Iterator[str]:
    """A fresh, empty database, removed afterwards; its URL. On PostgreSQL it is a new database on the
    server (so concurrent runs never share state), else SQLite in a folder of its own."""
    if not ON_POSTGRES:
        yield f"sqlite:///{Path(tempfile.mkdtemp(prefix=f'{prefix}-')) / 'scr.db'}"
        return
    server = make_url(BASE_URL)
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A commit need not wait for its WAL to reach the disk: the server stays up, so nothing a test
        # sees is lost, and each test's many commits (and the TRUNCATE that empties the tables) are quick.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _clear_caches() -> None:
    from service.db import get_engine
    from service.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """The run's database, migrated, named in ``SCR_DATABASE_URL`` for the service and its processes."""
    with _database_of_its_own("scr_test") as url:
        os.environ["SCR_DATABASE_URL"] = url
        _clear_caches()
        from service.db import get_engine
        from service.migrate import upgrade

        upgrade(url)
        yield url
        get_engine().dispose()
    _clear_caches()


@pytest.fixture
def scratch_url() -> Iterator[str]:
    """Another empty database of the run's kind, for a test that migrates one of its own."""
    with _database_of_its_own("scr_scratch") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str):  # type: ignore[no-untyped-def]
    """The service's engine on the run's database. On SQLite its commits do not wait for the disk (the
    log is written, not synced): a test's data need not outlive a power cut, and each sync took longer
    than the write it followed."""
    from service.db import get_engine

    engine = get_engine()
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _unsynced)
        engine.dispose()
    return engine


def _unsynced(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


# PostgreSQL: the id sequences of the given tables that have handed out a number since they were last
# reset (an insert rolled back leaves no row but uses one), with their tables and first values.
USED_SEQUENCES = """
SELECT table_name, format('%I.%I', s.schemaname, s.sequencename), s.start_value
FROM unnest(CAST(:tables AS text[])) AS table_name
JOIN pg_depend AS d ON d.refobjid = format('%I', table_name)::regclass
JOIN pg_sequences AS s ON d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
WHERE s.last_value IS NOT NULL
"""


def truncate(engine) -> None:  # type: ignore[no-untyped-def]
    """Empty every table but the approved list's version, which emptying the list raises (as any write
    to it does), so no process's cached copy of the list outlives it; ids start again from the first.

    On PostgreSQL only the tables a test used are emptied, row by row, and their sequences reset: a
    TRUNCATE of every table (a new file for each, its indexes and its sequence) took a tenth of a second
    or more, and most tests use a few tables. The audit table refuses DELETE to anyone, so it is
    truncated; no table refers to it."""
    from core.audit import AuditEvent
    from registry.version import RegistryVersion

    kept = RegistryVersion.__table__
    tables = [table for table in reversed(SQLModel.metadata.sorted_tables) if table is not kept]
    with engine.begin() as connection:
        if engine.dialect.name != "postgresql":
            for table in tables:
                connection.execute(table.delete())
            return
        holding = " UNION ALL ".join(
            f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for table in tables
        )
        used = {name for (name,) in connection.execute(text(holding))}
        sequences = connection.execute(text(USED_SEQUENCES), {"tables": [t.name for t in tables]}).all()
        used |= {table_name for table_name, _, _ in sequences}
        audit = AuditEvent.__table__
        for table in tables:
            if table.name in used and table is not audit:
                connection.execute(table.delete())
        if audit.name in used:
            connection.execute(text(f'TRUNCATE "{audit.name}" RESTART IDENTITY'))
        for table_name, sequence, first in sequences:
            if table_name != audit.name:
                restart = text("SELECT setval(CAST(:sequence AS regclass), :first, false)")
                connection.execute(restart, {"sequence": sequence, "first": first})


@pytest.fixture(scope="session")
def empty_database(engine):  # type: ignore[no-untyped-def]
    """A function that empties every table, for module-scoped fixtures that load their own data."""
    return lambda: truncate(engine)


# The service's argon2 parameters (the library's defaults: 64 MiB, 3 passes) cost a fifth of a second or
# more a hash or check on a busy machine, and the tests sign in hundreds of times; they hash at argon2's
# lightest instead. ``real_password_hasher`` gives a test the service's own.
QUICK_HASHER = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes() -> Iterator[Any]:
    """Quick hashes for the whole run; yields the service's own hasher."""
    from argon2 import PasswordHasher

    from service import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(**QUICK_HASHER)
    passwords._dummy_hash.cache_clear()
    yield real
    passwords._hasher = real
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def real_password_hasher(monkeypatch: pytest.MonkeyPatch, quick_password_hashes: Any) -> Iterator[Any]:
    """The service's own password hasher, at its own cost, for this test; it is yielded."""
    from service import passwords

    monkeypatch.setattr(passwords, "_hasher", quick_password_hashes)
    passwords._dummy_hash.cache_clear()
    yield quick_password_hashes
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """``environment(NAME=value, ...)`` for this test; the settings are read afresh, and again after."""
    from service.settings import get_settings

    def change(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield change
    get_settings.cache_clear()


@pytest.fixture
def json_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The log lines written while the test runs, as the JSON objects the service writes them as
    (``service.logs``), with the request id each was logged under."""
    from service import logs

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def session(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A session on a database emptied before the test."""
    truncate(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def owner_bypass(session: Session) -> Callable[..., None]:
    """``owner_bypass(sql, **params)``: tamper with the audit table as its owner can. On PostgreSQL a
    trigger refuses UPDATE and DELETE to the service and its users, so the owner switches it off for this
    one transaction; the tests prove that verify still catches what an owner does. The test's own
    transaction is committed first: it must hold no lock on the table."""

    def run(sql: str, **params: object) -> None:
        session.commit()
        with session.get_bind().begin() as connection:
            guarded = connection.dialect.name == "postgresql"
            if guarded:
                connection.execute(text("SET LOCAL lock_timeout = '10s'"))
                connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
            connection.execute(text(sql), params)
            if guarded:
                connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))

    return run


@pytest.fixture(scope="session")
def shared_app(database_url: str):  # type: ignore[no-untyped-def]
    """The app as built with the run's default settings, and those settings. FastAPI prepares each route
    of an app on its first request (about a second of work over all the routes), so the tests share one
    app rather than pay that per test; ``client`` says when a test needs one of its own."""
    from service.app import create_app
    from service.settings import get_settings

    return create_app(), get_settings()


@pytest.fixture
def client(session: Session, shared_app):  # type: ignore[no-untyped-def]
    """A test client of the service. It is the shared app, as a fresh one would be (its own public rate
    limit, no dependency overrides, logging as the factory sets it), unless the test's settings differ
    from the run's defaults: then it is a freshly built app, as the settings make it."""
    from fastapi.testclient import TestClient

    from service import logs
    from service.app import create_app
    from service.ratelimit import PublicRateLimit
    from service.settings import get_settings

    app, built_with = shared_app
    settings = get_settings()
    if settings == built_with:
        logs.configure(level=settings.log_level, fmt=settings.log_format)
        app.state.public_rate_limit = PublicRateLimit(settings.public_rate_per_minute)
        app.dependency_overrides.clear()
    else:
        app = create_app()
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.dependency_overrides.clear()


@dataclass(frozen=True)
class Persona:
    """A signed-in user as the tests drive them: ``role`` as the tests name it ("admin" is a list admin
    who is also an admin of the home partnership; "chair" and "commissioner" hold that role there)."""

    email: str
    role: str
    token: str
    user_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


REGIONAL = ("list_admin", "analyst", "bot")


def make_persona(
    session: Session, role: str, *, slack_user_id: str | None = None, partnership: str | None = None
) -> Persona:
    """A user holding ``role``: a regional one (list_admin, analyst, bot), or one held in ``partnership``
    (a prefix; the home partnership, HAC, by default). An "admin" is also a list admin, as the admin of a
    one-partnership service keeps the approved list too; name ``partnership`` to make a partnership's admin
    only."""
    from factories import home_partnership, other_partnership

    from service.models import Role
    from service.users import add_user

    email = f"{role}-{secrets.token_hex(3)}@board.example.org"
    held_in = None
    if role not in REGIONAL:
        home = home_partnership(session).prefix
        if partnership == "SAL":
            other_partnership(session)
        held_in = partnership or home
    user, token = add_user(
        session, email=email, role=Role(role), actor="test", slack_user_id=slack_user_id, partnership=held_in
    )
    if role == "admin" and partnership is None:
        user.role = Role.list_admin
        session.add(user)
    session.commit()
    assert user.id is not None
    return Persona(email=email, role=role, token=token, user_id=user.id)


def _persona(role: str, about: str) -> Callable[[Session], Persona]:
    """The fixture named ``role``: a user holding it, with an API token; ``about`` says who they are."""

    def persona(session: Session) -> Persona:
        return make_persona(session, role)

    persona.__doc__ = about
    return pytest.fixture(name=role)(persona)


admin = _persona(
    "admin", "A list admin who is also the home partnership's admin: keeps the list, the agencies, the users."
)
chair = _persona("chair", "A chair of the home partnership: records the board's decisions.")
commissioner = _persona(
    "commissioner", "A commissioner of the home partnership: shortlists and commissions reviewers."
)
bot = _persona(
    "bot", "The Slack bot's service user: it relays a consultant named by the Slack id on their record."
)
list_admin = _persona("list_admin", "A list admin only: keeps the approved list, holds no partnership role.")
analyst = _persona("analyst", "An analyst: reads figures across partnerships, never a case.")


@pytest.fixture
def persona(session: Session) -> Callable[..., Persona]:
    """``persona(role, partnership="SAL")``: another user, as ``make_persona`` makes them."""
    return lambda role, **kwargs: make_persona(session, role, **kwargs)


@pytest.fixture
def outsider(session: Session) -> Persona:
    """A commissioner of another partnership (SAL), who must not learn of the home partnership's cases."""
    return make_persona(session, "commissioner", partnership="SAL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set SCR_DATABASE_URL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
