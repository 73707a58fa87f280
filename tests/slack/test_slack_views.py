"""The Block Kit builders, without Slack: generated from the catalogue, and always within Slack's limits."""

import json
from datetime import date

import pytest

from bot.features.check import answer
from bot.features.check import form as check_form
from bot.features.declaration import views as declaration
from bot.features.shortlist import views as shortlist
from bot.views import blocks
from commissioning.features import CATALOGUE

TODAY = date(2026, 11, 5)


@pytest.fixture
def catalogue() -> list[dict]:
    return [feature.to_json() for feature in CATALOGUE]


def _walk_texts(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from _walk_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_texts(item)


def test_the_check_modal_asks_every_feature_of_the_catalogue_within_slack_limits(catalogue):
    view = check_form.form(catalogue)
    ids = [block["block_id"] for block in view["blocks"] if "block_id" in block]
    asked = {
        i.removeprefix(check_form.FEATURE_BLOCK) for i in ids if i and i.startswith(check_form.FEATURE_BLOCK)
    }
    themes = {
        option["value"]
        for block in view["blocks"]
        if (block.get("block_id") or "").startswith(check_form.THEMES_BLOCK)
        for option in block["element"]["options"]
    }
    assert asked | themes == {feature["name"] for feature in catalogue if feature["in_slack"]}
    assert not asked & themes
    assert len(view["blocks"]) <= blocks.MODAL_BLOCKS
    assert len(view["title"]["text"]) <= blocks.MODAL_TITLE_CHARS
    assert len(ids) == len(set(ids))


def test_special_category_data_is_neither_asked_nor_read_back_in_slack(catalogue):
    kept_out = {feature["name"] for feature in catalogue if not feature["in_slack"]}
    assert "ethnic_group" in kept_out
    view = check_form.form(catalogue)
    words = " ".join(_walk_texts(view))
    assert "ethnic group" not in words.casefold() and "Bangladeshi" not in words and "Roma" not in words
    submitted = {
        "feature:ethnic_group": {
            "value": {"type": "static_select", "selected_option": {"value": "white_roma"}}
        },
        "themes:people": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": "ethnic_group"}]}
        },
    }
    assert check_form.features_from(catalogue, submitted) == {}


def test_a_feature_added_to_the_catalogue_appears_in_the_modal_without_code(catalogue):
    added = {**catalogue[9], "name": "new_fact", "question": "A question nobody wrote in the bot?"}
    view = check_form.form([*catalogue, added])
    labels = {block["label"]["text"] for block in view["blocks"] if block["type"] == "input"}
    assert "A question nobody wrote in the bot?" in labels


def test_a_catalogue_too_big_for_one_modal_is_refused_rather_than_cut(catalogue):
    many = [{**catalogue[9], "name": f"fact_{i}", "group": "practice"} for i in range(120)]
    with pytest.raises(ValueError, match="at most 100"):
        check_form.form(many)


def test_a_submitted_modal_states_its_features_and_leaves_blanks_unknown(catalogue):
    values = {
        "feature:incident_date": {"value": {"type": "datepicker", "selected_date": "2026-11-02"}},
        "feature:outcome": {"value": {"type": "static_select", "selected_option": {"value": "death"}}},
        "feature:subject_age_years": {"value": {"type": "number_input", "value": "0.5"}},
        "feature:death_unexpected": {
            "value": {"type": "radio_buttons", "selected_option": {"value": "true"}}
        },
        "feature:looked_after": {"value": {"type": "radio_buttons", "selected_option": {"value": "unknown"}}},
        "feature:perpetrators": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": "father"}]}
        },
        "feature:area": {"value": {"type": "plain_text_input", "value": "  hackney "}},
        "feature:agencies_involved": {
            "value": {"type": "multi_external_select", "selected_options": [{"value": "hackney-csc"}]}
        },
        "feature:setting": {"value": {"type": "static_select", "selected_option": None}},
        "themes:themes": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": "domestic_abuse"}]}
        },
    }
    assert check_form.features_from(catalogue, values) == {
        "incident_date": "2026-11-02",
        "outcome": "death",
        "subject_age_years": 0.5,
        "death_unexpected": True,
        "perpetrators": ["father"],
        "area": "hackney",
        "agencies_involved": ["hackney-csc"],
        "domestic_abuse": True,
    }


