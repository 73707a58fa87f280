"""No silent failures: when Slack refuses a call the bot makes, the person it was for is told privately in
plain words with a reference, and the log line with that reference names the method and Slack's error.

The stand-in refuses one call as Slack would (``fail``: ``ok: false``, or HTTP 400 for a ``response_url``
post or a file's upload step); each test follows one flow to the person told, and to the log.
"""

import asyncio
import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from factories import consultant
from slack_rig import (
    ADMIN_CHANNEL,
    REMINDER_CHANNEL,
    UNEXPECTED_DEATH,
    SlackDriver,
    add_agencies,
    hackney_case,
    modal_values,
    opened_view,
)
from slack_standin import Call, SlackStandIn
from sqlmodel import Session, func, select

from bot.slack_calls import CheckedRespond, CheckedWebClient, SlackRefused, refusal
from commissioning.models import Case, CaseDecision, Commission, DecisionKind
from core import clock
from registry.models import Interest
from service.slack_state import SlackClaim

TODAY = clock.today()
CONSULTANT = "U0CONSULTANT"
TOLD = "Slack would not let me"
REFERENCE = re.compile(r"reference:? `([0-9a-f]{16})`")
DEATH_2026 = next(
    e
    for e in json.loads((Path(__file__).parent / "data" / "check_examples.json").read_text())
    if e["id"] == "death-2026"
)


@pytest.fixture(autouse=True)
def _logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")


