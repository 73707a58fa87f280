"""The ``/scr`` command: each feature claims its subcommand words, and is handed an ``Invocation``.

Slack sends every ``/scr ...`` to one slash command. Each feature registers a listener for its words
(``subcommand``), so bolt routes ``/scr case HAC-2026-0007`` to the case feature as it routes a button
press by its action id; a word no feature claims gets ``unclaimed``'s reply, registered after them all.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.deps import Deps
from bot.reporting import reported
from bot.service_client import ServiceClient
from bot.views import errors

COMMAND = "/scr"


@dataclass(frozen=True)
class Invocation:
    """A ``/scr`` subcommand as its feature receives it: who asked, where, and the means to answer."""

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

    async def case_ref(self, usage: str, what: str, *, working: str) -> str | None:
        """The case reference typed after the word, acknowledged with ``working`` (``{ref}`` standing for
        it); None when none was typed, once told how the command ``usage`` is used and for ``what``."""
        ref = self.args.split(" ", 1)[0]
        if not ref:
            await self.ack(**errors.usage(usage, what))
            return None
        await self.ack(text=working.format(ref=ref), response_type="ephemeral")
        return ref


Run = Callable[[Invocation], Awaitable[None]]


def subcommand(app: AsyncApp, deps: Deps, *words: str, run: Run) -> None:
    """Hand ``/scr WORD ...`` to ``run``, for WORD any of ``words`` (in any case; "" is ``/scr`` alone)."""
    claimed = frozenset(words)

    async def claims(command: dict[str, Any]) -> bool:
        return payloads.subcommand(command)[0].lower() in claimed

    @app.command(COMMAND, matchers=[claims])
    @reported
    async def invoked(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await run(
            Invocation(
                args=payloads.subcommand(command)[1],
                user=payloads.user_id(command),
                trigger_id=command.get("trigger_id", ""),
                ack=ack,
                respond=respond,
                slack=client,
                service=deps.service,
            )
        )


def unclaimed(app: AsyncApp, reply: Callable[[str], dict[str, Any]]) -> None:
    """Answer a ``/scr WORD`` no feature claimed with ``reply(WORD)``; register it after every feature."""

    @app.command(COMMAND)
    @reported
    async def unknown(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(**reply(payloads.subcommand(command)[0]))
