"""The Slack stand-in refuses what Slack refuses: for each class of Slack's rules, a payload just inside the
limit is accepted and one just past it is refused, with Slack's error and a reason that points at the
field. So the checks every Slack test gets for free cannot silently pass."""

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import blockkit_limits as limits
import httpx
import pytest
from blockkit_rules import check_ack, check_call
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_standin import SlackStandIn

Body = dict[str, Any]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def option(text: str = "One", value: str = "1") -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def button(text: str = "Go", action_id: str = "go", **more: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": "v", **more}


def section(text: str = "Hello") -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def text_input(**element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "in",
        "label": plain("Reason"),
        "element": {"type": "plain_text_input", "action_id": "value", **element},
    }


def message(*blocks: dict[str, Any], text: str | None = "Fallback") -> Body:
    body: Body = {"channel": "C0TEST", "blocks": list(blocks)}
    if text is not None:
        body["text"] = text
    return body


def modal(*blocks: dict[str, Any], **fields: Any) -> Body:
    view = {"type": "modal", "title": plain("A modal"), "callback_id": "cb", "blocks": list(blocks)}
    if any(block["type"] == "input" for block in blocks):
        view["submit"] = plain("Save")
    return {"trigger_id": "1.2.trigger", "view": {**view, **fields}}


def home(*blocks: dict[str, Any]) -> Body:
    return {"user_id": "U0TEST", "view": {"type": "home", "blocks": list(blocks)}}


def in_actions(*elements: dict[str, Any]) -> Body:
    return message({"type": "actions", "elements": list(elements)})


def select(kind: str, options: int, **more: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "action_id": "pick",
        "options": [option(f"O{n}", str(n)) for n in range(options)],
        **more,
    }


def confirm(title: str = "Sure?", text: str = "Really.") -> dict[str, Any]:
    return {"title": plain(title), "text": mrkdwn(text), "confirm": plain("Yes"), "deny": plain("No")}


Case = tuple[str, Callable[[int], Body], int, str, str]
# (method, the payload for a size n, the largest n Slack accepts, Slack's error past it, where it points)
LIMITS: dict[str, Case] = {
    "message blocks": (
        "chat.postMessage",
        lambda n: message(*[{"type": "divider"}] * n),
        limits.MESSAGE_BLOCKS,
        "invalid_blocks",
        "no more than 50 items allowed [json-pointer:/blocks]",
    ),
    "modal blocks": (
        "views.open",
        lambda n: modal(*[{"type": "divider"}] * n),
        limits.SURFACE_BLOCKS,
        "invalid_arguments",
        "no more than 100 items allowed [json-pointer:/view/blocks]",
    ),
    "home tab blocks": (
        "views.publish",
        lambda n: home(*[{"type": "divider"}] * n),
        limits.SURFACE_BLOCKS,
        "invalid_arguments",
        "[json-pointer:/view/blocks]",
    ),
    "section text": (
        "chat.postMessage",
        lambda n: message(section("x" * n)),
        3000,
        "invalid_blocks",
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ),
    "section fields": (
        "chat.postMessage",
        lambda n: message({"type": "section", "fields": [mrkdwn("f")] * n}),
        10,
        "invalid_blocks",
        "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
    ),
    "section field text": (
        "chat.postMessage",
        lambda n: message({"type": "section", "fields": [mrkdwn("f" * n)]}),
        2000,
        "invalid_blocks",
        "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
    ),
    "header": (
        "chat.postMessage",
        lambda n: message({"type": "header", "text": plain("h" * n)}),
        150,
        "invalid_blocks",
        "[json-pointer:/blocks/0/text/text]",
    ),
    "context elements": (
        "chat.postMessage",
        lambda n: message({"type": "context", "elements": [mrkdwn("c")] * n}),
        10,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements]",
    ),
    "actions elements": (
        "chat.postMessage",
        lambda n: in_actions(*[button(action_id=f"b{i}") for i in range(n)]),
        25,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements]",
    ),
    "input label": (
        "views.open",
        lambda n: modal({**text_input(), "label": plain("l" * n)}),
        2000,
        "invalid_arguments",
        "[json-pointer:/view/blocks/0/label/text]",
    ),
    "input hint": (
        "views.open",
        lambda n: modal({**text_input(), "hint": plain("h" * n)}),
        2000,
        "invalid_arguments",
        "[json-pointer:/view/blocks/0/hint/text]",
    ),
    "input placeholder": (
        "views.open",
        lambda n: modal(text_input(placeholder=plain("p" * n))),
        150,
        "invalid_arguments",
        "[json-pointer:/view/blocks/0/element/placeholder/text]",
    ),
    "plain_text_input max_length": (
        "views.open",
        lambda n: modal(text_input(max_length=n)),
        3000,
        "invalid_arguments",
        "must be an integer from 1 to 3000 [json-pointer:/view/blocks/0/element/max_length]",
    ),
    "modal title": (
        "views.open",
        lambda n: modal(title=plain("t" * n)),
        24,
        "invalid_arguments",
        "must be less than 25 characters [json-pointer:/view/title/text]",
    ),
    "modal submit": (
        "views.open",
        lambda n: modal(text_input(), submit=plain("s" * n)),
        24,
        "invalid_arguments",
        "[json-pointer:/view/submit/text]",
    ),
    "modal close": (
        "views.open",
        lambda n: modal(close=plain("c" * n)),
        24,
        "invalid_arguments",
        "[json-pointer:/view/close/text]",
    ),
    "private_metadata": (
        "views.open",
        lambda n: modal(private_metadata="m" * n),
        3000,
        "invalid_arguments",
        "must be less than 3001 characters [json-pointer:/view/private_metadata]",
    ),
    "callback_id": (
        "views.open",
        lambda n: modal(callback_id="c" * n),
        255,
        "invalid_arguments",
        "[json-pointer:/view/callback_id]",
    ),
    "block_id": (
        "chat.postMessage",
        lambda n: message({**section(), "block_id": "b" * n}),
        255,
        "invalid_blocks",
        "[json-pointer:/blocks/0/block_id]",
    ),
    "action_id": (
        "chat.postMessage",
        lambda n: in_actions(button(action_id="a" * n)),
        255,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/action_id]",
    ),
    "button text": (
        "chat.postMessage",
        lambda n: in_actions(button("b" * n)),
        75,
        "invalid_blocks",
        "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
    ),
    "button value": (
        "chat.postMessage",
        lambda n: in_actions(button(value="v" * n)),
        2000,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/value]",
    ),
    "option text": (
        "chat.postMessage",
        lambda n: in_actions({"type": "static_select", "action_id": "s", "options": [option("o" * n)]}),
        75,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/options/0/text/text]",
    ),
    "option value": (
        "chat.postMessage",
        lambda n: in_actions({"type": "static_select", "action_id": "s", "options": [option(value="v" * n)]}),
        150,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/options/0/value]",
    ),
    "confirm title": (
        "chat.postMessage",
        lambda n: in_actions(button(confirm=confirm(title="t" * n))),
        100,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/confirm/title/text]",
    ),
    "confirm text": (
        "chat.postMessage",
        lambda n: in_actions(button(confirm=confirm(text="t" * n))),
        300,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/confirm/text/text]",
    ),
    "message text": (
        "chat.postMessage",
        lambda n: {"channel": "C0TEST", "text": "t" * n},
        40_000,
        "msg_too_long",
        "[json-pointer:/text]",
    ),
    "static_select options": (
        "chat.postMessage",
        lambda n: in_actions(select("static_select", n)),
        100,
        "invalid_blocks",
        "no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]",
    ),
    "overflow options": (
        "chat.postMessage",
        lambda n: in_actions(select("overflow", n)),
        5,
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/options]",
    ),
    "checkbox options": (
        "views.open",
        lambda n: modal({**text_input(), "element": select("checkboxes", n)}),
        10,
        "invalid_arguments",
        "[json-pointer:/view/blocks/0/element/options]",
    ),
    "radio button options": (
        "views.open",
        lambda n: modal({**text_input(), "element": select("radio_buttons", n)}),
        10,
        "invalid_arguments",
        "[json-pointer:/view/blocks/0/element/options]",
    ),
}


