"""The reference of what the bot is doing: one id for a Slack request or a job run, in the bot's log
lines, sent as ``X-Request-ID`` on each of its calls to the service (so the service's log lines carry
it too), and shown to a person when something fails, so what they quote finds every line.

It is held in structlog's context variables under ``request_id``, as the service holds its own
request's id (``service.request_ids``). In HTTP mode a Slack request reaches the bot through the
service, so the bot keeps the id the service gave that request; over Socket Mode, and for each run of
a job, the bot makes one.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

KEY = "request_id"
HEADER = "X-Request-ID"


def new() -> str:
    """A fresh reference, as the service makes its request ids: 16 hex digits."""
    return secrets.token_hex(8)


def current() -> str | None:
    """The reference of what is being done now, if one is bound."""
    bound = structlog.contextvars.get_contextvars().get(KEY)
    return str(bound) if bound else None


def ensure() -> str:
    """The bound reference, binding a new one if there is none (for the rest of this task: a Slack
    request's listeners run in tasks of their own, which inherit it)."""
    bound = current()
    if bound:
        return bound
    made = new()
    structlog.contextvars.bind_contextvars(**{KEY: made})
    return made


@contextmanager
def fresh() -> Iterator[str]:
    """A new reference for the ``with`` block (one run of a job), the previous one restored after."""
    made = new()
    tokens = structlog.contextvars.bind_contextvars(**{KEY: made})
    try:
        yield made
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
