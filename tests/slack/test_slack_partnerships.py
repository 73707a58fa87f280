"""Partnerships in Slack: each partnership's reminders in its own channel with its own notice, a person
shown only their partnerships' cases (and a chair's buttons only where they chair the case's lead
partnership), and a workspace mapped to some partnerships showing its people those alone."""

import functools
import json
from datetime import timedelta

import pytest
from factories import (
    HOME_PARTNERSHIP,
    OTHER_PARTNERSHIP,
    create_person,
    home_partnership,
    other_partnership,
    recorded_case,
)
from slack_rig import REMINDER_CHANNEL, UNEXPECTED_DEATH, message_blocks, notified_features, opened_view
from slack_standin import TEAM
from sqlmodel import Session

from bot.views import errors
from commissioning import partnerships
from core import clock
from service import slack_partnerships
from service.models import Role
from service.users import grant_role

TODAY = clock.today()
HAC_CHANNEL, SAL_CHANNEL = "C0HACREMIND", "C0SALREMIND"


def _case(session: Session, area: str) -> str:
    """A child's unexpected death in ``area`` notified yesterday: its reference."""
    return recorded_case(
        session, **notified_features(TODAY - timedelta(days=1), area=area, **UNEXPECTED_DEATH)
    )


def _both(session: Session) -> tuple[str, str]:
    """A case led by the home partnership (HAC) and one led by the other (SAL)."""
    home_partnership(session)
    other_partnership(session)
    return _case(session, "hackney"), _case(session, "southwark")


@pytest.fixture
def remind(cron, monkeypatch):  # type: ignore[no-untyped-def]
    """``scr bot remind`` from cron, with 30 days' notice unless a partnership gives its own."""
    monkeypatch.setenv("SCR_SLACK_REMINDER_CHANNEL", REMINDER_CHANNEL)
    monkeypatch.setenv("SCR_SLACK_REMINDER_LEAD_DAYS", "30")
    return functools.partial(cron, "remind")


def _posted_by_channel(standin) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    found: dict[str, list[str]] = {}
    for call in standin.calls_to("chat.postMessage"):
        found.setdefault(call.body["channel"], []).append(call.body["text"])
    return found


def test_each_partnership_gets_its_reminders_in_its_own_channel_with_its_own_notice(
    slack, standin, people, session: Session, remind
):
    hac, sal = _both(session)
    partnerships.change_partnership(
        session, prefix=HOME_PARTNERSHIP[1], actor="test", changes={"reminder_channel": HAC_CHANNEL}
    )
    partnerships.change_partnership(
        session,
        prefix=OTHER_PARTNERSHIP[1],
        actor="test",
        # no notice: only what is due today or overdue
        changes={"reminder_channel": SAL_CHANNEL, "policy": {"reminder_lead_days": 0}},
    )
    session.commit()

    remind()
    posted = _posted_by_channel(standin)
    assert set(posted) == {HAC_CHANNEL, SAL_CHANNEL}
    assert posted[HAC_CHANNEL] and all(text.startswith(f"Case {hac}:") for text in posted[HAC_CHANNEL])
    assert posted[SAL_CHANNEL] and all(text.startswith(f"Case {sal}:") for text in posted[SAL_CHANNEL])
    # 30 days' notice brings HAC's later deadlines; SAL, with none, hears only of what is already due.
    assert len(posted[HAC_CHANNEL]) > len(posted[SAL_CHANNEL])
    assert all("overdue" in text or "falls due on" in text for text in posted[SAL_CHANNEL])


def test_a_partnership_without_a_channel_has_its_reminders_in_the_services(
    slack, standin, people, session: Session, remind
):
    hac, sal = _both(session)
    partnerships.change_partnership(
        session, prefix=OTHER_PARTNERSHIP[1], actor="test", changes={"reminder_channel": SAL_CHANNEL}
    )
    session.commit()

    remind()
    posted = _posted_by_channel(standin)
    assert set(posted) == {REMINDER_CHANNEL, SAL_CHANNEL}
    assert all(text.startswith(f"Case {hac}:") for text in posted[REMINDER_CHANNEL])
    assert all(text.startswith(f"Case {sal}:") for text in posted[SAL_CHANNEL])


def test_a_person_of_one_partnership_never_sees_anothers_case(slack, standin, people, session: Session):
    """The home partnership's chair (U0CHAIR) holds no role in SAL: its case is unknown to them, in a
    direct message and on App Home alike."""
    hac, sal = _both(session)

    slack.command(f"case {sal}", user=people.chair)
    [told] = standin.wait_for("response_url")
    assert told.body["text"] == errors.unknown_case(sal)
    assert standin.calls_to("chat.postMessage") == []

    slack.event({"type": "app_home_opened", "user": people.chair, "tab": "home"}, event_id="EvHomeHacOnly")
    [home] = standin.wait_for("views.publish")
    shown = json.dumps(opened_view(home))
    assert hac in shown and HOME_PARTNERSHIP[0] in shown
    assert sal not in shown and OTHER_PARTNERSHIP[0] not in shown


def test_the_decision_buttons_follow_the_role_in_the_cases_lead_partnership(
    slack, standin, people, session: Session
):
    """A chair of HAC who commissions for SAL sees SAL's case, named as SAL's, without a chair's buttons;
    their own partnership's case has them."""
    hac, sal = _both(session)
    grant_role(
        session, email="chair@board.example.org", role=Role.commissioner, partnership="SAL", actor="test"
    )
    session.commit()

    for ref, lead, buttons in ((sal, OTHER_PARTNERSHIP[0], False), (hac, HOME_PARTNERSHIP[0], True)):
        standin.reset()
        slack.command(f"case {ref}", user=people.chair)
        [posted] = standin.wait_for("chat.postMessage")
        shown = json.dumps(message_blocks(posted))
        assert f"*Lead partnership*\\n{lead}" in shown
        assert ("case.accept" in shown) is buttons


def test_a_workspace_serving_sal_only_shows_its_people_sal_only(slack, standin, people, session: Session):
    """This deployment's one workspace, mapped to SAL: a person holding roles in both sees SAL's case and
    not HAC's, and is told what they hold in SAL alone."""
    hac, sal = _both(session)
    user = create_person(
        session,
        email="both@board.example.org",
        role=Role.chair,
        slack_user_id="U0BOTH",
        partnership=HOME_PARTNERSHIP[1],
    )
    grant_role(session, email=user.email, role=Role.chair, partnership=OTHER_PARTNERSHIP[1], actor="test")
    key = slack_partnerships.team_key(TEAM)
    slack_partnerships.set_served(session, team=key, prefixes=[OTHER_PARTNERSHIP[1]], actor="test")
    session.commit()

    slack.command(f"case {hac}", user="U0BOTH")
    [told] = standin.wait_for("response_url")
    assert told.body["text"] == errors.unknown_case(hac)

    slack.command(f"case {sal}", user="U0BOTH")
    [posted] = standin.wait_for("chat.postMessage")
    assert "case.accept" in json.dumps(message_blocks(posted))

    slack.event({"type": "app_home_opened", "user": "U0BOTH", "tab": "home"}, event_id="EvHomeSalOnly")
    [home] = standin.wait_for("views.publish")
    shown = json.dumps(opened_view(home))
    assert sal in shown and f"chair of {OTHER_PARTNERSHIP[0]}" in shown
    assert hac not in shown and HOME_PARTNERSHIP[0] not in shown
