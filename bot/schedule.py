"""The bot's periodic jobs: deadline reminders, and the weekly expiry digest to the admins' channel.

Both post only what they have not posted before (each thing is claimed in the service first), so the
loop can run every few minutes, in several processes at once, beside a cron job, and still post each
thing once. A failed run is logged and the next run tries again.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date

from slack_sdk.web.async_client import AsyncWebClient

from bot.features.digest import job as digest
from bot.features.reminders import job as reminders
from bot.service_client import ServiceClient
from bot.settings import BotSettings

log = logging.getLogger("bot.schedule")

Job = Callable[[date], Awaitable[object]]


def jobs(*, service: ServiceClient, slack: AsyncWebClient, settings: BotSettings) -> dict[str, Job]:
    """The jobs the settings turn on: reminders with a reminder channel, the digest with an admins' one."""
    found: dict[str, Job] = {}
    if settings.reminder_channel:

        def remind(today: date) -> Awaitable[object]:
            return reminders.send_due(service=service, slack=slack, settings=settings, today=today)

        found["reminders"] = remind
    if settings.admin_channel:

        def post_digest(today: date) -> Awaitable[object]:
            return digest.send_due(service=service, slack=slack, channel=settings.admin_channel, today=today)

        found["digest"] = post_digest
    return found


async def run_forever(jobs: Mapping[str, Job], *, interval_seconds: int) -> None:
    """Run every job every ``interval_seconds`` until cancelled; a failed run is logged, then retried."""
    while True:
        for name, job in jobs.items():
            try:
                await job(date.today())
            except Exception:  # the loop must outlive one bad run; the next run retries what failed
                log.exception("slack.%s.failed", name)
        await asyncio.sleep(interval_seconds)
