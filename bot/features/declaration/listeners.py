"""A commissioned consultant's declaration of independence, answered in their DMs.

The bot relays the answer as itself (the consultant is not a user of the service) naming the Slack user
who pressed the button; the service accepts it only from the consultant on the commission. The request
these buttons arrive on is sent by ``request.ask`` when a commission is made.
"""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.declaration import views as declaration_view
from bot.payloads import carried, message_of, metadata, user_id
from bot.reporting import reported


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service

    @app.action(declaration_view.NO_CONFLICT)
    @reported
    async def no_conflict(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        subject = carried(action)
        made = await service.declare(
            commission_id=subject["commission"],
            consultant=user_id(body),
            agencies=subject["agencies"],
            no_conflict=True,
            statement=None,
        )
        await client.chat_update(
            **message_of(body), text="Declaration recorded", blocks=declaration_view.declared_blocks(made)
        )

    @app.action(declaration_view.CONFLICT)
    @reported
    async def conflict(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        where = {**carried(action), **message_of(body)}
        await client.views_open(trigger_id=body["trigger_id"], view=declaration_view.conflict_modal(where))

    @app.view(declaration_view.MODAL)
    @reported
    async def conflict_declared(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        where = metadata(view)
        statement = view["state"]["values"][declaration_view.STATEMENT_BLOCK][declaration_view.STATEMENT][
            "value"
        ]
        made = await service.declare(
            commission_id=where["commission"],
            consultant=user_id(body),
            agencies=where["agencies"],
            no_conflict=False,
            statement=statement,
        )
        await client.chat_update(
            channel=where["channel"],
            ts=where["ts"],
            text="Declaration recorded",
            blocks=declaration_view.declared_blocks(made),
        )
