"""``/scr case REF`` shows the review's milestones as a timeline, late ones marked, in words; a chair or
admin of the lead partnership closes and reopens the case from it, each with a reason."""

import json
from datetime import timedelta

from factories import recorded_case
from slack_rig import SlackDriver, message_blocks, opened_view
from slack_standin import SlackStandIn
from sqlmodel import Session, select

from commissioning import milestone_store, milestones
from commissioning.models import Case, CaseStatusChange
from core import clock
from service.api.cases import rulesets

TODAY = clock.today()


def _case(session: Session) -> str:
    """A case notified ten days ago, the Panel told a week late: its notice is late."""
    notified = TODAY - timedelta(days=20)
    ref = recorded_case(
        session,
        incident_date=(notified - timedelta(days=1)).isoformat(),
        notified_date=notified.isoformat(),
        country="england",
        area="hackney",
        subject_age_years=1,
        outcome="death",
        abuse_or_neglect="suspected",
        death_unexpected=True,
    )
    milestone_store.record(
        session=session,
        ref=ref,
        kind="panel_notified",
        on=notified + timedelta(days=12),
        note="The reason the family gave.",
        actor="chair@board.example.org",
        today=TODAY,
        rulesets=rulesets(),
    )
    session.commit()
    return ref


def _shown(slack: SlackDriver, standin: SlackStandIn, *, user: str, ref: str):  # type: ignore[no-untyped-def]
    slack.command(f"case {ref}", user=user)
    [posted] = standin.wait_for("chat.postMessage")
    return posted


def test_the_case_message_shows_the_timeline_in_words_with_late_lines_marked(slack, standin, people, session):
    ref = _case(session)
    posted = _shown(slack, standin, user=people.commissioner, ref=ref)
    text = json.dumps(message_blocks(posted), ensure_ascii=False)
    assert "The review's milestones" in text
    assert ":warning: The Child Safeguarding Practice Review Panel was notified: " in text
    assert "*Late: it was due by" in text
    assert "The review started: not recorded yet" in text
    assert not any(kind.id in text for kind in milestones.KINDS if "_" in kind.id)  # no ids
    assert "The reason the family gave." not in text  # notes stay on the pages
    assert "case.close" not in text  # a commissioner neither closes nor reopens


def test_a_chair_closes_and_reopens_the_case_from_slack_each_with_a_reason(slack, standin, people, session):
    ref = _case(session)
    posted = _shown(slack, standin, user=people.chair, ref=ref)
    slack.press(posted, "case.close", user=people.chair)
    [modal] = standin.wait_for("views.open")
    assert json.loads(opened_view(modal)["private_metadata"])["ref"] == ref
    reason = {"case.status_reason": {"value": {"type": "plain_text_input", "value": " "}}}
    refused = slack.submit(modal, reason, user=people.chair)
    assert refused.json() == {
        "response_action": "errors",
        "errors": {"case.status_reason": "Give the reason."},
    }
    why = {"case.status_reason": {"value": {"type": "plain_text_input", "value": "The review is published."}}}
    assert slack.submit(modal, why, user=people.chair).status_code == 200
    [updated] = standin.wait_for("chat.update")
    assert "Reopen the case" in json.dumps(message_blocks(updated))
    session.expire_all()
    assert session.exec(select(Case.status).where(Case.ref == ref)).one() == "closed"

    slack.press(updated, "case.reopen", user=people.chair)
    modal = standin.wait_for("views.open", 2)[-1]
    again = {"case.status_reason": {"value": {"type": "plain_text_input", "value": "New information."}}}
    assert slack.submit(modal, again, user=people.chair).status_code == 200
    reopened = standin.wait_for("chat.update", 2)[-1]
    assert "Close the case" in json.dumps(message_blocks(reopened))
    session.expire_all()
    changes = session.exec(select(CaseStatusChange.status, CaseStatusChange.reason)).all()
    assert changes == [("closed", "The review is published."), ("open", "New information.")]