@pytest.mark.parametrize("case", LIMITS.values(), ids=LIMITS.keys())
def test_a_payload_at_the_limit_is_accepted_and_one_past_it_refused(case: Case) -> None:
    method, payload, most, error, where = case
    accepted = check_call(method, payload(most))
    assert accepted.ok, accepted.messages
    refused = check_call(method, payload(most + 1))
    assert refused.error == error
    assert any(where in reason and reason.startswith("[ERROR] ") for reason in refused.messages), (
        refused.messages
    )


RULES: dict[str, tuple[str, Body, Callable[[Body], None], str, str]] = {
    # (method, a good payload, what breaks it, Slack's error, a part of the reason)
    "action_id unique within a block": (
        "chat.postMessage",
        message(
            {"type": "actions", "elements": [button(action_id="a")]},
            {"type": "actions", "elements": [button(action_id="a")]},
        ),
        lambda body: body["blocks"][0]["elements"].append(button(action_id="a")),
        "invalid_blocks",
        "duplicate action_id 'a' within the block [json-pointer:/blocks/0/elements/1/action_id]",
    ),
    "block_id unique within a message": (
        "chat.postMessage",
        message({**section(), "block_id": "one"}, {**section(), "block_id": "two"}),
        lambda body: body["blocks"][1].update(block_id="one"),
        "invalid_blocks",
        "duplicate block_id 'one'",
    ),
    "block_id unique within a view": (
        "views.open",
        modal({**section(), "block_id": "one"}, {**text_input(), "block_id": "two"}),
        lambda body: body["view"]["blocks"][1].update(block_id="one"),
        "invalid_arguments",
        "duplicate block_id 'one'",
    ),
    "a message with blocks carries a top-level text (our own rule)": (
        "chat.update",
        {**message(section()), "ts": "1.1"},
        lambda body: body.update(text="  "),
        "invalid_arguments",
        "must carry a top-level text",
    ),
    "a response_url message with blocks carries a top-level text": (
        "response_url",
        {"blocks": [section()], "text": "Fallback", "response_type": "ephemeral"},
        lambda body: body.pop("text"),
        "invalid_arguments",
        "must carry a top-level text",
    ),
    "a message has text or blocks": (
        "chat.postEphemeral",
        {"channel": "C0TEST", "user": "U0TEST", "text": "Hello"},
        lambda body: body.pop("text"),
        "no_text",
        "needs text or blocks",
    ),
    "a header is plain_text": (
        "chat.postMessage",
        message({"type": "header", "text": plain("Title")}),
        lambda body: body["blocks"][0].update(text=mrkdwn("*Title*")),
        "invalid_blocks",
        'must be "plain_text" [json-pointer:/blocks/0/text/type]',
    ),
    "button text is plain_text": (
        "chat.postMessage",
        in_actions(button()),
        lambda body: body["blocks"][0]["elements"][0].update(text=mrkdwn("Go")),
        "invalid_blocks",
        'must be "plain_text" [json-pointer:/blocks/0/elements/0/text/type]',
    ),
    "a select's option text is plain_text": (
        "chat.postMessage",
        in_actions(select("static_select", 2)),
        lambda body: body["blocks"][0]["elements"][0]["options"][0].update(text=mrkdwn("*O*")),
        "invalid_blocks",
        "[json-pointer:/blocks/0/elements/0/options/0/text/type]",
    ),
    "a modal title is plain_text": (
        "views.open",
        modal(),
        lambda body: body["view"].update(title=mrkdwn("A modal")),
        "invalid_arguments",
        'must be "plain_text" [json-pointer:/view/title/type]',
    ),
    "a text object has at least one character": (
        "chat.postMessage",
        message(section()),
        lambda body: body["blocks"][0]["text"].update(text=""),
        "invalid_blocks",
        "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
    ),
    "mrkdwn takes no emoji flag": (
        "chat.postMessage",
        message(section()),
        lambda body: body["blocks"][0]["text"].update(emoji=True),
        "invalid_blocks",
        "unexpected field 'emoji'",
    ),
    "a section has text or fields": (
        "chat.postMessage",
        message(section()),
        lambda body: body["blocks"][0].pop("text"),
        "invalid_blocks",
        "must provide either text or fields [json-pointer:/blocks/0]",
    ),
    "an input block has a label": (
        "views.open",
        modal(text_input()),
        lambda body: body["view"]["blocks"][0].pop("label"),
        "invalid_arguments",
        "missing required field: label [json-pointer:/view/blocks/0]",
    ),
    "a modal with inputs has a submit button": (
        "views.open",
        modal(text_input()),
        lambda body: body["view"].pop("submit"),
        "invalid_arguments",
        "missing required field: submit",
    ),
    "a modal has a title": (
        "views.open",
        modal(),
        lambda body: body["view"].pop("title"),
        "invalid_arguments",
        "missing required field: title [json-pointer:/view]",
    ),
    "views.open opens a modal": (
        "views.open",
        modal(),
        lambda body: body["view"].update(type="dialog"),
        "invalid_arguments",
        "[json-pointer:/view/type]",
    ),
    "views.publish publishes a home tab": (
        "views.publish",
        home(section()),
        lambda body: body["view"].update(type="modal"),
        "invalid_arguments",
        "[json-pointer:/view/type]",
    ),
    "an initial option is one of the options": (
        "views.open",
        modal({**text_input(), "element": select("static_select", 3, initial_option=option("O1", "1"))}),
        lambda body: body["view"]["blocks"][0]["element"].update(initial_option=option("Other", "9")),
        "invalid_arguments",
        "must exactly match one of the options",
    ),
    "a block of a known type": (
        "chat.postMessage",
        message(section()),
        lambda body: body["blocks"].append({"type": "carousel"}),
        "invalid_blocks",
        "no block of type 'carousel'",
    ),
    "an element the block takes": (
        "chat.postMessage",
        in_actions(button()),
        lambda body: body["blocks"][0]["elements"].append({"type": "plain_text_input", "action_id": "t"}),
        "invalid_blocks",
        "'plain_text_input' is not allowed here",
    ),
}


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_a_payload_that_breaks_a_rule_is_refused(
    rule: tuple[str, Body, Callable[[Body], None], str, str],
) -> None:
    method, good, breaks, error, reason = rule
    accepted = check_call(method, good)
    assert accepted.ok, accepted.messages
    bad = copy.deepcopy(good)
    breaks(bad)
    refused = check_call(method, bad)
    assert refused.error == error
    assert any(reason in message for message in refused.messages), refused.messages


