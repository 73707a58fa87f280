"""The bot's periodic jobs: deadline reminders, and the weekly expiry digest to the admins' channel.

Both post only what they have not posted before (each thing is claimed in the service first), so the
loop can run every few minutes, in several processes at once, beside a cron job, and still post each
thing once. A failed run is logged and the next run tries again. When Slack refuses a job's post, the
admins' channel is told too (once a day for each job and error, so a loop every few minutes does not
repeat it), with the reference of the log line that records Slack's error.
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
from bot.slack_calls import SlackRefused
from bot.views import refusals

log = logging.getLogger("bot.schedule")

Job = Callable[[date], Awaitable[list[str]]]
POSTED = {"reminders": "the deadline reminders", "digest": "this week's expiry digest"}


def jobs(*, service: ServiceClient, slack: AsyncWebClient, settings: BotSettings) -> dict[str, Job]:
    """The jobs the settings turn on: reminders with a reminder channel, the digest with an admins' one."""
    found: dict[str, Job] = {}
    if settings.reminder_channel:

        def remind(today: date) -> Awaitable[list[str]]:
            return reminders.send_due(service=service, slack=slack, settings=settings, today=today)

        found["reminders"] = remind
    if settings.admin_channel:

        def post_digest(today: date) -> Awaitable[list[str]]:
            return digest.send_due(service=service, slack=slack, channel=settings.admin_channel, today=today)

        found["digest"] = post_digest
    channels = {"reminders": settings.reminder_channel, "digest": settings.admin_channel}
    return {
        name: _admins_told(name, job, service=service, slack=slack, settings=settings, channel=channels[name])
        for name, job in found.items()
    }


def _admins_told(
    name: str, job: Job, *, service: ServiceClient, slack: AsyncWebClient, settings: BotSettings, channel: str
) -> Job:
    """``job``, telling the admins' channel when Slack refuses one of its posts (then raising as before)."""

    async def run(today: date) -> list[str]:
        try:
            return await job(today)
        except SlackRefused as error:
            await _tell_admins(
                error,
                name=name,
                channel=channel,
                service=service,
                slack=slack,
                admin_channel=settings.admin_channel,
                today=today,
            )
            raise

    return run


async def _tell_admins(
    error: SlackRefused,
    *,
    name: str,
    channel: str,
    service: ServiceClient,
    slack: AsyncWebClient,
    admin_channel: str,
    today: date,
) -> None:
    """Post the refusal to the admins' channel, once a day for each job and error; if that fails too
    (the admins' channel is the one refusing, say), the log lines are all there is."""
    if not admin_channel:
        log.warning(
            "slack.job_refusal.untold job=%s reference=%s reason=no_admin_channel", name, error.reference
        )
        return
    key = f"slack-refused:{name}:{today.isoformat()}:{error.error}"
    try:
        if not await service.claim(key=key, kind="job_refusal", detail={"reference": error.reference}):
            return
        text = refusals.job_refused(what=POSTED[name], channel=channel, reference=error.reference)
        try:
            await slack.chat_postMessage(channel=admin_channel, text=text)
        except Exception:
            await service.release_claim(key=key)
            raise
    except Exception:  # the job's own failure is what the caller must see: this one is only logged
        log.warning("slack.job_refusal.untold job=%s reference=%s", name, error.reference, exc_info=True)


async def run_forever(jobs: Mapping[str, Job], *, interval_seconds: int) -> None:
    """Run every job every ``interval_seconds`` until cancelled; a failed run is logged, then retried."""
    while True:
        for name, job in jobs.items():
            try:
                await job(date.today())
            except SlackRefused as error:  # its log line names Slack's error
                log.error("slack.%s.failed reference=%s", name, error.reference)
            except Exception:  # the loop must outlive one bad run; the next run retries what failed
                log.exception("slack.%s.failed", name)
        await asyncio.sleep(interval_seconds)
