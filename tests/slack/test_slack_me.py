"""``/scr me``: a consultant keeps their own record up to date from Slack; admins confirm what they declare;
anyone acting beyond their role is refused privately and the refusal is audited."""

import json
from datetime import timedelta

import pytest
from factories import case, consultant
from slack_rig import ADMIN_CHANNEL, SlackDriver, add_agencies, message_blocks, opened_view
from slack_standin import TEAM, SlackStandIn
from sqlmodel import Session, col, select

from commissioning import shortlists
from commissioning.models import Commission, CommissionRole
from core import clock
from core.audit import AuditEvent
from matching.policy import IndependencePolicy, RankingPolicy
from registry.models import Absence, Consultant, Engagement, Interest

TODAY = clock.today()
ADA, BEA = "U0ADA", "U0BEA"


@pytest.fixture
def world(session: Session, people) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Two consultants on Slack, each commissioned on a case of their own, and the agency involved."""
    add_agencies(session, "hackney-csc")
    ada = consultant(session, "Ada Able", slack_user_id=ADA)
    bea = consultant(session, "Bea Busy", slack_user_id=BEA)
    for ref, who in (("HK-1", ada), ("HK-2", bea)):
        session.add(
            Commission(
                case_id=case(session, ref, agencies=("hackney-csc",)),
                consultant_id=who,
                role=CommissionRole.lead_reviewer,
                created_by="t",
            )
        )
    case(session, "HK-3", agencies=("hackney-csc",))
    session.commit()
    return {"ada": ada, "bea": bea}


def _my_record(slack: SlackDriver, standin: SlackStandIn, user: str):  # type: ignore[no-untyped-def]
    assert slack.command("me", user=user).status_code == 200
    [reply] = standin.wait_for("response_url")
    return reply


def _refusals(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == "access.refused").order_by(col(AuditEvent.id))
        )
    )


def _findings(session: Session, name: str, ref: str = "HK-3") -> list[tuple[str, str]]:
    """What the conflict checks find about ``name`` on ``ref``'s shortlist, as eligible or excluded."""
    result = shortlists.shortlist_for(
        session=session, ref=ref, policy=IndependencePolicy(), ranking=RankingPolicy(), today=TODAY
    ).shortlist
    listed = [(c.consultant.name, c.warnings) for c in result.candidates]
    listed += [(e.consultant.name, e.findings) for e in result.excluded]
    [found] = [findings for who, findings in listed if who == name]
    return [(f.rule, f.severity.value) for f in found]


def test_a_consultant_sees_their_own_record_privately_and_nothing_of_anyone_else(slack, standin, world):
    reply = _my_record(slack, standin, ADA)

    assert reply.body["response_type"] == "ephemeral"
    text = json.dumps(reply.body["blocks"])
    assert "Your record: Ada Able" in text and "*HK-1*: lead reviewer, proposed" in text
    assert "1 of 2 places in use" in text
    assert "HK-2" not in text and "Bea" not in text


def test_someone_on_no_consultants_record_is_told_what_to_do(slack, standin, people):
    reply = _my_record(slack, standin, people.stranger)
    assert reply.body["response_type"] == "ephemeral"
    assert "is not on any consultant's record" in reply.body["text"]


def test_a_consultants_app_home_points_to_their_record_without_a_refusal(
    slack, standin, world, session: Session
):
    slack.event({"type": "app_home_opened", "user": ADA, "tab": "home"}, event_id="EvHomeAda")
    [published] = standin.wait_for("views.publish")
    assert "Type `/scr me` to see your record" in json.dumps(opened_view(published))
    standin.settle(0.3)
    assert standin.calls_to("chat.postMessage") == [] and _refusals(session) == []


