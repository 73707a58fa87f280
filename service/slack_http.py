"""The Slack bot inside the service (HTTP mode): ``POST /slack/events`` and the loop of periodic jobs
(deadline reminders, the weekly expiry digest).

The bot reaches the API through ``httpx.ASGITransport`` on this very app, so it goes through the same
authentication, validation and audit as any other client, without a socket. It is mounted only when
both the signing secret and the bot token are set; bolt then verifies the signature of every request.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request, Response

from service.settings import Settings

IN_PROCESS_URL = "http://service.internal"


def enabled(settings: Settings) -> bool:
    return bool(settings.slack_signing_secret and settings.slack_bot_token)


def mount(app: FastAPI, settings: Settings) -> None:
    """Add the Slack endpoint (and, with a reminder or admins' channel, the loop of jobs) to ``app``."""
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

    from bot import schedule
    from bot.app import BotSettings, build_app
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
    bot_settings = BotSettings(
        bot_token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        api_url=settings.slack_api_url,
        reminder_channel=settings.slack_reminder_channel,
        reminder_lead_days=settings.slack_reminder_lead_days,
        admin_channel=settings.slack_admin_channel,
    )
    bolt = build_app(client=service, settings=bot_settings)
    handler = AsyncSlackRequestHandler(bolt)

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Slash commands, interactions, options and events from Slack (signed)."""
        return await handler.handle(request)

    interval = settings.slack_reminder_interval_seconds
    jobs = schedule.jobs(service=service, slack=bolt.client, settings=bot_settings)
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
