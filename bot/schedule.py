"""The bot's periodic jobs: deadline reminders (each to its lead partnership's reminder channel, else the
service's), the chronology notices (the service's daily reminders to agencies, and what the people linked
in Slack are told of them, in their direct messages), overdue actions of agencies' plans (each owner
reminded once, the counts to the channel), and the weekly expiry digest to the service's admins' channel
(the approved list is regional: the digest is for the list admins).

Both post only what they have not posted before (each thing is claimed in the service first), so the
loop can run every few minutes, in several processes at once, beside a cron job, and still post each
thing once. A failed run is logged and the next run tries again. When Slack refuses a job's post, the
admins' channel is told too (once a day for each job and error, so a loop every few minutes does not
repeat it), with the reference of the log line that records Slack's error.

Each run has a reference of its own (``bot.reference``): its log lines, its calls to the service (and
so the service's log lines) and the admins' note carry it. Jobs run on England's time (``bot.clock``):
the digest is posted from ``digest_hour`` (08:00 unless set), never earlier in the day, so a new week's
digest goes out on Monday morning, not at midnight.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot import clock, reference
from bot.features.chronology import job as chronology
from bot.features.digest import job as digest
from bot.features.overdue_actions import job as overdue_actions
from bot.features.reminders import job as reminders
from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.slack_calls import SlackRefused
from bot.views import refusals
from bot.workspaces import Posting

log = logging.getLogger("bot.schedule")

Job = Callable[[datetime], Awaitable[list[str]]]  # run as of a time in England; the claim keys posted
POSTED = {
    "reminders": "the deadline reminders",
    "chronologies": "the chronology notices",
    "digest": "this week's expiry digest",
    "overdue_actions": "the overdue actions' reminders",
}


def digest_open(hour: int, now: datetime | None = None) -> bool:
    """Whether the digest may be posted at ``now`` (default: now): from ``hour`` o'clock in England, each
    day, so a new week's digest goes out on Monday at that hour."""
    return (now or clock.now()).astimezone(clock.LOCAL_ZONE).hour >= hour


def jobs(*, service: ServiceClient, slack: Posting, settings: BotSettings) -> dict[str, Job]:
    """The jobs: reminders (to partnerships' channels, in whichever workspace each is, or the
    service's), the chronology notices, the overdue actions, and the digest with an admins' channel."""

    def remind(now: datetime) -> Awaitable[list[str]]:
        return reminders.send_due(service=service, slack=slack, settings=settings, today=clock.local_day(now))

    def chronologies(now: datetime) -> Awaitable[list[str]]:
        return chronology.send_due(service=service, slack=slack, today=clock.local_day(now))

    def chase(now: datetime) -> Awaitable[list[str]]:
        return overdue_actions.send_due(
            service=service, slack=slack, settings=settings, today=clock.local_day(now)
        )

    found: dict[str, Job] = {"reminders": remind, "chronologies": chronologies, "overdue_actions": chase}
    if settings.admin_channel:

        async def post_digest(now: datetime) -> list[str]:
            if not digest_open(settings.digest_hour, now):
                return []
            channel, today = settings.admin_channel, clock.local_day(now)
            return await digest.send_due(service=service, slack=slack.own, channel=channel, today=today)

        found["digest"] = post_digest
    channels = {  # where a refused post went, unless it says (the chronology notices go to people)
        "reminders": settings.reminder_channel,
        "chronologies": "",
        "digest": settings.admin_channel,
        "overdue_actions": settings.reminder_channel,
    }
    return {
        name: _admins_told(
            name, job, service=service, slack=slack.own, settings=settings, channel=channels[name]
        )
        for name, job in found.items()
    }


def _admins_told(
    name: str, job: Job, *, service: ServiceClient, slack: AsyncWebClient, settings: BotSettings, channel: str
) -> Job:
    """``job`` under a reference of its own, its failure logged; when Slack refuses one of its posts the
    admins' channel is told too. The failure is then raised, for the loop or the command to carry on."""

    async def run(now: datetime) -> list[str]:
        with reference.fresh():
            try:
                return await job(now)
            except SlackRefused as error:  # logged where Slack refused it, naming Slack's error
                log.error("slack.%s.failed reference=%s", name, error.reference)
                await _tell_admins(
                    error,
                    name=name,
                    channel=error.channel or channel,
                    service=service,
                    slack=slack,
                    admin_channel=settings.admin_channel,
                    today=clock.local_day(now),
                )
                raise
            except Exception:
                log.exception("slack.%s.failed", name)
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
    """Run every job every ``interval_seconds`` until cancelled; a failed run (logged by the job) is tried
    again on the next."""
    while True:
        for job in jobs.values():
            with contextlib.suppress(Exception):  # the loop must outlive one bad run
                await job(clock.now())
        await asyncio.sleep(interval_seconds)
