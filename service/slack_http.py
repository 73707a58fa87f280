"""The Slack bot inside the service (HTTP mode): ``POST /slack/events`` and the loop of periodic jobs
(deadline reminders, the weekly expiry digest); with a client id and secret, also Slack's install flow
("Add to Slack") at ``GET /slack/install`` and ``GET /slack/oauth_redirect``.

The bot reaches the API through ``httpx.ASGITransport`` on this very app, so it goes through the same
authentication, validation and audit as any other client, without a socket. It is mounted when the
settings choose a mode (``service.slack_settings.slack_mode``): one workspace (the signing secret and the bot
token), or every workspace that adds the app (the signing secret, a client id and secret, and the own
workspace's team id), whose bot tokens are kept in the database (``service.slack_workspaces``).

Anyone can reach ``/slack/events``, so nothing in a request is trusted before its signature is. The
route checks the signature itself, in code that cannot raise whatever the headers hold, and answers 401
to any request that fails, for whatever reason, before bolt sees it: bolt would otherwise hand an
unverified request to the error handler, which answers to the ``response_url`` the request names (a
server-side request to any address an outsider chooses). A verified request bolt cannot read gets 400.
"""

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from service.background import run_alongside
from service.request_ids import with_id
from service.settings import Settings, bot_settings
from service.slack_settings import SlackMode, slack_mode

if TYPE_CHECKING:
    from service.slack_workspaces import InstallFlow

log = logging.getLogger("service.slack")

IN_PROCESS_URL = "http://service.internal"
MAX_AGE_SECONDS = 5 * 60  # Slack's advice: refuse older requests, so a captured one cannot be replayed
TIMESTAMP_DIGITS = 12  # ten until the year 2286: anything longer is not a time


def signed_by_slack(body: bytes, headers: Mapping[str, str], *, secret: str) -> bool:
    """Whether ``body`` and ``headers`` carry Slack's v0 signature, made within the last five minutes.

    Never raises: the timestamp must be plain digits and the signature is compared as bytes, so a
    malformed or missing header is a refusal, not an error (bolt's own check raises on both).
    """
    stamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= TIMESTAMP_DIGITS and signature):
        return False
    if abs(time.time() - int(stamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + stamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("latin-1"))


def enabled(settings: Settings) -> bool:
    """Whether the settings turn the bot on (SlackSettingsError when they make no sense together)."""
    return slack_mode(settings) != SlackMode.off


def mount(app: FastAPI, settings: Settings) -> None:
    """Add the Slack endpoint (and, with a reminder or admins' channel, the loop of jobs) to ``app``."""
    from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response

    from bot import schedule
    from bot.app import build_app, serving
    from bot.reporting import SIGNATURE_CHECKED
    from bot.service_client import ServiceClient

    if not settings.bot_api_token:
        raise RuntimeError(
            "The Slack bot is set up (SCR_SLACK_SIGNING_SECRET, with SCR_SLACK_BOT_TOKEN or a client id) but "
            "SCR_BOT_API_TOKEN is not: create the bot's service user with "
            "'scr user add bot@YOUR-DOMAIN --role bot' and set its token."
        )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    service = ServiceClient(
        httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL), token=settings.bot_api_token
    )
    for_bot = bot_settings(settings)
    flow = _install_flow(app, settings) if slack_mode(settings) == SlackMode.oauth else None
    bolt = build_app(client=service, settings=for_bot, install_flow=flow)
    secret = for_bot.signing_secret.get_secret_value()

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Slash commands, interactions, options and events from Slack: only signed ones reach bolt."""
        body = await request.body()
        if not signed_by_slack(body, request.headers, secret=secret):
            return JSONResponse(with_id({"error": "invalid request"}), status_code=401)
        try:
            bolt_request = to_async_bolt_request(request, body, {SIGNATURE_CHECKED: True})
        except Exception:  # not UTF-8, not JSON, not an object: signed, but nothing bolt can read
            log.warning("slack.unreadable_body bytes=%d", len(body))
            return JSONResponse(with_id({"error": "unreadable request body"}), status_code=400)
        return to_starlette_response(await bolt.async_dispatch(bolt_request))

    interval = settings.slack_reminder_interval_seconds
    installations = None if flow is None else flow.settings.installation_store
    workspaces = serving(for_bot, installations)
    jobs = schedule.jobs(service=service, slack=workspaces.posting(), settings=for_bot)
    if not (jobs and interval):
        return
    run_alongside(app, lambda: schedule.run_forever(jobs, interval_seconds=interval))


def _install_flow(app: FastAPI, settings: Settings) -> "InstallFlow":
    """Slack's install flow, its installations and states in the service's database, at its two paths:
    the page with the "Add to Slack" link (which sets the browser's state cookie), and the address Slack
    sends the browser back to with a one-time code, exchanged for the workspace's bot token."""
    from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response

    from bot.settings import BOT_SCOPES
    from service.db import get_engine
    from service.slack_workspaces import INSTALL_PATH, REDIRECT_PATH, install_flow

    flow = install_flow(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        redirect_uri=settings.slack_redirect_uri,
        api_url=settings.slack_api_url,
        scopes=list(BOT_SCOPES),
        engine=get_engine(),
    )

    @app.get(INSTALL_PATH, include_in_schema=False)
    async def slack_install(request: Request) -> Response:
        """The page to add the app to a workspace."""
        return to_starlette_response(await flow.handle_installation(to_async_bolt_request(request, b"")))

    @app.get(REDIRECT_PATH, include_in_schema=False)
    async def slack_oauth_redirect(request: Request) -> Response:
        """Where Slack sends the browser back: the state is checked against the browser's cookie and
        consumed, and the code exchanged for the workspace's installation."""
        return to_starlette_response(await flow.handle_callback(to_async_bolt_request(request, b"")))

    return flow
