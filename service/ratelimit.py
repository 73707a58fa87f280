"""The rate limit on the public routes: the threshold check, the feature catalogue and the rulesets.

They answer without sign-in by design (they store nothing and hold no personal data), so anyone can
call them; the limit keeps one client address from taking the service's time from everyone else.
Callers with a valid API token are exempt and use none of their address's allowance: people signed in,
and the Slack bot, which sends its own token on every call (in-process through ``httpx.ASGITransport``,
or over the network in Socket Mode). A token that is present but not valid counts as no token.

The client address is ``request.client.host``: uvicorn replaces it with the forwarded one only for
proxies it trusts. The buckets live in this process: with several workers or replicas, each allows the
rate on its own.
"""

import logging
import math
import time
from collections.abc import Callable

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.auth import hash_token, user_for_token
from service.db import database_turn, get_engine

log = logging.getLogger("service.ratelimit")

Clock = Callable[[], float]


class TokenBuckets:
    """A token bucket per key, holding up to a minute's allowance and refilling at the rate.

    Memory is bounded: past ``max_keys`` the key seen longest ago is forgotten (it starts full again).
    Meant for one thread (the event loop), so it takes no lock.
    """

    def __init__(self, per_minute: int, *, max_keys: int = 10_000, clock: Clock = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted); oldest first

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket: 0 when there was one, else the seconds until there is."""
        now = self.clock()
        tokens, counted = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - counted) * self.refill_per_second)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.refill_per_second
        self._buckets[key] = (tokens - 1 if not wait else tokens, now)
        if len(self._buckets) > self.max_keys:
            del self._buckets[next(iter(self._buckets))]
        return wait


class ValidTokens:
    """Whether a bearer token belongs to an active user, remembered for ``ttl`` seconds.

    Only valid tokens are remembered (by hash), so a busy signed-in caller costs one indexed lookup a
    minute; a revoked token stays exempt from the rate limit for at most that long, and from nothing else.
    """

    def __init__(self, *, ttl: float = 60.0, max_tokens: int = 1_000, clock: Clock = time.monotonic) -> None:
        self.ttl = ttl
        self.max_tokens = max_tokens
        self.clock = clock
        self._until: dict[str, float] = {}  # token hash -> when to look it up again; oldest first

    async def holds(self, token: str) -> bool:
        digest = hash_token(token)
        if self._until.get(digest, 0.0) > self.clock():
            return True
        self._until.pop(digest, None)
        async with database_turn():
            held = await run_in_threadpool(_active_user_holds, token)
        if not held:
            return False
        self._until[digest] = self.clock() + self.ttl
        if len(self._until) > self.max_tokens:
            del self._until[next(iter(self._until))]
        return True


def _active_user_holds(token: str) -> bool:
    """One indexed lookup; if the database is down the caller is treated as anonymous, not failed."""
    try:
        with Session(get_engine()) as session:
            return user_for_token(session, token) is not None
    except SQLAlchemyError:
        log.exception("ratelimit.token_lookup_failed")
        return False


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class PublicRateLimit:
    """The limit of one app: ``per_minute`` requests per client address without a token; 0 is no limit."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.buckets = TokenBuckets(per_minute) if per_minute else None
        self.tokens = ValidTokens()

    async def check(self, request: Request) -> None:
        if self.buckets is None:
            return
        token = _bearer_token(request)
        if token is not None and await self.tokens.holds(token):
            return
        address = request.client.host if request.client else "unknown"
        wait = self.buckets.take(address)
        if wait:
            seconds = math.ceil(wait)
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=(
                    f"Too many requests from your address: without signing in, the threshold check, the "
                    f"feature catalogue and the rulesets answer {self.per_minute} requests a minute. Try "
                    f"again in {seconds} second{'s' if seconds != 1 else ''}, or send an API token "
                    "('Authorization: Bearer <token>'); an admin can give you one."
                ),
                headers={"Retry-After": str(seconds)},
            )


async def limit_public(request: Request) -> None:
    """Refuse an anonymous caller over the rate with 429 and ``Retry-After``. Async, so the common case
    (a bucket with tokens, or a remembered token) costs no trip to a worker thread."""
    limit: PublicRateLimit = request.app.state.public_rate_limit
    await limit.check(request)


# The answer the limit gives, for the OpenAPI description of each public route.
TOO_MANY: dict[int | str, dict[str, object]] = {
    429: {
        "description": "Too many requests from this address without an API token; Retry-After says "
        "how many seconds to wait",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
    }
}
