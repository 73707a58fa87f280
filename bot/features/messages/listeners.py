"""A message typed to the app in its direct messages: a short reply pointing to ``/scr help``.

The app works through ``/scr`` and its buttons; a person who writes to it instead should not be met with
silence. Only a new message from a person is answered: edits, deletions and every other subtype, and any
message from a bot (this one's own replies among them), are acknowledged and left, so it never loops.
"""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.reporting import reported

REPLY = "I answer `/scr` commands rather than messages: type `/scr help` to see them."


async def typed_by_a_person_in_a_dm(event: dict[str, Any]) -> bool:
    """A person's message in a direct message with the app (a bot's carries ``bot_id``)."""
    return event.get("channel_type") == "im" and bool(event.get("user")) and not event.get("bot_id")


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event({"type": "message", "subtype": None}, matchers=[typed_by_a_person_in_a_dm])
    @reported
    async def typed(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts"), text=REPLY)

    @app.event("message")
    async def left() -> None:
        """Any other message event (an edit, a bot's message): acknowledged, so Slack does not retry it."""
