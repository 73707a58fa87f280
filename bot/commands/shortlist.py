"""``/scr shortlist REF``: the ranked shortlist in the commissioner's DMs, and commissioning from it.

A commission is made from a "Commission" button (with a confirm dialog) or from the picker of further
candidates; both send the idempotency key rendered into the message, so repeating the action replays the
first commission instead of making a second. A new commission asks the consultant to declare (a DM).
"""

import json
import secrets
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import dm
from bot.commands import declaration
from bot.invocation import Invocation
from bot.reporting import reported
from bot.service_client import NotFound, ServiceClient
from bot.views import errors
from bot.views import help as help_view
from bot.views import shortlist as shortlist_view

LIMIT = 200  # the picker reaches every candidate the service ranks


async def run(call: Invocation) -> None:
    ref = call.args.split(" ", 1)[0]
    if not ref:
        await call.ack(**help_view.usage("/scr shortlist REF", "the ranked shortlist for case REF."))
        return
    await call.ack(
        text=f"Shortlisting {ref}: I'll send it to your direct messages.", response_type="ephemeral"
    )
    try:
        shortlist = await call.service.shortlist(as_user=call.user, ref=ref, limit=LIMIT)
    except NotFound:
        await call.tell(errors.unknown_case(ref))
        return
    blocks = shortlist_view.blocks(shortlist, key_base=secrets.token_hex(6))
    await dm.send(call.slack, user=call.user, text=f"Shortlist for {ref}", blocks=blocks)


async def _commission(
    service: ServiceClient,
    slack: AsyncWebClient,
    *,
    user: str,
    channel: str,
    ref: str,
    consultant_id: int,
    key: str,
) -> None:
    made, created = await service.commission(
        as_user=user, ref=ref, consultant_id=consultant_id, role=shortlist_view.ROLE, idempotency_key=key
    )
    if not created:
        text = f"Already done: {made['consultant_name']} holds commission {made['id']} on {made['case_ref']}."
        await slack.chat_postMessage(channel=channel, text=text)
        return
    sent = await declaration.request(service, slack, as_user=user, commission=made)
    await slack.chat_postMessage(channel=channel, text=shortlist_view.commissioned_text(made, dm_sent=sent))


def register(app: AsyncApp, service: ServiceClient) -> None:
    @app.action(shortlist_view.COMMISSION)
    @reported
    async def commission(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        chosen = json.loads(action["value"])
        await _commission(
            service,
            client,
            user=body["user"]["id"],
            channel=body["container"]["channel_id"],
            ref=chosen["ref"],
            consultant_id=int(chosen["consultant_id"]),
            key=chosen["key"],
        )

    @app.action(shortlist_view.PICK)
    @reported
    async def pick(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        _, ref, key_base = action["block_id"].split("|", 2)
        consultant_id = int(action["selected_option"]["value"])
        await _commission(
            service,
            client,
            user=body["user"]["id"],
            channel=body["container"]["channel_id"],
            ref=ref,
            consultant_id=consultant_id,
            key=shortlist_view.commission_key(key_base, consultant_id),
        )

    @app.options(shortlist_view.PICK)
    @reported
    async def candidates(ack: AsyncAck, body: dict[str, Any]) -> None:
        _, ref, _ = body["block_id"].split("|", 2)
        shortlist = await service.shortlist(as_user=body["user"]["id"], ref=ref, limit=LIMIT)
        await ack(options=shortlist_view.pick_options(shortlist, query=body.get("value") or ""))
