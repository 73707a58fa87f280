"""Deadline reminders: each deadline stage of each open case is announced once, by case reference and
date only (the channel is shared; ``views`` says what goes there and what stays private).

A stage is one dated deadline of the case's current recommendation (notify the Panel, the rapid
review, the decision, ...), as the service lists them. When it is ``lead_days`` away, or passed less
than ``OVERDUE_DAYS`` ago (older deadlines belong to cases recorded after the fact), the bot claims
``reminder:<ref>:<stage>`` in the service, posts to the reminder channel (the case reference and the
date), and records the channel and message on the claim. If posting fails the claim is released, so
the next run tries again; a run that finds the claim made does nothing, so overlapping schedulers
(several workers, a cron job beside Socket Mode) post once.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.features.reminders import views
from bot.metrics import REMINDERS_SENT
from bot.service_client import ServiceClient
from bot.settings import BotSettings

log = logging.getLogger("bot.reminders")

OVERDUE_DAYS = 7


@dataclass(frozen=True)
class Stage:
    """One dated deadline of one case, as ``GET /api/v1/slack/deadlines`` lists it."""

    ref: str
    stage: str  # the outcome whose deadline this is
    due: date

    @property
    def key(self) -> str:
        return f"reminder:{self.ref}:{self.stage}"


def due(listed: list[dict[str, Any]], *, today: date, lead_days: int) -> list[Stage]:
    """The deadlines within ``lead_days`` of ``today``, or passed less than ``OVERDUE_DAYS`` ago."""
    earliest, horizon = today - timedelta(days=OVERDUE_DAYS), today + timedelta(days=lead_days)
    stages = [Stage(item["ref"], item["stage"], date.fromisoformat(item["due"])) for item in listed]
    return [stage for stage in stages if earliest <= stage.due <= horizon]


async def send_due(
    *, service: ServiceClient, slack: AsyncWebClient, settings: BotSettings, today: date
) -> list[str]:
    """Post every reminder due ``today`` not posted before; returns the claim keys posted now.

    Deadlines of one case due on one day share a message (the channel sees only the reference and the
    date, so two alike would read as a repeat); each is still claimed on its own.
    """
    sent = []
    days: dict[tuple[str, date], list[Stage]] = {}
    for stage in due(await service.deadlines(), today=today, lead_days=settings.reminder_lead_days):
        days.setdefault((stage.ref, stage.due), []).append(stage)
    for (ref, when), stages in days.items():
        claimed = [
            stage.key
            for stage in stages
            if await service.claim(key=stage.key, kind="reminder", detail={"due": when.isoformat()})
        ]
        if not claimed:
            continue
        text, blocks = views.posted(ref=ref, due=when, count=len(claimed), today=today)
        try:
            posted = await slack.chat_postMessage(channel=settings.reminder_channel, text=text, blocks=blocks)
        except Exception:
            for key in claimed:
                await service.release_claim(key=key)
            raise
        detail = {"channel": posted["channel"], "ts": posted["ts"], "text": text}
        for key in claimed:
            await service.record_claim_outcome(key=key, detail=detail)
        REMINDERS_SENT.inc(len(claimed))
        log.info("slack.reminder.sent ref=%s due=%s deadlines=%d", ref, when.isoformat(), len(claimed))
        sent += claimed
    return sent
