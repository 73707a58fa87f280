"""An admin's changes to a consultant's record: the submissions of the modals opened from a consultant's
card (``consultant``) and from the expiry digest (``digest``).

Each modal calls the service before it closes, so a refusal (a status change not allowed now, a bad date,
an unknown agency) is shown under the input it concerns, with the actions allowed instead. Every change is
the same API call, and the same audit event, as on the admin pages; the service checks the role, so a
commissioner who somehow submits one is refused too. A change made from the digest is noted under the
digest message.
"""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.consultant.words import on
from bot.features.record_changes import views as changes
from bot.listening import on_submit
from bot.modals import note, refuse
from bot.payloads import metadata, typed, user_id
from bot.reporting import reported
from bot.service_client import Forbidden, NotFound, Rejected
from bot.slack_calls import if_refused
from bot.views import inputs
from bot.views.blocks import OPTIONS_MAX, escape, option
from bot.views.wording import words

SHOWN = (Rejected, Forbidden, NotFound)  # refusals shown in the modal, where the admin can act on them
PAST = {"approve": "approved", "suspend": "suspended", "remove": "removed", "reinstate": "reinstated"}
SAVED, NOTED = "The change is saved", "note it under the message you started from"
CHECK_FIELDS = {
    "dbs": "dbs_check_date",
    "registration": "registration_expiry",
    "insurance": "insurance_expiry",
}


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service

    @app.options(changes.AGENCY)
    @reported
    async def agencies(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await service.agencies(as_user=user_id(body), q=typed(body).strip() or None)
        await ack(options=[option(f"{a['name']} ({a['area']})", a["id"]) for a in found[:OPTIONS_MAX]])

    @on_submit(app, changes.STATUS_MODAL)
    async def status_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        ids, user = metadata(view), user_id(body)
        try:
            changed = await service.change_status(
                as_user=user,
                consultant_id=ids["consultant"],
                action=ids["action"],
                reason=inputs.value(view, changes.REASON_BLOCK) or "",
            )
        except SHOWN as error:
            await refuse(ack, error, fields={"reason": changes.REASON_BLOCK}, fallback=changes.REASON_BLOCK)
            return
        what = f"{PAST[ids['action']]} {escape(changed['name'])}."
        done = changes.done(f"You {what} Their status is now *{escape(words(changed['status']))}*.")
        await ack(response_action="update", view=done)
        with if_refused(done=SAVED, step=NOTED):
            await note(client, ids, user=user, what=what)

    @on_submit(app, changes.ENGAGEMENT_MODAL)
    async def engagement_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        ids, user = metadata(view), user_id(body)
        entered = inputs.values(view, changes.ENGAGEMENT_FIELDS)
        try:
            await service.add_record(
                as_user=user,
                consultant_id=ids["consultant"],
                kind="engagement",
                record={name: given for name, given in entered.items() if given is not None},
            )
        except SHOWN as error:
            await refuse(ack, error, fields=changes.ENGAGEMENT_FIELDS, fallback=changes.AGENCY_BLOCK)
            return
        tie = (
            f"{inputs.chosen_text(view, changes.KIND_BLOCK)} {inputs.chosen_text(view, changes.AGENCY_BLOCK)}"
        )
        text = f"Recorded: {escape(tie)}. The conflict checks use it from now on."
        await ack(response_action="update", view=changes.done(text))

    @on_submit(app, changes.END_MODAL)
    async def end_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        ids, user = metadata(view), user_id(body)
        try:
            ended = await service.update_record(
                as_user=user,
                consultant_id=ids["consultant"],
                kind="engagement",
                record_id=ids["engagement"],
                changes={"end_date": inputs.value(view, changes.DATE_BLOCK)},
            )
        except SHOWN as error:
            await refuse(ack, error, fields={"end_date": changes.DATE_BLOCK}, fallback=changes.DATE_BLOCK)
            return
        await ack(
            response_action="update", view=changes.done(f"The engagement ended on *{on(ended['end_date'])}*.")
        )

    @on_submit(app, changes.CHECK_MODAL)
    async def check_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        ids, user = metadata(view), user_id(body)
        field = CHECK_FIELDS[ids["check"]]
        try:
            changed = await service.update_consultant(
                as_user=user,
                consultant_id=ids["consultant"],
                changes={field: inputs.value(view, changes.DATE_BLOCK)},
            )
        except SHOWN as error:
            await refuse(ack, error, fields={field: changes.DATE_BLOCK}, fallback=changes.DATE_BLOCK)
            return
        noun = changes.CHECK_QUESTIONS[ids["check"]][2]
        what = f"recorded the new {noun} of {escape(changed['name'])}: *{on(changed[field])}*."
        await ack(response_action="update", view=changes.done(f"You {what}"))
        with if_refused(done=SAVED, step=NOTED):
            await note(client, ids, user=user, what=what)