def test_a_consultant_sets_capacity_and_dates_away_and_the_change_is_recorded_and_audited(
    slack, standin, world, session: Session
):
    reply = _my_record(slack, standin, ADA)
    slack.press(reply, "me.availability", user=ADA)
    [opened] = standin.wait_for("views.open")
    first, last = TODAY + timedelta(days=7), TODAY + timedelta(days=21)
    values = {
        "me.capacity": {
            "value": {"type": "static_select", "selected_option": _option(opened, "me.capacity", "3")}
        },
        "me.from": {"value": {"type": "datepicker", "selected_date": first.isoformat()}},
        "me.until": {"value": {"type": "datepicker", "selected_date": last.isoformat()}},
    }

    answer = slack.submit(opened, values, user=ADA).json()

    assert answer["response_action"] == "update"
    assert "hold *3* reviews at once" in json.dumps(answer["view"])
    session.expire_all()
    assert session.get(Consultant, world["ada"]).capacity == 3
    [away] = session.exec(select(Absence)).all()
    assert (away.consultant_id, away.start_date, away.end_date) == (world["ada"], first, last)
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.availability")).all()
    assert event.actor == "ada.able@reviews.example.org" and event.after["capacity"] == 3

    # Opened again, the period is offered ticked; unticking it removes it.
    standin.reset()
    slack.press(reply, "me.availability", user=ADA)
    [again] = standin.wait_for("views.open")
    keep = next(b for b in opened_view(again)["blocks"] if b["block_id"] == "me.keep")
    assert keep["element"]["initial_options"] == keep["element"]["options"]
    values = {
        "me.capacity": {
            "value": {"type": "static_select", "selected_option": _option(again, "me.capacity", "3")}
        },
        "me.keep": {"value": {"type": "checkboxes", "selected_options": []}},
    }
    assert slack.submit(again, values, user=ADA).json()["response_action"] == "update"
    assert session.exec(select(Absence)).all() == []


def test_a_period_away_with_no_last_day_is_refused_in_the_modal(slack, standin, world, session: Session):
    reply = _my_record(slack, standin, ADA)
    slack.press(reply, "me.availability", user=ADA)
    [opened] = standin.wait_for("views.open")
    values = {"me.from": {"value": {"type": "datepicker", "selected_date": TODAY.isoformat()}}}
    answer = slack.submit(opened, values, user=ADA).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"me.until": "Give the first and the last day, or neither."},
    }
    assert session.exec(select(Absence)).all() == []


def test_a_consultant_trying_to_open_another_consultants_record_is_refused_privately_and_audited(
    slack, standin, world, session: Session
):
    assert slack.command("consultant Bea", user=ADA).status_code == 200
    [refusal] = standin.wait_for("response_url")

    assert refusal.body["response_type"] == "ephemeral"
    assert "your own record ('/scr me' in Slack), and nothing else" in refusal.body["text"]
    assert "Bea Busy" not in json.dumps(refusal.body)
    [event] = _refusals(session)
    assert (event.actor, event.entity_id) == ("ada.able@reviews.example.org", f"consultant:{world['ada']}")


def _declare_interest(slack: SlackDriver, standin: SlackStandIn, *, text: str, ref: str | None = None):  # type: ignore[no-untyped-def]
    """Ada declares an interest through the modal, picking the agency from the search; returns the notice
    the bot posted to the admins' channel."""
    reply = _my_record(slack, standin, ADA)
    slack.press(reply, "me.declare_interest", user=ADA)
    [opened] = standin.wait_for("views.open")
    offered = slack.suggest(opened, "me.agency", user=ADA, query="hackney").json()["options"]
    assert [o["value"] for o in offered] == ["hackney-csc"]
    values = {
        "me.agency": {"me.agency": {"type": "external_select", "selected_option": offered[0]}},
        "me.text": {"value": {"type": "plain_text_input", "value": text}},
    }
    if ref:
        values["me.case"] = {"value": {"type": "plain_text_input", "value": ref}}
    answer = slack.submit(opened, values, user=ADA).json()
    assert answer["response_action"] == "update" and "An admin will confirm it" in json.dumps(answer["view"])
    notice = next(
        call for call in standin.wait_for("chat.postMessage") if call.body["channel"] == ADMIN_CHANNEL
    )
    return notice


def _review(slack: SlackDriver, standin: SlackStandIn, notice, *, user: str):  # type: ignore[no-untyped-def]
    """``user`` presses Review on the notice; returns the review modal the bot opened for them."""
    slack.press(notice, "me.review", user=user)
    return standin.wait_for("views.open", 2)[1]  # the first was the consultant's declaration modal


