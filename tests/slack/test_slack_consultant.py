"""``/scr consultant``: search, the card, and the admin's changes to the record from it."""

import json
from datetime import date, timedelta

import pytest
from factories import case, consultant, rating
from slack_rig import SlackDriver, add_agencies, camden_ties, message_blocks
from slack_standin import Call, SlackStandIn
from sqlmodel import Session, select

from bot.views.wording import day
from core import clock
from core.audit import AuditEvent
from registry.lifecycle import add_years
from registry.models import Consultant, Engagement
from registry.vocabulary import ConsultantStatus, EngagementKind

TODAY = clock.today()


@pytest.fixture
def ada(session: Session, people) -> int:  # type: ignore[no-untyped-def]
    """Ada, whose DBS check lapses in ten days, with an engagement, an interest and a rated review; and
    twelve other reviewers, so a search for "reviewer" runs to two pages."""
    add_agencies(session, "hackney-csc", "met-police", "camden-csc")
    ada = consultant(
        session,
        "Ada Reviewer",
        specialisms=["neglect", "domestic_abuse"],
        dbs_check_date=add_years(TODAY, -3) + timedelta(days=10),
    )
    camden_ties(session, ada)
    rating(session, ada, 3, case_ref="OLD-2024-001")
    for n in range(12):
        consultant(session, f"Reviewer {chr(66 + n)}")
    return ada


def _reply(slack: SlackDriver, standin: SlackStandIn, text: str, *, user: str) -> Call:
    """``/scr TEXT``: acknowledged with nothing, then one ephemeral reply through the response URL."""
    before = len(standin.calls_to("response_url"))
    acknowledged = slack.command(text, user=user)
    assert acknowledged.status_code == 200 and not acknowledged.content
    reply = standin.wait_for("response_url", before + 1)[-1]
    assert reply.body["response_type"] == "ephemeral"
    return reply


def _text(call: Call) -> str:
    return json.dumps(message_blocks(call))


