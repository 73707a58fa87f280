"""Words for a board chair, not for a developer: everything a person reads in the threshold check, a case,
the App Home and the reminders names things by their names, writes dates one way, and keeps no internal
id in view.

Each flow is driven as Slack drives it, and every call the bot made is read for the text a person sees:
a message's fallback ``text`` and every ``plain_text`` and ``mrkdwn`` object in its blocks or view (not
``action_id``, ``value``, ``block_id`` or ``private_metadata``, which are for the bot). In that text there
may be no snake_case identifier (a feature, outcome or status id), no ruleset id such as ``wt2023``, no
ISO date (every date reads ``Wed 11 Nov 2026``) and no "childrens".
"""

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from factories import commission, consultant, recorded_case
from slack_rig import REMINDER_CHANNEL, SlackDriver, message_blocks, modal_values, opened_view
from slack_standin import Call, SlackStandIn
from sqlmodel import Session, select
from test_slack_views_at_scale import BUILDERS

from bot.views.inputs import NO_CASE_DETAILS
from commissioning.features import GROUP_TITLES
from commissioning.models import Case, CaseDecision, CommissionStatus, DecisionKind
from commissioning.rules import outcome_types
from core import clock

TODAY = clock.today()
DAY = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")
RULESET_ID = re.compile(r"\bwt\d{4}\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
LINK = re.compile(r"<[^>]*>|https?://\S+")  # Slack links and URLs: addresses, not words
EMOJI = re.compile(r":[a-z0-9_+-]+:")  # shown as a picture: ":white_check_mark:"
MESSAGES = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")
VIEWS = ("views.open", "views.push", "views.update", "views.publish")


def _text_objects(value: Any) -> Iterator[str]:
    """Every ``plain_text`` and ``mrkdwn`` text in a block, view or element tree."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
            yield value["text"]
        for key, item in value.items():
            if key not in ("private_metadata", "value", "action_id", "block_id", "callback_id"):
                yield from _text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text_objects(item)


def read(call: Call) -> list[str]:
    """What a person reads of a call: a message's fallback text and blocks, or a view."""
    if call.method in MESSAGES:
        return [str(call.body.get("text") or ""), *_text_objects(message_blocks(call))]
    if call.method in VIEWS:
        return list(_text_objects(opened_view(call)))
    return []


def developer_words(texts: list[str]) -> list[str]:
    """Whatever in ``texts`` a chair should never have to read."""
    found = []
    for text in texts:
        words = EMOJI.sub(" ", LINK.sub(" ", text))
        found += IDENTIFIER.findall(words) + RULESET_ID.findall(words) + ISO_DATE.findall(words)
        found += ["childrens"] * words.lower().count("childrens")
    return found


def everything_read(standin: SlackStandIn) -> list[str]:
    return [text for call in standin.calls if call.method in MESSAGES + VIEWS for text in read(call)]


def assert_in_words(standin: SlackStandIn) -> None:
    texts = everything_read(standin)
    assert texts, "the flow showed nothing"
    assert developer_words(texts) == [], [t for t in texts if developer_words([t])]


def assert_free_text_carries_the_hint(view: dict[str, Any]) -> None:
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if element.get("type") == "plain_text_input" and element.get("multiline"):
            assert NO_CASE_DETAILS in block["hint"]["text"], block["block_id"]


# The check -----------------------------------------------------------------------------------------------


def _features(**changes: Any) -> dict[str, Any]:
    """A child's unexpected death, learned of yesterday: the Panel must hear within five working days."""
    return {
        "incident_date": (TODAY - timedelta(days=2)).isoformat(),
        "notified_date": (TODAY - timedelta(days=1)).isoformat(),
        "country": "england",
        "subject_age_years": 1,
        "outcome": "death",
        "abuse_or_neglect": "suspected",
        "death_unexpected": True,
        "domestic_abuse": True,
        **changes,
    }


def _answer(slack: SlackDriver, standin: SlackStandIn, *, user: str, features: dict[str, Any]) -> Call:
    slack.command("check", user=user)
    [opened] = standin.wait_for("views.open")
    slack.submit(opened, modal_values(opened_view(opened), features), user=user)
    [posted] = standin.wait_for("chat.postMessage")
    return posted


def _asked(call: Call) -> str | None:
    """The feature the answer's open question asks about."""
    blocks = [b for b in message_blocks(call) if (b.get("block_id") or "").startswith("check.q|")]
    return blocks[0]["block_id"].split("|")[2] if blocks else None


def _answer_question(slack: SlackDriver, call: Call, *, user: str) -> None:
    """Give the open question in ``call`` its first answer (Yes, or the first option, or yesterday)."""
    [block] = [b for b in message_blocks(call) if (b.get("block_id") or "").startswith("check.q|")]
    element = block["elements"][0]
    if element["type"] == "button":
        slack.press(call, "check.answer.yes", user=user)
    elif element["type"] == "static_select":
        slack.press(call, element["action_id"], user=user, selected=element["options"][0]["value"])
    elif element["type"] == "multi_static_select":
        slack.press(call, element["action_id"], user=user, selected=[element["options"][0]["value"]])
    else:
        slack.press(call, element["action_id"], user=user, date=(TODAY - timedelta(days=1)).isoformat())


def test_the_check_its_answer_and_its_questions_are_in_words(slack, standin, people):
    posted = _answer(slack, standin, user=people.chair, features=_features(area="hackney"))
    [modal] = standin.calls_to("views.open")
    headers = [b["text"]["text"] for b in opened_view(modal)["blocks"] if b["type"] == "header"]
    assert headers == list(GROUP_TITLES.values())
    themes = json.dumps(opened_view(modal))
    assert "Known to children's social care" in themes and "Parental mental ill-health" in themes

    shown = "\n".join(read(posted))
    assert "Guidance applied: Working Together 2018 and 2023" in shown
    assert re.search(rf":calendar: Due \*{DAY}\* \(5 working days from the day the local authority", shown)
    assert "That decides whether" in shown  # why the open question matters, in words
    assert posted.body["text"].startswith("Threshold check on what is known so far: Notify the Child")

    _answer_question(slack, posted, user=people.chair)
    standin.wait_for("chat.update")
    assert_in_words(standin)


def test_when_nothing_applies_yet_the_fallback_text_says_so_on_what_is_known(slack, standin, people):
    posted = _answer(
        slack, standin, user=people.chair, features={"incident_date": (TODAY - timedelta(days=3)).isoformat()}
    )
    assert posted.body["text"] == "Threshold check: nothing applies yet on what is known so far."
    assert "*Nothing applies yet* on what is known so far." in read(posted)
    assert_in_words(standin)


def test_an_answer_after_recording_changes_the_case_and_the_message_shows_the_stored_case(
    slack, standin, people, session: Session
):
    """The probe: record the check, answer its next question, and read the message against the case."""
    posted = _answer(slack, standin, user=people.chair, features=_features(area="hackney"))
    slack.press(posted, "check.record", user=people.chair)
    [recorded] = standin.wait_for("chat.update")
    asked = _asked(recorded)
    assert asked is not None, "a recorded answer still asks its open questions"

    _answer_question(slack, recorded, user=people.chair)
    [_, changed] = standin.wait_for("chat.update", 2)
    session.expire_all()
    case = session.exec(select(Case)).one()
    assert asked in case.features  # the answer went to the case
    recommendations = session.exec(
        select(CaseDecision)
        .where(CaseDecision.case_id == case.id, CaseDecision.kind == DecisionKind.recommendation)
        .order_by(CaseDecision.id)  # type: ignore[arg-type]
    ).all()
    assert len(recommendations) == 2  # decided again, the first kept in the history
    stored = recommendations[-1].result
    shown = read(changed)
    assert stored["summary"] in [text.replace("&amp;", "&") for text in shown]
    named = [text.split("*")[1] for text in shown if text.startswith("*") and "*: " in text]
    assert named == [outcome_types()[outcome["type"]].label for outcome in stored["outcomes"]]
    assert changed.body["text"].startswith(f"Recorded as case {case.ref}. Threshold check")
    assert _asked(changed) != asked
    assert_in_words(standin)


def test_recording_without_an_area_asks_for_it_with_the_hint_and_in_words(slack, standin, people):
    posted = _answer(slack, standin, user=people.chair, features=_features())
    slack.press(posted, "check.record", user=people.chair)
    [asked] = standin.wait_for("views.open", 2)[1:]
    [block] = [b for b in opened_view(asked)["blocks"] if b["type"] == "input"]
    assert block["hint"]["text"].endswith(NO_CASE_DETAILS)  # typed text: nothing that identifies anyone
    assert_in_words(standin)


# The case, the App Home and the reminders ------------------------------------------------------------------


def _case(session: Session, *, notified_days_ago: int = 1) -> str:
    notified = TODAY - timedelta(days=notified_days_ago)
    return recorded_case(
        session,
        **_features(
            area="hackney",
            incident_date=(notified - timedelta(days=1)).isoformat(),
            notified_date=notified.isoformat(),
        ),
    )


def test_a_case_and_a_different_decision_are_in_words(slack, standin, people, session: Session):
    ref = _case(session, notified_days_ago=9)  # the Panel's five working days are up
    slack.command(f"case {ref}", user=people.chair)
    [posted] = standin.wait_for("chat.postMessage")
    shown = "\n".join(read(posted))
    assert re.search(rf"\*Recorded\*\n{DAY}", shown) and "*Status*\nOpen" in shown
    assert "*Guidance applied*\nWorking Together 2018 and 2023" in shown
    panel = next(t for t in read(posted) if t.startswith("*Notify the Child Safeguarding Practice Review"))
    assert panel.split("\n")[-1] == ":warning: Overdue"  # on its own line, not only in the summary

    slack.press(posted, "case.depart", user=people.chair)
    [modal] = standin.wait_for("views.open")
    assert_free_text_carries_the_hint(opened_view(modal))
    [reason] = [b for b in opened_view(modal)["blocks"] if b.get("block_id") == "case.reason"]
    said = {"type": "plain_text_input", "value": "The board holds a learning review."}
    slack.submit(modal, {reason["block_id"]: {reason["element"]["action_id"]: said}}, user=people.chair)
    [decided] = standin.wait_for("chat.update")
    assert re.search(rf"departed from the recommendation \(.+, {DAY}\)", "\n".join(read(decided)))
    assert_in_words(standin)


def test_the_home_tab_is_in_words_for_every_role(slack, standin, people, session: Session):
    ref = _case(session)
    case_id = session.exec(select(Case.id).where(Case.ref == ref)).one()
    robin = consultant(session, "Robin Reviewer", insurance_expiry=TODAY + timedelta(days=3))
    commission(session, case_id, robin, status=CommissionStatus.proposed)  # type: ignore[arg-type]
    for n, user in enumerate((people.admin, people.commissioner, people.chair, people.stranger)):
        slack.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"EvWords{n}")
    published = {call.body["user_id"]: "\n".join(read(call)) for call in standin.wait_for("views.publish", 4)}
    assert re.search(
        rf"Notify the Child Safeguarding Practice Review Panel due \*{DAY}\*", published[people.chair]
    )
    assert re.search(rf"Robin Reviewer, lead reviewer, asked on {DAY}", published[people.admin])
    assert re.search(rf"insurance to {DAY}", published[people.admin])
    assert "commission " not in published[people.admin]  # no commission number
    assert_in_words(standin)


