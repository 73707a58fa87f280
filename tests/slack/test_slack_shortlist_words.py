"""Words for a board chair: what the shortlist, a consultant's card and search, the declaration request,
the terms of reference, ``/scr me`` and a record's changes say in Slack, driven end to end.

Every text a person reads (a message's fallback text, and the ``plain_text`` and ``mrkdwn`` of its blocks
and views; never an action id, a value or a block id) is scanned: no snake_case identifier, no internal
id ("commission 12", a rule id), no "-0", and every date written one way, ``Wed 11 Nov 2026``. The
shortlist shows the top five, each score line a name and a number of points; "Show more" lengthens it
in place; "Why this score" opens the breakdown in a modal (never a post), parts worth nothing left out.
"""

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from factories import consultant, engagement, rating
from slack_rig import (
    KNOWN_NEGLECT,
    SlackDriver,
    add_agencies,
    camden_ties,
    find_element,
    hackney_case,
    message_blocks,
    opened_view,
)
from slack_standin import Call, SlackStandIn
from sqlmodel import Session

from bot.views.wording import day
from core import clock
from registry.lifecycle import add_years
from registry.vocabulary import EngagementKind, RegistrationBody

TODAY = clock.today()
ADA = "U0ADAWORDS"  # Ada is on Slack: she is asked to declare, and reads her own record
EXCLUDED = 7  # more than the message lists: the rest open in a modal
OTHERS = 10

EMOJI = re.compile(r":[a-z0-9_+-]+:")
MENTION = re.compile(r"<[@#!][^>]*>")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
INTERNAL_ID = re.compile(r"\b(?:commission|consultant|engagement|record|request|rule|draft) #?\d+\b", re.I)
RULE_ID = re.compile(r"\b(?:independence|vetting|capacity|wt20\d\d)\.[a-z_.]+")
NEGATIVE_ZERO = re.compile(r"(?<![\w-])[-\u2212]0(?![\d.])")  # a hyphen or a minus sign
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DAY = re.compile(rf"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{{1,2}} {MONTH} \d{{4}}\b")
ANY_DATE = re.compile(rf"\b\d{{1,2}} {MONTH}[a-z]* \d{{4}}\b")
SCORE_LINE = re.compile(r"^\*\d+\. [^*\n]+\*: -?\d+(?:\.\d+)? points?$")
PART_LINE = re.compile(r"^• \*[^*\n]+\* (adds|takes away) (\d+(?:\.\d+)?) points?: \S.*$")


# What a person reads --------------------------------------------------------------------------------


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def readable(value: Any) -> Iterator[str]:
    """Every text a person reads in a payload: ``text`` (a fallback, or a text object's), an upload's
    comment and a modal's errors; never ids, values or metadata."""
    if isinstance(value, dict):
        for key, item in value.items():
            item = _decoded(item) if key in ("blocks", "view", "attachments") else item
            if key in ("text", "initial_comment") and isinstance(item, str):
                yield item
            elif key == "errors" and isinstance(item, dict):
                yield from (str(error) for error in item.values())
            elif isinstance(item, dict | list):
                yield from readable(item)
    elif isinstance(value, list):
        for item in value:
            yield from readable(item)


def problems(texts: Iterator[str] | list[str]) -> list[str]:
    """What in ``texts`` is not for a person: an identifier, an internal id, a negative zero, a date
    written any other way than ``Wed 11 Nov 2026``."""
    found = []
    for text in texts:
        plain = MENTION.sub("", EMOJI.sub("", text))
        undated = DAY.sub("", plain)
        for name, pattern, where in (
            ("snake_case", SNAKE, plain),
            ("internal id", INTERNAL_ID, plain),
            ("rule id", RULE_ID, plain),
            ("negative zero", NEGATIVE_ZERO, plain),
            ("ISO date", ISO_DATE, plain),
            ("date without its weekday", ANY_DATE, undated),
        ):
            found += [f"{name} {match!r} in {text!r}" for match in pattern.findall(where)]
    return found


def people_read(standin: SlackStandIn, *acks: Any) -> list[str]:
    """Every text of every call the bot made (uploads aside), and of the acknowledgements ``acks``."""
    texts = [text for call in standin.calls if call.method != "upload" for text in readable(call.body)]
    return texts + [text for ack in acks for text in readable(ack)]


