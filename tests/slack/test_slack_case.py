"""``/scr case REF``, the chair's decision, the App Home tab and the deadline reminders."""

import functools
import json
from datetime import date, timedelta

import pytest
from slack_rig import REMINDER_CHANNEL, SlackDriver, message_blocks, opened_view
from slack_standin import SlackStandIn
from sqlmodel import Session, func, select

from commissioning.models import CaseDecision, DecisionKind
from service.slack_state import SlackClaim

TODAY = date.today()


def _record(session: Session, **changes) -> str:  # type: ignore[no-untyped-def]
    """A case notified yesterday: the Panel must hear within five working days."""
    from commissioning import store
    from service.api.cases import rulesets

    features = {
        "incident_date": (TODAY - timedelta(days=2)).isoformat(),
        "notified_date": (TODAY - timedelta(days=1)).isoformat(),
        "country": "england",
        "area": "hackney",
        "subject_age_years": 1,
        "outcome": "death",
        "abuse_or_neglect": "suspected",
        "death_unexpected": True,
        **changes,
    }
    view, _ = store.create_case(
        session=session,
        raw_features=features,
        actor="chair@board.example.org",
        today=TODAY,
        rulesets=rulesets(),
    )
    session.commit()
    return view.case.ref


def _board_decisions(session: Session) -> list[CaseDecision]:
    session.expire_all()
    return list(session.exec(select(CaseDecision).where(CaseDecision.kind == DecisionKind.board)))


def _case_message(slack: SlackDriver, standin: SlackStandIn, *, user: str, ref: str):  # type: ignore[no-untyped-def]
    assert slack.command(f"case {ref}", user=user).json()["text"].startswith(f"Looking up {ref}")
    [posted] = standin.wait_for("chat.postMessage")
    return posted


def test_a_chair_sees_the_case_and_accepts_the_recommendation_once(slack, standin, people, session: Session):
    ref = _record(session)
    posted = _case_message(slack, standin, user=people.chair, ref=ref)
    text = json.dumps(message_blocks(posted))
    assert f"Case {ref}" in text and "Notify the Child Safeguarding Practice Review Panel" in text
    slack.press(posted, "case.accept", user=people.chair)
    [updated] = standin.wait_for("chat.update")
    assert "the recommendation was accepted" in json.dumps(message_blocks(updated))
    assert "case.accept" not in json.dumps(message_blocks(updated))
    slack.press(posted, "case.accept", user=people.chair, headers={"X-Slack-Retry-Num": "1"})
    standin.settle(0.4)
    decisions = _board_decisions(session)
    assert len(decisions) == 1 and decisions[0].accepted is True


def test_departing_from_the_recommendation_needs_a_reason(slack, standin, people, session: Session):
    ref = _record(session)
    posted = _case_message(slack, standin, user=people.chair, ref=ref)
    slack.press(posted, "case.depart", user=people.chair)
    [modal] = standin.wait_for("views.open")
    view = opened_view(modal)
    assert json.loads(view["private_metadata"])["ref"] == ref
    [reason] = [b for b in view["blocks"] if b["type"] == "input"]
    action = reason["element"]["action_id"]
    refused = slack.submit(
        modal, {reason["block_id"]: {action: {"type": "plain_text_input", "value": " "}}}, user=people.chair
    )
    assert refused.json()["response_action"] == "errors"
    assert _board_decisions(session) == []
    why = "The partnership will hold a learning review instead: the agencies already reviewed this."
    slack.submit(
        modal, {reason["block_id"]: {action: {"type": "plain_text_input", "value": why}}}, user=people.chair
    )
    [updated] = standin.wait_for("chat.update")
    assert "departed from the recommendation" in json.dumps(message_blocks(updated))
    [decision] = _board_decisions(session)
    assert decision.accepted is False and decision.reason == why


def test_only_a_chair_is_offered_the_decision(slack, standin, people, session: Session):
    ref = _record(session)
    posted = _case_message(slack, standin, user=people.commissioner, ref=ref)
    assert "case.accept" not in json.dumps(message_blocks(posted))
    assert "Awaiting the chair's decision" in json.dumps(message_blocks(posted))


def test_the_home_tab_shows_each_role_what_it_acts_on(slack, standin, people, session: Session):
    ref = _record(session)
    slack.event({"type": "app_home_opened", "user": people.admin, "tab": "home"}, event_id="EvHomeAdmin")
    slack.event({"type": "app_home_opened", "user": people.chair, "tab": "home"}, event_id="EvHomeChair")
    slack.event(
        {"type": "app_home_opened", "user": people.stranger, "tab": "home"}, event_id="EvHomeStranger"
    )
    published = {
        call.body["user_id"]: json.dumps(opened_view(call)) for call in standin.wait_for("views.publish", 3)
    }
    assert (
        ref in published[people.admin]
        and "Notify the Child Safeguarding Practice Review Panel due" in published[people.admin]
    )
    assert "Commissions awaiting a declaration" in published[people.admin]
    assert "Consultants with checks due within 30 days" in published[people.admin]
    assert ref in published[people.chair] and "Commissions awaiting" not in published[people.chair]
    assert "Consultants with checks" not in published[people.chair]
    assert "not linked" in published[people.stranger] and ref not in published[people.stranger]


@pytest.fixture
def remind(cron, monkeypatch):  # type: ignore[no-untyped-def]
    """``scr bot remind`` from cron, with 30 days' notice of each deadline."""
    monkeypatch.setenv("SCR_SLACK_REMINDER_CHANNEL", REMINDER_CHANNEL)
    monkeypatch.setenv("SCR_SLACK_REMINDER_LEAD_DAYS", "30")
    return functools.partial(cron, "remind")


def test_each_deadline_is_reminded_once_by_case_reference_only(
    slack, standin, people, session: Session, remind
):
    ref = _record(session)
    assert "Posted 3 reminder(s)" in remind()  # notify the Panel, the rapid review, the joint agency response
    posts = standin.calls_to("chat.postMessage")
    assert {p.body["channel"] for p in posts} == {REMINDER_CHANNEL}
    assert all(p.body["text"].startswith(f":alarm_clock: Case *{ref}*: ") for p in posts)
    assert "Posted 0 reminder(s)" in remind()
    assert len(standin.calls_to("chat.postMessage")) == 3
    recorded = session.exec(select(SlackClaim).where(SlackClaim.kind == "reminder")).all()
    assert {claim.detail["channel"] for claim in recorded} == {REMINDER_CHANNEL} and all(
        c.detail["ts"] for c in recorded
    )


def test_a_reminder_slack_refused_is_posted_on_the_next_run(slack, standin, people, session: Session, remind):
    _record(session)
    standin.fail("chat.postMessage", error="channel_not_found")
    assert "Slack refused a reminder (channel_not_found)" in remind(expect=1)
    assert (
        session.exec(select(func.count()).select_from(SlackClaim).where(SlackClaim.kind == "reminder")).one()
        == 0
    )
    assert "Posted 3 reminder(s)" in remind()


def test_in_http_mode_the_service_runs_the_reminder_loop_itself(
    people, standin, session: Session, looping_service
):
    ref = _record(session)
    post = looping_service(SCR_SLACK_ADMIN_CHANNEL="")
    # With the default two days' notice only the joint agency response (due at once) is due.
    assert post.body["channel"] == REMINDER_CHANNEL
    assert post.body["text"].startswith(f":alarm_clock: Case *{ref}*: Joint agency response")
    assert len(standin.calls_to("chat.postMessage")) == 1
