"""``/scr check`` end to end: the modal Slack is asked to open, a submission built from that modal's own
ids, the answer posted to the chair, its open questions, and recording the case.

The cases are copied from the project's examples (``tests/unit/data/examples.json``) into
``data/check_examples.json``: features in, outcomes that must and must not appear.
"""

import json
from pathlib import Path

import pytest
from slack_rig import SlackDriver, add_agencies, message_blocks, modal_values, opened_view
from slack_standin import SlackStandIn
from sqlmodel import Session, func, select

from commissioning.models import Case
from commissioning.rules import outcome_types

EXAMPLES = {
    e["id"]: e for e in json.loads((Path(__file__).parent / "data" / "check_examples.json").read_text())
}
REQUIREMENT_WORDS = {"mandatory": "*mandatory*", "discretionary": "_discretionary_"}


def _texts(blocks: list[dict]) -> list[str]:
    return [block["text"]["text"] for block in blocks if block.get("type") == "section" and "text" in block]


def _outcome_line(texts: list[str], outcome: str) -> str | None:
    label = outcome_types()[outcome].label
    return next((text for text in texts if text.startswith(f"*{label}*:")), None)


def _check(slack: SlackDriver, standin: SlackStandIn, *, user: str, features: dict):  # type: ignore[no-untyped-def]
    """Run /scr check and submit the modal with ``features``; the views.open call and the response."""
    acknowledged = slack.command("check", user=user)
    assert acknowledged.status_code == 200 and acknowledged.text == ""
    [opened] = standin.wait_for("views.open")
    assert opened.body["trigger_id"].endswith(".trigger")
    response = slack.submit(opened, modal_values(opened_view(opened), features), user=user)
    return opened, response


@pytest.mark.parametrize(
    "example",
    ["infant-death-2008", "life-threatening-2009", "death-2026", "harm-2026-lcspr", "adult-homicide-2024"],
)
def test_a_check_answers_with_outcomes_requirements_reasons_and_deadlines(slack, standin, people, example):
    case = EXAMPLES[example]
    _, response = _check(slack, standin, user=people.chair, features=case["features"])
    assert response.status_code == 200 and response.text == ""  # the modal closes
    [opened_dm] = standin.wait_for("conversations.open")
    assert opened_dm.body["users"] == people.chair
    [answer] = standin.wait_for("chat.postMessage")
    assert answer.body["channel"] == opened_dm.answer["channel"]["id"]
    texts = _texts(message_blocks(answer))
    for outcome, requirement in case["must"]:
        line = _outcome_line(texts, outcome)
        assert line is not None, f"{outcome} missing from the answer"
        assert line.split("\n")[0].startswith(
            f"*{outcome_types()[outcome].label}*: {REQUIREMENT_WORDS[requirement]}"
        )
        assert "_(" in line  # every reason carries its source
    for outcome in case["must_not"]:
        assert _outcome_line(texts, outcome) is None, f"{outcome} should not be in the answer"


def test_deadlines_are_given_with_their_dates_and_basis(slack, standin, people):
    _check(slack, standin, user=people.chair, features=EXAMPLES["death-2026"]["features"])
    [answer] = standin.wait_for("chat.postMessage")
    texts = _texts(message_blocks(answer))
    assert ":calendar: Due *Wed 11 Nov 2026* (" in _outcome_line(texts, "notify_panel")
    assert ":calendar: Due *Wed 25 Nov 2026* (" in _outcome_line(texts, "rapid_review")


def test_features_outside_england_are_refused_under_the_country_input_and_nothing_is_posted(
    slack, standin, people
):
    _, response = _check(slack, standin, user=people.chair, features=EXAMPLES["scotland"]["features"])
    reply = response.json()
    assert reply["response_action"] == "errors"
    assert "Learning Review" in reply["errors"]["feature:country"]
    standin.settle(0.3)
    assert standin.calls_to("chat.postMessage") == []


