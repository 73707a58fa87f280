"""Direct messages to one person: where the bot sends anything about a case that others must not see."""

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient


async def channel(slack: AsyncWebClient, *, user: str) -> str:
    """The id of the bot's direct-message conversation with ``user``."""
    opened = await slack.conversations_open(users=user)
    return opened["channel"]["id"]


async def send(
    slack: AsyncWebClient, *, user: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> tuple[str, str]:
    """Post to ``user``'s direct messages; returns the channel and the message timestamp (to update it)."""
    conversation = await channel(slack, user=user)
    posted = await slack.chat_postMessage(channel=conversation, text=text, blocks=blocks)
    return conversation, posted["ts"]
