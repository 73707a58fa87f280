"""The ways Slack reaches the bot besides a signed HTTP request: Socket Mode's websocket, messages typed to
the app, and the manifest that asks for what all of it needs (and nothing more)."""

import ast
import asyncio
import contextlib
import inspect
import json
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import WSMsgType, web
from pydantic import SecretStr
from slack_rig import BOT_API_TOKEN, CHANNEL, SlackDriver, event_callback
from slack_sdk.web.async_base_client import AsyncBaseClient
from slack_sdk.web.async_client import AsyncWebClient
from slack_standin import BOT_USER, TEAM, SlackStandIn

from bot.features.check import form as check_form
from bot.features.messages.listeners import REPLY
from bot.settings import BotSettings
from bot.standalone import serve_socket_mode
from bot.subcommands import COMMAND

ROOT = Path(__file__).parents[2]
MANIFEST = ROOT / "bot" / "manifest.yml"


# Socket Mode ---------------------------------------------------------------------------------------


class SocketEnd:
    """Slack's end of a Socket Mode connection, on 127.0.0.1: it says hello as Slack does, sends the
    envelopes a test gives it, and keeps every message the app sends back (its acknowledgements)."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.socket: web.WebSocketResponse | None = None
        self.runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen; returns the ``wss`` URL (plain ``ws`` here) that apps.connections.open hands out."""
        app = web.Application()
        app.router.add_get("/link", self._link)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        return f"ws://{host}:{port}/link?ticket=test"

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-test", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0TEST"},
            }
        )
        self.connected.set()
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                await self.received.put(json.loads(frame.data))
        return socket

    async def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Send ``envelope``; returns the app's acknowledgement of it (which must come within 3 s)."""
        assert self.socket is not None
        await self.socket.send_json(envelope)
        acknowledged = await asyncio.wait_for(self.received.get(), timeout=3)
        assert acknowledged["envelope_id"] == envelope["envelope_id"], acknowledged
        return acknowledged


def _slash_command(text: str, *, user: str, response_url: str, trigger_id: str) -> dict[str, Any]:
    return {
        "envelope_id": "0d6e5a4c-socket-command",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy-unused",
            "team_id": TEAM,
            "team_domain": "board",
            "channel_id": CHANNEL,
            "channel_name": "reviews",
            "user_id": user,
            "user_name": "someone",
            "command": COMMAND,
            "text": text,
            "api_app_id": "A0TEST",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        },
    }


def _event(event: dict[str, Any], *, event_id: str) -> dict[str, Any]:
    return {
        "envelope_id": f"envelope-{event_id}",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": event_callback(event, event_id=event_id),
    }


def _dm(text: str, *, user: str, **more: Any) -> dict[str, Any]:
    """A ``message.im`` event: ``user`` typed ``text`` in their direct messages with the app."""
    ts = f"{time.time():.6f}"
    event = {"type": "message", "channel": f"D{user}", "channel_type": "im", "text": text, "ts": ts}
    return {**event, "event_ts": ts, "user": user, **more}