def _value(call: Call, action_id: str, **wanted: object) -> str:
    """The value of the button ``action_id`` whose carried ids include ``wanted``."""
    for block in message_blocks(call):
        for element in block.get("elements") or [block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                carried = json.loads(element["value"])
                if all(carried.get(key) == value for key, value in wanted.items()):
                    return element["value"]
    raise AssertionError(f"no {action_id} button for {wanted}")


def _modal(standin: SlackStandIn, count: int) -> Call:
    return standin.wait_for("views.open", count)[-1]


def _submit(slack: SlackDriver, modal: Call, values: dict, *, user: str) -> dict:  # type: ignore[type-arg]
    response = slack.submit(modal, values, user=user)
    assert response.status_code == 200
    return response.json() if response.content else {}


def _typed(block: str, text: str) -> dict:  # type: ignore[type-arg]
    return {block: {"value": {"type": "plain_text_input", "value": text}}}


def _dated(block: str, day: date) -> dict:  # type: ignore[type-arg]
    return {block: {"value": {"type": "datepicker", "selected_date": day.isoformat()}}}


def test_a_search_pages_and_opens_a_card_with_checks_engagements_interests_and_reviews(
    slack, standin, people, ada
):
    first = _reply(slack, standin, "consultant reviewer", user=people.commissioner)
    assert "13 consultants match \\u201creviewer\\u201d: 1 to 10 shown." in _text(first)
    assert first.body["text"] == "13 consultants match “reviewer”: 1 to 10 shown."
    slack.press(first, "consultant.page.next", user=people.commissioner)
    second = standin.wait_for("response_url", 2)[-1]
    assert second.body["replace_original"] is True and ": 11 to 13 shown." in _text(second)
    assert "Previous" in _text(second) and "Next" not in _text(second)

    slack.press(first, "consultant.open", user=people.commissioner, value=str(ada))
    card = standin.wait_for("response_url", 3)[-1]
    assert card.body["response_type"] == "ephemeral" and card.body["replace_original"] is False
    text = _text(card)
    assert "Ada Reviewer" in text and "*Places*\\n0 of 2 in use" in text
    assert card.body["text"] == "Ada Reviewer: approved, 0 of 2 places in use."
    checked, due = day(add_years(TODAY, -3) + timedelta(days=10)), day(TODAY + timedelta(days=10))
    assert f"DBS check: checked {checked}, falls due *{due}*" in text
    assert "Contracted, Camden Children's Social Care: Independent chair" in text
    assert "Sister works in Camden" in text and "OLD-2024-001" in text and "rated *3 of 4*" in text
    assert "local child safeguarding practice review as lead reviewer" in text
    assert "consultant.status" not in text and "Only admins change the approved list." in text


def test_a_search_of_three_pages_turns_forward_and_back_from_the_middle_page(
    slack, standin, people, ada, session: Session
):
    for n in range(12):
        consultant(session, f"Reviewer Z{n}")
    session.commit()
    first = _reply(slack, standin, "consultant reviewer", user=people.commissioner)
    assert "25 consultants match" in _text(first)
    slack.press(first, "consultant.page.next", user=people.commissioner)
    middle = standin.wait_for("response_url", 2)[-1]
    assert ": 11 to 20 shown." in _text(middle)
    assert "Previous" in _text(middle) and "Next" in _text(middle)
    slack.press(middle, "consultant.page.next", user=people.commissioner)
    assert ": 21 to 25 shown." in _text(standin.wait_for("response_url", 3)[-1])
    slack.press(middle, "consultant.page.previous", user=people.commissioner)
    assert ": 1 to 10 shown." in _text(standin.wait_for("response_url", 4)[-1])


def test_the_search_finds_specialisms_and_areas_and_says_when_nothing_matches(slack, standin, people, ada):
    by_specialism = _reply(slack, standin, "consultant domestic abuse", user=people.admin)
    assert "Ada Reviewer" in _text(by_specialism) and "Reviewer B" not in _text(by_specialism)
    nothing = _reply(slack, standin, "consultant camden", user=people.admin)
    assert "No consultant matches" in _text(nothing)


def test_a_chair_running_scr_consultant_is_refused_privately(slack, standin, people, ada):
    refusal = _reply(slack, standin, "consultant ada", user=people.chair)
    assert "commissioner or admin of a partnership" in refusal.body["text"]
    assert "Ada" not in json.dumps(refusal.body)


def test_scr_consultant_without_a_query_explains_its_usage(slack, people):
    reply = slack.command("consultant", user=people.admin).json()
    assert reply["response_type"] == "ephemeral" and "/scr consultant QUERY" in reply["text"]


def test_an_admin_suspends_with_a_reason_and_a_second_suspension_shows_the_actions_allowed(
    slack, standin, people, ada, session: Session
):
    card = _reply(slack, standin, "consultant ada", user=people.admin)
    suspend = _value(card, "consultant.status.suspend")
    slack.press(card, "consultant.status.suspend", user=people.admin, value=suspend)
    modal = _modal(standin, 1)
    assert _submit(slack, modal, _typed("consultant.reason", "no"), user=people.admin) == {
        "response_action": "errors",
        "errors": {"consultant.reason": "String should have at least 3 characters"},
    }
    done = _submit(slack, modal, _typed("consultant.reason", "DBS certificate withdrawn"), user=people.admin)
    assert done["response_action"] == "update"
    assert "You suspended Ada Reviewer. Their status is now *suspended*." in json.dumps(done["view"])
    session.expire_all()
    row = session.get(Consultant, ada)
    assert (row.status, row.status_reason) == (ConsultantStatus.suspended, "DBS certificate withdrawn")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.suspend")).one()
    assert (event.actor, event.entity_id) == ("admin@board.example.org", str(ada))
    assert event.after["status"] == "suspended"

    # The card is now stale: suspending again is refused by the service, which says what is allowed.
    slack.press(card, "consultant.status.suspend", user=people.admin, value=suspend)
    refused = _submit(slack, _modal(standin, 2), _typed("consultant.reason", "Again"), user=people.admin)
    assert refused["response_action"] == "errors"
    assert "cannot be suspended; allowed: remove, reinstate" in refused["errors"]["consultant.reason"]


def test_a_commissioner_sees_no_admin_buttons_and_the_service_refuses_an_admin_modal(
    slack, standin, people, ada, session: Session
):
    card = _reply(slack, standin, "consultant ada", user=people.admin)
    assert "consultant.status" in _text(card)
    # A commissioner who reaches an admin's button anyway (say, a forwarded card) is refused at submit.
    slack.press(
        card,
        "consultant.status.remove",
        user=people.commissioner,
        value=_value(card, "consultant.status.remove"),
    )
    refused = _submit(
        slack, _modal(standin, 1), _typed("consultant.reason", "Left the list"), user=people.commissioner
    )
    assert "needs a list admin" in refused["errors"]["consultant.reason"]
    session.expire_all()
    assert session.get(Consultant, ada).status == ConsultantStatus.approved


def test_an_engagement_added_from_slack_excludes_the_consultant_from_a_case_with_that_agency(
    slack, standin, people, ada, session: Session
):
    case(session, "HAC-2026-0001", agencies=("hackney-csc", "met-police"), neglect=True)

    def shortlist() -> str:
        before = len(standin.calls_to("chat.postMessage"))
        slack.command("shortlist HAC-2026-0001", user=people.commissioner)
        return _text(standin.wait_for("chat.postMessage", before + 1)[-1])

    assert "*1. Ada Reviewer*" in shortlist()

    card = _reply(slack, standin, "consultant ada", user=people.admin)
    slack.press(card, "consultant.engagement_add", user=people.admin)
    modal = _modal(standin, 1)
    offered = slack.suggest(modal, "consultant.agency", user=people.admin, query="metro").json()["options"]
    assert [o["value"] for o in offered] == ["met-police"]
    values = {
        "consultant.agency": {
            "consultant.agency": {"type": "external_select", "selected_option": offered[0]}
        },
        "consultant.kind": {
            "value": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Employed by"},
                    "value": "employed",
                },
            }
        },
        **_typed("consultant.role_title", "Detective sergeant"),
        **_dated("consultant.start", TODAY - timedelta(days=30)),
    }
    done = _submit(slack, modal, values, user=people.admin)
    assert "Employed by Metropolitan Police Service (london). The conflict checks use it" in json.dumps(done)
    made = session.exec(select(Engagement).where(Engagement.agency_id == "met-police")).one()
    assert (made.consultant_id, made.kind, made.end_date) == (ada, EngagementKind.employed, None)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "engagement.add")).one().actor == (
        "admin@board.example.org"
    )

    listed = shortlist()
    assert "*1. Ada Reviewer*" not in listed and "*Excluded: 1 consultant*" in listed
    assert "*Ada Reviewer*: Ada Reviewer is employed by Metropolitan Police Service" in listed


