"""Slack's rules: signatures, fast acknowledgement, retries, rate limits, and clear refusals."""

import asyncio
import json
import time
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr
from slack_rig import CHANNEL, SECRET, SlackDriver
from slack_standin import SlackStandIn
from sqlmodel import Session, select

from bot.app import build_app
from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.views import errors


def _ephemeral_replies(standin: SlackStandIn) -> list[dict]:
    return [call.body for call in standin.calls_to("response_url")]


def test_help_lists_every_command_in_the_acknowledgement_itself(slack: SlackDriver, people):
    response = slack.command("help", user=people.stranger)
    assert response.status_code == 200
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    for usage in ("/scr check", "/scr case REF", "/scr shortlist REF", "/scr terms REF", "/scr help"):
        assert usage in reply["text"]


def test_scr_alone_answers_with_help(slack: SlackDriver, people):
    assert "/scr shortlist REF" in slack.command("", user=people.chair).json()["text"]


def test_an_unknown_subcommand_is_named_and_answered_with_the_commands(slack: SlackDriver, people):
    reply = slack.command("frobnicate now", user=people.chair).json()
    assert reply["response_type"] == "ephemeral"
    assert "I don't know `/scr frobnicate`" in reply["text"]
    assert "/scr check" in reply["text"]


def test_a_request_with_a_bad_signature_is_refused_with_401_and_does_nothing(
    slack: SlackDriver, people, standin
):
    response = slack.command("check", user=people.chair, secret="not-the-secret")
    assert response.status_code == 401
    standin.settle(0.3)
    assert standin.calls == []


def test_a_request_signed_six_minutes_ago_is_refused_with_401(slack: SlackDriver, people, standin):
    response = slack.command("check", user=people.chair, timestamp=int(time.time()) - 6 * 60)
    assert response.status_code == 401
    standin.settle(0.3)
    assert standin.calls == []


