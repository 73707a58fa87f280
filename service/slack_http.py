"""The Slack bot inside the service (HTTP mode): ``POST /slack/events`` and the loop of periodic jobs
(deadline reminders, the weekly expiry digest).

The bot reaches the API through ``httpx.ASGITransport`` on this very app, so it goes through the same
authentication, validation and audit as any other client, without a socket. It is mounted only when
both the signing secret and the bot token are set.

Anyone can reach ``/slack/events``, so nothing in a request is trusted before its signature is. The
route checks the signature itself, in code that cannot raise whatever the headers hold, and answers 401
to any request that fails, for whatever reason, before bolt sees it: bolt would otherwise hand an
unverified request to the error handler, which answers to the ``response_url`` the request names (a
server-side request to any address an outsider chooses). A verified request bolt cannot read gets 400.
"""

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Mapping

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from service.request_ids import with_id
from service.settings import Settings, bot_settings

log = logging.getLogger("service.slack")

IN_PROCESS_URL = "http://service.internal"
MAX_AGE_SECONDS = 5 * 60  # Slack's advice: refuse older requests, so a captured one cannot be replayed
TIMESTAMP_DIGITS = 12  # ten until the year 2286: anything longer is not a time


def signed_by_slack(body: bytes, headers: Mapping[str, str], *, secret: str) -> bool:
    """Whether ``body`` and ``headers`` carry Slack's v0 signature, made within the last five minutes.

    Never raises: the timestamp must be plain digits and the signature is compared as bytes, so a
    malformed or missing header is a refusal, not an error (bolt's own check raises on both).
    """
    stamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= TIMESTAMP_DIGITS and signature):
        return False
    if abs(time.time() - int(stamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + stamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("latin-1"))


def enabled(settings: Settings) -> bool:
    return bool(settings.slack_signing_secret and settings.slack_bot_token)


def mount(app: FastAPI, settings: Settings) -> None:
    """Add the Slack endpoint (and, with a reminder or admins' channel, the loop of jobs) to ``app``."""
    from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response

    from bot import schedule
    from bot.app import build_app
    from bot.reporting import SIGNATURE_CHECKED
    from bot.service_client import ServiceClient

    if not settings.bot_api_token:
        raise RuntimeError(
            "SCR_SLACK_BOT_TOKEN and SCR_SLACK_SIGNING_SECRET are set but SCR_BOT_API_TOKEN is not: "
            "create the bot's service user with 'scr user add bot@YOUR-DOMAIN --role bot' and set its token."
        )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    service = ServiceClient(
        httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL), token=settings.bot_api_token
    )
    for_bot = bot_settings(settings)
    bolt = build_app(client=service, settings=for_bot)
    secret = for_bot.signing_secret.get_secret_value()

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Slash commands, interactions, options and events from Slack: only signed ones reach bolt."""
        body = await request.body()
        if not signed_by_slack(body, request.headers, secret=secret):
            return JSONResponse(with_id({"error": "invalid request"}), status_code=401)
        try:
            bolt_request = to_async_bolt_request(request, body, {SIGNATURE_CHECKED: True})
        except Exception:  # not UTF-8, not JSON, not an object: signed, but nothing bolt can read
            log.warning("slack.unreadable_body bytes=%d", len(body))
            return JSONResponse(with_id({"error": "unreadable request body"}), status_code=400)
        return to_starlette_response(await bolt.async_dispatch(bolt_request))

    interval = settings.slack_reminder_interval_seconds
    jobs = schedule.jobs(service=service, slack=bolt.client, settings=for_bot)
    if not (jobs and interval):
        return
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[object]:
        async with previous(application) as state:
            loop = asyncio.create_task(schedule.run_forever(jobs, interval_seconds=interval))
            try:
                yield state
            finally:
                loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await loop

    app.router.lifespan_context = lifespan
