"""What the service does beside its requests for as long as the app runs (the daily jobs, the Slack bot's
jobs, settling the heap): started once the app has started, after whatever its lifespan already starts,
and stopped as it stops."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI


def while_running(app: FastAPI, during: Callable[[], AbstractAsyncContextManager[None]]) -> None:
    """Enter ``during()`` once ``app`` has started and leave it as the app stops."""
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[object]:
        async with previous(application) as state, during():
            yield state

    app.router.lifespan_context = lifespan


def run_alongside(app: FastAPI, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``work`` (a loop that runs until cancelled) while ``app`` runs, and cancel it as the app stops."""

    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[None]:
        loop = asyncio.create_task(work())
        try:
            yield
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop

    while_running(app, running)


def once_started(app: FastAPI, step: Callable[[], None]) -> None:
    """Do ``step`` once ``app`` has started."""

    @contextlib.asynccontextmanager
    async def done() -> AsyncIterator[None]:
        step()
        yield

    while_running(app, done)