def test_service_problems_are_shown_under_the_inputs_they_concern(catalogue):
    problems = [
        {"feature": "notified_date", "msg": "is before incident_date"},
        {"feature": "no_prior_agency_involvement", "msg": "is true but the family was known"},
        {"feature": None, "msg": "expected an object"},
    ]
    errors = check_form.errors_for(catalogue, problems, fallback="")
    assert errors["feature:notified_date"] == "is before incident_date"
    assert errors["themes:themes"].startswith("No agency involved before the incident: ")
    assert errors["feature:incident_date"] == "expected an object"


def _result(outcomes: int, questions: list[str]) -> dict:
    return {
        "ruleset": {
            "id": "wt2023",
            "version": "1",
            "chosen_by": "incident_date",
            "title": "Working Together",
        },
        "outcomes": [
            {
                "type": f"outcome_{i}",
                "kind": "review",
                "requirement": "mandatory" if i % 2 else "discretionary",
                "reasons": [{"rule": "r", "text": "because <of> & so", "source": "CA 2004 s16C"}],
                "deadline": {"date": "2026-11-11", "basis": "5 working days from the day it was learned of"},
            }
            for i in range(outcomes)
        ],
        "open_questions": [{"feature": name, "why": "That decides a local review."} for name in questions],
        "summary": "A summary.",
    }


def test_the_answer_shows_requirement_reasons_sources_and_deadlines(catalogue):
    message = answer.blocks(
        _result(2, []), catalogue=catalogue, labels={}, draft_id="d1", skipped=[], today=TODAY
    )
    text = "\n".join(_walk_texts(message))
    assert "*mandatory*" in text and "_discretionary_" in text
    assert "because &lt;of&gt; &amp; so _(CA 2004 s16C)_" in text
    assert "Due *Wed 11 Nov 2026* (5 working days from the day it was learned of)" in text
    assert "Overdue" not in text  # due after the day it is shown
    late = answer.blocks(
        _result(1, []), catalogue=catalogue, labels={}, draft_id="d1", skipped=[], today=date(2026, 11, 12)
    )
    [shown] = [b["text"]["text"] for b in late if "Due *" in b.get("text", {}).get("text", "")]
    assert shown.split("\n")[-2:] == [
        ":calendar: Due *Wed 11 Nov 2026* (5 working days from the day it was learned of)",
        ":warning: Overdue",
    ]
    assert "Guidance applied: Working Together" in text


def test_the_answer_never_exceeds_fifty_blocks(catalogue):
    message = answer.blocks(
        _result(80, ["interagency_concerns"]),
        catalogue=catalogue,
        labels={},
        draft_id="d1",
        skipped=[],
        today=TODAY,
    )
    assert len(message) <= blocks.MESSAGE_BLOCKS
    assert "40 more outcomes" in json.dumps(message)


def test_open_questions_are_asked_one_at_a_time_and_dont_knows_are_not_asked_again(catalogue):
    result = _result(1, ["interagency_concerns", "outcome"])
    first = answer.blocks(result, catalogue=catalogue, labels={}, draft_id="d1", skipped=[], today=TODAY)
    asked = [b for b in first if (b.get("block_id") or "").startswith(answer.QUESTION_BLOCK)]
    assert [answer.parse_question_block_id(b["block_id"]) for b in asked] == [("d1", "interagency_concerns")]
    assert {e["action_id"] for e in asked[0]["elements"]} == {
        "check.answer.yes",
        "check.answer.no",
        "check.answer.skip",
    }
    second = answer.blocks(
        result, catalogue=catalogue, labels={}, draft_id="d1", skipped=["interagency_concerns"], today=TODAY
    )
    asked = [b for b in second if (b.get("block_id") or "").startswith(answer.QUESTION_BLOCK)]
    assert answer.parse_question_block_id(asked[0]["block_id"]) == ("d1", "outcome")
    assert asked[0]["elements"][0]["type"] == "static_select"


