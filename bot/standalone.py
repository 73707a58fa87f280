"""The bot as a process of its own: Socket Mode, and one-off reminder and digest runs, reaching the service
over HTTP.

The Slack app is the same ``build_app`` the service mounts in HTTP mode; only the ``ServiceClient``'s
transport differs (a connection to ``SCR_SERVICE_URL`` instead of the in-process ASGI transport).
"""

import asyncio
import contextlib
from datetime import datetime

import httpx
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot import clock, schedule
from bot.app import build_app, web_client
from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.workspaces import Posting


async def serve_socket_mode(
    *,
    settings: BotSettings,
    app_token: SecretStr,
    service_url: str,
    api_token: SecretStr,
    reminder_interval: int,
) -> None:
    """Connect to Slack over Socket Mode and serve until stopped; run the periodic jobs on the side."""
    async with httpx.AsyncClient(base_url=service_url) as http:
        service = ServiceClient(http, token=api_token)
        app = build_app(client=service, settings=settings)
        handler = AsyncSocketModeHandler(app, app_token.get_secret_value())
        loop = None
        jobs = schedule.jobs(service=service, slack=Posting(app.client), settings=settings)
        if jobs and reminder_interval:
            loop = asyncio.create_task(schedule.run_forever(jobs, interval_seconds=reminder_interval))
        try:
            await handler.start_async()
        finally:
            if loop is not None:
                loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
            await handler.close_async()


async def run_once(
    name: str,
    *,
    settings: BotSettings,
    service_url: str,
    api_token: SecretStr,
    now: datetime | None = None,
    slack: Posting | None = None,
) -> list[str]:
    """The job ``name`` once, as the loop runs it (a refusal is told to the admins' channel too), as of
    ``now`` (else today); returns the claim keys of what it posted, each posted once. "reminders" posts
    the reminders due; "digest" this week's expiry digest items (to the admins' channel, in the own
    workspace), and nothing before the digest's hour (``schedule.digest_open``). It posts with ``slack``
    (None: the bot token's client, in the one workspace)."""
    async with httpx.AsyncClient(base_url=service_url) as http:
        service = ServiceClient(http, token=api_token)
        posting = slack or Posting(web_client(settings))
        job = schedule.jobs(service=service, slack=posting, settings=settings)[name]
        return await job(now or clock.now())
