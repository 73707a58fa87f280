"""The reference a person is shown when something fails is the id of the Slack request: the bot's log
lines and the service's for that request carry it, so an admin finds what happened from what they are
told. And what the bot does is counted for /metrics: reminders posted, calls Slack refused."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY
from slack_rig import (
    UNEXPECTED_DEATH,
    SlackDriver,
    add_agencies,
    hackney_case,
)
from slack_standin import SlackStandIn
from sqlmodel import Session

from commissioning import store

REFERENCE = re.compile(r"reference: `([0-9a-f]{16})`")


def test_the_reference_shown_for_a_service_failure_is_on_the_bots_and_the_services_log_lines(
    slack: SlackDriver,
    standin: SlackStandIn,
    people,  # type: ignore[no-untyped-def]
    session: Session,
    json_logs: Callable[[], list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_agencies(session, "hackney-csc", "met-police")
    ref = hackney_case(session, notified_days_ago=1, **UNEXPECTED_DEATH)

    def broken(**_: Any) -> None:
        raise RuntimeError("the case store broke")

    monkeypatch.setattr(store, "get_case", broken)
    slack.command(f"case {ref}", user=people.chair)
    [told] = [c for c in standin.wait_for("response_url") if "reference" in str(c.body.get("text"))]
    text = told.body["text"]
    assert (
        text.startswith(":warning: The case review service failed while doing this")
        and "RuntimeError" not in text
    )
    [reference] = REFERENCE.findall(text)

    lines = json_logs()
    mine = [line for line in lines if line.get("request_id") == reference]
    failed = [line for line in mine if line["event"].startswith("request.failed")]
    assert [line["event"] for line in failed] == ["request.failed method=GET route=/api/v1/cases/{ref}"]
    assert "RuntimeError: the case store broke" in failed[0]["exception"]
    bot = [line["event"] for line in mine if line["logger"].startswith("bot")]
    assert f"slack.refused reference={reference} user={people.chair} kind=ServiceError" in bot
    assert not [line for line in lines if reference in line["event"] and line.get("request_id") != reference]


def _counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_reminders_posted_and_calls_slack_refused_are_counted(
    slack: SlackDriver,
    standin: SlackStandIn,
    people,
    session: Session,
    remind,  # type: ignore[no-untyped-def]
) -> None:
    add_agencies(session, "hackney-csc", "met-police")
    hackney_case(session, notified_days_ago=1, **UNEXPECTED_DEATH)
    refused = {"method": "chat.postMessage", "error": "not_in_channel"}
    before = (_counted("scr_slack_reminders_sent_total"), _counted("scr_slack_errors_total", **refused))
    standin.fail("chat.postMessage", error="not_in_channel")
    remind(expect=1)
    assert _counted("scr_slack_errors_total", **refused) == before[1] + 1
    assert _counted("scr_slack_reminders_sent_total") == before[0]
    assert "Posted 3 reminder(s)" in remind()
    assert _counted("scr_slack_reminders_sent_total") == before[0] + 3