# The world: a Hackney case, its candidates and the excluded -------------------------------------------


@pytest.fixture
def world(session: Session, people) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Ada (on Slack, a neglect specialist with a rated review, a contract with Camden and an interest),
    Wyn (a neglect specialist too, whose insurance runs out soon: a warning), ten more reviewers, and
    seven employed by the police, which the case involves."""
    add_agencies(session, "hackney-csc", "met-police", "camden-csc")
    ada = consultant(
        session,
        "Ada Reviewer",
        slack_user_id=ADA,
        specialisms=["neglect", "infant_injury_and_sudi"],
        registration_body=RegistrationBody.social_work_england,
        registration_expiry=TODAY + timedelta(days=300),
        dbs_check_date=add_years(TODAY, -3) + timedelta(days=10),
    )
    rating(session, ada, 4, case_ref="OLD-2024-001")
    camden = camden_ties(session, ada)
    wyn = consultant(
        session, "Wyn Warning", specialisms=["neglect"], insurance_expiry=TODAY + timedelta(days=20)
    )
    for n in range(OTHERS):
        consultant(session, f"Reviewer {chr(67 + n)}")
    for n in range(EXCLUDED):
        police = consultant(session, f"Pat Police {n + 1}")
        engagement(
            session, police, "met-police", EngagementKind.employed, start_date=TODAY - timedelta(days=900)
        )
    ref = hackney_case(session, notified_days_ago=2, **KNOWN_NEGLECT)
    return {"ref": ref, "ada": ada, "wyn": wyn, "camden": camden, "candidates": 2 + OTHERS}


def _shortlist(slack: SlackDriver, standin: SlackStandIn, *, user: str, ref: str) -> Call:
    assert slack.command(f"shortlist {ref}", user=user).status_code == 200
    [posted] = standin.wait_for("chat.postMessage")
    return posted


def _candidates(call: Call) -> list[str]:
    """The text of each candidate's section, in the order shown."""
    return [
        b["text"]["text"]
        for b in message_blocks(call)
        if b["type"] == "section" and re.match(r"\*\d+\. ", b.get("text", {}).get("text", ""))
    ]


def _carried(**ids: Any) -> str:
    return json.dumps(ids, separators=(",", ":"))


def _commission_values(call: Call) -> list[str]:
    return [
        e["value"]
        for b in message_blocks(call)
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "shortlist.commission"
    ]


# The shortlist ----------------------------------------------------------------------------------------


def test_the_shortlist_shows_the_top_five_as_names_and_points_and_the_excluded_with_their_records(
    slack, standin, people, world
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=world["ref"])

    candidates = _candidates(posted)
    assert len(candidates) == 5 and candidates[0].startswith("*1. Ada Reviewer*: ")
    for text in candidates:
        score, *rest = text.split("\n")
        assert SCORE_LINE.match(score), score
        assert all(not re.search(r"\d", line) for line in rest if not line.startswith(":warning:")), text
    assert posted.body["text"] == (
        f"Shortlist for case {world['ref']}: the top 5 of {world['candidates']} candidates, "
        f"{EXCLUDED} consultants excluded."
    )

    [excluded] = [b for b in message_blocks(posted) if "*Excluded: " in b.get("text", {}).get("text", "")]
    lines = excluded["text"]["text"].split("\n")
    assert lines[0] == f"*Excluded: {EXCLUDED} consultants*"
    assert all("employed by Metropolitan Police Service" in line for line in lines[1:-1])
    assert lines[-1] == f"and {EXCLUDED - 5} more excluded: open the list"
    assert excluded["accessory"]["action_id"] == "shortlist.excluded"

    assert problems(people_read(standin)) == []
    assert any(DAY.search(text) for text in people_read(standin))  # the exclusions' dates, as people read


