"""``/scr consultant QUERY``: find consultants by name, specialism or area, and open a card.

The results and the card are ephemeral: only the person who asked sees them. The service decides who may
search and see cards (commissioners and admins) and who may change the record (admins), so a chair is
refused by the service, and a commissioner who somehow submits an admin modal is refused too. Admins act
from the card (and from the expiry digest, ``bot.digest``) through modals; each modal calls the service
before it closes, so a refusal (a status change not allowed now, a bad date, an unknown agency) is shown
under the input it concerns, with the actions allowed instead. Every change is the same API call, and
the same audit event, as on the admin pages.
"""

import asyncio
import json
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.digest import note
from bot.invocation import Invocation
from bot.modals import opens, refuse
from bot.reporting import reported
from bot.service_client import Forbidden, NotFound, Rejected, ServiceClient
from bot.views import consultant as consultant_view
from bot.views import consultant_forms as forms
from bot.views import help as help_view
from bot.views import inputs
from bot.views.blocks import OPTIONS_MAX, escape, option

SHOWN = (Rejected, Forbidden, NotFound)  # refusals shown in the modal, where the admin can act on them
PAST = {"approve": "approved", "suspend": "suspended", "remove": "removed", "reinstate": "reinstated"}
CHECK_FIELDS = {
    "dbs": "dbs_check_date",
    "registration": "registration_expiry",
    "insurance": "insurance_expiry",
}


async def card_blocks(service: ServiceClient, *, user: str, consultant_id: int) -> list[dict[str, Any]]:
    me, card = await asyncio.gather(
        service.me(as_user=user), service.consultant_card(as_user=user, consultant_id=consultant_id)
    )
    return consultant_view.card(card, admin=me["role"] == "admin", today=date.today())


async def _search(service: ServiceClient, *, user: str, q: str, offset: int) -> list[dict[str, Any]]:
    """The results page at ``offset``; a search with one match opens its card instead."""
    page = await service.search_consultants(as_user=user, q=q, limit=consultant_view.PAGE_SIZE, offset=offset)
    if page["total"] == 1 and offset == 0:
        return await card_blocks(service, user=user, consultant_id=page["items"][0]["id"])
    return consultant_view.results(page, q=q)


async def run(call: Invocation) -> None:
    q = call.args.strip()
    if not q:
        await call.ack(
            **help_view.usage(
                "/scr consultant QUERY", "consultants by name, specialism or area, and their cards."
            )
        )
        return
    await call.ack()
    blocks = await _search(call.service, user=call.user, q=q, offset=0)
    await call.respond(
        text=f"Consultants: {q}", blocks=blocks, response_type="ephemeral", replace_original=False
    )


def register(app: AsyncApp, service: ServiceClient) -> None:
    @app.action(consultant_view.PAGE)
    @reported
    async def turn_page(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        turn = json.loads(action["value"])
        blocks = await _search(service, user=body["user"]["id"], q=turn["q"], offset=int(turn["offset"]))
        await respond(
            text=f"Consultants: {turn['q']}", blocks=blocks, response_type="ephemeral", replace_original=True
        )

    @app.action(consultant_view.OPEN)
    @reported
    async def open_card(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        blocks = await card_blocks(service, user=body["user"]["id"], consultant_id=int(action["value"]))
        await respond(text="Consultant", blocks=blocks, response_type="ephemeral", replace_original=False)

    opens(app, consultant_view.STATUS, lambda ids, _: forms.status_modal(**ids))
    opens(app, consultant_view.ADD_ENGAGEMENT, lambda ids, _: forms.engagement_modal(**ids))
    opens(app, consultant_view.END_ENGAGEMENT, lambda ids, _: forms.end_modal(**ids, today=date.today()))
    opens(app, consultant_view.RECORD_CHECK, lambda ids, _: forms.check_modal(**ids, today=date.today()))

    @app.options(forms.AGENCY)
    @reported
    async def agencies(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await service.agencies(
            as_user=body["user"]["id"], q=(body.get("value") or "").strip() or None
        )
        await ack(options=[option(f"{a['name']} ({a['area']})", a["id"]) for a in found[:OPTIONS_MAX]])

    @app.view(forms.STATUS_MODAL)
    @reported
    async def status_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        ids, user = json.loads(view["private_metadata"]), body["user"]["id"]
        try:
            changed = await service.change_status(
                as_user=user,
                consultant_id=ids["consultant"],
                action=ids["action"],
                reason=inputs.value(view, forms.REASON_BLOCK) or "",
            )
        except SHOWN as error:
            await refuse(ack, error, fields={"reason": forms.REASON_BLOCK}, fallback=forms.REASON_BLOCK)
            return
        what = f"{PAST[ids['action']]} {escape(changed['name'])}."
        done = forms.done(f"You {what} Their status is now *{changed['status']}*.")
        await ack(response_action="update", view=done)
        await note(client, ids, user=user, what=what)

    @app.view(forms.ENGAGEMENT_MODAL)
    @reported
    async def engagement_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        ids, user = json.loads(view["private_metadata"]), body["user"]["id"]
        entered = inputs.values(view, forms.ENGAGEMENT_FIELDS)
        try:
            made = await service.add_engagement(
                as_user=user,
                consultant_id=ids["consultant"],
                engagement={name: given for name, given in entered.items() if given is not None},
            )
        except SHOWN as error:
            await refuse(ack, error, fields=forms.ENGAGEMENT_FIELDS, fallback=forms.AGENCY_BLOCK)
            return
        tie = f"{inputs.chosen_text(view, forms.KIND_BLOCK)} {inputs.chosen_text(view, forms.AGENCY_BLOCK)}"
        text = f"Recorded (engagement {made['id']}): {escape(tie)}. The conflict checks use it from now on."
        await ack(response_action="update", view=forms.done(text))

    @app.view(forms.END_MODAL)
    @reported
    async def end_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        ids, user = json.loads(view["private_metadata"]), body["user"]["id"]
        try:
            ended = await service.update_engagement(
                as_user=user,
                consultant_id=ids["consultant"],
                engagement_id=ids["engagement"],
                changes={"end_date": inputs.value(view, forms.DATE_BLOCK)},
            )
        except SHOWN as error:
            await refuse(ack, error, fields={"end_date": forms.DATE_BLOCK}, fallback=forms.DATE_BLOCK)
            return
        await ack(
            response_action="update", view=forms.done(f"The engagement ended on *{ended['end_date']}*.")
        )

    @app.view(forms.CHECK_MODAL)
    @reported
    async def check_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        ids, user = json.loads(view["private_metadata"]), body["user"]["id"]
        field = CHECK_FIELDS[ids["check"]]
        try:
            changed = await service.update_consultant(
                as_user=user,
                consultant_id=ids["consultant"],
                changes={field: inputs.value(view, forms.DATE_BLOCK)},
            )
        except SHOWN as error:
            await refuse(ack, error, fields={field: forms.DATE_BLOCK}, fallback=forms.DATE_BLOCK)
            return
        noun = forms.CHECK_QUESTIONS[ids["check"]][2]
        what = f"recorded the new {noun} of {escape(changed['name'])}: *{changed[field]}*."
        await ack(response_action="update", view=forms.done(f"You {what}"))
        await note(client, ids, user=user, what=what)
