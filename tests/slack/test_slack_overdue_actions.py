"""Overdue actions of agencies' plans: the owner linked in Slack gets a DM, the other owner an email, the
partnership's channel the counts alone, each once however often the job runs; the App Home lists what a
person owns. Through ``scr bot overdue`` as cron runs it, against the Slack and mail stand-ins."""

import json
from datetime import timedelta

import pytest
from factories import TODAY, case, hackney, home_partnership
from mail_standin import MailStandIn
from slack_rig import REMINDER_CHANNEL, opened_view
from sqlmodel import Session, select

from commissioning import recommendation_store as store
from commissioning.models import Case
from commissioning.recommendations import Draft
from core.wording import day
from service.slack_state import SlackClaim

REF = "HAC-2026-0301"
HIDDEN_WORDS = "Visit the family home weekly"  # an action's own words: never in Slack or an email


@pytest.fixture
def mail():
    with MailStandIn() as standin:
        yield standin


@pytest.fixture
def overdue(session: Session, people) -> None:  # type: ignore[no-untyped-def]
    hackney(session)
    home_partnership(session)
    case(session, REF)
    stored = session.exec(select(Case).where(Case.ref == REF)).one()
    [made] = store.add_recommendations(
        session,
        case=stored,
        drafts=[Draft(text="Audit 20 visits.", scope="single_agency", agencies=("hackney-csc",))],
        actor="test",
        limit=10,
        today=TODAY,
    )
    for owner, days in (("commissioner@board.example.org", 3), ("lead@hackney.example.org", 1)):
        store.add_action(
            session,
            recommendation=made.recommendation,
            agency_id="hackney-csc",
            text=HIDDEN_WORDS,
            owner=owner,
            due=TODAY - timedelta(days=days),
            actor="test",
            today=TODAY,
        )
    session.commit()


def test_each_overdue_action_is_reminded_once_by_dm_or_email_and_the_channel_gets_counts(
    slack, standin, people, overdue, cron, mail, monkeypatch, session: Session
) -> None:
    monkeypatch.setenv("SCR_SLACK_REMINDER_CHANNEL", REMINDER_CHANNEL)
    monkeypatch.setenv("SCR_SMTP_HOST", mail.host)
    monkeypatch.setenv("SCR_SMTP_PORT", str(mail.port))
    monkeypatch.setenv("SCR_MAIL_FROM", "Reviews <reviews@board.example.org>")
    assert "Sent 2 overdue action reminder(s)" in cron("overdue")

    [opened] = standin.calls_to("conversations.open")
    assert opened.body["users"] == people.commissioner
    posts = standin.calls_to("chat.postMessage")
    [dm] = [p for p in posts if p.body["channel"].startswith("D")]
    assert dm.body["text"] == (
        f"Hackney Children's Social Care's action on recommendation 1 of case review {REF}, which you own, "
        f"was due on {day(TODAY - timedelta(days=3))} and is 3 days overdue."
    )
    [counts] = [p for p in posts if p.body["channel"] == REMINDER_CHANNEL]
    assert (
        counts.body["text"] == "Action plans: 2 overdue actions across 1 case. Each owner has been reminded."
    )
    [email] = mail.received
    assert email.rcpt_tos == ("lead@hackney.example.org",)
    assert "1 day overdue" in email.message.get_content()
    everything = json.dumps([p.body for p in standin.calls]) + email.message.get_content()
    assert HIDDEN_WORDS not in everything

    assert "Sent 0 overdue action reminder(s)" in cron("overdue")
    assert len(standin.calls_to("chat.postMessage")) == 2 and len(mail.received) == 1
    claims = session.exec(select(SlackClaim).where(SlackClaim.kind == "overdue_action")).all()
    assert sorted(c.detail["by"] for c in claims) == ["email", "slack"]


def test_the_app_home_lists_the_actions_a_person_owns(slack, standin, people, overdue) -> None:
    slack.event(
        {"type": "app_home_opened", "user": people.commissioner, "tab": "home"}, event_id="EvHomeOwned"
    )
    [published] = standin.wait_for("views.publish")
    shown = json.dumps(opened_view(published))
    assert "*Actions you own (1)*" in shown
    assert f"*{REF}*, recommendation 1: due" in shown and "overdue by 3 days" in shown
    assert HIDDEN_WORDS not in shown
