"""``/scr me``: a consultant's own record, privately, and keeping it up to date from Slack.

The service knows the consultant by the Slack id on their record; the bot relays who asked and nothing
else, so nobody reaches another consultant's record this way. Each declaration is posted to the admins'
channel with Confirm and Reject; a click there goes to the service as the person who clicked, so anyone
but an admin is refused by the service (which audits the refusal) and told so privately.
"""

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.me import views as me_view
from bot.listening import on_press, on_submit
from bot.modals import opens, refuse
from bot.payloads import carried, message_of, metadata, typed, user_id
from bot.reporting import reported
from bot.service_client import ServiceClient, ServiceError
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import inputs
from bot.views.blocks import escape, option

log = logging.getLogger("bot")


async def run(call: Invocation) -> None:
    await call.ack()
    record = await call.service.my_record(as_user=call.user)
    with if_refused(step="show you your record"):
        await call.respond(
            text=f"Your record: {record['name']}",
            blocks=me_view.record_blocks(record),
            response_type="ephemeral",
            replace_original=False,
        )


def _away(record: dict[str, Any], view: dict[str, Any], first: str | None, last: str | None) -> Any:
    """The periods away to send: those held less any unticked, plus the new one; None if unchanged."""
    offered, ticked = me_view.kept_periods(view)
    removed = offered - ticked
    if not removed and not first:
        return None
    kept = [
        {"start_date": p["start_date"], "end_date": p["end_date"]}
        for p in record["away"]
        if me_view.period_value(p) not in removed
    ]
    return kept + ([{"start_date": first, "end_date": last}] if first else [])


async def _tell_admins(
    service: ServiceClient, slack: AsyncWebClient, *, channel: str, user: str, kind: str, made: dict[str, Any]
) -> None:
    """Post the new declaration to the admins' channel with Confirm and Reject (no channel: the API only)."""
    if not channel:
        log.info("slack.declaration.unposted kind=%s id=%s reason=no_admin_channel", kind, made["id"])
        return
    record = await service.my_record(as_user=user)
    summary = me_view.notice_summary(
        kind=kind, record=made, consultant=record["name"], agencies=record.get("agencies") or {}
    )
    await slack.chat_postMessage(
        channel=channel,
        text=f"{record['name']} declared an {kind}: confirm or reject it",
        blocks=me_view.notice_blocks(summary, kind=kind, consultant=made["consultant_id"], record=made["id"]),
    )


def _rejection(subject: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The reason modal of Reject, for the notice it was pressed in."""
    return me_view.reject_modal(
        body["message"]["blocks"][0]["text"]["text"], carried=subject, **message_of(body)
    )


def register(app: AsyncApp, deps: Deps) -> None:
    service, admin_channel = deps.service, deps.settings.admin_channel
    subcommand(app, deps, "me", run=run)

    @on_press(app, me_view.AVAILABILITY)
    async def availability(body: dict[str, Any], client: AsyncWebClient) -> None:
        record = await service.my_record(as_user=user_id(body))
        await client.views_open(trigger_id=body["trigger_id"], view=me_view.availability_modal(record))

    @on_submit(app, me_view.AVAILABILITY_MODAL)
    async def availability_set(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        first, last = inputs.value(view, me_view.FROM_BLOCK), inputs.value(view, me_view.UNTIL_BLOCK)
        if bool(first) != bool(last):
            missing = me_view.UNTIL_BLOCK if first else me_view.FROM_BLOCK
            await ack(
                response_action="errors", errors={missing: "Give the first and the last day, or neither."}
            )
            return
        try:
            away = _away(await service.my_record(as_user=user), view, first, last)
            capacity = int(inputs.value(view, me_view.CAPACITY_BLOCK) or 0) or None
            saved = await service.set_my_availability(as_user=user, capacity=capacity, away=away)
        except ServiceError as error:
            await refuse(ack, error, fields=me_view.AVAILABILITY_FIELDS, fallback=me_view.CAPACITY_BLOCK)
            return
        await ack(response_action="update", view=me_view.availability_saved(saved))

    opens(app, me_view.DECLARE_INTEREST, lambda *_: me_view.interest_modal())
    opens(app, me_view.DECLARE_ENGAGEMENT, lambda *_: me_view.engagement_modal())

    @app.options(me_view.AGENCY)
    @reported
    async def agencies(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await service.my_agencies(as_user=user_id(body), q=typed(body) or None)
        await ack(options=[option(agency["name"], agency["id"]) for agency in found[:100]])

    def declares(kind: str, callback_id: str, fields: dict[str, str]) -> None:
        """The submission of a declaration modal: the service records it, the admins are told."""

        @on_submit(app, callback_id)
        async def declared(
            ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
        ) -> None:
            user, declaration = user_id(body), inputs.values(view, fields)
            try:
                made = await service.declare_own(as_user=user, kind=kind, declaration=declaration)
            except ServiceError as error:
                await refuse(ack, error, fields=fields, fallback=me_view.AGENCY_BLOCK)
                return
            await ack(response_action="update", view=me_view.declared(kind))
            with if_refused(
                done="Your declaration is recorded",
                step="pass it to the admins to confirm",
                advice="Please tell your admin about it yourself.",
            ):
                await _tell_admins(service, client, channel=admin_channel, user=user, kind=kind, made=made)

    declares("interest", me_view.INTEREST_MODAL, me_view.INTEREST_FIELDS)
    declares("engagement", me_view.ENGAGEMENT_MODAL, me_view.ENGAGEMENT_FIELDS)

    @on_press(app, me_view.CONFIRM)
    async def confirm(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        subject, user = carried(action), user_id(body)
        await service.resolve_declaration(
            as_user=user, kind=subject["kind"], consultant_id=subject["consultant"], record_id=subject["id"]
        )
        summary = body["message"]["blocks"][0]["text"]["text"]
        outcome = f":white_check_mark: Confirmed by <@{user}>: it now counts in conflict checks."
        with if_refused(done="The declaration is confirmed", step="update the notice"):
            await client.chat_update(
                **message_of(body),
                text="Declaration confirmed",
                blocks=me_view.resolved_blocks(summary, outcome),
            )

    opens(app, me_view.REJECT, _rejection)

    @on_submit(app, me_view.REJECT_MODAL)
    async def rejected(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        reason, user = inputs.value(view, me_view.REASON_BLOCK) or "", user_id(body)
        if len(reason) < 3:
            await ack(
                response_action="errors",
                errors={me_view.REASON_BLOCK: "Give the reason (3 characters or more)."},
            )
            return
        where = metadata(view)
        subject = me_view.rejected_subject(where)
        try:
            await service.resolve_declaration(
                as_user=user,
                kind=subject["kind"],
                consultant_id=subject["consultant"],
                record_id=subject["id"],
                reason=reason,
            )
        except ServiceError as error:
            await refuse(ack, error, fields={"reason": me_view.REASON_BLOCK}, fallback=me_view.REASON_BLOCK)
            return
        await ack()
        summary = view["blocks"][0]["text"]["text"]
        outcome = f":x: Rejected by <@{user}>: {escape(reason)}"
        with if_refused(done="The declaration is rejected", step="update the notice"):
            await client.chat_update(
                channel=where["channel"],
                ts=where["ts"],
                text="Declaration rejected",
                blocks=me_view.resolved_blocks(summary, outcome),
            )
