"""From a case to a commissioned, declared reviewer and terms of reference, all from Slack."""

import json
from datetime import timedelta
from itertools import pairwise

import pytest
from factories import consultant, engagement
from slack_rig import KNOWN_NEGLECT, SlackDriver, add_agencies, hackney_case, message_blocks, opened_view
from slack_standin import SlackStandIn
from sqlmodel import Session, func, select

from commissioning.models import Commission, CommissionStatus, Declaration
from core import clock
from registry.models import Consultant
from registry.vocabulary import EngagementKind

TODAY = clock.today()
CONSULTANT = "U0CONSULTANT"
OTHER_CONSULTANT = "U0OTHERCONSULTANT"


@pytest.fixture
def case_ref(session: Session, people) -> str:  # type: ignore[no-untyped-def]
    """A Hackney case involving children's social care and the police, twelve eligible consultants (one
    on Slack) and one excluded for working for the police."""
    add_agencies(session, "hackney-csc", "met-police")
    consultant(session, "Ada Reviewer", slack_user_id=CONSULTANT, specialisms=["neglect"])
    consultant(session, "Bea Reviewer", slack_user_id=OTHER_CONSULTANT)
    for n in range(10):
        consultant(session, f"Reviewer {chr(67 + n)}")
    police = consultant(session, "Pat Police")
    engagement(session, police, "met-police", EngagementKind.employed, start_date=TODAY - timedelta(days=900))
    return hackney_case(session, notified_days_ago=2, **KNOWN_NEGLECT)


def _shortlist(slack: SlackDriver, standin: SlackStandIn, *, user: str, ref: str):  # type: ignore[no-untyped-def]
    acknowledged = slack.command(f"shortlist {ref}", user=user).json()
    assert acknowledged["text"].startswith(f"Shortlisting {ref}")
    [posted] = standin.wait_for("chat.postMessage")
    return posted


def _commission_value(posted, name: str) -> str:  # type: ignore[no-untyped-def]
    """The value of the Commission button under ``name`` on the posted shortlist."""
    blocks = message_blocks(posted)
    return next(
        element["value"]
        for above, below in pairwise(blocks)
        if name in above.get("text", {}).get("text", "") and below["type"] == "actions"
        for element in below["elements"]
        if element["action_id"] == "shortlist.commission"
    )


def _asked_to_declare(slack: SlackDriver, standin: SlackStandIn, posted, name: str, *, by: str, dm: str):  # type: ignore[no-untyped-def]
    """``by`` commissions ``name`` from the shortlist; the request to declare sent to the consultant's DMs."""
    slack.press(posted, "shortlist.commission", user=by, value=_commission_value(posted, name))
    standin.wait_for("chat.postMessage", 3)
    return next(p for p in standin.calls_to("chat.postMessage") if p.body["channel"] == dm)


@pytest.fixture
def adas_request(slack, standin, people, case_ref):  # type: ignore[no-untyped-def]
    """The commissioner commissions Ada from the case's shortlist: the request to declare in her DMs."""
    posted = _shortlist(slack, standin, user=people.commissioner, ref=case_ref)
    return _asked_to_declare(
        slack, standin, posted, "Ada Reviewer", by=people.commissioner, dm="D0CONSULTANT"
    )


def _answer_in_modal(slack: SlackDriver, standin: SlackStandIn, text: str, *, user: str) -> None:
    """``user`` types ``text`` into the one input of the modal just opened, and submits it."""
    [modal] = standin.wait_for("views.open")
    [block] = [b for b in opened_view(modal)["blocks"] if b["type"] == "input"]
    typed = {"type": "plain_text_input", "value": text}
    values = {block["block_id"]: {block["element"]["action_id"]: typed}}
    assert slack.submit(modal, values, user=user).status_code == 200


def test_the_shortlist_shows_the_top_five_with_their_points_and_the_excluded_with_reasons(
    slack, standin, people, case_ref
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=case_ref)
    text = json.dumps(message_blocks(posted))
    assert "*1. Ada Reviewer*: 16 points\\nPoints for specialisms, free places" in text
    assert "*Excluded: 1 consultant*" in text and "*Pat Police*: Pat Police is employed by" in text
    commission_buttons = [
        element
        for b in message_blocks(posted)
        if b["type"] == "actions"
        for element in b["elements"]
        if element["action_id"] == "shortlist.commission"
    ]
    assert len(commission_buttons) == 5 and all("confirm" in button for button in commission_buttons)
    assert posted.body["text"] == (
        f"Shortlist for case {case_ref}: the top 5 of 12 candidates, 1 consultant excluded."
    )