def test_a_request_with_no_signature_is_refused_with_401(slack: SlackDriver, people):
    body = slack.command_body("help", user=people.chair)
    response = slack.http.post(
        slack.url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 401


def test_a_slack_user_linked_to_nobody_is_told_so_privately_and_nothing_opens(
    slack: SlackDriver, people, standin
):
    assert slack.command("check", user=people.stranger).status_code == 200
    [reply] = standin.wait_for("response_url")
    assert reply.body["response_type"] == "ephemeral"
    assert "is not linked" in reply.body["text"] and people.stranger in reply.body["text"]
    assert "admin pages (Users)" in reply.body["text"] and "scr user" not in reply.body["text"]
    assert standin.calls_to("views.open") == []


def test_an_unknown_case_reference_gets_a_clear_ephemeral_reply(slack: SlackDriver, people, standin):
    slack.command("shortlist NOPE-2026-999", user=people.commissioner)
    [reply] = standin.wait_for("response_url")
    assert reply.body["response_type"] == "ephemeral"
    assert "There is no case `NOPE-2026-999`" in reply.body["text"]


def test_a_command_missing_its_reference_explains_its_usage(slack: SlackDriver, people):
    reply = slack.command("terms", user=people.commissioner).json()
    assert reply["text"].startswith("Usage: `/scr terms REF`")


def test_the_same_event_delivered_again_with_a_retry_header_is_handled_once(
    slack: SlackDriver, people, standin, session: Session
):
    from service.slack_state import SlackClaim

    event = {"type": "app_home_opened", "user": people.admin, "channel": "D0ADMIN", "tab": "home"}
    assert slack.event(event, event_id="Ev0001").status_code == 200
    standin.wait_for("views.publish")
    assert slack.event(event, event_id="Ev0001", retry=1).status_code == 200
    standin.settle(0.5)
    assert len(standin.calls_to("views.publish")) == 1
    claims = session.exec(select(SlackClaim).where(SlackClaim.key == "event:Ev0001")).all()
    assert len(claims) == 1


def test_a_rate_limited_call_is_retried_after_retry_after(slack: SlackDriver, people, standin):
    standin.rate_limit("views.publish", times=1)
    started = time.monotonic()
    slack.event({"type": "app_home_opened", "user": people.chair, "tab": "home"}, event_id="Ev0002")
    calls = standin.wait_for("views.publish", 2, timeout=15)
    assert time.monotonic() - started >= 1.0  # waited the Retry-After second
    assert calls[0].body == calls[1].body


def test_socket_mode_runs_the_same_handlers_and_says_when_the_service_is_down(standin):
    """A Socket Mode request (no signature) reaches the same listeners; an unreachable service is reported."""
    from slack_bolt.request.async_request import AsyncBoltRequest

    async def scenario() -> None:
        dead = ServiceClient(httpx.AsyncClient(base_url="http://127.0.0.1:9"), token=SecretStr("unused"))
        app = build_app(
            client=dead,
            settings=BotSettings(
                bot_token=SecretStr("xoxb-x"), signing_secret=SecretStr(""), api_url=standin.api_url
            ),
        )
        body = (
            f"command=/scr&text=case+HACK-2026-001&user_id=U0SOCKET&channel_id={CHANNEL}&team_id=T0TEST"
            f"&trigger_id=1.t&response_url={standin.response_url('socket')}"
        )
        response = await app.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
        assert response.status == 200
        assert "Looking up HACK-2026-001" in response.body
        await asyncio.to_thread(standin.wait_for, "response_url")
        await dead.http.aclose()

    standin.reset()
    asyncio.run(scenario())
    [reply] = standin.calls_to("response_url")
    reference = reply.body["text"].rsplit("`", 2)[-2]
    assert reply.body["text"] == errors.service_down(reference)
    assert reply.body["response_type"] == "ephemeral"


def test_the_service_refuses_to_start_the_bot_without_its_api_token(database_url, monkeypatch):
    from service.app import create_app
    from service.settings import get_settings

    monkeypatch.setenv("SCR_SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SCR_SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SCR_BOT_API_TOKEN", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="SCR_BOT_API_TOKEN"):
            create_app()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_without_slack_settings_there_is_no_slack_endpoint(client):
    assert client.post("/slack/events", content=b"x").status_code in (404, 405)


def test_scr_bot_without_socket_explains_the_two_modes():
    from typer.testing import CliRunner

    from service.cli import app

    result = CliRunner().invoke(app, ["bot"])
    assert result.exit_code == 2
    assert "scr bot --socket" in result.output and "scr serve" in result.output


def test_json_and_form_bodies_are_both_parsed_by_the_stand_in(standin):
    """The stand-in records what it is sent; a sanity check of the rig itself."""
    standin.reset()
    bot = {"Authorization": "Bearer xoxb-test-token"}  # as the SDK sends it: Slack refuses a call without
    httpx.post(standin.api_url + "chat.postMessage", json={"channel": "C1", "text": "hi"}, headers=bot)
    httpx.post(standin.api_url + "conversations.open", data={"users": "U1"}, headers=bot)
    assert standin.calls_to("chat.postMessage")[0].body == {"channel": "C1", "text": "hi"}
    assert standin.calls_to("conversations.open")[0].answer["channel"]["id"] == "D1"
    assert parse_qs(standin.calls_to("conversations.open")[0].raw.decode()) == {"users": ["U1"]}
    assert json.loads(standin.calls_to("chat.postMessage")[0].raw) == {"channel": "C1", "text": "hi"}


def test_scr_bot_socket_refuses_to_start_without_its_tokens(monkeypatch):
    from typer.testing import CliRunner

    from service.cli import app
    from service.settings import get_settings

    for name in ("SCR_SLACK_BOT_TOKEN", "SCR_BOT_API_TOKEN", "SCR_SLACK_APP_TOKEN"):
        monkeypatch.setenv(name, "")
    get_settings.cache_clear()
    try:
        missing_both = CliRunner().invoke(app, ["bot", "--socket"])
        monkeypatch.setenv("SCR_SLACK_BOT_TOKEN", "xoxb-x")
        monkeypatch.setenv("SCR_BOT_API_TOKEN", "scr_x")
        get_settings.cache_clear()
        missing_app_token = CliRunner().invoke(app, ["bot", "--socket"])
    finally:
        get_settings.cache_clear()
    assert missing_both.exit_code == 2
    assert "SCR_SLACK_BOT_TOKEN and SCR_BOT_API_TOKEN" in missing_both.output
    assert missing_app_token.exit_code == 2 and "SCR_SLACK_APP_TOKEN" in missing_app_token.output
