"""``/scr report``: the thematic briefing's publishable PDF in the asker's direct messages, through files
upload v2; an analyst's across partnerships; words the command cannot read are answered with its usage."""

import json

import pytest
from briefing_cases import study_case
from factories import add_person, case, home_partnership
from slack_rig import SlackDriver
from slack_standin import SlackStandIn
from sqlmodel import Session

ANALYST = "U0ANALYST"


@pytest.fixture
def stored(session: Session, people) -> None:  # type: ignore[no-untyped-def]
    """The study's 26 cases in the home partnership, and an analyst linked in Slack."""
    home_partnership(session)
    for i in range(26):
        case(session, f"HAC-2006-{i + 1:04d}", **{k: v for k, v in study_case(i).items() if k != "area"})
    from service.models import Role

    add_person(
        session, email="analyst@region.example.org", role=Role.analyst, actor="test", slack_user_id=ANALYST
    )
    session.commit()


def uploaded(standin: SlackStandIn) -> tuple[dict, list[bytes]]:  # type: ignore[type-arg]
    [complete] = standin.wait_for("files.completeUploadExternal", timeout=30)
    return complete.body, [u.raw for u in standin.calls_to("upload")]


def test_a_chair_gets_the_publishable_pdf_in_their_direct_messages(
    slack: SlackDriver,
    standin: SlackStandIn,
    people,
    stored: None,  # type: ignore[no-untyped-def]
) -> None:
    ack = slack.command("report 2006-01-01 2006-12-31", user=people.chair).json()
    assert ack["text"].startswith("Preparing the thematic briefing from")
    body, files = uploaded(standin)
    assert [raw[:4] for raw in files] == [b"%PDF"]
    assert body["channel_id"] == "D0CHAIR"
    [named] = json.loads(body["files"])
    assert named["title"].endswith("-2006-01-01-to-2006-12-31-publishable.pdf")
    assert "publishable version" in body["initial_comment"] and "HAC-2006" not in body["initial_comment"]
    assert not standin.calls_to("chat.postMessage")  # nothing in the channel


def test_an_analyst_gets_the_briefing_across_partnerships(
    slack: SlackDriver, standin: SlackStandIn, stored: None
) -> None:
    slack.command("report 2006-01-01 2006-12-31", user=ANALYST)
    body, files = uploaded(standin)
    assert json.loads(body["files"])[0]["title"].startswith("thematic-briefing-all-partnerships-")
    assert files[0].startswith(b"%PDF")


@pytest.mark.parametrize(
    ("words", "told"),
    [
        ("report 2006-01-01", "both days"),
        ("report 2006-02-30 2006-03-01", "not a real date"),
        ("report 2006-12-01 2006-01-01", "ends before it starts"),
        ("report last-year", "did not understand"),
    ],
)
def test_words_it_cannot_read_get_its_usage(
    slack: SlackDriver,
    standin: SlackStandIn,
    people,
    words: str,
    told: str,  # type: ignore[no-untyped-def]
) -> None:
    answer = slack.command(words, user=people.chair).json()
    assert told in answer["text"] and "/scr report" in answer["text"]
    assert not standin.calls_to("files.getUploadURLExternal")
