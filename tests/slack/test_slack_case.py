"""``/scr case REF``, the chair's decision, the App Home tab and the deadline reminders."""

import json
import re
from datetime import date, timedelta

from factories import HOME_PARTNERSHIP, consultant, departure, recorded_case
from slack_rig import (
    BOT_API_TOKEN,
    REMINDER_CHANNEL,
    UNEXPECTED_DEATH,
    SlackDriver,
    message_blocks,
    notified_features,
    opened_view,
)
from slack_standin import Call, SlackStandIn
from sqlmodel import Session, func, select

from bot.features.reminders import views as reminder_views
from bot.views.wording import day
from commissioning.calendar import add_working_days
from commissioning.models import CaseDecision, DecisionKind
from core import clock
from service.passwords import set_password
from service.slack_state import SlackClaim

TODAY = clock.today()
DAY = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}"  # Wed 11 Nov 2026
PASSWORD = "correct horse battery staple"


def _record(session: Session, **changes) -> str:  # type: ignore[no-untyped-def]
    """A case notified yesterday: the Panel must hear within five working days."""
    return recorded_case(
        session, **notified_features(TODAY - timedelta(days=1), **{**UNEXPECTED_DEATH, **changes})
    )


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
    [reason] = [b for b in view["blocks"] if b.get("block_id") == "case.reason"]
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
    assert decision.today == TODAY and decision.result["outcomes"] == []  # none chosen, decided today


def _depart(slack, standin, people, ref: str, *, required: list[str], chosen: list[str], on: date):  # type: ignore[no-untyped-def]
    """Open the departure modal from the case message and submit it; the modal and Slack's response."""
    posted = _case_message(slack, standin, user=people.chair, ref=ref)
    slack.press(posted, "case.depart", user=people.chair)
    [modal] = standin.wait_for("views.open")
    view = opened_view(modal)
    element = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert element["case.decided_on"]["initial_date"] == TODAY.isoformat()
    offered = {o["value"]: o for o in element["case.required"]["options"]}
    assert offered["rapid_review"]["text"]["text"] == "Rapid review"

    def ticked(values: list[str]) -> dict[str, object]:
        return {"value": {"type": "multi_static_select", "selected_options": [offered[v] for v in values]}}

    values = {
        "case.required": ticked(required),
        "case.discretionary": ticked(chosen),
        "case.decided_on": {"value": {"type": "datepicker", "selected_date": on.isoformat()}},
        "case.reason": {"reason": {"type": "plain_text_input", "value": "The board chose its own reviews."}},
    }
    return modal, values, slack.submit(modal, values, user=people.chair)


def test_departing_records_the_outcomes_chosen_instead_and_the_day_the_board_decided(
    slack, standin, people, session: Session, client, chair
):
    notified = TODAY - timedelta(days=20)
    ref = _record(
        session, incident_date=(notified - timedelta(days=1)).isoformat(), notified_date=notified.isoformat()
    )
    decided = TODAY - timedelta(days=10)
    _, _, response = _depart(
        slack, standin, people, ref, required=["rapid_review"], chosen=["learning_review"], on=decided
    )
    assert response.status_code == 200 and not response.content  # the modal closes
    [updated] = standin.wait_for("chat.update")
    assert "departed from the recommendation (" in json.dumps(message_blocks(updated))
    assert f"{day(decided)})" in json.dumps(message_blocks(updated))

    board = client.get(f"/api/v1/cases/{ref}", headers=chair.headers).json()["board_decision"]
    assert board["decided_on"] == decided.isoformat() and board["accepted"] is False
    stored = [(o["type"], o["requirement"]) for o in board["result"]["outcomes"]]
    assert stored == [("rapid_review", "mandatory"), ("learning_review", "discretionary")]
    rapid = next(o for o in board["result"]["outcomes"] if o["type"] == "rapid_review")
    assert rapid["deadline"]["date"] == add_working_days(notified, 15).isoformat()


