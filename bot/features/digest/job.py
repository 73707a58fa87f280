"""The weekly expiry digest in the admins' channel: the job that posts it (its buttons are ``listeners``).

Each week (ISO week) lists every approved consultant's check that has lapsed, is missing, or falls due
within 30 days of any day of that week, with re-approvals due. The horizon is fixed for the week, so a
job run daily or every few minutes finds nothing new as the days pass; only a change to the record
(a newly approved consultant without insurance, say) adds an item mid-week.

Each item is claimed in the service as ``digest:<week>:<consultant>:<check>`` before it is posted, so
however often the job runs, and however many schedulers run it, an item is posted once a week. If Slack
refuses a message, the claims of the items not yet posted are released, and the next run posts them.
"""

import logging
from datetime import date, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.features.digest import views as digest_view
from bot.metrics import DIGEST_ITEMS_SENT
from bot.service_client import ServiceClient

log = logging.getLogger("bot.digest")

WINDOW_DAYS = 30


def week_of(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def horizon(today: date) -> date:
    """The last day the week's digest looks ahead to: 30 days after the last day of ``today``'s week."""
    return today + timedelta(days=7 - today.isoweekday() + WINDOW_DAYS)


def item_key(week: str, item: dict[str, Any]) -> str:
    return f"digest:{week}:{item['consultant_id']}:{item['check']}"


async def send_due(*, service: ServiceClient, slack: AsyncWebClient, channel: str, today: date) -> list[str]:
    """Post this week's items not posted before, 20 to a message; returns the claim keys posted now."""
    week, until = week_of(today), horizon(today)
    listed = await service.checks_due(within_days=(until - today).days)
    fresh = []
    for item in listed:
        key = item_key(week, item)
        if await service.claim(key=key, kind="digest", detail={"due": item["due"], "state": item["state"]}):
            fresh.append((key, item))
    per = digest_view.PER_MESSAGE
    parts = [fresh[start : start + per] for start in range(0, len(fresh), per)]
    sent: list[str] = []
    monday = today - timedelta(days=today.weekday())
    for number, part in enumerate(parts, start=1):
        items = [item for _, item in part]
        blocks = digest_view.blocks(items, monday=monday, horizon=until, part=number, parts=len(parts))
        text = digest_view.text(items, monday=monday, part=number, parts=len(parts))
        try:
            posted = await slack.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except Exception:
            for key, _ in [pair for later in parts[number - 1 :] for pair in later]:
                await service.release_claim(key=key)
            raise
        for key, _ in part:
            await service.record_claim_outcome(
                key=key, detail={"channel": posted["channel"], "ts": posted["ts"]}
            )
        DIGEST_ITEMS_SENT.inc(len(part))
        sent += [key for key, _ in part]
    log.info("slack.digest.sent week=%s items=%d", week, len(sent))
    return sent
