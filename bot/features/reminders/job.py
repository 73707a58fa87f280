"""Deadline reminders: each deadline stage of each open case is announced once, by case reference only.

A stage is one dated deadline of the case's current recommendation (notify the Panel, the rapid
review, the decision, ...), as the service lists them. When it is ``lead_days`` away, or passed less
than ``OVERDUE_DAYS`` ago (older deadlines belong to cases recorded after the fact), the bot claims
``reminder:<ref>:<stage>`` in the service, posts to the reminder channel, and records the channel and
message on the claim. If posting fails the claim is released, so the next run tries again; a run that
finds the claim made does nothing, so overlapping schedulers (several workers, a cron job beside Socket
Mode) post once.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.views.blocks import escape

log = logging.getLogger("bot.reminders")

OVERDUE_DAYS = 7


@dataclass(frozen=True)
class Stage:
    """One dated deadline of one case, as ``GET /api/v1/slack/deadlines`` lists it."""

    ref: str
    stage: str  # the outcome whose deadline this is
    label: str
    due: date
    basis: str

    @property
    def key(self) -> str:
        return f"reminder:{self.ref}:{self.stage}"

    def text(self, today: date) -> str:
        when = "was due" if self.due < today else "is due"
        basis = f" ({escape(self.basis)})" if self.basis else ""
        return (
            f":alarm_clock: Case *{escape(self.ref)}*: {escape(self.label)} {when} "
            f"*{self.due.isoformat()}*{basis}."
        )


def due(listed: list[dict[str, Any]], *, today: date, lead_days: int) -> list[Stage]:
    """The deadlines within ``lead_days`` of ``today``, or passed less than ``OVERDUE_DAYS`` ago."""
    earliest, horizon = today - timedelta(days=OVERDUE_DAYS), today + timedelta(days=lead_days)
    stages = [Stage(**{**item, "due": date.fromisoformat(item["due"])}) for item in listed]
    return [stage for stage in stages if earliest <= stage.due <= horizon]


async def send_due(
    *, service: ServiceClient, slack: AsyncWebClient, settings: BotSettings, today: date
) -> list[str]:
    """Post every reminder due ``today`` not posted before; returns the claim keys posted now."""
    sent = []
    for stage in due(await service.deadlines(), today=today, lead_days=settings.reminder_lead_days):
        if not await service.claim(key=stage.key, kind="reminder", detail={"due": stage.due.isoformat()}):
            continue
        text = stage.text(today)
        try:
            posted = await slack.chat_postMessage(channel=settings.reminder_channel, text=text)
        except Exception:
            await service.release_claim(key=stage.key)
            raise
        detail = {"channel": posted["channel"], "ts": posted["ts"], "text": text}
        await service.record_claim_outcome(key=stage.key, detail=detail)
        log.info("slack.reminder.sent ref=%s stage=%s", stage.ref, stage.stage)
        sent.append(stage.key)
    return sent