def test_reminders_and_what_they_open_are_in_words(
    slack, standin, people, session: Session, cron, monkeypatch
):
    monkeypatch.setenv("SCR_SLACK_REMINDER_CHANNEL", REMINDER_CHANNEL)
    monkeypatch.setenv("SCR_SLACK_REMINDER_LEAD_DAYS", "30")
    _case(session, notified_days_ago=3)
    cron("remind")
    posts = standin.calls_to("chat.postMessage")
    assert posts and all(re.search(DAY, post.body["text"]) for post in posts)
    slack.press(posts[0], "reminders.open", user=people.chair)
    [opened] = standin.wait_for("response_url")
    shown = "\n".join(read(opened))
    assert "from the day the local authority learned of it" in shown and re.search(DAY, shown)
    assert_in_words(standin)


# Every modal ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda builder: f"{builder.__module__}.{builder.__name__}")
def test_every_free_text_input_in_every_modal_carries_the_same_hint(builder) -> None:  # type: ignore[no-untyped-def]
    for kind, payload in BUILDERS[builder]():
        if kind == "modal":
            assert_free_text_carries_the_hint(payload["view"])


def test_the_reader_of_this_test_sees_what_a_person_sees() -> None:
    """The checks above cannot pass by reading nothing: ids in the right places are found, ids in the
    bot's own fields are not."""
    assert developer_words(["Ask looked_after first", "Rules: wt2023", "due 2026-11-11", "childrens"]) == [
        "looked_after",
        "wt2023",
        "2026-11-11",
        "childrens",
    ]
    assert developer_words(["See <https://example.org/a_b|the page> :white_check_mark:"]) == []
    block = {"type": "actions", "block_id": "check_q", "elements": [{"action_id": "a_b", "value": "x_y"}]}
    assert list(_text_objects([block])) == []