def test_show_more_lengthens_the_list_in_place_and_keeps_every_commission_key(slack, standin, people, world):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=world["ref"])
    first = _commission_values(posted)

    slack.press(posted, "shortlist.more", user=people.commissioner)
    [longer] = standin.wait_for("chat.update")
    assert (longer.body["channel"], longer.body["ts"]) == (posted.body["channel"], posted.answer["ts"])
    assert len(_candidates(longer)) == 10 and _commission_values(longer)[:5] == first
    assert f"the top 10 of {world['candidates']} candidates" in longer.body["text"]

    slack.press(longer, "shortlist.more", user=people.commissioner)
    whole = standin.wait_for("chat.update", 2)[-1]
    assert len(_candidates(whole)) == world["candidates"]
    shown = json.dumps(message_blocks(whole))
    assert "shortlist.more" not in shown and "shortlist.pick" not in shown  # nobody left to show
    assert whole.body["text"].startswith(
        f"Shortlist for case {world['ref']}: {world['candidates']} candidates"
    )
    assert problems(people_read(standin)) == []


def test_why_this_score_opens_the_breakdown_privately_without_parts_worth_nothing(
    slack, standin, people, world
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=world["ref"])
    [ada] = [text for text in _candidates(posted) if "Ada Reviewer" in text]
    score = float(re.search(r": (-?[\d.]+) points", ada.split("\n")[0])[1])  # type: ignore[index]
    standin.settle(0.1)
    before = len(standin.calls)

    value = _carried(ref=world["ref"], consultant_id=world["ada"])
    slack.press(posted, "shortlist.why", user=people.commissioner, value=value)
    [modal] = standin.wait_for("views.open")
    standin.settle(0.2)
    assert [call.method for call in standin.calls[before:]] == ["views.open"]  # no post, no update

    view = opened_view(modal)
    assert view["title"]["text"] == "Why this score"
    lines = [line for text in readable(view) for line in text.split("\n") if line.startswith("• ")]
    parts = [PART_LINE.match(line) for line in lines]
    assert all(parts), lines
    assert "• *Specialisms* adds 10 points: covers the case's theme: neglect" in lines
    points = {"adds": 1, "takes away": -1}
    assert sum(points[p[1]] * float(p[2]) for p in parts if p) == score  # the parts add up to the score
    assert not any(float(p[2]) == 0 for p in parts if p)

    slack.press(
        posted,
        "shortlist.why",
        user=people.commissioner,
        value=_carried(ref=world["ref"], consultant_id=world["wyn"]),
    )
    warned = json.dumps(opened_view(standin.wait_for("views.open", 2)[-1]))
    assert f"insurance runs out on {day(TODAY + timedelta(days=20))}" in warned
    assert problems(people_read(standin)) == []


def test_the_full_list_of_the_excluded_opens_privately_naming_every_one(slack, standin, people, world):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=world["ref"])
    slack.press(posted, "shortlist.excluded", user=people.commissioner)
    [modal] = standin.wait_for("views.open")
    listed = "\n".join(readable(opened_view(modal)))
    assert all(f"*Pat Police {n + 1}*: Pat Police {n + 1} is employed by" in listed for n in range(EXCLUDED))
    assert f"*{EXCLUDED} consultants* cannot review case *{world['ref']}*" in listed
    assert problems(people_read(standin)) == []


# Commissioning, the declaration, the terms of reference ----------------------------------------------


def test_commissioning_asks_the_consultant_in_words_and_their_answer_reads_back(
    slack, standin, people, world
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=world["ref"])
    [ada] = [v for v in _commission_values(posted) if json.loads(v)["consultant_id"] == world["ada"]]
    slack.press(posted, "shortlist.commission", user=people.commissioner, value=ada)
    posts = standin.wait_for("chat.postMessage", 3)
    [request] = [p for p in posts if p.body["channel"] == f"D{ADA[1:]}"]
    [note] = [p for p in posts if p.body["text"].startswith(":white_check_mark: Commissioned")]
    assert request.body["text"] == (
        f"You have been commissioned as lead reviewer for case {world['ref']}: please declare any conflict "
        "of interest."
    )
    assert "commissioned as *lead reviewer* for case" in json.dumps(message_blocks(request))
    assert "The commission is proposed until they declare" in note.body["text"]

    slack.press(posted, "shortlist.commission", user=people.commissioner, value=ada)  # a double click
    again = standin.wait_for("chat.postMessage", 4)[-1]
    assert again.body["text"] == (
        f"Already done: Ada Reviewer was commissioned as lead reviewer for case {world['ref']} on "
        f"{day(TODAY)}; the commission is proposed."
    )

    slack.press(request, "declaration.none", user=ADA)
    [thanks] = standin.wait_for("chat.update")
    assert thanks.body["text"] == f"You declared no conflict for case {world['ref']}."
    assert "You declared *no conflict* with any of the 2 agencies involved" in json.dumps(
        message_blocks(thanks)
    )
    assert problems(people_read(standin)) == []