def test_a_day_before_the_authority_learned_of_the_case_is_refused_beside_the_date(
    slack, standin, people, session: Session
):
    notified = TODAY - timedelta(days=5)
    ref = _record(
        session, incident_date=(notified - timedelta(days=1)).isoformat(), notified_date=notified.isoformat()
    )
    modal, values, refused = _depart(
        slack, standin, people, ref, required=[], chosen=["learning_review"], on=notified - timedelta(days=1)
    )
    assert refused.json()["response_action"] == "errors"
    errors = refused.json()["errors"]
    assert set(errors) == {"case.decided_on"}
    assert errors["case.decided_on"].startswith("is before the day the local authority"), errors
    assert _board_decisions(session) == []

    values["case.decided_on"]["value"]["selected_date"] = notified.isoformat()  # corrected, resubmitted
    assert slack.submit(modal, values, user=people.chair).status_code == 200
    [decision] = _board_decisions(session)
    assert decision.today == notified and decision.result["outcomes"][0]["type"] == "learning_review"


def test_a_chair_accepts_the_recommendation_on_the_day_the_board_decided(
    slack, standin, people, session: Session
):
    notified = TODAY - timedelta(days=3)
    ref = _record(
        session, incident_date=(notified - timedelta(days=1)).isoformat(), notified_date=notified.isoformat()
    )
    posted = _case_message(slack, standin, user=people.chair, ref=ref)
    slack.press(posted, "case.accept_on", user=people.chair)
    [modal] = standin.wait_for("views.open")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    on = {"case.decided_on": {"value": {"type": "datepicker", "selected_date": tomorrow}}}
    refused = slack.submit(modal, on, user=people.chair).json()
    assert refused["response_action"] == "errors" and set(refused["errors"]) == {"case.decided_on"}
    assert refused["errors"]["case.decided_on"].startswith("is after today")
    on["case.decided_on"]["value"]["selected_date"] = notified.isoformat()
    assert slack.submit(modal, on, user=people.chair).status_code == 200
    [updated] = standin.wait_for("chat.update")
    assert "the recommendation was accepted by" in json.dumps(message_blocks(updated))
    assert f"on {day(notified)}." in json.dumps(message_blocks(updated))
    [decision] = _board_decisions(session)
    assert decision.accepted is True and decision.today == notified


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
    assert (
        "admin pages (Users)" in published[people.stranger] and "scr user" not in published[people.stranger]
    )


def test_each_deadline_is_reminded_once_by_case_reference_and_date_only(
    slack, standin, people, session: Session, remind
):
    ref = _record(session)
    assert "Posted 3 reminder(s)" in remind()  # notify the Panel, the rapid review, the joint agency response
    posts = standin.calls_to("chat.postMessage")
    assert {p.body["channel"] for p in posts} == {REMINDER_CHANNEL}
    said = re.compile(
        rf"Case {ref}: a deadline (falls|fell) due on {DAY}( \(overdue\))?: open it in the app\."
    )
    assert all(said.fullmatch(p.body["text"]) for p in posts), [p.body["text"] for p in posts]
    for post in posts:
        [shown, buttons] = message_blocks(post)
        assert said.fullmatch(shown["text"]["text"].replace("*", "").removeprefix(":alarm_clock: "))
        assert [b["text"]["text"] for b in buttons["elements"]] == ["Open"]
    channel_sees = json.dumps([p.body for p in posts]).lower()  # buttons' values and block ids too
    assert not any(word in channel_sees for word in ("panel", "review", "notif", "joint", "basis"))
    assert "Posted 0 reminder(s)" in remind()
    assert len(standin.calls_to("chat.postMessage")) == 3
    recorded = session.exec(select(SlackClaim).where(SlackClaim.kind == "reminder")).all()
    assert {claim.detail["channel"] for claim in recorded} == {REMINDER_CHANNEL} and all(
        c.detail["ts"] for c in recorded
    )


def _reminder_of(standin: SlackStandIn, label_due: date) -> Call:
    """The reminder posted for the deadline due on ``label_due``."""
    return next(p for p in standin.calls_to("chat.postMessage") if day(label_due) in p.body["text"])


