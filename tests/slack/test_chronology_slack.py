"""Chronologies in Slack: an agency contact linked in Slack gets the request and its late notice in their
DMs, once each; the commissioners hear when every agency's chronology is in; ``/scr case`` shows where
each agency stands. Each says the case reference, the agency, the due date and the page's address:
nothing of what an agency uploaded ever reaches Slack."""

import functools
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from factories import add_person, with_terms
from slack_rig import (
    KNOWN_NEGLECT,
    SlackDriver,
    add_agencies,
    hackney_case,
    message_blocks,
    personal_data_findings,
)
from slack_standin import SlackStandIn
from sqlmodel import Session, select

from bot.views.wording import day
from commissioning import chronology_store
from commissioning.models import Case, ChronologyRequest
from core import clock
from service import chronologies
from service.models import Role

BASE = "https://reviews.example.org"
CONTACT = "U0CONTACT"
# What an agency's file says: planted, so any trace of it in a Slack call is found.
SOURCE, EVENT = "Plantedsource case notes", "Plantedevent: home visit, the family's flat"
CHRONOLOGY = f"Date,Source of information,Event\n{{day}},{SOURCE},{EVENT}\n"


@pytest.fixture
def relay(cron: Callable[..., str], environment: Callable[..., None]) -> Callable[..., str]:
    """``scr bot chronologies``, as cron runs it, with the service's public address set."""
    environment(SCR_PUBLIC_URL=BASE)
    return functools.partial(cron, "chronologies")


def _asked(session: Session) -> Case:
    """A Hackney case with terms, asking Hackney's children's services and the police (whose contact Jo
    is linked in Slack, and Sam is not) for their chronologies today."""
    add_agencies(session, "hackney-csc", "met-police")
    ref = hackney_case(session, notified_days_ago=3, **KNOWN_NEGLECT)
    found = session.exec(select(Case).where(Case.ref == ref)).one()
    with_terms(session, found.id)
    contact = {"role": Role.agency_contact, "actor": "test", "agency": "met-police"}
    add_person(session, email="jo@police.example", slack_user_id=CONTACT, **contact)
    add_person(session, email="sam@police.example", **contact)
    session.commit()
    chronologies.issue(session, case=found, actor="commissioner@board.example.org", today=clock.today())
    session.commit()
    return found


def _police(session: Session) -> ChronologyRequest:
    session.expire_all()
    return session.exec(select(ChronologyRequest).where(ChronologyRequest.agency_id == "met-police")).one()


def _accept(session: Session, found: Case, agency_id: str) -> None:
    request = session.exec(select(ChronologyRequest).where(ChronologyRequest.agency_id == agency_id)).one()
    data = CHRONOLOGY.format(day=request.period_end.strftime("%d/%m/%Y")).encode()
    upload = chronology_store.upload(
        session=session, case=found, request=request, filename="c.csv", data=data, actor="contact"
    )
    assert upload.result == "accepted", upload.problems
    session.commit()


def test_a_linked_contact_gets_the_request_in_their_dms_once(
    slack: SlackDriver, standin: SlackStandIn, session: Session, relay: Callable[..., str]
) -> None:
    found = _asked(session)
    due = _police(session).due_on
    assert "Sent 1 direct message(s)" in relay()
    [opened] = standin.calls_to("conversations.open")
    assert opened.body["users"] == CONTACT
    [post] = standin.calls_to("chat.postMessage")
    page = f"{BASE}/admin/chronologies/{found.ref}/met-police"
    in_days = (due - clock.today()).days
    assert post.body["text"] == (
        f"Case {found.ref}: Metropolitan Police Service is asked for its chronology and report, due "
        f"{day(due)}, in {in_days} days. Upload it on the upload page: {page}"
    )
    assert f"<{page}|Upload it on the upload page>" in json.dumps(message_blocks(post))
    assert "Sent 0 direct message(s)" in relay()
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_the_late_notice_and_everything_in_say_nothing_of_what_was_uploaded(
    slack: SlackDriver, standin: SlackStandIn, session: Session, people, relay: Callable[..., str]
) -> None:
    found = _asked(session)
    police = _police(session)
    police.issued_on, police.due_on = clock.today() - timedelta(days=40), clock.today() - timedelta(days=1)
    session.add(police)
    session.commit()

    assert "Sent 1 direct message(s)" in relay()  # the late notice: the request went weeks ago
    [late] = standin.calls_to("chat.postMessage")
    assert late.body["text"].startswith(
        f"Case {found.ref}: Metropolitan Police Service's chronology and report were due "
        f"{day(police.due_on)} and are late by 1 day."
    )
    assert _police(session).late_notice_on == clock.today()

    _accept(session, found, "met-police")
    _accept(session, found, "hackney-csc")
    standin.reset()
    assert "Sent 1 direct message(s)" in relay()
    [opened] = standin.calls_to("conversations.open")
    assert opened.body["users"] == people.commissioner  # the lead partnership's commissioner, no one else
    [told] = standin.calls_to("chat.postMessage")
    assert told.body["text"] == (
        f"Case {found.ref}: every agency's chronology is in and accepted. Open the case: "
        f"{BASE}/admin/cases/{found.ref}"
    )
    assert "Sent 0 direct message(s)" in relay()
    planted = ("Plantedsource", "Plantedevent", "flat")
    assert personal_data_findings(standin.calls, sentinels=planted) == []


def test_scr_case_shows_where_each_agencys_chronology_stands_and_no_row_of_it(
    slack: SlackDriver, standin: SlackStandIn, session: Session, people
) -> None:
    found = _asked(session)
    police = _police(session)
    police.due_on = clock.today() - timedelta(days=2)
    session.add(police)
    session.commit()
    _accept(session, found, "hackney-csc")

    for who in (people.commissioner, people.chair, people.admin):
        standin.reset()
        assert slack.command(f"case {found.ref}", user=who).json()["text"].startswith("Looking up")
        [post] = standin.wait_for("chat.postMessage")
        shown = [b["text"]["text"] for b in message_blocks(post) if b.get("text")]
        assert (
            "*Chronologies*\n• Hackney Children's Social Care: accepted\n"
            "• Metropolitan Police Service: late by 2 days"
        ) in shown
    assert personal_data_findings(standin.calls, sentinels=("Plantedsource", "Plantedevent")) == []
