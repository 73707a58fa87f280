"""``/scr shortlist REF``: the ranked shortlist in the commissioner's DMs, and commissioning from it.

A commission is made from a "Commission" button (with a confirm dialog) or from the picker of further
candidates; both send the idempotency key rendered into the message, so repeating the action replays the
first commission instead of making a second. A new commission asks the consultant to declare (a DM).
"Show more" replaces the message with a longer list; "Why this score" and "Open the list" (of the
excluded) open modals, seen only by who pressed them. Each asks the service for the shortlist again.
"""

import secrets
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import dm
from bot.deps import Deps
from bot.features.declaration import request as declaration
from bot.features.shortlist import views as shortlist_view
from bot.listening import on_press
from bot.payloads import carried, message_of, typed, user_id
from bot.reporting import reported
from bot.service_client import NotFound
from bot.slack_calls import SlackRefused, if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import errors, refusals

LIMIT = 200  # the picker reaches every candidate the service ranks


async def run(call: Invocation) -> None:
    working = "Shortlisting {ref}: I'll send it to your direct messages."
    ref = await call.case_ref("/scr shortlist REF", "the ranked shortlist for case REF.", working=working)
    if ref is None:
        return
    try:
        shortlist = await call.service.shortlist(as_user=call.user, ref=ref, limit=LIMIT)
    except NotFound:
        await call.tell(errors.unknown_case(ref))
        return
    blocks = shortlist_view.blocks(shortlist, key_base=secrets.token_hex(6))
    with if_refused(step="send you the shortlist in a direct message"):
        await dm.send(call.slack, user=call.user, text=shortlist_view.text(shortlist), blocks=blocks)


async def _commission(
    deps: Deps, slack: AsyncWebClient, body: dict[str, Any], *, ref: str, consultant_id: int, key: str
) -> None:
    """Commission ``consultant_id`` for case ``ref`` as the person who pressed, answering in their channel."""
    service, user, channel = deps.service, user_id(body), message_of(body)["channel"]
    made, created = await service.commission(
        as_user=user, ref=ref, consultant_id=consultant_id, role=shortlist_view.ROLE, idempotency_key=key
    )
    if not created:
        await slack.chat_postMessage(channel=channel, text=shortlist_view.already_text(made))
        return
    done = f"{made['consultant_name']} is commissioned for case {made['case_ref']}"
    try:
        asked = await declaration.ask(
            service, slack, workspaces=deps.workspaces, as_user=user, commission=made
        )
        sent, not_asked = asked, ""
    except SlackRefused as refused:  # the commission stands: the commissioner must ask them another way
        sent, not_asked = False, refusals.not_asked(refused.reference)
        done += " but has not been asked to declare any conflict"
    text = shortlist_view.commissioned_text(made, dm_sent=sent, not_asked=not_asked)
    with if_refused(done=done, step="post the confirmation here"):
        await slack.chat_postMessage(channel=channel, text=text)


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service
    subcommand(app, deps, "shortlist", run=run)

    @on_press(app, shortlist_view.COMMISSION)
    async def commission(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        chosen = carried(action)
        consultant_id = int(chosen["consultant_id"])
        await _commission(
            deps, client, body, ref=chosen["ref"], consultant_id=consultant_id, key=chosen["key"]
        )

    @on_press(app, shortlist_view.PICK)
    async def pick(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        ref, key_base = shortlist_view.parse_pick_block_id(action["block_id"])
        consultant_id = int(action["selected_option"]["value"])
        key = shortlist_view.commission_key(key_base, consultant_id)
        await _commission(deps, client, body, ref=ref, consultant_id=consultant_id, key=key)

    @on_press(app, shortlist_view.MORE)
    async def more(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        ref, key_base = shortlist_view.parse_pick_block_id(action["block_id"])
        shown = int(carried(action)["shown"])
        shortlist = await service.shortlist(as_user=user_id(body), ref=ref, limit=LIMIT)
        with if_refused(step="show more of the shortlist"):
            await client.chat_update(
                **message_of(body),
                text=shortlist_view.text(shortlist, shown=shown),
                blocks=shortlist_view.blocks(shortlist, key_base=key_base, shown=shown),
            )

    @on_press(app, shortlist_view.WHY)
    async def why(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        asked = carried(action)
        shortlist = await service.shortlist(as_user=user_id(body), ref=asked["ref"], limit=LIMIT)
        view = shortlist_view.why_modal(shortlist, consultant_id=int(asked["consultant_id"]))
        with if_refused(step="show you why"):
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    @on_press(app, shortlist_view.EXCLUDED)
    async def excluded(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        shortlist = await service.shortlist(as_user=user_id(body), ref=carried(action)["ref"], limit=1)
        with if_refused(step="show you the list"):
            await client.views_open(
                trigger_id=body["trigger_id"], view=shortlist_view.excluded_modal(shortlist)
            )

    @app.options(shortlist_view.PICK)
    @reported
    async def candidates(ack: AsyncAck, body: dict[str, Any]) -> None:
        ref, _ = shortlist_view.parse_pick_block_id(body["block_id"])
        shortlist = await service.shortlist(as_user=user_id(body), ref=ref, limit=LIMIT)
        await ack(options=shortlist_view.pick_options(shortlist, query=typed(body)))