def test_a_reminder_opens_privately_for_chairs_commissioners_and_admins_and_no_one_else(
    slack, standin, people, session: Session, remind
):
    ref = _record(session)
    remind()
    panel_due = add_working_days(TODAY - timedelta(days=1), 5)
    reminder = _reminder_of(standin, panel_due)

    for who in (people.chair, people.commissioner, people.admin):
        standin.reset()
        slack.press(reminder, "reminders.open", user=who)
        [reply] = standin.wait_for("response_url")
        standin.settle(0.2)
        assert reply.body["response_type"] == "ephemeral" and reply.body["replace_original"] is False
        shown = json.dumps(reply.body["blocks"])
        assert f"Case *{ref}*" in shown
        assert f"*Notify the Child Safeguarding Practice Review Panel*: due *{day(panel_due)}*" in shown
        assert "*Its other deadlines*" in shown and "Rapid review" in shown
        assert "Only you can see this" in shown
        assert standin.calls_to("chat.postMessage") == []  # nothing more in the channel

    standin.reset()
    slack.press(reminder, "reminders.open", user=people.stranger)
    [refusal] = standin.wait_for("response_url")
    assert refusal.body["response_type"] == "ephemeral" and "is not linked" in refusal.body["text"]
    assert "Panel" not in json.dumps(refusal.body)


def test_an_overdue_deadline_is_marked_overdue_on_its_own_line(
    slack, standin, people, session: Session, remind
):
    notified = TODAY - timedelta(days=9)  # the Panel's five working days are up
    ref = _record(
        session, incident_date=(notified - timedelta(days=1)).isoformat(), notified_date=notified.isoformat()
    )
    remind()
    panel_due = add_working_days(notified, 5)
    reminder = _reminder_of(standin, panel_due)
    assert (
        reminder.body["text"]
        == f"Case {ref}: a deadline fell due on {day(panel_due)} (overdue): open it in the app."
    )

    slack.press(reminder, "reminders.open", user=people.chair)
    [reply] = standin.wait_for("response_url")
    reminded = reply.body["blocks"][0]["text"]["text"].split("\n")
    assert reminded[1].startswith(
        f"*Notify the Child Safeguarding Practice Review Panel*: due *{day(panel_due)}*"
    )
    assert reminded[2] == ":warning: Overdue"
    others = reply.body["blocks"][1]["text"]["text"].split("\n")
    rapid = next(n for n, line in enumerate(others) if line.startswith("• *Rapid review*"))
    assert others[rapid + 1 : rapid + 2] != [":warning: Overdue"]  # the rapid review is still ahead
    joint = next(n for n, line in enumerate(others) if line.startswith("• *Joint agency response"))
    assert others[joint + 1] == ":warning: Overdue"  # due at once, nine days ago


def test_a_reminder_whose_deadline_is_no_longer_in_force_says_so_and_lists_those_that_are():
    """The board may depart from the recommendation after a reminder went out."""
    ahead = TODAY + timedelta(days=3)
    in_force = [
        {
            "ref": "HAC-2026-0007",
            "stage": "rapid_review",
            "label": "Rapid review",
            "due": ahead.isoformat(),
            "basis": "",
        }
    ]
    text, blocks = reminder_views.details(
        ref="HAC-2026-0007", due=TODAY.isoformat(), deadlines=in_force, today=TODAY
    )
    assert text == f"Case HAC-2026-0007: no deadline on {day(TODAY)} is in force now"
    assert blocks[1]["text"]["text"] == f"*Its other deadlines*\n• *Rapid review*: due *{day(ahead)}*"


