"""``/scr case REF``: the case in the requester's DMs, with where each agency's chronology stands; a chair
accepts the recommendation or departs from it.

A decision is claimed in the service under the message it came from (or the modal) before it is
recorded, so a repeated click or a redelivered action records one decision.
"""

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import clock, dm
from bot.deps import Deps
from bot.features.case import timeline
from bot.features.case import views as case_view
from bot.listening import on_press, on_submit
from bot.modals import refuse
from bot.payloads import message_of, metadata, user_id
from bot.roles import roles_in
from bot.service_client import Forbidden, NotFound, Rejected, ServiceClient
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import errors, inputs
from bot.views.blocks import message

DECIDED = "Your decision is recorded"
SHOWN = (Rejected, Forbidden, NotFound)  # refusals shown in the modal, where the chair can act on them


async def _standings(service: ServiceClient, *, user: str, ref: str) -> list[dict[str, Any]]:
    """Where each agency's chronology stands; none for someone the service shows no standing to."""
    try:
        return await service.chronology_standings(as_user=user, ref=ref)
    except (Forbidden, NotFound):
        return []


async def _blocks(service: ServiceClient, *, user: str, ref: str) -> list[dict[str, Any]]:
    me, case, labels, chronologies = await asyncio.gather(
        service.me(as_user=user),
        service.case(as_user=user, ref=ref),
        service.outcome_labels(),
        _standings(service, user=user, ref=ref),
    )
    lines = await service.milestones(as_user=user, ref=ref)  # once the case is known to be readable
    roles = roles_in(me, case.get("partnership"))  # in the lead partnership, no other
    chair = "chair" in roles
    shown = case_view.blocks(case, labels=labels, chair=chair, today=clock.today(), chronologies=chronologies)
    may_close = bool(roles & {"chair", "admin"})
    return message([*shown, *timeline.blocks(lines, ref=ref, status=case["status"], may_close=may_close)])


async def _show(service: ServiceClient, slack: AsyncWebClient, *, user: str, ref: str) -> None:
    await dm.send(slack, user=user, text=f"Case {ref}", blocks=await _blocks(service, user=user, ref=ref))


async def run(call: Invocation) -> None:
    working = "Looking up {ref}: I'll send it to your direct messages."
    ref = await call.case_ref("/scr case REF", "the case and its decision.", working=working)
    if ref is None:
        return
    try:
        with if_refused(step="send you the case in a direct message"):
            await _show(call.service, call.slack, user=call.user, ref=ref)
    except NotFound:
        await call.tell(errors.unknown_case(ref))


async def _decide_once(service: ServiceClient, *, key: str, user: str, ref: str, **decision: Any) -> bool:
    """Record the decision unless ``key`` (the message or modal it came from) already recorded one;
    ``decision`` is what ``ServiceClient.decide`` takes."""
    if not await service.claim(key=key, kind="decision", detail={"ref": ref}):
        return False
    try:
        await service.decide(as_user=user, ref=ref, **decision)
    except Exception:
        await service.release_claim(key=key)
        raise
    return True


async def _submitted(
    service: ServiceClient,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    *,
    fallback: str,
    **decision: Any,
) -> None:
    """Record a modal's decision, or keep the modal open with the refusal under the input it concerns
    (``fallback``, one of the modal's inputs, for a refusal that names none)."""
    user, where = user_id(body), metadata(view)
    decided_on = inputs.value(view, case_view.DATE_BLOCK)
    try:
        await _decide_once(
            service,
            key=f"decision:{view['id']}",
            user=user,
            ref=where["ref"],
            decided_on=decided_on,
            **decision,
        )
    except SHOWN as error:
        await refuse(ack, error, fields=case_view.FIELDS, fallback=fallback)
        return
    await ack()
    with if_refused(done=DECIDED, step="update the case message"):
        await _refresh(service, client, user=user, where=where)


async def _refresh(
    service: ServiceClient, slack: AsyncWebClient, *, user: str, where: dict[str, str]
) -> None:
    """Replace the case message with the case as it now stands (no buttons once decided)."""
    blocks = await _blocks(service, user=user, ref=where["ref"])
    await slack.chat_update(
        channel=where["channel"], ts=where["ts"], text=f"Case {where['ref']}", blocks=blocks
    )


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service
    subcommand(app, deps, "case", run=run)

    @on_press(app, case_view.ACCEPT)
    async def accept(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        user = user_id(body)
        where = {"ref": action["value"], **message_of(body)}
        key = f"decision:{where['channel']}:{where['ts']}"
        await _decide_once(service, key=key, user=user, ref=where["ref"], accepted=True, reason=None)
        with if_refused(done=DECIDED, step="update the case message"):
            await _refresh(service, client, user=user, where=where)

    @on_press(app, case_view.ACCEPT_ON)
    async def accept_on(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        where = {"ref": action["value"], **message_of(body)}
        view = case_view.accept_modal(where, today=clock.today())
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @on_submit(app, case_view.ACCEPT_MODAL)
    async def accepted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await _submitted(
            service, ack, body, view, client, fallback=case_view.DATE_BLOCK, accepted=True, reason=None
        )

    @on_press(app, case_view.DEPART)
    async def depart(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        where = {"ref": action["value"], **message_of(body)}
        view = case_view.depart_modal(where, labels=await service.outcome_labels(), today=clock.today())
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @on_submit(app, case_view.DEPART_MODAL)
    async def departed(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        reason = inputs.value(view, case_view.REASON_BLOCK) or ""
        if len(reason) < 3:
            await ack(
                response_action="errors", errors={case_view.REASON_BLOCK: "Give the reason for the decision."}
            )
            return
        outcomes = case_view.chosen_outcomes(view)
        await _submitted(
            service,
            ack,
            body,
            view,
            client,
            fallback=case_view.REASON_BLOCK,
            accepted=False,
            reason=reason,
            outcomes=outcomes,
        )

    @on_press(app, timeline.CLOSE)
    async def close(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        where = {"ref": action["value"], **message_of(body)}
        await client.views_open(trigger_id=body["trigger_id"], view=timeline.status_modal(where, close=True))

    @on_press(app, timeline.REOPEN)
    async def reopen(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        where = {"ref": action["value"], **message_of(body)}
        await client.views_open(trigger_id=body["trigger_id"], view=timeline.status_modal(where, close=False))

    async def status_changed(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, *, close: bool
    ) -> None:
        """Close or reopen the case with the reason given, then show the case as it now stands."""
        user, where = user_id(body), metadata(view)
        reason = (inputs.value(view, timeline.STATUS_REASON) or "").strip()
        if len(reason) < 3:
            await ack(response_action="errors", errors={timeline.STATUS_REASON: "Give the reason."})
            return
        try:
            await service.set_case_status(as_user=user, ref=where["ref"], close=close, reason=reason)
        except SHOWN as error:
            await refuse(ack, error, fields=timeline.STATUS_FIELDS, fallback=timeline.STATUS_REASON)
            return
        await ack()
        done = f"Case {where['ref']} is {'closed' if close else 'open again'}"
        with if_refused(done=done, step="update the case message"):
            await _refresh(service, client, user=user, where=where)

    @on_submit(app, timeline.CLOSE_MODAL)
    async def closed(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await status_changed(ack, body, view, client, close=True)

    @on_submit(app, timeline.REOPEN_MODAL)
    async def reopened(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await status_changed(ack, body, view, client, close=False)