def test_open_questions_are_asked_one_at_a_time_and_each_answer_updates_the_message_in_place(
    slack, standin, people
):
    _check(slack, standin, user=people.chair, features=EXAMPLES["harm-2026-lcspr"]["features"])
    [answer] = standin.wait_for("chat.postMessage")
    asked = [b for b in message_blocks(answer) if b.get("block_id", "").startswith("check.q|")]
    assert len(asked) == 1
    first_question = asked[0]["block_id"].split("|")[2]

    slack.press(answer, "check.answer.skip", user=people.chair)
    [update] = standin.wait_for("chat.update")
    assert (update.body["channel"], update.body["ts"]) == (answer.body["channel"], answer.answer["ts"])
    asked = [b for b in message_blocks(update) if b.get("block_id", "").startswith("check.q|")]
    assert asked and asked[0]["block_id"].split("|")[2] != first_question

    question = asked[0]["block_id"].split("|")[2]
    element = asked[0]["elements"][0]
    if element["type"] == "button":
        slack.press(update, "check.answer.yes", user=people.chair)
    elif element["type"] == "static_select":
        slack.press(update, element["action_id"], user=people.chair, selected=element["options"][0]["value"])
    else:
        slack.press(
            update, element["action_id"], user=people.chair, selected=[element["options"][0]["value"]]
        )
    updates = standin.wait_for("chat.update", 2)
    asked = [b for b in message_blocks(updates[1]) if b.get("block_id", "").startswith("check.q|")]
    assert not asked or asked[0]["block_id"].split("|")[2] not in (first_question, question)


def test_record_as_a_case_shows_the_reference_and_a_redelivery_records_nothing_more(
    slack, standin, people, session: Session
):
    _check(
        slack, standin, user=people.chair, features={**EXAMPLES["death-2026"]["features"], "area": "hackney"}
    )
    [answer] = standin.wait_for("chat.postMessage")
    slack.press(answer, "check.record", user=people.chair)
    [recorded] = standin.wait_for("chat.update")
    ref = session.exec(select(Case.ref)).one()
    assert f"Recorded as case *{ref}*" in json.dumps(message_blocks(recorded))
    assert "check.record" not in json.dumps(message_blocks(recorded))

    again = slack.press(answer, "check.record", user=people.chair, headers={"X-Slack-Retry-Num": "1"})
    assert again.status_code == 200
    standin.wait_for("chat.update", 2)
    assert session.exec(select(func.count()).select_from(Case)).one() == 1


def test_agencies_are_picked_from_a_search_of_the_agency_list(slack, standin, people, session: Session):
    add_agencies(session, "hackney-csc", "met-police")
    slack.command("check", user=people.chair)
    [opened] = standin.wait_for("views.open")
    offered = slack.suggest(opened, "feature:agencies_involved", user=people.chair, query="hackney").json()
    assert [option["value"] for option in offered["options"]] == ["hackney-csc"]


def test_recording_a_check_without_an_area_asks_for_it_first(slack, standin, people, session: Session):
    _check(slack, standin, user=people.chair, features=EXAMPLES["death-2026"]["features"])
    [answer] = standin.wait_for("chat.postMessage")
    slack.press(answer, "check.record", user=people.chair)
    [asked] = standin.wait_for("views.open", 2)[1:]
    view = opened_view(asked)
    [block] = [b for b in view["blocks"] if b["type"] == "input"]
    assert block["block_id"] == "feature:area"
    values = {
        block["block_id"]: {block["element"]["action_id"]: {"type": "plain_text_input", "value": "Hackney"}}
    }
    assert slack.submit(asked, values, user=people.chair).status_code == 200
    updates = standin.wait_for("chat.update", 2)
    ref = session.exec(select(Case.ref)).one()
    assert ref.startswith("HAC-") and f"Recorded as case *{ref}*" in json.dumps(message_blocks(updates[-1]))
