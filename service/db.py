"""Database engine and the request's unit of work."""

import asyncio
import functools
import inspect
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import orjson
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from core.transaction import unit_of_work
from service.settings import get_settings

# The statements sqlite3's own (legacy) transaction control begins a transaction for, and SAVEPOINT,
# which it does not: a savepoint opened outside a transaction would commit on its release.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT)\b", re.IGNORECASE)


# Connections opened beyond the pool, closed again when returned: for work outside requests (the bot's
# reminder loop, the audit of a refusal, a page rendered after its request's session closed).
OUTSIDE_REQUESTS = 4


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys, a busy timeout so writers queue rather than fail,
    and transactions that savepoints work in (``_sqlite_transactions``). PostgreSQL keeps
    ``SCR_DB_POOL_SIZE`` connections, as many as requests may use at once (``get_session``)."""
    # JSON columns (a consultant's lists, a case's features) are decoded by orjson: several per row read.
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_deserializer=orjson.loads
        )
        _sqlite_transactions(engine)
        return engine
    size = get_settings().db_pool_size
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=size,
        max_overflow=OUTSIDE_REQUESTS,
        json_deserializer=orjson.loads,
        # PostgreSQL compiles a query it expects to be costly (a scan of a large list) before running it:
        # for the service's short queries that costs more than it saves (it doubled a filtered list's time
        # at 100,000 consultants).
        connect_args={"options": "-c jit=off"},
    )


def _sqlite_transactions(engine: Engine) -> None:
    """Take over BEGIN from sqlite3, as SQLAlchemy's SQLite docs describe ("Enabling Non-Legacy SQLite
    Transactional Modes"), so that a savepoint belongs to the transaction around it.

    BEGIN IMMEDIATE is sent before a transaction's first write or savepoint, not at its first read: it
    takes the write lock at once (waiting on the busy timeout), so every statement after it sees the
    latest data and no other writer can change it before the commit. A transaction begun at its first
    read would hold an older snapshot, and its first write would then fail at once ("database is
    locked") whenever another writer had committed in between. Reads before the first write each see
    the latest committed data, as on PostgreSQL at READ COMMITTED.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 emits no BEGIN of its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(
        _connection: Any, cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
    ) -> None:
        if not cursor.connection.in_transaction and _WRITES.match(statement):
            cursor.connection.execute("BEGIN IMMEDIATE")


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


_turns: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def _turn() -> asyncio.Semaphore:
    """This event loop's turns at the pool: as many as it has connections (``SCR_DB_POOL_SIZE``)."""
    loop = asyncio.get_running_loop()
    turns = _turns.get(loop)
    if turns is None:
        turns = _turns[loop] = asyncio.Semaphore(get_settings().db_pool_size)
    return turns


@asynccontextmanager
async def database_turn() -> AsyncIterator[None]:
    """A turn at the pool for database work a request does outside its session (``get_session`` takes
    its own), so that work too waits rather than opening a connection beyond the pool."""
    async with _turn():
        yield


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work (``core.transaction.unit_of_work``, on the event loop): committed when
    the route returns, rolled back if it raises.

    The route commits it (``UnitOfWorkRoute``), and this dependency ends before the response is sent
    (``scope="function"`` below), so a failed commit becomes an error response, never a success for a
    change that was not saved. Code that runs within the request without the session in hand (the admin
    pages' notices) joins it: ``joined_unit_of_work``.

    It first waits its turn for one of the pool's connections, on the event loop and holding no thread.
    A session holds its connection from its first query to its close, across several trips to worker
    threads; without turns a worker would serve every open HTTP connection at once, opening and closing
    PostgreSQL connections beyond its pool (slow, and heavy on the server) while its threads fought over
    the interpreter. Requests that never touch the database (the threshold check, health checks) never
    wait. Opening and closing the session send nothing to the database unless the route failed (then
    the rollback goes to a worker thread), so neither costs a trip to a thread.
    """
    async with _turn():
        session = Session(get_engine(), expire_on_commit=False)
        request.state.db = session
        try:
            yield session
            if session.in_transaction():  # a route that did not commit its own work
                await run_in_threadpool(session.commit)
        finally:
            del request.state.db
            if session.in_transaction():  # the route failed: roll back what it left
                await run_in_threadpool(session.close)
            else:
                session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class UnitOfWorkRoute(APIRoute):
    """A route that commits the request's unit of work as soon as its function returns, in its thread, and
    checks what it returns against the response model there too: one trip to a worker thread for all three.

    ``get_session`` alone would commit after FastAPI has validated the response in another worker
    thread: the transaction's locks (a consultant's row, the audit log's) would be held while waiting for
    a free thread, and the requests waiting for those locks may hold them all. FastAPI would also take a
    second trip for a plain function's response check; here the route is run as a coroutine that makes
    one trip, and FastAPI's own check finds the response already in shape. Every router uses it.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _committing(endpoint, self), **kwargs)


def _committing(endpoint: Callable[..., Any], route: APIRoute) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):  # async routes run no database work of their own
        return endpoint

    def committed(**kwargs: Any) -> Any:
        result = endpoint(**kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                value.commit()
        return _in_shape(route, result)

    @functools.wraps(endpoint)  # FastAPI reads the parameters, names and docstring through it
    async def in_one_trip(**kwargs: Any) -> Any:
        return await run_in_threadpool(committed, **kwargs)

    return in_one_trip


def _in_shape(route: APIRoute, result: Any) -> Any:
    """``result`` as the route's response model holds it (what FastAPI's own check then passes at once);
    as it came when it does not fit, for FastAPI to refuse as it would have."""
    field = route.response_field
    if field is None or isinstance(result, Response):
        return result
    value, errors = field.validate(result, {}, loc=("response",))
    return result if errors else value


@contextmanager
def joined_unit_of_work(request: Request) -> Iterator[Session]:
    """The request's unit of work while it is open, else one of its own (for a page rendered after it
    ended, or by a route without one). Never a second beside it: on SQLite that one would wait for the
    write lock the request's may hold."""
    joined = getattr(request.state, "db", None)
    if joined is not None:
        yield joined
        return
    with unit_of_work(get_engine()) as own:
        yield own