def _told(standin: SlackStandIn, method: str, *, timeout: float = 15.0) -> Call:
    """The first call to ``method`` telling someone that Slack refused something."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in standin.calls_to(method):
            if TOLD in str(call.body.get("text", "")):
                return call
        time.sleep(0.02)
    raise AssertionError(
        f"nobody was told through {method}; the bot called {[c.method for c in standin.calls]}"
    )


def _reference(text: str) -> str:
    [reference] = REFERENCE.findall(text)
    return reference


def _logged(caplog: pytest.LogCaptureFixture, *, method: str, error: str, reference: str) -> None:
    """The refusal's log line: Slack's method and error, and the reference the person was given."""
    lines = [record.getMessage() for record in caplog.records if record.name == "bot.slack"]
    expected = f"slack.refused method={method} error={error} reference={reference} "
    assert any(line.startswith(expected) for line in lines), lines


def _record(session: Session) -> str:
    """A case notified yesterday (the Panel must hear within five working days)."""
    add_agencies(session, "hackney-csc", "met-police")
    return hackney_case(session, notified_days_ago=1, **UNEXPECTED_DEATH)


# Each kind of call, refused -----------------------------------------------------------------------

VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "A form"}, "blocks": []}
HOME = {"type": "home", "blocks": []}
FILE = {"channel": "D0CHAIR", "content": "terms", "filename": "terms.txt"}
CALLS: dict[str, tuple[str, Any]] = {  # what is refused: (the method logged, the call with the stand-in)
    "views.open": ("views.open", lambda c, s: c.views_open(trigger_id=s.mint_trigger(), view=VIEW)),
    "views.update": ("views.update", lambda c, s: c.views_update(view_id="V1", view=VIEW)),
    "views.push": ("views.push", lambda c, s: c.views_push(trigger_id=s.mint_trigger(), view=VIEW)),
    "views.publish": ("views.publish", lambda c, s: c.views_publish(user_id="U0CHAIR", view=HOME)),
    "chat.postMessage": ("chat.postMessage", lambda c, s: c.chat_postMessage(channel="C1", text="Hello")),
    "chat.postEphemeral": (
        "chat.postEphemeral",
        lambda c, s: c.chat_postEphemeral(channel="C1", user="U0CHAIR", text="Hello"),
    ),
    "chat.update": ("chat.update", lambda c, s: c.chat_update(channel="C1", ts="1.000001", text="Hello")),
    "conversations.open": ("conversations.open", lambda c, s: c.conversations_open(users="U0CHAIR")),
    "files.getUploadURLExternal": ("files.getUploadURLExternal", lambda c, s: c.files_upload_v2(**FILE)),
    "upload": ("files.upload", lambda c, s: c.files_upload_v2(**FILE)),
    "files.completeUploadExternal": ("files.completeUploadExternal", lambda c, s: c.files_upload_v2(**FILE)),
}


@pytest.mark.parametrize("refused", sorted(CALLS))
def test_every_kind_of_web_api_call_slack_refuses_is_raised_and_logged_with_a_reference(
    standin: SlackStandIn, caplog: pytest.LogCaptureFixture, refused: str
):
    method, call = CALLS[refused]
    client = CheckedWebClient(token="xoxb-test", base_url=standin.api_url)
    standin.reset()
    assert asyncio.run(call(client, standin))["ok"] is True  # accepted, it answers as the SDK does
    standin.fail(refused, error="invalid_arguments")
    with pytest.raises(SlackRefused) as raised:
        asyncio.run(call(client, standin))
    assert (raised.value.method, raised.value.error) == (method, "invalid_arguments")
    assert raised.value.response["error"] == "invalid_arguments"  # as a SlackApiError, for the CLI
    _logged(caplog, method=method, error="invalid_arguments", reference=raised.value.reference)


def test_a_response_url_post_slack_refuses_is_raised_and_logged_with_a_reference(
    standin: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    respond = CheckedRespond(response_url=standin.response_url())
    standin.reset()
    assert asyncio.run(respond(text="Hello")).status_code == 200
    standin.fail("response_url", error="expired_url")
    with pytest.raises(SlackRefused) as raised:
        asyncio.run(respond(text="Hello"))
    assert (raised.value.method, raised.value.error) == ("response_url", "expired_url")
    _logged(caplog, method="response_url", error="expired_url", reference=raised.value.reference)


def test_the_log_keeps_slacks_reasons_but_not_the_values_they_quote(caplog: pytest.LogCaptureFixture):
    reasons = ["[ERROR] must be less than 151 characters 'Jane Doe, born 1 May' [json-pointer:/view/title]"]
    made = refusal("views.open", "invalid_arguments", reasons=reasons)
    [line] = [r.getMessage() for r in caplog.records if f"reference={made.reference}" in r.getMessage()]
    assert "must be less than 151 characters" in line and "/view/title" in line
    assert "Jane" not in line


# The person told -----------------------------------------------------------------------------------


def test_a_form_slack_will_not_open_is_told_where_the_command_was_typed(
    slack: SlackDriver, standin, people, caplog
):
    standin.fail("views.open", error="invalid_arguments")
    slack.command("check", user=people.chair)
    told = _told(standin, "response_url")
    assert told.body["response_type"] == "ephemeral"
    assert told.body["text"].startswith(":warning: Slack would not let me open the form. Try again")
    _logged(caplog, method="views.open", error="invalid_arguments", reference=_reference(told.body["text"]))


@pytest.mark.parametrize(
    ("command", "refused", "error", "step"),
    [
        ("case", "chat.postMessage", "invalid_blocks", "send you the case in a direct message"),
        ("shortlist", "conversations.open", "user_disabled", "send you the shortlist in a direct message"),
    ],
)
def test_a_direct_message_slack_refuses_is_told_where_the_command_was_typed(
    slack: SlackDriver, standin, people, session: Session, caplog, command, refused, error, step
):
    ref = _record(session)
    standin.fail(refused, error=error)
    slack.command(f"{command} {ref}", user=people.commissioner)
    told = _told(standin, "response_url")
    assert told.body["response_type"] == "ephemeral"
    assert told.body["text"].startswith(f":warning: {TOLD} {step}.")
    _logged(caplog, method=refused, error=error, reference=_reference(told.body["text"]))


def test_a_reply_slack_refuses_at_the_response_url_is_followed_by_a_plain_one_saying_so(
    slack: SlackDriver, standin, people, session: Session, caplog
):
    consultant(session, "Ada Reviewer")
    standin.fail("response_url", error="invalid_blocks")
    slack.command("consultant Ada", user=people.commissioner)
    refused, told = standin.wait_for("response_url", 2)
    assert refused.body.get("blocks") and refused.answer["error"] == "invalid_blocks"
    assert told.body["text"].startswith(f":warning: {TOLD} show you what I found.")
    assert "blocks" not in told.body and told.body["response_type"] == "ephemeral"
    _logged(caplog, method="response_url", error="invalid_blocks", reference=_reference(told.body["text"]))


def test_a_home_tab_slack_refuses_is_told_in_a_direct_message(slack: SlackDriver, standin, people, caplog):
    standin.fail("views.publish", error="invalid_blocks")
    slack.event({"type": "app_home_opened", "user": people.chair, "tab": "home"}, event_id="EvRefused1")
    told = _told(standin, "chat.postMessage")
    [opened] = standin.calls_to("conversations.open")
    assert opened.body["users"] == people.chair and told.body["channel"] == opened.answer["channel"]["id"]
    assert f"{TOLD} show your Home tab." in told.body["text"]
    _logged(caplog, method="views.publish", error="invalid_blocks", reference=_reference(told.body["text"]))


def test_when_slack_refuses_the_direct_message_too_the_log_says_nobody_was_told(
    slack: SlackDriver, standin, people, caplog
):
    standin.fail("views.publish", error="invalid_blocks")
    standin.fail("conversations.open", error="user_disabled")
    slack.event({"type": "app_home_opened", "user": people.chair, "tab": "home"}, event_id="EvRefused2")
    standin.wait_for("conversations.open")
    standin.settle(0.3)
    assert standin.calls_to("chat.postMessage") == []
    lines = [record.getMessage() for record in caplog.records]
    [published] = [line for line in lines if line.startswith("slack.refused method=views.publish ")]
    reference = published.split("reference=")[1].split()[0]
    assert f"slack.untold reference={reference} user={people.chair}" in lines


# A failure after something was done: the person learns what was done ---------------------------------


def test_a_decision_recorded_but_not_shown_is_told_as_recorded(
    slack: SlackDriver, standin, people, session: Session, caplog
):
    ref = _record(session)
    slack.command(f"case {ref}", user=people.chair)
    [posted] = standin.wait_for("chat.postMessage")
    standin.fail("chat.update", error="message_not_found")
    slack.press(posted, "case.accept", user=people.chair)
    told = _told(standin, "response_url")
    assert told.body["text"].startswith(
        f":warning: Your decision is recorded, but {TOLD} update the case message. If you need help"
    )
    _logged(caplog, method="chat.update", error="message_not_found", reference=_reference(told.body["text"]))
    session.expire_all()
    [decision] = session.exec(select(CaseDecision).where(CaseDecision.kind == DecisionKind.board)).all()
    assert decision.accepted is True


def test_a_case_recorded_from_a_check_but_not_shown_is_told_with_its_reference(
    slack: SlackDriver, standin, people, session: Session
):
    slack.command("check", user=people.chair)
    [opened] = standin.wait_for("views.open")
    features = {**DEATH_2026["features"], "area": "hackney"}
    slack.submit(opened, modal_values(opened_view(opened), features), user=people.chair)
    [answer] = standin.wait_for("chat.postMessage")
    standin.fail("chat.update", error="cant_update_message")
    slack.press(answer, "check.record", user=people.chair)
    told = _told(standin, "response_url")
    ref = session.exec(select(Case.ref)).one()
    assert told.body["text"].startswith(f":warning: Recorded as case {ref}, but {TOLD} show the reference")


def test_a_consultant_slack_will_not_ask_leaves_a_commission_the_commissioner_is_told_about(
    slack: SlackDriver, standin, people, session: Session, caplog
):
    ref = _record(session)
    consultant(session, "Ada Reviewer", slack_user_id=CONSULTANT)
    slack.command(f"shortlist {ref}", user=people.commissioner)
    [shortlist] = standin.wait_for("chat.postMessage")
    standin.fail("conversations.open", error="user_not_found")
    slack.press(shortlist, "shortlist.commission", user=people.commissioner)
    confirmation = _told(standin, "chat.postMessage")
    assert confirmation.body["channel"] == shortlist.body["channel"]  # the commissioner's own DM
    text = confirmation.body["text"]
    assert "Commissioned *Ada Reviewer*" in text
    assert "they have not been asked to declare any conflict: ask them by email" in text
    _logged(caplog, method="conversations.open", error="user_not_found", reference=_reference(text))
    assert session.exec(select(func.count()).select_from(Commission)).one() == 1
    assert [c.body["users"] for c in standin.calls_to("conversations.open")][-1] == CONSULTANT


@pytest.mark.parametrize(
    ("refused", "method"),
    [
        ("files.getUploadURLExternal", "files.getUploadURLExternal"),
        ("upload", "files.upload"),
        ("files.completeUploadExternal", "files.completeUploadExternal"),
    ],
)
def test_terms_made_but_not_uploaded_are_told_as_ready_with_where_to_get_them(
    slack: SlackDriver, standin, people, session: Session, caplog, refused, method
):
    ref = _record(session)
    standin.fail(refused, error="internal_error")
    slack.command(f"terms {ref}", user=people.commissioner)
    told = _told(standin, "response_url", timeout=30)
    assert told.body["text"].startswith(
        f":warning: The terms of reference for case {ref} are ready (version 1), but {TOLD} send you the "
        "files. You can download them from the case's page"
    )
    _logged(caplog, method=method, error="internal_error", reference=_reference(told.body["text"]))


def test_a_declaration_the_admins_could_not_be_shown_is_told_to_the_consultant_by_direct_message(
    slack: SlackDriver, standin, people, session: Session, caplog
):
    add_agencies(session, "hackney-csc")
    consultant(session, "Ada Able", slack_user_id=CONSULTANT)
    slack.command("me", user=CONSULTANT)
    [record] = standin.wait_for("response_url")
    slack.press(record, "me.declare_interest", user=CONSULTANT)
    [opened] = standin.wait_for("views.open")
    [offered] = slack.suggest(opened, "me.agency", user=CONSULTANT, query="hackney").json()["options"]
    values = {
        "me.agency": {"me.agency": {"type": "external_select", "selected_option": offered}},
        "me.text": {"value": {"type": "plain_text_input", "value": "I trained their staff last year"}},
    }
    standin.fail("chat.postMessage", error="not_in_channel")
    assert slack.submit(opened, values, user=CONSULTANT).json()["response_action"] == "update"
    told = _told(standin, "chat.postMessage")
    assert told.body["channel"] == "D0CONSULTANT"
    assert told.body["text"].startswith(
        f":warning: Your declaration is recorded, but {TOLD} pass it to the admins to confirm. Please tell "
        "your admin about it yourself."
    )
    _logged(
        caplog, method="chat.postMessage", error="not_in_channel", reference=_reference(told.body["text"])
    )
    assert session.exec(select(func.count()).select_from(Interest)).one() == 1
    assert [c.answer["ok"] for c in _admin_notes(standin)] == [False]  # the notice Slack refused


# Jobs: the admins' channel is told, once a day ---------------------------------------------------------


def _admin_notes(standin: SlackStandIn) -> list[Call]:
    return [c for c in standin.calls_to("chat.postMessage") if c.body["channel"] == ADMIN_CHANNEL]


def test_reminders_slack_refuses_are_told_to_the_admins_once_a_day_and_posted_on_the_next_run(
    slack: SlackDriver, standin, people, session: Session, caplog, remind
):
    _record(session)
    standin.fail("chat.postMessage", error="not_in_channel")
    printed = remind(expect=1)
    reference = printed.split("Reference: ")[1].split(".")[0]
    assert "Slack refused a reminder (not_in_channel)" in printed
    [note] = _admin_notes(standin)
    assert note.body["text"].startswith(
        f":warning: {TOLD} post the deadline reminders in <#{REMINDER_CHANNEL}>."
    )
    assert _reference(note.body["text"]) == reference
    _logged(caplog, method="chat.postMessage", error="not_in_channel", reference=reference)

    standin.fail("chat.postMessage", error="not_in_channel")
    remind(expect=1)
    assert len(_admin_notes(standin)) == 1  # told once today, however often the job runs
    assert "Posted 3 reminder(s)" in remind()
    session.expire_all()
    kinds = session.exec(select(SlackClaim.kind, func.count()).group_by(SlackClaim.kind)).all()
    assert dict(kinds) == {"reminder": 3, "job_refusal": 1}


def test_a_digest_slack_refuses_is_told_to_the_admins_and_posted_on_the_next_run(
    slack: SlackDriver, standin, people, session: Session, cron, monkeypatch
):
    monkeypatch.setenv("SCR_SLACK_ADMIN_CHANNEL", ADMIN_CHANNEL)
    consultant(session, "Hal Uninsured", insurance_expiry=None)
    standin.fail("chat.postMessage", error="invalid_blocks")
    printed = cron("digest", expect=1)
    [refused, note] = _admin_notes(standin)
    assert refused.answer["error"] == "invalid_blocks"
    assert note.body["text"].startswith(
        f":warning: {TOLD} post this week's expiry digest in <#{ADMIN_CHANNEL}>."
    )
    assert f"Reference: {_reference(note.body['text'])}." in printed
    assert "Posted 1 digest item(s)." in cron("digest")
