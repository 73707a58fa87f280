"""``/scr me``: a consultant's own record, privately, and keeping it up to date from Slack.

The service knows the consultant by the Slack id on their record; the bot relays who asked and nothing
else, so nobody reaches another consultant's record this way. Each declaration is announced in the
admins' channel without a word of what it says; Review asks the service for it as the person who
pressed, so only an admin sees it (anyone else is refused by the service, which audits the refusal, and
told so privately), in a modal where they confirm or reject it.
"""

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.me import views as me_view
from bot.listening import on_press, on_submit
from bot.modals import opens, refuse
from bot.payloads import carried, message_of, metadata, typed, user_id
from bot.reporting import reported
from bot.service_client import Forbidden, ServiceClient, ServiceError
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import inputs
from bot.views.blocks import option

log = logging.getLogger("bot")


async def run(call: Invocation) -> None:
    await call.ack()
    record = await call.service.my_record(as_user=call.user)
    blocks = me_view.record_blocks(record, vocabulary=await call.service.vocabulary())
    with if_refused(step="show you your record"):
        await call.respond(
            text=me_view.record_text(record),
            blocks=blocks,
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


async def _tell_admins(slack: AsyncWebClient, *, channel: str, kind: str, made: dict[str, Any]) -> None:
    """Announce the new declaration in the admins' channel with Review (no channel: the API only)."""
    if not channel:
        log.info("slack.declaration.unposted kind=%s id=%s reason=no_admin_channel", kind, made["id"])
        return
    await slack.chat_postMessage(
        channel=channel,
        text=me_view.notice_text(kind),
        blocks=me_view.notice_blocks(kind=kind, consultant=made["consultant_id"], record=made["id"]),
    )


async def _declaration(service: ServiceClient, *, user: str, subject: dict[str, Any]) -> str | None:
    """The declaration ``subject`` names, in words, as the service shows it to ``user`` (admins only:
    ``Forbidden`` for anyone else); None once it is no longer awaiting an admin."""
    pending = await service.pending_declarations(as_user=user)
    found = next(
        (p for p in pending if p["kind"] == subject["kind"] and p["record"]["id"] == subject["id"]), None
    )
    if found is None:
        return None
    record = found["record"]
    agency = record.get("agency_id")
    agencies = {agency: (await service.agency(as_user=user, agency_id=agency))["name"]} if agency else {}
    return me_view.notice_summary(
        kind=subject["kind"], record=record, consultant=found["consultant_name"], agencies=agencies
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
                admins = deps.workspaces.reach(None, here=client)  # the channel is in the own workspace
                await _tell_admins(admins, channel=admin_channel, kind=kind, made=made)

    declares("interest", me_view.INTEREST_MODAL, me_view.INTEREST_FIELDS)
    declares("engagement", me_view.ENGAGEMENT_MODAL, me_view.ENGAGEMENT_FIELDS)

    @on_press(app, me_view.REVIEW)
    async def review(
        body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        subject = carried(action)
        try:
            summary = await _declaration(service, user=user_id(body), subject=subject)
        except Forbidden:
            await respond(text=me_view.ADMINS_ONLY, response_type="ephemeral", replace_original=False)
            return
        if summary is None:
            await respond(text=me_view.GONE, response_type="ephemeral", replace_original=False)
            return
        view = me_view.review_modal(summary, subject=subject, **message_of(body))
        with if_refused(step="show you the declaration"):
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    @on_submit(app, me_view.REVIEW_MODAL)
    async def reviewed(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user, decision = user_id(body), inputs.value(view, me_view.DECISION_BLOCK)
        reason = inputs.value(view, me_view.REASON_BLOCK) or ""
        if decision == me_view.REJECT and len(reason) < 3:
            await ack(
                response_action="errors",
                errors={me_view.REASON_BLOCK: "Give the reason for rejecting it (3 characters or more)."},
            )
            return
        where = metadata(view)
        subject = me_view.reviewed_subject(where)
        try:
            await service.resolve_declaration(
                as_user=user,
                kind=subject["kind"],
                consultant_id=subject["consultant"],
                record_id=subject["id"],
                reason=reason if decision == me_view.REJECT else None,
            )
        except ServiceError as error:
            await refuse(ack, error, fields={"reason": me_view.REASON_BLOCK}, fallback=me_view.DECISION_BLOCK)
            return
        await ack()
        if decision == me_view.REJECT:
            outcome = f":x: Rejected by <@{user}>; the audit log keeps why."
        else:
            outcome = f":white_check_mark: Confirmed by <@{user}>: it now counts in conflict checks."
        rejected = decision == me_view.REJECT
        text = me_view.resolved_text(subject["kind"], rejected=rejected)
        blocks = me_view.resolved_blocks(subject["kind"], outcome)
        done = f"The declaration is {'rejected' if rejected else 'confirmed'}"
        with if_refused(done=done, step="update the notice"):
            await client.chat_update(channel=where["channel"], ts=where["ts"], text=text, blocks=blocks)
