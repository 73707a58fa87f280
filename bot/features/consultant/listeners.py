"""``/scr consultant QUERY``: find consultants by name, specialism or area, and open a card.

The results and the card are ephemeral: only the person who asked sees them. The service decides who may
search and see cards (commissioners and admins) and who may change the record (admins), so a chair is
refused by the service. An admin's card has buttons that open the modals of ``record_changes``, which
handles their submissions.
"""

import asyncio
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot import clock
from bot.deps import Deps
from bot.features.consultant import views as consultant_view
from bot.features.record_changes import views as changes
from bot.listening import on_press
from bot.modals import opens
from bot.payloads import carried, user_id
from bot.roles import list_admin
from bot.service_client import ServiceClient
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import errors


def _prefixed(action_id: str) -> re.Pattern[str]:
    """The action ids ``ACTION.SUFFIX`` of buttons that share a listener within one block."""
    return re.compile(rf"^{re.escape(action_id)}\.\w+$")


Shown = tuple[str, list[dict[str, Any]]]  # a message's fallback text and its blocks


async def card_message(service: ServiceClient, *, user: str, consultant_id: int) -> Shown:
    me, card, vocabulary = await asyncio.gather(
        service.me(as_user=user),
        service.consultant_card(as_user=user, consultant_id=consultant_id),
        service.vocabulary(),
    )
    blocks = consultant_view.card(card, admin=list_admin(me), today=clock.today(), vocabulary=vocabulary)
    return consultant_view.summary(card, vocabulary), blocks


async def _search(service: ServiceClient, *, user: str, q: str, offset: int) -> Shown:
    """The results page at ``offset``; a search with one match opens its card instead."""
    page = await service.search_consultants(as_user=user, q=q, limit=consultant_view.PAGE_SIZE, offset=offset)
    if page["total"] == 1 and offset == 0:
        return await card_message(service, user=user, consultant_id=page["items"][0]["id"])
    vocabulary = await service.vocabulary()
    return consultant_view.matches(page, q=q), consultant_view.results(page, q=q, vocabulary=vocabulary)


async def run(call: Invocation) -> None:
    q = call.args.strip()
    if not q:
        await call.ack(
            **errors.usage(
                "/scr consultant QUERY", "consultants by name, specialism or area, and their cards."
            )
        )
        return
    await call.ack()
    text, blocks = await _search(call.service, user=call.user, q=q, offset=0)
    with if_refused(step="show you what I found"):
        await call.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service
    subcommand(app, deps, "consultant", run=run)

    @on_press(app, _prefixed(consultant_view.PAGE))
    async def turn_page(body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        turn = carried(action)
        text, blocks = await _search(service, user=user_id(body), q=turn["q"], offset=int(turn["offset"]))
        with if_refused(step="show you that page"):
            await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)

    @on_press(app, consultant_view.OPEN)
    async def open_card(body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        text, blocks = await card_message(service, user=user_id(body), consultant_id=int(action["value"]))
        with if_refused(step="show you the card"):
            await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    opens(app, _prefixed(consultant_view.STATUS), lambda ids, _: changes.status_modal(**ids))
    opens(app, consultant_view.ADD_ENGAGEMENT, lambda ids, _: changes.engagement_modal(**ids))
    opens(app, consultant_view.END_ENGAGEMENT, lambda ids, _: changes.end_modal(**ids, today=clock.today()))
    opens(
        app,
        _prefixed(consultant_view.RECORD_CHECK),
        lambda ids, _: changes.check_modal(**ids, today=clock.today()),
    )