def test_a_recorded_answer_shows_the_reference_instead_of_the_record_button(catalogue):
    message = answer.blocks(
        _result(1, []),
        catalogue=catalogue,
        labels={},
        draft_id="d1",
        skipped=[],
        today=TODAY,
        case_ref="HACK-2026-001",
    )
    assert "Recorded as case *HACK-2026-001*" in json.dumps(message)
    assert answer.RECORD not in json.dumps(message)


def _shortlist(candidates: int, excluded: int) -> dict:
    return {
        "case_ref": "HACK-2026-001",
        "listed": candidates + excluded,
        "unavailable": 0,
        "candidates": [
            {
                "consultant_id": i,
                "name": f"Consultant {i}",
                "score": 10 - i / 10,
                "breakdown": [{"component": "specialisms", "points": 3, "why": "covers neglect"}],
                "warnings": [],
            }
            for i in range(candidates)
        ],
        "excluded": [
            {
                "consultant_id": 100 + i,
                "name": f"Excluded {i}",
                "findings": [{"reason": "employed by police"}],
            }
            for i in range(excluded)
        ],
        "summary": {"message": "3 eligible"},
        "unknown_agencies": [],
    }


def test_a_long_shortlist_shows_the_top_five_and_offers_more_and_the_rest_in_a_search():
    message = shortlist.blocks(_shortlist(60, 40), key_base="k")
    assert len(message) <= blocks.MESSAGE_BLOCKS
    elements = [e for b in message if b["type"] == "actions" for e in b["elements"]]
    pickers = [e for e in elements if e["type"] == "external_select"]
    assert len(pickers) == 1 and "confirm" in pickers[0]
    assert [json.loads(e["value"]) for e in elements if e["action_id"] == shortlist.MORE] == [{"shown": 10}]
    assert sum(e["action_id"] == shortlist.COMMISSION for e in elements) == shortlist.FIRST


def test_the_longest_shortlist_shown_stays_within_fifty_blocks_and_offers_no_more():
    message = shortlist.blocks(_shortlist(60, 40), key_base="k", shown=100)
    elements = [e for b in message if b["type"] == "actions" for e in b["elements"]]
    assert len(message) <= blocks.MESSAGE_BLOCKS
    assert sum(e["action_id"] == shortlist.COMMISSION for e in elements) == shortlist.MOST
    assert shortlist.MORE not in json.dumps(message) and shortlist.PICK in json.dumps(message)


def test_each_commission_button_carries_its_own_idempotency_key_and_a_confirm_dialog():
    message = shortlist.blocks(_shortlist(3, 0), key_base="k")
    buttons = [
        e
        for b in message
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "shortlist.commission"
    ]
    values = [json.loads(button["value"]) for button in buttons]
    assert [v["key"] for v in values] == ["slack-k-0", "slack-k-1", "slack-k-2"]
    assert all("confirm" in button for button in buttons)


def test_the_declaration_request_carries_the_commission_and_its_request_never_the_agencies():
    commission = {"id": 7, "case_ref": "HACK-2026-001", "role": "lead_reviewer"}
    message = declaration.request_blocks(
        commission, agencies=[("hackney-csc", "Hackney Children's Services")], request="ab12cd34"
    )
    carried = [json.loads(e["value"]) for b in message if b["type"] == "actions" for e in b["elements"]]
    assert carried == [{"commission": 7, "request": "ab12cd34"}] * 3
    assert declaration.NO_CONFLICT in json.dumps(message)


def test_modal_titles_are_clipped_to_twenty_four_characters():
    view = blocks.modal(title="A title far longer than Slack allows", blocks=[], callback_id="x")
    assert len(view["title"]["text"]) == blocks.MODAL_TITLE_CHARS