def test_message_text_over_four_thousand_characters_is_accepted_with_a_warning() -> None:
    assert check_call("chat.postMessage", {"channel": "C0TEST", "text": "t" * 4000}).warnings == []
    verdict = check_call("chat.postMessage", {"channel": "C0TEST", "text": "t" * 4001})
    assert verdict.ok and verdict.warnings == ["text of 4001 characters: Slack advises at most 4000"]


def test_what_the_app_acknowledges_with_is_checked_too() -> None:
    view = modal(text_input())["view"]
    assert check_ack(
        "view_submission", {"response_action": "errors", "errors": {"in": "Too short"}}, view=view
    ).ok
    refused = check_ack("view_submission", {"response_action": "errors", "errors": {"nope": "x"}}, view=view)
    assert refused.error == "invalid_arguments" and "no input block 'nope'" in refused.messages[0]
    updated = {"response_action": "update", "view": {**view, "title": plain("t" * 25)}}
    assert "[json-pointer:/view/title/text]" in check_ack("view_submission", updated).messages[0]
    options = [option(f"O{n}", str(n)) for n in range(101)]
    assert check_ack("block_suggestion", {"options": options[:100]}).ok
    assert check_ack("block_suggestion", {"options": options}).error == "invalid_arguments"
    assert check_ack("slash_command", {"blocks": [section()], "response_type": "ephemeral"}).error == (
        "invalid_arguments"
    )


