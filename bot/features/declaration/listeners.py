"""A commissioned consultant's declaration of independence, answered in their DMs, or their declining of
the commission there.

The bot relays the answer as itself (the consultant is not a user of the service) naming the Slack user
who pressed the button; the service accepts it only from the consultant on the commission. The request
these buttons arrive on is sent by ``request.ask`` when a commission is made; the agencies it asked about
are read back from the service (the request's claim), so the declaration covers what the consultant saw.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.declaration import views as declaration_view
from bot.listening import on_press, on_submit
from bot.modals import opens
from bot.payloads import carried, message_of, metadata, user_id
from bot.service_client import ServiceClient
from bot.slack_calls import if_refused
from bot.views import inputs


async def _asked(service: ServiceClient, where: dict[str, Any]) -> list[list[str]]:
    """The (id, name) pairs of the agencies the request ``where`` names asked about."""
    key = declaration_view.request_key(int(where["commission"]), str(where["request"]))
    return (await service.claim_detail(key=key))["agencies"]


def _where(ids: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """What a button on the request carried (the commission and the request's token), and the message."""
    return {**ids, **message_of(body)}


def _listing_agencies(
    service: ServiceClient, build: Callable[..., dict[str, Any]]
) -> Callable[[dict[str, Any], dict[str, Any]], Awaitable[dict[str, Any]]]:
    """The modal ``build`` makes for the request a button is on, listing the agencies it asked about."""

    async def built(ids: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        where = _where(ids, body)
        return build(where, agencies=await _asked(service, where))

    return built


async def _declare(
    service: ServiceClient,
    slack: AsyncWebClient,
    *,
    user: str,
    where: dict[str, Any],
    conflict: str | None = None,
) -> None:
    """Relay the declaration, of no conflict or of the ``conflict`` described, then replace the request
    message (``where`` names it, with the commission and the request) with what was recorded."""
    made = await service.declare(
        commission_id=where["commission"],
        consultant=user,
        agencies=[agency_id for agency_id, _ in await _asked(service, where)],
        no_conflict=conflict is None,
        statement=conflict,
    )
    with if_refused(done="Your declaration is recorded", step="update the request with it"):
        await slack.chat_update(
            channel=where["channel"],
            ts=where["ts"],
            text=declaration_view.declared_text(made),
            blocks=declaration_view.declared_blocks(made),
        )


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service

    @on_press(app, declaration_view.NO_CONFLICT)
    async def no_conflict(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        where = _where(carried(action), body)
        await _declare(service, client, user=user_id(body), where=where)

    opens(app, declaration_view.LIST, _listing_agencies(service, declaration_view.list_modal))
    opens(app, declaration_view.CONFLICT, _listing_agencies(service, declaration_view.conflict_modal))
    opens(app, declaration_view.DECLINE, lambda ids, body: declaration_view.decline_modal(_where(ids, body)))

    @on_submit(app, declaration_view.LIST_MODAL)
    async def none_in_list(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await _declare(service, client, user=user_id(body), where=metadata(view))

    @on_submit(app, declaration_view.MODAL)
    async def conflict_declared(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        # A conflict with nothing written is still a conflict (the service asks for the statement).
        statement = inputs.state_of(view, declaration_view.STATEMENT_BLOCK)["value"] or ""
        await _declare(service, client, user=user_id(body), where=metadata(view), conflict=statement)

    @on_submit(app, declaration_view.DECLINE_MODAL)
    async def declined(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        where = metadata(view)
        reason = inputs.state_of(view, declaration_view.REASON_BLOCK)["value"]
        made = await service.decline(
            commission_id=where["commission"], consultant=user_id(body), reason=reason
        )
        with if_refused(done="Your answer is recorded", step="update the request with it"):
            await client.chat_update(
                channel=where["channel"],
                ts=where["ts"],
                text="Commission declined",
                blocks=declaration_view.declined_blocks(made),
            )
