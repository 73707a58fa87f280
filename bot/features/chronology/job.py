"""Telling people in Slack what the service emailed about chronology requests: each agency contact linked
in Slack gets the request, its reminder and its late notice in their direct messages, and the lead
partnership's commissioners that every agency's chronology is in.

The service decides what is due and emails it (``service.chronology_notices``, run by this job's call);
the bot claims each direct message by its key before sending it, and records where it went, so several
processes running the loop send each once. A message Slack refuses is released, logged with a
reference (``bot.slack_calls``), and tried on the next run; the others still go.
"""

import logging
from datetime import date

from bot import dm
from bot.features.chronology import views
from bot.service_client import ServiceClient
from bot.slack_calls import SlackRefused
from bot.workspaces import Posting

log = logging.getLogger("bot.chronology")

KIND = "chronology_notice"


async def send_due(*, service: ServiceClient, slack: Posting, today: date) -> list[str]:
    """Send every chronology notice not sent before, each in its person's own workspace; the claim keys
    sent now."""
    sent = []
    for item in await service.chronology_notices():
        key = item["key"]
        if not await service.claim(key=key, kind=KIND, detail={"ref": item["ref"], "kind": item["kind"]}):
            continue
        text, blocks = views.notice(item, today=today)
        try:
            channel, ts = await dm.send(
                slack.to(item.get("slack_team_id")), user=item["slack_user_id"], text=text, blocks=blocks
            )
        except SlackRefused:  # logged where Slack refused it; the next run tries again
            await service.release_claim(key=key)
            continue
        except Exception:
            await service.release_claim(key=key)
            raise
        await service.record_claim_outcome(key=key, detail={"channel": channel, "ts": ts})
        log.info("slack.chronology_notice.sent ref=%s kind=%s", item["ref"], item["kind"])
        sent.append(key)
    return sent
