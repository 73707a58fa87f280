"""What an outsider can make the Slack endpoint do (nothing, unless Slack signed the request), and what
the bot's actions leave behind: one Slack account per person, and an audit trail saying it came by Slack.

Every unsigned request here names a ``response_url`` on the stand-in, as an attacker would name their own
server, so any outbound call the service made for it would be recorded there.
"""

import asyncio
import time

import httpx
import pytest
from factories import consultant
from pydantic import SecretStr
from slack_rig import SECRET, SlackDriver, opened_view
from slack_standin import TEAM, SlackStandIn, sign
from sqlmodel import Session, select

from core.audit import AuditEvent
from core.errors import Conflict
from registry.consultants import update_consultant
from registry.models import ConsultantUpdate

FORM = "application/x-www-form-urlencoded"


def _refused_without_a_call(response: httpx.Response, standin: SlackStandIn) -> None:
    assert response.status_code == 401, response.text
    standin.settle(0.3)
    assert standin.calls == [], [call.path for call in standin.calls]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}, id="word-timestamp"
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"}, id="float-timestamp"
        ),
        pytest.param({"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=00"}, id="negative"),
        pytest.param({"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=00"}, id="huge"),
        pytest.param({"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=00"}, id="empty-timestamp"),
        pytest.param({"X-Slack-Signature": "v0=00"}, id="no-timestamp"),
        pytest.param({"X-Slack-Request-Timestamp": str(int(time.time()))}, id="no-signature"),
        pytest.param({}, id="no-headers"),
    ],
)
def test_a_request_with_an_unreadable_signature_gets_401_and_no_call_to_its_response_url(
    slack: SlackDriver, people, standin, headers
):
    body = slack.command_body("case HAC-2026-0001", user=people.chair)
    response = slack.http.post(slack.url, content=body, headers={"Content-Type": FORM, **headers})
    _refused_without_a_call(response, standin)


def test_a_signature_that_is_not_ascii_gets_401_and_no_call(slack: SlackDriver, people, standin):
    body = slack.command_body("check", user=people.chair)
    headers = {**sign(body, secret=SECRET), "X-Slack-Signature": "v0=é".encode("latin-1")}
    response = slack.http.post(slack.url, content=body, headers={"Content-Type": FORM, **headers})
    _refused_without_a_call(response, standin)


def test_a_request_signed_with_another_secret_or_too_long_ago_gets_401_and_no_call(
    slack: SlackDriver, people, standin
):
    _refused_without_a_call(slack.command("check", user=people.chair, secret="guessed"), standin)
    stale = slack.command("check", user=people.chair, timestamp=int(time.time()) - 301)
    _refused_without_a_call(stale, standin)
    early = slack.command("check", user=people.chair, timestamp=int(time.time()) + 301)
    _refused_without_a_call(early, standin)


def test_a_signed_body_changed_on_the_way_gets_401_and_no_call(slack: SlackDriver, people, standin):
    body = slack.command_body("help", user=people.chair)
    headers = sign(body, secret=SECRET)
    tampered = body.replace("text=help", "text=case+HAC-2026-0001")
    response = slack.http.post(slack.url, content=tampered, headers={"Content-Type": FORM, **headers})
    _refused_without_a_call(response, standin)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"payload=%7Bnot+json&response_url=http%3A%2F%2Fx", FORM, id="form-payload"),
        pytest.param(b'{"response_url": ', "application/json", id="json"),
        pytest.param(b"\xff\xfe response_url", FORM, id="not-utf8"),
    ],
)
def test_an_unsigned_malformed_body_gets_401_and_no_call(
    slack: SlackDriver, people, standin, body, content_type
):
    headers = {"X-Slack-Request-Timestamp": "x", "X-Slack-Signature": "v0=00", "Content-Type": content_type}
    _refused_without_a_call(slack.http.post(slack.url, content=body, headers=headers), standin)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param("payload=%7Bnot+json", FORM, id="form-payload"),
        pytest.param('{"type": ', "application/json", id="json"),
        pytest.param("[1, 2]", "application/json", id="json-list"),
    ],
)
def test_a_signed_body_bolt_cannot_read_gets_400_and_no_call(
    slack: SlackDriver, people, standin, body, content_type
):
    response = slack.send(body, content_type=content_type)
    assert response.status_code == 400
    standin.settle(0.3)
    assert standin.calls == []


def test_a_signed_request_still_gets_its_answer(slack: SlackDriver, people, standin):
    assert slack.command("help", user=people.chair).status_code == 200


def test_bolt_itself_reports_a_failure_only_to_a_request_known_to_come_from_slack(standin):
    """Behind the route's own check, the bot's error handler still answers no request that was not
    signed: given one straight, bolt's verification fails and nothing is posted to its response_url."""
    from slack_bolt.request.async_request import AsyncBoltRequest

    from bot.app import build_app
    from bot.service_client import ServiceClient
    from bot.settings import BotSettings

    async def scenario() -> int:
        service = ServiceClient(httpx.AsyncClient(base_url="http://127.0.0.1:9"), token=SecretStr("unused"))
        app = build_app(
            client=service,
            settings=BotSettings(
                bot_token=SecretStr("xoxb-x"), signing_secret=SecretStr(SECRET), api_url=standin.api_url
            ),
        )
        body = f"command=/scr&text=help&user_id=U0X&response_url={standin.response_url('outsider')}"
        headers = {"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=00"}
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        await service.http.aclose()
        return response.status

    standin.reset()
    assert asyncio.run(scenario()) >= 400
    standin.settle(0.3)
    assert standin.calls == []


ADA, BEA = "U0ADA", "U0BEA"


def test_a_second_consultant_cannot_take_a_slack_id_so_the_first_keeps_scr_me(
    slack: SlackDriver, people, standin, session: Session
):
    consultant(session, "Ada Able", slack_user_id=ADA)
    bea = consultant(session, "Bea Busy")
    with pytest.raises(Conflict, match="U0ADA already belongs to the consultant Ada Able"):
        update_consultant(
            session=session, consultant_id=bea, data=ConsultantUpdate(slack_user_id=ADA), actor="test"
        )
    with pytest.raises(
        Conflict, match=r"U0ADMIN already belongs to the board user admin@board\.example\.org"
    ):
        update_consultant(
            session=session,
            consultant_id=bea,
            data=ConsultantUpdate(slack_user_id=people.admin),
            actor="test",
        )

    assert slack.command("me", user=ADA).status_code == 200
    [reply] = standin.wait_for("response_url")
    assert "Ada Able" in str(reply.body) and "more than one" not in str(reply.body)


def test_a_change_a_consultant_makes_in_slack_is_audited_as_relayed_for_their_slack_id(
    slack: SlackDriver, people, standin, session: Session
):
    consultant(session, "Ada Able", slack_user_id=ADA)
    assert slack.command("me", user=ADA).status_code == 200
    [reply] = standin.wait_for("response_url")
    slack.press(reply, "me.availability", user=ADA)
    [opened] = standin.wait_for("views.open")
    block = next(b for b in opened_view(opened)["blocks"] if b.get("block_id") == "me.capacity")
    three = next(o for o in block["element"]["options"] if o["value"] == "3")
    values = {"me.capacity": {"value": {"type": "static_select", "selected_option": three}}}
    assert slack.submit(opened, values, user=ADA).json()["response_action"] == "update"

    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.availability")).all()
    assert event.actor == "ada.able@reviews.example.org"
    assert event.after["relayed"] == {"via": "slack", "slack_user_id": ADA, "slack_team_id": TEAM}
