"""The weekly expiry digest in the admins' channel, and what its buttons do.

Each week (ISO week) lists every approved consultant's check that has lapsed, is missing, or falls due
within 30 days of any day of that week, with re-approvals due. The horizon is fixed for the week, so a
job run daily or every few minutes finds nothing new as the days pass; only a change to the record
(a newly approved consultant without insurance, say) adds an item mid-week.

Each item is claimed in the service as ``digest:<week>:<consultant>:<check>`` before it is posted, so
however often the job runs, and however many schedulers run it, an item is posted once a week. If Slack
refuses a message, the claims of the items not yet posted are released, and the next run posts them.

The buttons: suspend and mark renewed open the modals of ``bot.commands.consultant`` (which reply under
the digest once done); remind asks the service to record the reminder (admins only; the consultant must
have a Slack id) and DMs the consultant, once per item per week.
"""

import json
import logging
from datetime import date, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import dm
from bot.modals import opens
from bot.reporting import reported
from bot.service_client import ServiceClient
from bot.views import consultant_forms as forms
from bot.views import digest as digest_view
from bot.views.blocks import escape

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
    for number, part in enumerate(parts, start=1):
        blocks = digest_view.blocks(
            [item for _, item in part], week=week, horizon=until.isoformat(), part=number, parts=len(parts)
        )
        try:
            posted = await slack.chat_postMessage(
                channel=channel, text=digest_view.summary(len(fresh), week=week), blocks=blocks
            )
        except Exception:
            for key, _ in [pair for later in parts[number - 1 :] for pair in later]:
                await service.release_claim(key=key)
            raise
        for key, _ in part:
            await service.record_claim_outcome(
                key=key, detail={"channel": posted["channel"], "ts": posted["ts"]}
            )
        sent += [key for key, _ in part]
    log.info("slack.digest.sent week=%s items=%d", week, len(sent))
    return sent


def _message(body: dict[str, Any]) -> dict[str, str]:
    return {"channel": body["container"]["channel_id"], "ts": body["container"]["message_ts"]}


def _suspension(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return forms.status_modal(
        consultant=item["consultant"], action="suspend", name=item["name"], where=_message(body)
    )


def _renewal(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The modal of "Mark renewed": the new date of the check, or for a re-approval, the reason."""
    if item["check"] == "reapproval":
        return forms.status_modal(
            consultant=item["consultant"], action="approve", name=item["name"], where=_message(body)
        )
    return forms.check_modal(**item, today=date.today(), where=_message(body))


async def note(slack: AsyncWebClient, where: dict[str, Any], *, user: str, what: str) -> None:
    """Reply under the digest message an action came from (nothing when it came from a card)."""
    if where.get("channel") and where.get("ts"):
        await slack.chat_postMessage(
            channel=where["channel"], thread_ts=where["ts"], text=digest_view.done_text(user=user, what=what)
        )


def register(app: AsyncApp, service: ServiceClient) -> None:
    opens(app, digest_view.SUSPEND, _suspension)
    opens(app, digest_view.RENEW, _renewal)

    @app.action(digest_view.REMIND)
    @reported
    async def remind(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        item, user, where = json.loads(action["value"]), body["user"]["id"], _message(body)
        key = f"remind:{week_of(date.today())}:{item['consultant']}:{item['check']}"
        if not await service.claim(key=key, kind="check_reminder", detail={"by": user}):
            await respond(
                text=f"{item['name']} has already been reminded about this check this week.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        try:
            reminder = await service.remind_consultant(
                as_user=user, consultant_id=item["consultant"], check=item["check"]
            )
            await dm.send(client, user=reminder["slack_user_id"], text=digest_view.reminder_text(reminder))
        except Exception:
            await service.release_claim(key=key)
            raise
        await note(client, where, user=user, what=f"reminded {escape(reminder['name'])} by direct message.")