def test_commission_declare_and_get_the_terms_of_reference(
    slack, standin, people, case_ref, session: Session
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=case_ref)
    first = json.loads(_commission_value(posted, "Ada Reviewer"))
    slack.press(
        posted,
        "shortlist.commission",
        user=people.commissioner,
        value=json.dumps(first, separators=(",", ":")),
    )

    # The consultant is asked, in their DMs, about exactly the case's agencies.
    opened = standin.wait_for("conversations.open", 2)
    assert opened[-1].body["users"] == CONSULTANT
    request, note = None, None
    for _ in range(100):
        posts = standin.calls_to("chat.postMessage")
        request = next((p for p in posts if p.body["channel"] == "D0CONSULTANT"), None)
        note = next((p for p in posts if "Commissioned *Ada Reviewer*" in p.body.get("text", "")), None)
        if request and note:
            break
        standin.wait_for("chat.postMessage", len(posts) + 1, timeout=5)
    assert "Hackney Children's Social Care" in json.dumps(message_blocks(request))
    assert "direct message asking them to declare" in note.body["text"]
    commission = session.exec(select(Commission)).one()
    assert commission.status == CommissionStatus.proposed

    # The same click delivered again commissions nobody new and sends no second request.
    slack.press(
        posted,
        "shortlist.commission",
        user=people.commissioner,
        value=json.dumps(first, separators=(",", ":")),
        headers={"X-Slack-Retry-Num": "1"},
    )
    standin.wait_for("chat.postMessage", 4)
    assert "Already done" in standin.calls_to("chat.postMessage")[-1].body["text"]
    assert session.exec(select(func.count()).select_from(Commission)).one() == 1

    # The consultant declares no conflict.
    slack.press(request, "declaration.none", user=CONSULTANT)
    [thanks] = standin.wait_for("chat.update")
    assert "You declared *no conflict*" in json.dumps(message_blocks(thanks))
    session.expire_all()
    assert session.get(Commission, commission.id).status == CommissionStatus.declared
    declaration = session.exec(select(Declaration)).one()
    assert sorted(declaration.agencies) == ["hackney-csc", "met-police"] and declaration.no_conflict

    # The terms of reference go to the commissioner's DMs as DOCX and PDF, through files upload v2.
    standin.reset()
    assert slack.command(f"terms {case_ref}", user=people.commissioner).json()["text"].startswith("Preparing")
    [complete] = standin.wait_for("files.completeUploadExternal", timeout=30)
    uploads = standin.calls_to("upload")
    assert len(standin.calls_to("files.getUploadURLExternal")) == 2 and len(uploads) == 2
    assert {u.raw[:4] for u in uploads} == {b"PK\x03\x04", b"%PDF"}
    assert complete.body["channel_id"] == "D0COMMISSIONER"
    titles = sorted(f["title"] for f in json.loads(complete.body["files"]))
    assert titles == [f"{case_ref}-terms-v1.docx", f"{case_ref}-terms-v1.pdf"]
    assert case_ref in complete.body["initial_comment"]


def test_a_consultant_declares_a_conflict_in_a_modal_that_needs_a_statement(
    slack, standin, people, case_ref, session: Session
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=case_ref)
    request = _asked_to_declare(
        slack, standin, posted, "Bea Reviewer", by=people.commissioner, dm="D0OTHERCONSULTANT"
    )
    slack.press(request, "declaration.conflict", user=OTHER_CONSULTANT)
    statement = "I supervised a social worker at Hackney CSC until last year."
    _answer_in_modal(slack, standin, statement, user=OTHER_CONSULTANT)
    standin.wait_for("chat.update")
    declaration = session.exec(select(Declaration)).one()
    assert declaration.no_conflict is False and declaration.statement == statement


def test_someone_other_than_the_consultant_cannot_declare_for_them(
    slack, standin, people, adas_request, session: Session
):
    slack.press(adas_request, "declaration.none", user=people.commissioner)
    replies = standin.wait_for("response_url")
    assert "Only the commissioned consultant" in replies[0].body["text"]
    assert session.exec(select(func.count()).select_from(Declaration)).one() == 0


def _decline(slack: SlackDriver, standin: SlackStandIn, request, *, user: str, reason: str):  # type: ignore[no-untyped-def]
    """``user`` presses Decline on the request and submits ``reason`` in the modal it opens."""
    slack.press(request, "declaration.decline", user=user)
    _answer_in_modal(slack, standin, reason, user=user)