def test_socket_mode_acknowledges_on_the_socket_and_answers_through_the_web_api(
    slack: SlackDriver, people, standin: SlackStandIn, service_url: str
):
    """``scr bot --socket``'s own entry point: it asks apps.connections.open (with the app-level token)
    where to connect, takes a slash command and a message over the websocket, acknowledges each there by
    its envelope id, then reaches the service over HTTP and answers through the Web API."""
    end = SocketEnd()
    triggers: list[str] = []  # minted as the command is sent: a trigger lasts 3 s

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        standin.socket_url = await end.start()
        bot = asyncio.create_task(
            serve_socket_mode(
                settings=BotSettings(
                    bot_token=SecretStr("xoxb-test-token"),
                    signing_secret=SecretStr(""),  # Socket Mode: nothing is signed
                    api_url=standin.api_url,
                ),
                app_token=SecretStr("xapp-1-A0TEST-test"),
                service_url=service_url,
                api_token=SecretStr(BOT_API_TOKEN),
                reminder_interval=0,
            )
        )
        try:
            await asyncio.wait_for(end.connected.wait(), timeout=10)
            triggers.append(standin.mint_trigger())
            command = await end.send(
                _slash_command(
                    "check",
                    user=people.chair,
                    response_url=standin.response_url("socket"),
                    trigger_id=triggers[0],
                )
            )
            await asyncio.to_thread(standin.wait_for, "views.open")
            message = await end.send(_event(_dm("hello?", user=people.chair), event_id="Ev0SOCKET"))
            await asyncio.to_thread(standin.wait_for, "chat.postMessage")
            return command, message
        finally:
            bot.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bot
            await end.stop()

    command_ack, message_ack = asyncio.run(scenario())

    [connect] = standin.calls_to("apps.connections.open")
    assert connect.headers["Authorization"] == "Bearer xapp-1-A0TEST-test"  # the app-level token, not xoxb
    assert command_ack == {"envelope_id": "0d6e5a4c-socket-command"}  # /scr check answers with its modal
    assert message_ack == {"envelope_id": "envelope-Ev0SOCKET"}
    [opened] = standin.calls_to("views.open")
    assert opened.headers["Authorization"] == "Bearer xoxb-test-token"
    assert opened.body["trigger_id"] == triggers[0]
    assert opened.json_field("view")["callback_id"] == check_form.CALLBACK_ID
    [reply] = standin.calls_to("chat.postMessage")
    assert (reply.body["channel"], reply.body["text"]) == (f"D{people.chair}", REPLY)


# Messages to the app -------------------------------------------------------------------------------


def test_a_message_typed_to_the_app_is_answered_with_where_the_commands_are(
    slack: SlackDriver, people, standin: SlackStandIn
):
    assert slack.event(_dm("how do I record a case?", user=people.chair), event_id="EvDM1").status_code == 200
    [reply] = standin.wait_for("chat.postMessage")
    assert reply.body["channel"] == f"D{people.chair}"
    assert "`/scr help`" in reply.body["text"]

    in_thread = _dm("and this?", user=people.stranger, thread_ts="1700000000.000100")
    slack.event(in_thread, event_id="EvDM2")
    [_, threaded] = standin.wait_for("chat.postMessage", 2)
    assert threaded.body["channel"] == f"D{people.stranger}"
    assert threaded.body["thread_ts"] == "1700000000.000100"


@pytest.mark.parametrize(
    "event",
    [
        _dm(REPLY, user=BOT_USER, bot_id="B0TEST", app_id="A0TEST"),  # its own reply, as Slack delivers it
        _dm("Posted", user=BOT_USER, bot_id="B0OTHER", subtype="bot_message"),
        _dm("edited", user="U0CHAIR", subtype="message_changed"),
        _dm("", user="U0CHAIR", subtype="message_deleted"),
        {**_dm("in a channel", user="U0CHAIR"), "channel": "C0REVIEWS", "channel_type": "channel"},
    ],
    ids=["its-own-reply", "a-bot-message", "an-edit", "a-deletion", "a-channel-message"],
)
def test_the_app_answers_no_bot_no_edit_and_nothing_outside_its_direct_messages(
    event: dict[str, Any], slack: SlackDriver, people, standin: SlackStandIn
):
    response = slack.event(event, event_id="EvIGNORED")  # each test starts with no event claimed
    assert response.status_code == 200  # acknowledged, so Slack does not deliver it again
    standin.settle(0.3)
    assert standin.calls_to("chat.postMessage") == []


# The manifest --------------------------------------------------------------------------------------