def test_the_terms_of_reference_arrive_with_a_note_in_words(slack, standin, people, world):
    acknowledged = slack.command(f"terms {world['ref']}", user=people.commissioner).json()
    [complete] = standin.wait_for("files.completeUploadExternal", timeout=30)
    comment = complete.body["initial_comment"]
    assert comment.startswith(f"Terms of reference for case *{world['ref']}*, version 1: the DOCX to edit")
    assert re.search(r"Still to be confirmed: \d+ items?\.", comment)
    assert "(s)" not in comment
    assert problems(people_read(standin, acknowledged)) == []


# A consultant's card and search, their own record, and changes to it ------------------------------------


def test_a_card_and_a_search_name_the_vocabularies_in_words_and_dates_one_way(slack, standin, people, world):
    slack.command("consultant reviewer", user=people.admin)
    [results] = standin.wait_for("response_url")
    assert results.body["text"] == f"{world['candidates'] - 1} consultants match “reviewer”: 1 to 10 shown."
    slack.command("consultant ada", user=people.admin)
    card = standin.wait_for("response_url", 2)[-1]
    shown = "\n".join(readable(card.body))
    assert card.body["text"] == "Ada Reviewer: approved, 0 of 2 places in use."
    assert "*Specialisms*\nneglect, infant injury and SUDI" in shown
    assert "local child safeguarding practice review as lead reviewer" in shown
    assert f"falls due *{day(TODAY + timedelta(days=10))}*" in shown
    assert f"since {day(TODAY - timedelta(days=200))}" in shown
    assert "*Reviews*: 1 review, average rating *4.0 of 4* from 1 rated review" in shown
    assert problems(people_read(standin)) == []


def test_a_consultant_reads_their_own_record_in_words(slack, standin, world):
    slack.command("me", user=ADA)
    [record] = standin.wait_for("response_url")
    shown = "\n".join(readable(record.body))
    assert record.body["text"] == "Your record: Ada Reviewer, 0 of 2 places in use."
    assert f"*Registration*\nSocial Work England, until {day(TODAY + timedelta(days=300))}" in shown
    assert problems(people_read(standin)) == []


def test_an_admin_changing_a_record_reads_dates_and_refusals_in_words(slack, standin, people, world):
    slack.command("consultant ada", user=people.admin)
    [card] = standin.wait_for("response_url")
    _, end = find_element(message_blocks(card), "consultant.engagement_end")
    slack.press(card, "consultant.engagement_end", user=people.admin, value=end["value"])
    [modal] = standin.wait_for("views.open")
    too_early = TODAY - timedelta(days=900)
    dated = {"consultant.date": {"value": {"type": "datepicker", "selected_date": too_early.isoformat()}}}
    refused = slack.submit(modal, dated, user=people.admin).json()
    started = day(TODAY - timedelta(days=200))
    assert refused["errors"] == {
        "consultant.date": f"It cannot end ({day(too_early)}) before it starts ({started})."
    }
    dated["consultant.date"]["value"]["selected_date"] = TODAY.isoformat()
    ended = slack.submit(modal, dated, user=people.admin).json()
    assert f"The engagement ended on *{day(TODAY)}*." in json.dumps(ended["view"])
    assert problems(people_read(standin, refused, ended)) == []


# The scan itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Deadline passed for notify_panel",
        "(commission 12, proposed)",
        "consultant 7",
        "score -0",
        "specialisms +3: independence.current_employment",
        "checked 2026-11-11",
        "until 1 June 2026",
        "until 11 Nov 2026",
    ],
)
def test_the_scan_finds_what_a_person_should_not_read(text: str) -> None:
    assert problems([text])


def test_the_scan_passes_what_a_person_reads() -> None:
    assert (
        problems(
            [
                ":white_check_mark: Case HAC-2026-0007, falls due *Wed 11 Nov 2026*: _3 reviews_ <@U0ADA>",
                "*1. Ada*: 12.5 points",
            ]
        )
        == []
    )
