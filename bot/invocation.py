"""A ``/scr`` subcommand as its module receives it: who asked, where, and the means to answer."""

from dataclasses import dataclass

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.service_client import ServiceClient


@dataclass(frozen=True)
class Invocation:
    args: str
    user: str
    trigger_id: str
    ack: AsyncAck
    respond: AsyncRespond
    slack: AsyncWebClient
    service: ServiceClient

    async def tell(self, text: str) -> None:
        """An ephemeral reply where the command was typed (through its response URL)."""
        await self.respond(text=text, response_type="ephemeral", replace_original=False)