def test_an_admin_ends_an_engagement_and_records_a_new_dbs_check(
    slack, standin, people, ada, session: Session
):
    card = _reply(slack, standin, "consultant ada", user=people.admin)
    [engagement] = session.exec(select(Engagement).where(Engagement.consultant_id == ada)).all()
    slack.press(
        card,
        "consultant.engagement_end",
        user=people.admin,
        value=_value(card, "consultant.engagement_end", engagement=engagement.id),
    )
    ended = _submit(
        slack, _modal(standin, 1), _dated("consultant.date", TODAY - timedelta(days=1)), user=people.admin
    )
    assert "ended on" in json.dumps(ended)

    # An end before the start is refused under the date, and nothing changes.
    slack.press(
        card, "consultant.engagement_end", user=people.admin, value=_value(card, "consultant.engagement_end")
    )
    too_early = _submit(
        slack, _modal(standin, 2), _dated("consultant.date", TODAY - timedelta(days=900)), user=people.admin
    )
    ended, started = day(TODAY - timedelta(days=900)), day(TODAY - timedelta(days=200))
    assert too_early["errors"]["consultant.date"] == f"It cannot end ({ended}) before it starts ({started})."

    slack.press(card, "consultant.check.dbs", user=people.admin, value=_value(card, "consultant.check.dbs"))
    recorded = _submit(slack, _modal(standin, 3), _dated("consultant.date", TODAY), user=people.admin)
    assert f"recorded the new DBS check date of Ada Reviewer: *{day(TODAY)}*" in json.dumps(recorded)
    session.expire_all()
    assert session.get(Engagement, engagement.id).end_date == TODAY - timedelta(days=1)
    assert session.get(Consultant, ada).dbs_check_date == TODAY
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(ada))).all()
    assert actions.count("engagement.update") == 1 and actions.count("consultant.update") == 1


def test_a_refusal_is_shown_under_the_inputs_it_concerns_with_the_actions_allowed():
    from bot.service_client import Forbidden, Rejected
    from bot.views import inputs

    fields = {"start_date": "start", "end_date": "end"}
    invalid = Rejected(
        "Invalid input: end_date.",
        status=422,
        problems=[{"loc": ["body", "end_date"], "msg": "is before start_date"}, {"msg": "something else"}],
    )
    assert inputs.errors(invalid, fields=fields, fallback="agency") == {
        "end": "is before start_date",
        "agency": "something else",
    }
    refused = Rejected("Not allowed from this status.", status=409, allowed=["remove", "reinstate"])
    assert inputs.errors(refused, fields={}, fallback="reason") == {
        "reason": "Not allowed from this status. Allowed now: remove, reinstate."
    }
    forbidden = Forbidden("This needs the admin role; you are signed in as commissioner.", status=403)
    assert inputs.errors(forbidden, fields={}, fallback="reason") == {"reason": forbidden.message}