def test_a_consultant_declines_the_commission_from_the_request_with_their_reason(
    slack, standin, adas_request, session: Session
):
    _decline(slack, standin, adas_request, user=CONSULTANT, reason="I am away for most of the review period.")

    [updated] = standin.wait_for("chat.update")
    assert "You declined the commission for case" in json.dumps(updated.body)
    assert session.exec(select(Commission.status)).one() == CommissionStatus.declined


def test_someone_other_than_the_consultant_cannot_decline_for_them(
    slack, standin, adas_request, session: Session
):
    _decline(slack, standin, adas_request, user=OTHER_CONSULTANT, reason="Declining for someone else.")

    [told] = standin.wait_for("chat.postMessage", 4)[-1:]
    assert "Only the commissioned consultant" in json.dumps(told.body)
    assert session.exec(select(Commission.status)).one() == CommissionStatus.proposed


def test_candidates_beyond_those_shown_are_picked_from_a_search(
    slack, standin, people, case_ref, session: Session
):
    posted = _shortlist(slack, standin, user=people.commissioner, ref=case_ref)
    [picker_block] = [
        b for b in message_blocks(posted) if b.get("block_id", "").startswith("shortlist.pick|")
    ]
    offered = slack.suggest_in_message(
        posted, picker_block["block_id"], "shortlist.pick", user=people.commissioner, query="reviewer l"
    ).json()
    assert [o["text"]["text"] for o in offered["options"]] == ["Reviewer L: 6 points"]
    slack.press(posted, "shortlist.pick", user=people.commissioner, selected=offered["options"][0])
    standin.wait_for("chat.postMessage", 2)
    commission = session.exec(select(Commission)).one()
    assert session.get(Consultant, commission.consultant_id).name == "Reviewer L"
    assert "no Slack account on record" in standin.calls_to("chat.postMessage")[-1].body["text"]


def test_only_commissioners_can_commission(slack, standin, people, case_ref, session: Session):
    posted = _shortlist(slack, standin, user=people.chair, ref=case_ref)
    slack.press(posted, "shortlist.commission", user=people.chair, value=None)
    [refusal] = standin.wait_for("response_url")
    assert refusal.body["response_type"] == "ephemeral" and "commissioner" in refusal.body["text"]
    assert session.exec(select(func.count()).select_from(Commission)).one() == 0


def test_a_request_about_thirty_agencies_lists_the_first_and_declares_from_the_full_list(
    slack, standin, people, session: Session
):
    """The request names as many agencies as fit and counts the rest; "No conflict" then comes from the
    modal that lists every one, and the declaration covers exactly those."""
    from registry.models import Agency
    from registry.vocabulary import AgencyKind

    ids = [f"agency-{n:02d}-" + "x" * 54 for n in range(30)]
    for n, agency_id in enumerate(ids):
        name = f"Agence {n:02d} de Protección de la Infancia 🧒 Łódź " + "é" * 150
        session.add(Agency(id=agency_id, name=name, kind=AgencyKind.police, area="hackney"))
    consultant(session, "Ada Reviewer", slack_user_id=CONSULTANT, specialisms=["neglect"])
    session.commit()
    ref = hackney_case(
        session, notified_days_ago=2, agencies=ids, outcome="serious_harm", abuse_or_neglect="known"
    )
    posted = _shortlist(slack, standin, user=people.commissioner, ref=ref)
    slack.press(posted, "shortlist.commission", user=people.commissioner)
    standin.wait_for("chat.postMessage", 3)
    request = next(p for p in standin.calls_to("chat.postMessage") if p.body["channel"] == "D0CONSULTANT")
    text = json.dumps(message_blocks(request), ensure_ascii=False)
    assert "Agence 00" in text and "Agence 29" not in text and "more: open the list" in text
    assert "declaration.none" not in text

    slack.press(request, "declaration.list", user=CONSULTANT)
    [modal] = standin.wait_for("views.open")
    listed = json.dumps(opened_view(modal), ensure_ascii=False)
    assert all(f"Agence {n:02d}" in listed for n in range(30))
    assert slack.submit(modal, {}, user=CONSULTANT).status_code == 200
    [thanks] = standin.wait_for("chat.update")
    assert "You declared *no conflict*" in json.dumps(message_blocks(thanks))
    declaration = session.exec(select(Declaration)).one()
    assert sorted(declaration.agencies) == ids and declaration.no_conflict
