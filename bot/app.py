"""The Slack app factory: the same listeners for HTTP mode (mounted in the service) and Socket Mode.

Acknowledge first, work afterwards. The app runs with ``process_before_response=False``: every listener
calls ``ack()`` before it touches the service or the Web API, bolt answers Slack at that moment, and the
rest of the listener runs on the event loop after the HTTP response has gone. A failure after the ack
is reported to the person (ephemerally, or in a direct message) and logged; nothing is swallowed (see
``bot.reporting``). Two listeners work before acking because Slack waits for their answer: a modal
submission (so the service's validation problems can be shown under the inputs) and the options of an
``external_select``.

Slack retries an Events API delivery it thinks failed; ``once_per_event`` claims each ``event_id`` in the
service before acting, so a redelivery does nothing. Actions that create a record carry an idempotency
key in their button value, so a repeated click or delivery makes one record.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pydantic import SecretStr
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import digest, home
from bot.commands import case, check, consultant, declaration, me, shortlist, terms
from bot.commands import help as help_command
from bot.invocation import Invocation
from bot.reporting import report_failure, reported
from bot.service_client import ServiceClient
from bot.views import help as help_view

log = logging.getLogger("bot")

COMMAND = "/scr"
SUBCOMMANDS: dict[str, ModuleType] = {
    "check": check,
    "case": case,
    "shortlist": shortlist,
    "terms": terms,
    "consultant": consultant,
    "me": me,
    "help": help_command,
    "": help_command,
}
INTERACTIVE: tuple[ModuleType, ...] = (check, case, shortlist, declaration, home, consultant, digest)
RATE_LIMIT_RETRIES = 3


@dataclass(frozen=True)
class BotSettings:
    """What the bot needs to know; the service (or ``scr bot``) fills it from its own settings."""

    bot_token: SecretStr
    signing_secret: SecretStr
    api_url: str = "https://slack.com/api/"
    reminder_channel: str = ""
    reminder_lead_days: int = 2
    admin_channel: str = ""  # where declarations await an admin's confirmation (and admin notices go)


def web_client(settings: BotSettings) -> AsyncWebClient:
    """The Web API client: retries once on a dropped connection, and waits out 429s (``Retry-After``)."""
    return AsyncWebClient(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def once_per_event(service: ServiceClient) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Middleware: act on each Events API delivery once, however often Slack retries it."""

    async def middleware(body: dict[str, Any], request: Any, next: Callable[[], Awaitable[None]]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            if not await service.claim(key=f"event:{event_id}", kind="event", detail={"retry": retry}):
                log.info("slack.event.duplicate event_id=%s retry=%s", event_id, retry)
                return BoltResponse(status=200, body="")
        return await next()

    return middleware


def build_app(*, client: ServiceClient, settings: BotSettings) -> AsyncApp:
    """The bolt app with every listener; signatures are checked on every HTTP request."""
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=settings.signing_secret.get_secret_value(),
        request_verification_enabled=True,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    service = client
    app.middleware(once_per_event(service))
    app.error(report_failure)

    @app.command(COMMAND)
    @reported
    async def scr(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        word, _, rest = (command.get("text") or "").strip().partition(" ")
        module = SUBCOMMANDS.get(word.lower())
        if module is None:
            await ack(**help_view.unknown(word))
            return
        await module.run(
            Invocation(
                args=rest.strip(),
                user=command["user_id"],
                trigger_id=command.get("trigger_id", ""),
                ack=ack,
                respond=respond,
                slack=client,
                service=service,
            )
        )

    for module in INTERACTIVE:
        module.register(app, service)
    me.register(app, service, admin_channel=settings.admin_channel)  # posts declarations for admins
    return app