# Through HTTP: the stand-in answers as Slack does, and keeps Slack's use limits --------------------------


@pytest.fixture
def web(standin: SlackStandIn) -> WebClient:
    standin.reset()
    return WebClient(token="xoxb-test-token", base_url=standin.api_url)


@pytest.mark.expect_refusals
def test_the_sdk_gets_slacks_refusal_with_its_reasons_and_the_refusal_is_kept(
    web: WebClient, standin: SlackStandIn
) -> None:
    web.chat_postMessage(channel="C0TEST", text="Fine", blocks=[section("x" * 3000)])
    with pytest.raises(SlackApiError) as raised:
        web.chat_postMessage(channel="C0TEST", text="Too long", blocks=[section("x" * 3001)])
    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    web.chat_postMessage(channel="C0TEST", text="t" * 4001)
    assert standin.calls_to("chat.postMessage")[-1].warnings
    refused, expected = standin.take_refusals()
    assert [call.refusal.error for call in refused if call.refusal] == ["invalid_blocks"] and not expected


@pytest.mark.expect_refusals
def test_a_trigger_id_opens_one_view_within_three_seconds(web: WebClient, standin: SlackStandIn) -> None:
    view = modal()["view"]
    fresh = standin.mint_trigger()
    assert web.views_open(trigger_id=fresh, view=view)["ok"]
    for trigger, error in (
        (fresh, "exchanged_trigger_id"),
        (standin.mint_trigger(age=limits.TRIGGER_SECONDS + 0.5), "expired_trigger_id"),
        ("99.never.issued", "invalid_trigger_id"),
    ):
        with pytest.raises(SlackApiError) as raised:
            web.views_open(trigger_id=trigger, view=view)
        assert raised.value.response["error"] == error


