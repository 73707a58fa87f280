"""Deadline reminders: each deadline stage of each open case is announced once, by case reference and
date only (the channel is shared; ``views`` says what goes there and what stays private).

A stage is one dated deadline of the current recommendation of a case (notify the Panel, the rapid
review, the decision, ...), as the service lists them. Each goes to the reminder channel of the case's
lead partnership (in the Slack workspace that partnership's channels are in), or, when the partnership
sets none, to the service's (SCR_SLACK_REMINDER_CHANNEL, in the deployment's own workspace); with the
partnership's own reminder lead days, else the service's. When it is that many days away, or passed
less than ``OVERDUE_DAYS`` ago (older deadlines belong to cases recorded after the fact), the bot claims
``reminder:<ref>:<stage>`` in the service, posts to the channel (the case reference and the date), and
records the channel and message on the claim. If posting fails the claim is released, so the next run
tries again, and the other partnerships' reminders still go out; a run that finds the claim made does
nothing, so overlapping schedulers (several workers, a cron job beside Socket Mode) post once.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.features.reminders import views
from bot.metrics import REMINDERS_SENT
from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.slack_calls import SlackRefused
from bot.workspaces import Posting

log = logging.getLogger("bot.reminders")

OVERDUE_DAYS = 7


@dataclass(frozen=True)
class Stage:
    """One dated deadline of one case, as ``GET /api/v1/slack/deadlines`` lists it."""

    ref: str
    stage: str  # the outcome whose deadline this is
    due: date
    partnership: str | None = None  # the prefix of the case's lead partnership

    @property
    def key(self) -> str:
        return f"reminder:{self.ref}:{self.stage}"


@dataclass(frozen=True)
class Channel:
    """Where a partnership's reminders go, and how early."""

    channel: str  # "" for nowhere: neither the partnership nor the service names a reminder channel
    team: str | None  # the workspace the channel is in; None: the deployment's own
    lead_days: int


def channels(partnerships: list[dict[str, Any]], *, settings: BotSettings) -> dict[str | None, Channel]:
    """Each partnership's reminder channel (by prefix), as ``GET /api/v1/slack/partnerships`` lists them,
    and (under None) the service's, for a case of a partnership not listed."""
    service = Channel(settings.reminder_channel, None, settings.reminder_lead_days)
    found: dict[str | None, Channel] = {None: service}
    for item in partnerships:
        own, days = item.get("reminder_channel"), item.get("reminder_lead_days")
        found[item["prefix"]] = Channel(
            own or service.channel,
            item.get("slack_team_id") if own else None,
            service.lead_days if days is None else int(days),
        )
    return found


def due(
    listed: list[dict[str, Any]], *, today: date, lead_days: int | Callable[[str | None], int]
) -> list[Stage]:
    """The deadlines within the lead days (``lead_days``, or ``lead_days(partnership)`` for each case's
    lead partnership) of ``today``, or passed less than ``OVERDUE_DAYS`` ago."""
    earliest = today - timedelta(days=OVERDUE_DAYS)
    stages = [
        Stage(item["ref"], item["stage"], date.fromisoformat(item["due"]), item.get("partnership"))
        for item in listed
    ]

    def ahead(stage: Stage) -> int:
        return lead_days(stage.partnership) if callable(lead_days) else lead_days

    return [stage for stage in stages if earliest <= stage.due <= today + timedelta(days=ahead(stage))]


async def send_due(
    *, service: ServiceClient, slack: Posting, settings: BotSettings, today: date
) -> list[str]:
    """Post every reminder due ``today`` not posted before, each to its lead partnership's channel (in
    the workspace that channel is in); returns the claim keys posted now. A channel Slack refuses is left
    until the next run, and does not hold up the others: the first refusal is raised once they are posted.

    Deadlines of one case due on one day share a message (the channel sees only the reference and the
    date, so two alike would read as a repeat); each is still claimed on its own.
    """
    sent: list[str] = []
    where = channels(await service.partnership_channels(), settings=settings)

    def channel_of(partnership: str | None) -> Channel:
        return where.get(partnership) or where[None]

    days: dict[tuple[str, date, str | None], list[Stage]] = {}
    listed = await service.deadlines()
    for stage in due(listed, today=today, lead_days=lambda p: channel_of(p).lead_days):
        days.setdefault((stage.ref, stage.due, stage.partnership), []).append(stage)
    refused: dict[tuple[str | None, str], SlackRefused] = {}  # by channel: its first refusal this run
    for (ref, when, partnership), stages in days.items():
        place = channel_of(partnership)
        if not place.channel:
            log.warning("slack.reminder.no_channel ref=%s partnership=%s", ref, partnership)
            continue
        if (place.team, place.channel) in refused:  # the next run tries it again
            continue
        try:
            sent += await _post(
                service, slack.to(place.team), place.channel, ref=ref, when=when, stages=stages, today=today
            )
        except SlackRefused as error:
            error.channel = place.channel
            refused[(place.team, place.channel)] = error
    if refused:
        raise next(iter(refused.values()))
    return sent


async def _post(
    service: ServiceClient,
    slack: AsyncWebClient,
    channel: str,
    *,
    ref: str,
    when: date,
    stages: list[Stage],
    today: date,
) -> list[str]:
    """Claim and post the reminder of ``stages`` (one case's, due on one day) to ``channel``; the keys
    claimed now (none if another run posted them)."""
    claimed = [
        stage.key
        for stage in stages
        if await service.claim(key=stage.key, kind="reminder", detail={"due": when.isoformat()})
    ]
    if not claimed:
        return []
    text, blocks = views.posted(ref=ref, due=when, count=len(claimed), today=today)
    try:
        posted = await slack.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except Exception:
        for key in claimed:
            await service.release_claim(key=key)
        raise
    detail = {"channel": posted["channel"], "ts": posted["ts"], "text": text}
    for key in claimed:
        await service.record_claim_outcome(key=key, detail=detail)
    REMINDERS_SENT.inc(len(claimed))
    log.info("slack.reminder.sent ref=%s due=%s deadlines=%d", ref, when.isoformat(), len(claimed))
    return claimed
