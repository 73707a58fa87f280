"""Overdue actions: each owner reminded once, and each partnership's channel told the counts.

The service lists every overdue action (``GET /api/v1/slack/overdue-actions``) with its owner's Slack
member id when they are a linked user. The bot claims ``overdue:<action>:<due date>`` and DMs those
owners; the others the service emails, claiming the same key itself. A reminder that could not go
releases its claim, so the next run tries again. When a run reminds anyone of a partnership's actions,
its reminder channel (else the service's) gets the counts, once a day (``overdue-counts:<prefix>:<day>``):
never a case, an owner or an action.
"""

import logging
from datetime import date
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import dm
from bot.features.overdue_actions import views
from bot.features.reminders.job import channels
from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.slack_calls import SlackRefused
from bot.workspaces import Posting

log = logging.getLogger("bot.overdue_actions")
KIND = "overdue_action"


async def _dm(service: ServiceClient, client: AsyncWebClient, item: dict[str, Any]) -> bool:
    """Claim and DM one owner; False when another run reminded them before."""
    key = item["key"]
    if not await service.claim(key=key, kind=KIND, detail={"by": "slack", "due": item["due"]}):
        return False
    text, blocks = views.dm(item)
    try:
        conversation, ts = await dm.send(client, user=item["owner_slack_user_id"], text=text, blocks=blocks)
    except Exception:
        await service.release_claim(key=key)
        raise
    await service.record_claim_outcome(key=key, detail={"by": "slack", "channel": conversation, "ts": ts})
    return True


async def send_due(
    *, service: ServiceClient, slack: Posting, settings: BotSettings, today: date
) -> list[str]:
    """Remind every overdue action's owner not reminded before; returns the claim keys of the reminders
    sent now (by DM or email). A DM Slack refuses is left for the next run and does not hold up the
    others: the first refusal is raised once the rest are done."""
    listed = await service.overdue_actions()
    sent: list[str] = []
    refused: SlackRefused | None = None
    for item in listed:
        try:
            if item["owner_slack_user_id"]:
                done = await _dm(service, slack.to(item.get("owner_slack_team_id")), item)
            else:
                done = (await service.email_overdue(action_id=item["action_id"]))["status"] == "sent"
        except SlackRefused as error:
            refused = refused or error
            continue
        if done:
            sent.append(item["key"])
    reminded = {item["partnership"] for item in listed if item["key"] in sent}
    where = channels(await service.partnership_channels(), settings=settings) if reminded else {}
    for prefix in sorted(reminded):
        place = where.get(prefix) or where[None]
        ours = [item for item in listed if item["partnership"] == prefix]
        key = f"overdue-counts:{prefix}:{today.isoformat()}"
        if not place.channel or not await service.claim(key=key, kind="overdue_counts", detail={}):
            continue
        text, blocks = views.counts(actions=len(ours), cases=len({item["case_ref"] for item in ours}))
        try:
            posted = await slack.to(place.team).chat_postMessage(
                channel=place.channel, text=text, blocks=blocks
            )
        except SlackRefused as error:
            await service.release_claim(key=key)
            error.channel = place.channel
            refused = refused or error
            continue
        await service.record_claim_outcome(key=key, detail={"channel": posted["channel"], "ts": posted["ts"]})
    log.info("slack.overdue_actions.sent reminders=%d", len(sent))
    if refused is not None:
        raise refused
    return sent