@pytest.mark.expect_refusals
def test_a_response_url_takes_five_valid_posts_within_thirty_minutes(standin: SlackStandIn) -> None:
    standin.reset()
    url = standin.response_url("limits")
    with httpx.Client() as http:
        bad = http.post(url, json={"blocks": [section("x" * 3001)], "text": "Too long"})
        assert bad.status_code == 400 and bad.text.startswith(
            "invalid_blocks\n[ERROR] must be less than 3001"
        )
        for _ in range(limits.RESPONSE_URL_POSTS - 1):
            assert http.post(url, json={"text": "ok"}).status_code == 200
        assert (http.post(url, json={"text": "once more"}).status_code, http.post(url, json={}).text) == (
            404,
            "used_url\n[ERROR] a response_url takes 5 posts",
        )
        old = standin.response_url("limits", age=limits.RESPONSE_URL_SECONDS + 1)
        assert http.post(old, json={"text": "late"}).text.startswith("expired_url")
    assert [call.refusal.error for call in standin.take_refusals()[0] if call.refusal] == [
        "invalid_blocks",
        "used_url",
        "used_url",
        "expired_url",
    ]


@pytest.mark.expect_refusals
def test_each_method_takes_only_its_kind_of_token(web: WebClient, standin: SlackStandIn) -> None:
    assert web.chat_postMessage(channel="C0TEST", text="A bot token")["ok"]
    for token, method, error in (
        (None, "chat.postMessage", "not_authed"),
        ("xapp-1-A0TEST-app", "chat.postMessage", "not_allowed_token_type"),
        ("xoxb-test-token", "apps.connections.open", "not_allowed_token_type"),
    ):
        with pytest.raises(SlackApiError) as raised:
            WebClient(token=token, base_url=standin.api_url).api_call(
                method, json={"channel": "C0TEST", "text": "x"}
            )
        assert raised.value.response["error"] == error
    assert WebClient(token="xapp-1-A0TEST-app", base_url=standin.api_url).apps_connections_open(
        app_token="xapp-1-A0TEST-app"
    )["ok"]