def test_deadlines_of_one_case_due_the_same_day_share_one_reminder():
    text, blocks = reminder_views.posted(ref="HAC-2026-0007", due=TODAY, count=2, today=TODAY)
    assert text == f"Case HAC-2026-0007: 2 deadlines fall due on {day(TODAY)}: open them in the app."
    assert json.loads(blocks[1]["elements"][0]["value"]) == {"ref": "HAC-2026-0007", "due": TODAY.isoformat()}


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
    # With the default two days' notice only the joint agency response (due at once, yesterday) is due.
    assert post.body["channel"] == REMINDER_CHANNEL
    yesterday = day(TODAY - timedelta(days=1))
    assert (
        post.body["text"] == f"Case {ref}: a deadline fell due on {yesterday} (overdue): open it in the app."
    )
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_after_the_board_departs_every_surface_names_the_boards_deadlines(
    slack, standin, people, session: Session, client, chair, commissioner, admin, remind
):
    """The engine recommends notifying the Panel, a rapid review and a joint agency response. The board
    keeps the rapid review and chooses to notify Ofsted instead: from then on the case API, the reminders,
    the App Home, the admin pages and a commission's checks all name those two deadlines, and only them."""
    ref = _record(session)
    notified = TODAY - timedelta(days=1)
    ofsted_due, rapid_due = add_working_days(notified, 5), add_working_days(notified, 15)
    reason = "The partnership tells Ofsted itself; the Panel already knows of this case."
    chosen = [
        {"type": "rapid_review", "requirement": "mandatory"},
        {"type": "notify_ofsted", "requirement": "mandatory"},
    ]
    departed = client.post(
        f"/api/v1/cases/{ref}/decision", headers=chair.headers, json=departure(reason, chosen)
    )
    assert departed.status_code == 200, departed.text
    in_force = [("notify_ofsted", ofsted_due.isoformat()), ("rapid_review", rapid_due.isoformat())]
    stored = departed.json()["board_decision"]["result"]["outcomes"]
    assert sorted((o["type"], o["deadline"]["date"]) for o in stored) == in_force

    # The case API, one case and the list: the earliest deadline in force.
    expected_next = {"type": "notify_ofsted", "date": ofsted_due.isoformat()}
    case = client.get(f"/api/v1/cases/{ref}", headers=chair.headers).json()
    assert {key: case["next_deadline"][key] for key in ("type", "date")} == expected_next
    assert case["next_deadline"]["basis"].startswith(
        "5 working days from the day the local authority learned"
    )
    [listed] = client.get("/api/v1/cases", headers=chair.headers).json()["items"]
    assert listed["next_deadline"] == case["next_deadline"]

    # The reminders: what the bot is given, and what it posts.
    bot = {"Authorization": f"Bearer {BOT_API_TOKEN}"}
    given = client.get("/api/v1/slack/deadlines", headers=bot).json()
    assert [(d["ref"], d["stage"], d["due"]) for d in given] == [(ref, *due) for due in in_force]
    assert "Posted 2 reminder(s)" in remind()
    posted = [p.body["text"] for p in standin.calls_to("chat.postMessage")]
    assert sorted(posted) == sorted(
        f"Case {ref}: a deadline falls due on {day(due)}: open it in the app."
        for due in (ofsted_due, rapid_due)
    )
    slack.press(_reminder_of(standin, ofsted_due), "reminders.open", user=people.commissioner)
    [opened] = standin.wait_for("response_url")
    assert opened.body["blocks"][0]["text"]["text"] == (
        f"Case *{ref}*\n*Notify Ofsted*: due *{day(ofsted_due)}* ({given[0]['basis']})"
    )
    assert (
        f"• *Rapid review*: due *{day(rapid_due)}* ({given[1]['basis']})"
        in opened.body["blocks"][1]["text"]["text"]
    )

    # The App Home.
    slack.event({"type": "app_home_opened", "user": people.chair, "tab": "home"}, event_id="EvHomeDeparted")
    [home] = standin.wait_for("views.publish")
    lead = HOME_PARTNERSHIP[0]
    assert f"*{ref}* ({lead}): Notify Ofsted due *{day(ofsted_due)}*" in json.dumps(opened_view(home))

    # A commission: the checks look ahead to the rapid review's deadline.
    robin = consultant(session, "Robin Reviewer", insurance_expiry=TODAY + timedelta(days=3))
    made = client.post(
        f"/api/v1/cases/{ref}/commissions",
        headers=commissioner.headers,
        json={"consultant_id": robin, "role": "lead_reviewer"},
    )
    assert made.status_code == 201, made.text
    [warning] = made.json()["warnings"]
    assert warning["reason"].endswith(f"before the review is due on {day(rapid_due)}.")

    # The admin pages.
    set_password(session, email=admin.email, password=PASSWORD, actor="test")
    session.commit()
    client.headers["Origin"] = str(client.base_url)  # as a browser names it on every form it posts
    form = client.get("/admin/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    client.post("/admin/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/admin/cases/{ref}").text
    ahead = re.findall(r'<li><span class="date">([\d-]+)</span>: ([^(<]+) \(', page)
    assert ahead == [(ofsted_due.isoformat(), "Notify Ofsted"), (rapid_due.isoformat(), "Rapid review")]
    listing = client.get("/admin/cases").text
    listed_ahead = re.findall(r'<span class="date">([\d-]+)</span>: ([^<]+)', listing)
    assert [(day, name.strip()) for day, name in listed_ahead] == [
        (ofsted_due.isoformat(), "Notify Ofsted"),
        (rapid_due.isoformat(), "Rapid review"),
    ]
