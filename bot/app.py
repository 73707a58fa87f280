"""The Slack app factory: the same listeners for HTTP mode (mounted in the service) and Socket Mode.

Acknowledge first, work afterwards. The app runs with ``process_before_response=False``: every listener
calls ``ack()`` before it touches the service or the Web API, bolt answers Slack at that moment, and the
rest of the listener runs on the event loop after the HTTP response has gone. A failure after the ack
is reported to the person (ephemerally, or in a direct message) and logged; nothing is swallowed (see
``bot.reporting``). Every call to Slack is checked (``bot.slack_calls``): a refusal is logged with a
reference and raised, never ignored. Two listeners work before acking because Slack waits for their
answer: a modal submission (so the service's validation problems can be shown under the inputs) and the
options of an ``external_select``.

Workspaces: with a bot token (``settings.bot_token``) the app serves the one workspace it belongs to.
Given an install flow (``install_flow``, the service's "Add to Slack" with its installation store) it
serves every workspace that added it, each request with its own workspace's bot token (Bolt ignores a
fixed token once it has an installation store, so the service chooses one way at start-up). Either way
``in_workspace`` notes the request's workspace, which every call to the service names.

Slack retries an Events API delivery it thinks failed; ``once_per_event`` claims each ``event_id`` in the
service before acting, so a redelivery does nothing. Actions that create a record carry an idempotency
key in their button value, so a repeated click or delivery makes one record.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot import reference
from bot.deps import Deps
from bot.features.case import listeners as case
from bot.features.check import listeners as check
from bot.features.consultant import listeners as consultant
from bot.features.declaration import listeners as declaration
from bot.features.digest import listeners as digest
from bot.features.help import listeners as help_command
from bot.features.help import views as help_view
from bot.features.home import listeners as home
from bot.features.me import listeners as me
from bot.features.messages import listeners as messages
from bot.features.record_changes import listeners as record_changes
from bot.features.reminders import listeners as reminders
from bot.features.report import listeners as report
from bot.features.shortlist import listeners as shortlist
from bot.features.terms import listeners as terms
from bot.reporting import report_failure
from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.slack_calls import CheckedWebClient, checked
from bot.subcommands import unclaimed
from bot.workspaces import Workspaces, in_workspace

log = logging.getLogger("bot")

# Every feature of the bot, each registering its own listeners (its ``/scr`` words, buttons, modals,
# options and events). A new feature is a package under ``bot/features/`` and one line here.
FEATURES: tuple[Callable[[AsyncApp, Deps], None], ...] = (
    check.register,  # /scr check: the modal, the answer, its open questions, recording a case
    case.register,  # /scr case: a case, and the chair's decision
    shortlist.register,  # /scr shortlist: the ranked shortlist, and commissioning from it
    declaration.register,  # the commissioned consultant's declaration, in their DMs
    terms.register,  # /scr terms: the terms of reference as DOCX and PDF
    report.register,  # /scr report: the thematic briefing's publishable PDF
    consultant.register,  # /scr consultant: search and a consultant's card
    record_changes.register,  # an admin's changes to a record, from the card or the digest
    me.register,  # /scr me: a consultant's own record and declarations; admins confirm them
    digest.register,  # the weekly expiry digest's buttons
    reminders.register,  # a deadline reminder's Open button: its details, privately
    home.register,  # the App Home tab
    messages.register,  # a message typed to the app: where the commands are
    help_command.register,  # /scr help, and /scr alone
)
RATE_LIMIT_RETRIES = 3
# What someone in a workspace that has not added the app (or whose installation is gone) is told.
NOT_INSTALLED = (
    "The case review service is not set up in this Slack workspace. Ask your admin to add it to the "
    "workspace, then try again."
)


def web_client(settings: BotSettings) -> CheckedWebClient:
    """The Web API client: retries once on a dropped connection, waits out 429s (``Retry-After``), and
    raises every refusal (``bot.slack_calls``). Without a bot token it holds none: each workspace's
    comes from its installation."""
    return CheckedWebClient(
        token=settings.bot_token.get_secret_value() or None,
        base_url=settings.api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def serving(
    settings: BotSettings,
    installations: AsyncInstallationStore | None,
    *,
    base: CheckedWebClient | None = None,
) -> Workspaces:
    """The workspaces the bot serves: the bot token's, or (with ``installations``) each that added it.
    ``serving(...).own()`` is the client the periodic jobs post with."""
    return Workspaces(
        base=base or web_client(settings), own_team=settings.team_id, installations=installations
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


async def referenced(next: Callable[[], Awaitable[None]]) -> Any:
    """Middleware: the request's reference (``bot.reference``), for its log lines, its calls to the
    service and what a person is told: the service's id for the request in HTTP mode, a new one over
    Socket Mode."""
    reference.ensure()
    return await next()


def build_app(
    *, client: ServiceClient, settings: BotSettings, install_flow: AsyncOAuthFlow | None = None
) -> AsyncApp:
    """The bolt app with every feature's listeners; signatures are checked on every HTTP request. With
    ``install_flow``, the workspaces that added the app, each with its own token; else ``settings``'
    bot token's workspace."""
    slack = web_client(settings)
    app = AsyncApp(
        client=slack,
        signing_secret=settings.signing_secret.get_secret_value(),
        oauth_flow=install_flow,
        request_verification_enabled=True,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )
    app.middleware(referenced)  # first: every line logged for the request carries its reference
    app.middleware(in_workspace)  # the request's workspace, for every call to the service
    app.middleware(checked)  # each request's client and respond: bolt's own, checked
    app.middleware(once_per_event(client))
    app.error(report_failure)
    installations = None if install_flow is None else install_flow.settings.installation_store
    deps = Deps(service=client, settings=settings, workspaces=serving(settings, installations, base=slack))
    for register in FEATURES:
        register(app, deps)
    unclaimed(app, help_view.unknown)  # after every feature: a /scr word none of them claimed
    return app
