"""The service under uvicorn in a thread of the test process, on a free loopback port: real HTTP and real
concurrent requests against the test's own database and settings (``server_process`` runs it apart)."""

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# The event loop of each server running now, with the tasks it had once started (uvicorn's own). Any
# other task is work in progress: a request, or what the Slack bot does after acknowledging one.
_RUNNING: dict[int, tuple[asyncio.AbstractEventLoop, set[asyncio.Task[Any]]]] = {}


def busy() -> bool:
    """Whether a server started here is still working: a request being answered, or a task it started
    (the bot's work after an acknowledgement, a retry waiting out a rate limit). ``asyncio.all_tasks``
    is written to be read from another thread."""
    return any(asyncio.all_tasks(loop) - started for loop, started in list(_RUNNING.values()))


@contextmanager
def serving(app: Any = None, *, timeout: float = 20) -> Iterator[str]:
    """``app`` (else a fresh ``create_app()``) answering at the URL this yields, until the block ends."""
    import uvicorn

    from service.app import create_app

    config = uvicorn.Config(app or create_app(), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"uvicorn did not start within {timeout:g}s")
        time.sleep(0.02)
    loop = server.servers[0].get_loop()
    _RUNNING[id(server)] = (loop, asyncio.all_tasks(loop))
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        del _RUNNING[id(server)]
        server.should_exit = True
        thread.join(10)