def _decide(call, decision: str, reason: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    values = {
        "me.decision": {
            "value": {"type": "radio_buttons", "selected_option": _option(call, "me.decision", decision)}
        }
    }
    if reason is not None:
        values["me.reason"] = {"value": {"type": "plain_text_input", "value": reason}}
    return values


def test_a_declared_interest_is_announced_without_a_word_of_it_and_counts_once_an_admin_confirms_it(
    slack, standin, world, people, session: Session
):
    notice = _declare_interest(slack, standin, text="My sister is the family's health visitor", ref="hk-3")

    in_channel = json.dumps(notice.body)
    assert notice.body["text"] == "A consultant declared an interest: Review"
    assert not any(word in in_channel for word in ("Ada", "sister", "HK-3", "Hackney", "hackney"))
    [interest] = session.exec(select(Interest)).all()
    assert (interest.case_ref, interest.confirmed) == ("HK-3", False)
    assert _findings(session, "Ada Able") == [("independence.interest_in_case", "warn")]

    modal = _review(slack, standin, notice, user=people.admin)
    statement = opened_view(modal)["blocks"][0]["text"]["text"]
    assert statement.startswith(
        "*Ada Able* declared an interest:\n• My sister is the family's health visitor"
    )
    assert "case HK-3" in statement and "Hackney Children's Social Care" in statement
    assert slack.submit(modal, _decide(modal, "confirm"), user=people.admin).status_code == 200

    [updated] = standin.wait_for("chat.update")
    assert (updated.body["channel"], updated.body["ts"]) == (ADMIN_CHANNEL, notice.answer["ts"])
    resolved = json.dumps(message_blocks(updated))
    assert f"Confirmed by <@{people.admin}>" in resolved and "me.review" not in resolved
    assert not any(word in resolved for word in ("Ada", "sister", "HK-3", "Hackney"))
    session.expire_all()
    assert session.get(Interest, interest.id).confirmed is True
    assert _findings(session, "Ada Able") == [("independence.interest_in_case", "block")]
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "interest.confirm")).all()
    assert event.actor == "admin@board.example.org"


def test_a_chair_pressing_review_is_told_privately_that_only_admins_see_it_and_the_refusal_is_audited(
    slack, standin, world, people, session: Session
):
    notice = _declare_interest(slack, standin, text="I trained staff at Hackney CSC last year")

    slack.press(notice, "me.review", user=people.chair)

    [refusal] = (c for c in standin.wait_for("response_url", 2) if "Only an admin" in c.body["text"])
    assert refusal.body["response_type"] == "ephemeral"
    assert refusal.body["text"] == ":no_entry: Only an admin can see what a consultant declared."
    standin.settle(0.2)
    assert len(standin.calls_to("views.open")) == 1 and standin.calls_to("chat.update") == []
    session.expire_all()
    assert session.exec(select(Interest)).one().confirmed is False
    [event] = _refusals(session)
    assert event.actor == f"chair@board.example.org (Slack {people.chair})"
    assert event.after["route"] == "/api/v1/declarations/pending"


def test_an_admin_rejects_a_declared_engagement_with_a_reason_the_channel_does_not_see(
    slack, standin, world, people, session: Session
):
    reply = _my_record(slack, standin, ADA)
    slack.press(reply, "me.declare_engagement", user=ADA)
    [opened] = standin.wait_for("views.open")
    offered = slack.suggest(opened, "me.agency", user=ADA, query="social care").json()["options"]
    values = {
        "me.agency": {"me.agency": {"type": "external_select", "selected_option": offered[0]}},
        "me.kind": {
            "value": {"type": "static_select", "selected_option": _option(opened, "me.kind", "contracted")}
        },
        "me.role_title": {"value": {"type": "plain_text_input", "value": "Trainer"}},
    }
    assert slack.submit(opened, values, user=ADA).json()["response_action"] == "update"
    notice = next(c for c in standin.wait_for("chat.postMessage") if c.body["channel"] == ADMIN_CHANNEL)
    assert notice.body["text"] == "A consultant declared an engagement: Review"
    [engagement] = session.exec(select(Engagement)).all()
    assert engagement.confirmed is False

    modal = _review(slack, standin, notice, user=people.admin)
    statement = opened_view(modal)["blocks"][0]["text"]["text"]
    assert "Contracted by Hackney Children's Social Care: Trainer" in statement
    unexplained = slack.submit(modal, _decide(modal, "reject"), user=people.admin).json()
    assert unexplained["response_action"] == "errors" and "me.reason" in unexplained["errors"]
    reason = _decide(modal, "reject", "A one-day training session")
    assert slack.submit(modal, reason, user=people.admin).status_code == 200

    [updated] = standin.wait_for("chat.update")
    resolved = json.dumps(message_blocks(updated))
    assert f"Rejected by <@{people.admin}>" in resolved and "training" not in resolved
    session.expire_all()
    assert session.exec(select(Engagement)).all() == []
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "engagement.reject")).all()
    assert event.after == {
        "reason": "A one-day training session",
        "relayed": {"via": "slack", "slack_user_id": people.admin, "slack_team_id": TEAM},
    }


def _option(call, block_id: str, value: str) -> dict:  # type: ignore[no-untyped-def]
    block = next(b for b in opened_view(call)["blocks"] if b.get("block_id") == block_id)
    return next(o for o in block["element"]["options"] if o["value"] == value)
