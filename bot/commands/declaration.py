"""A commissioned consultant's declaration of independence, asked and answered in their DMs.

The bot relays the answer as itself (the consultant is not a user of the service) naming the Slack user
who pressed the button; the service accepts it only from the consultant on the commission.
"""

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import dm
from bot.reporting import reported
from bot.service_client import NotFound, ServiceClient
from bot.views import declaration as declaration_view


async def _agency_names(service: ServiceClient, *, as_user: str, ids: list[str]) -> list[tuple[str, str]]:
    named = []
    for agency_id in ids:
        try:
            named.append((agency_id, (await service.agency(as_user=as_user, agency_id=agency_id))["name"]))
        except NotFound:
            named.append((agency_id, agency_id))
    return named


async def request(
    service: ServiceClient, slack: AsyncWebClient, *, as_user: str, commission: dict[str, Any]
) -> bool:
    """DM the commissioned consultant asking them to declare; False if they have no Slack id on record."""
    consultant = await service.consultant(as_user=as_user, consultant_id=commission["consultant_id"])
    if not consultant.get("slack_user_id"):
        return False
    case = await service.case(as_user=as_user, ref=commission["case_ref"])
    ids = list((case.get("features") or {}).get("agencies_involved") or [])
    agencies = await _agency_names(service, as_user=as_user, ids=ids)
    await dm.send(
        slack,
        user=consultant["slack_user_id"],
        text=f"Please declare any conflict of interest for case {commission['case_ref']}",
        blocks=declaration_view.request_blocks(commission, agencies=agencies),
    )
    return True


def register(app: AsyncApp, service: ServiceClient) -> None:
    @app.action(declaration_view.NO_CONFLICT)
    @reported
    async def no_conflict(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        carried = json.loads(action["value"])
        made = await service.declare(
            commission_id=carried["commission"],
            consultant=body["user"]["id"],
            agencies=carried["agencies"],
            no_conflict=True,
            statement=None,
        )
        await client.chat_update(
            channel=body["container"]["channel_id"],
            ts=body["container"]["message_ts"],
            text="Declaration recorded",
            blocks=declaration_view.declared_blocks(made),
        )

    @app.action(declaration_view.CONFLICT)
    @reported
    async def conflict(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        carried = {
            **json.loads(action["value"]),
            "channel": body["container"]["channel_id"],
            "ts": body["container"]["message_ts"],
        }
        await client.views_open(
            trigger_id=body["trigger_id"], view=declaration_view.conflict_modal(json.dumps(carried))
        )

    @app.view(declaration_view.MODAL)
    @reported
    async def conflict_declared(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        carried = json.loads(view["private_metadata"])
        statement = view["state"]["values"][declaration_view.STATEMENT_BLOCK][declaration_view.STATEMENT][
            "value"
        ]
        made = await service.declare(
            commission_id=carried["commission"],
            consultant=body["user"]["id"],
            agencies=carried["agencies"],
            no_conflict=False,
            statement=statement,
        )
        await client.chat_update(
            channel=carried["channel"],
            ts=carried["ts"],
            text="Declaration recorded",
            blocks=declaration_view.declared_blocks(made),
        )