@pytest.mark.expect_refusals
def test_oauth_access_takes_the_apps_credentials_a_fresh_code_and_the_authorisations_redirect(
    standin: SlackStandIn,
) -> None:
    """``oauth.v2.access`` as strict as Slack: each refusal below, then the one exchange that works."""
    app_redirect = "https://scr.example.org/slack/oauth_redirect"
    standin.reset()
    standin.register_app("9.9", "secret", redirect_urls=(app_redirect, "https://other.example.org/back"))
    standin.installing("T0RULES", team_name="Rules", user_id="U0RULES")

    def code(redirect_uri: str | None = app_redirect) -> str:
        query = {"client_id": "9.9", "scope": "commands,chat:write", "state": "s1"}
        status, where = standin.authorize(
            {**query, **({"redirect_uri": redirect_uri} if redirect_uri else {})}
        )
        assert status == 302 and "state=s1" in where
        return parse_qs(urlsplit(where).query)["code"][0]

    assert standin.authorize({"client_id": "nope", "scope": "commands"}) == (400, "invalid_client_id")
    assert standin.authorize(
        {"client_id": "9.9", "scope": "commands", "redirect_uri": "https://evil.example.org/"}
    ) == (400, "bad_redirect_uri")

    oauth = WebClient(base_url=standin.api_url)

    def refused(**arguments: Any) -> str:
        with pytest.raises(SlackApiError) as raised:
            oauth.oauth_v2_access(**{"client_id": "9.9", "client_secret": "secret", **arguments})
        return str(raised.value.response["error"])

    assert refused(client_id="8.8", code=code()) == "invalid_client_id"
    assert refused(client_secret="guess", code=code()) == "bad_client_secret"
    assert refused(code="made-up", redirect_uri=app_redirect) == "invalid_code"
    assert refused(code=code(), redirect_uri="https://other.example.org/back") == "bad_redirect_uri"
    assert refused(code=code(), redirect_uri=None) == "bad_redirect_uri"  # the authorisation sent one
    stale = code()
    standin.age_codes(601)
    assert refused(code=stale, redirect_uri=app_redirect) == "invalid_code"

    fresh = code()
    granted = oauth.oauth_v2_access(
        client_id="9.9", client_secret="secret", code=fresh, redirect_uri=app_redirect
    )
    assert (granted["token_type"], granted["team"], granted["app_id"], granted["is_enterprise_install"]) == (
        "bot",
        {"name": "Rules", "id": "T0RULES"},
        "A0TEST",
        False,
    )
    assert granted["scope"] == "commands,chat:write" and granted["authed_user"] == {"id": "U0RULES"}
    assert standin.team_of(granted["access_token"]) == "T0RULES"
    assert (
        WebClient(token=granted["access_token"], base_url=standin.api_url).auth_test()["team_id"] == "T0RULES"
    )
    assert refused(code=fresh, redirect_uri=app_redirect) == "invalid_code"  # once only
    no_redirect = code(redirect_uri=None)  # Slack used the app's first redirect URL
    assert oauth.oauth_v2_access(client_id="9.9", client_secret="secret", code=no_redirect)["ok"]


@pytest.mark.parametrize(
    ("method", "body", "ok"),
    [
        ("files.getUploadURLExternal", {"filename": "briefing.pdf", "length": "2048"}, True),
        ("files.getUploadURLExternal", {"length": "2048"}, False),
        ("files.getUploadURLExternal", {"filename": "briefing.pdf", "length": "0"}, False),
        ("files.getUploadURLExternal", {"filename": "briefing.pdf"}, False),
        ("files.completeUploadExternal", {"files": '[{"id": "F1", "title": "briefing.pdf"}]'}, True),
        ("files.completeUploadExternal", {"files": "[]"}, False),
        ("files.completeUploadExternal", {"files": '[{"title": "no id"}]'}, False),
        ("files.completeUploadExternal", {"files": "not json"}, False),
    ],
)
def test_a_files_upload_v2_needs_what_slack_needs(method: str, body: dict[str, Any], ok: bool) -> None:
    verdict = check_call(method, body)
    assert verdict.ok is ok and (ok or verdict.error == "invalid_arguments")
