"""The plumbing every record-editing modal shares: a button that opens it, a submission the service
refuses, answered by showing the refusal under the inputs it concerns (the modal stays open), and once
the change is made, a note under the message the modal was opened from.
"""

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.listening import on_press
from bot.service_client import ServiceError
from bot.views import inputs

View = dict[str, Any]


def opens(
    app: AsyncApp,
    action_id: str | re.Pattern[str],
    build: Callable[[dict[str, Any], dict[str, Any]], View | Awaitable[View]],
) -> None:
    """Answer the button ``action_id`` with the modal ``build`` makes from the ids the button carries (its
    value, as JSON; none when it has no value) and the payload (for the message it was pressed in); a
    ``build`` that asks the service first is awaited."""

    @on_press(app, action_id)
    async def open_modal(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        view = build(payloads.carried(action), body)
        if inspect.isawaitable(view):
            view = await view
        await client.views_open(trigger_id=body["trigger_id"], view=view)


async def refuse(ack: AsyncAck, error: ServiceError, *, fields: Mapping[str, str], fallback: str) -> None:
    """Keep the modal open with the service's refusal under the inputs it concerns (``inputs.errors``)."""
    await ack(response_action="errors", errors=inputs.errors(error, fields=fields, fallback=fallback))


async def note(slack: AsyncWebClient, where: Mapping[str, Any], *, user: str, what: str) -> None:
    """Reply under the message an action came from (the digest's, say); nothing when ``where`` names no
    message (a modal opened from an ephemeral card)."""
    if where.get("channel") and where.get("ts"):
        text = f":white_check_mark: <@{user}> {what}"
        await slack.chat_postMessage(channel=where["channel"], thread_ts=where["ts"], text=text)