# The bot token scopes each Web API method needs, from Slack's method reference (docs.slack.dev,
# "Required scopes"). conversations.open takes any of channels:manage, groups:write, im:write or
# mpim:write; opening a direct message needs im:write. views.* and auth.test need none.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "conversations.open": frozenset({"im:write"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "views.open": frozenset(),
    "views.push": frozenset(),
    "views.update": frozenset(),
    "views.publish": frozenset(),
}
# The scope each event subscription needs, from Slack's event reference ("Required scopes").
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "message.im": frozenset({"im:history"}),
}
# Bolt's own call, made for every app with a bot token (to learn the bot's user id).
BOLT_METHODS = frozenset({"auth.test"})
CLIENT_METHODS = frozenset(
    name
    for name, member in inspect.getmembers(AsyncWebClient, inspect.iscoroutinefunction)
    if not name.startswith("_") and not hasattr(AsyncBaseClient, name)
)


@cache
def _api_methods(client_method: str) -> frozenset[str]:
    """The Web API methods one ``AsyncWebClient`` method calls, read from the SDK's source (a helper such
    as files_upload_v2 calls others)."""
    source = inspect.getsource(getattr(AsyncWebClient, client_method))
    found = set(re.findall(r'api_call\(\s*"([\w.]+)"', source))
    for nested in set(re.findall(r"self\.(\w+)\(", source)) & CLIENT_METHODS - {client_method}:
        found |= _api_methods(nested)
    return frozenset(found)


def _bot_sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text()) for path in sorted((ROOT / "bot").rglob("*.py"))}


def _client_calls() -> dict[str, set[str]]:
    """Every Web API client method the bot's code calls (``x.chat_postMessage(...)``), with where."""
    found: dict[str, set[str]] = {}
    for path, tree in _bot_sources().items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLIENT_METHODS
            ):
                found.setdefault(node.func.attr, set()).add(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _events_listened() -> set[str]:
    """The event types the bot registers listeners for (``app.event("type")`` or ``{"type": ...}``)."""
    found = set()
    for tree in _bot_sources().values():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "event"
                and node.args
            ):
                first = ast.literal_eval(node.args[0])
                found.add(first["type"] if isinstance(first, dict) else first)
    return found


def test_the_scan_finds_the_calls_the_bot_is_known_to_make():
    """The scan itself: it must see the calls every feature depends on, or the next test proves nothing."""
    calls = _client_calls()
    known = {"chat_postMessage", "chat_update", "conversations_open", "views_open", "views_publish"}
    assert known <= set(calls)
    assert _api_methods("files_upload_v2") == {"files.getUploadURLExternal", "files.completeUploadExternal"}
    assert _events_listened() == {"app_home_opened", "message"}


def test_the_manifest_asks_for_exactly_the_scopes_the_code_and_its_events_need():
    manifest = yaml.safe_load(MANIFEST.read_text())
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    methods = {api for name in _client_calls() for api in _api_methods(name)} | BOLT_METHODS
    unknown = sorted(methods - set(METHOD_SCOPES))
    assert unknown == [], f"add {unknown} to METHOD_SCOPES, with the scopes Slack's method reference names"
    unlisted = sorted(set(subscribed) - set(EVENT_SCOPES))
    assert unlisted == [], f"add {unlisted} to EVENT_SCOPES, with the scopes Slack's event reference names"

    needed = {scope for method in methods for scope in METHOD_SCOPES[method]}
    needed |= {scope for event in subscribed for scope in EVENT_SCOPES[event]}
    if manifest["features"]["slash_commands"]:
        needed.add("commands")
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(needed)


def test_the_manifest_subscribes_to_the_events_the_bot_listens_for_and_no_others():
    manifest = yaml.safe_load(MANIFEST.read_text())
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {event.split(".")[0] for event in subscribed} == _events_listened()
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False  # people write to it


def test_adding_the_app_to_a_workspace_asks_for_the_manifests_scopes_and_returns_to_its_redirect_url():
    """The install flow ("Add to Slack") asks for exactly the bot scopes the manifest lists, and Slack
    sends the browser back to the redirect URL the manifest gives, on the site its requests go to."""
    from bot.settings import BOT_SCOPES
    from service.slack_workspaces import REDIRECT_PATH

    manifest = yaml.safe_load(MANIFEST.read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    events = manifest["settings"]["event_subscriptions"]["request_url"]
    assert redirect == events.removesuffix("/slack/events") + REDIRECT_PATH
