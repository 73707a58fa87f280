"""Work the service runs beside its requests (the daily jobs, the Slack bot's jobs), for as long as the app
runs: started with the app, cancelled when it stops."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from fastapi import FastAPI


def run_alongside(app: FastAPI, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start ``work`` (a loop that runs until cancelled) once ``app`` has started, after whatever its
    lifespan already starts, and cancel it as the app stops."""
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[object]:
        async with previous(application) as state:
            loop = asyncio.create_task(work())
            try:
                yield state
            finally:
                loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await loop

    app.router.lifespan_context = lifespan
