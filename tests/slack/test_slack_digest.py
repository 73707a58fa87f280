"""The weekly expiry digest in the admins' channel: once per item per week, and what its buttons do."""

import functools
import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from factories import consultant
from slack_rig import ADMIN_CHANNEL, SlackDriver, message_blocks
from slack_standin import Call, SlackStandIn
from sqlmodel import Session, func, select

from bot import clock as bot_clock
from bot.features.digest.job import horizon, week_of
from bot.schedule import digest_open
from bot.views.wording import day
from core import clock
from core.audit import AuditEvent
from registry.lifecycle import add_years
from registry.models import Consultant
from registry.vocabulary import ConsultantStatus
from service.slack_state import SlackClaim

TODAY = clock.today()
ADA_SLACK = "U0ADA"


@pytest.fixture
def lapsing(session: Session, people) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Five checks fall due this week (up to 30 days after its Sunday); the rest do not, or do not count."""
    last = horizon(TODAY)
    return {
        "ada": consultant(
            session,
            "Ada Reviewer",
            slack_user_id=ADA_SLACK,
            dbs_check_date=add_years(TODAY, -3) + timedelta(days=10),
        ),
        "bea": consultant(
            session,
            "Bea Reviewer",
            insurance_expiry=TODAY + timedelta(days=20),
            registration_expiry=TODAY + timedelta(days=5),
        ),
        "eve": consultant(session, "Eve Reviewer", reapproval_due=TODAY + timedelta(days=15)),
        "fay": consultant(session, "Fay Reviewer", insurance_expiry=last),
        "gus": consultant(session, "Gus Current", insurance_expiry=last + timedelta(days=1)),
        "dee": consultant(session, "Dee Suspended", status=ConsultantStatus.suspended, insurance_expiry=None),
    }


@pytest.fixture
def digest(cron, monkeypatch):  # type: ignore[no-untyped-def]
    """``scr bot digest`` from cron."""
    monkeypatch.setenv("SCR_SLACK_ADMIN_CHANNEL", ADMIN_CHANNEL)
    return functools.partial(cron, "digest")


def _claims(session: Session) -> list[SlackClaim]:
    session.expire_all()
    return list(session.exec(select(SlackClaim).where(SlackClaim.kind == "digest")))


def test_the_digest_posts_each_item_once_for_the_week_even_when_the_job_runs_twice(
    slack, standin, lapsing, session: Session, digest
):
    assert "Posted 5 digest item(s)." in digest()
    [posted] = standin.calls_to("chat.postMessage")
    assert posted.body["channel"] == ADMIN_CHANNEL
    text = json.dumps(message_blocks(posted))
    week = f"Checks falling due, week of {day(TODAY - timedelta(days=TODAY.weekday()))}"
    assert week in text and posted.body["text"] == f"{week}: 5 checks"
    for line in (
        f"*Ada Reviewer*: DBS check falls due *{day(TODAY + timedelta(days=10))}*",
        f"*Bea Reviewer*: Professional registration falls due *{day(TODAY + timedelta(days=5))}*",
        f"*Bea Reviewer*: Insurance falls due *{day(TODAY + timedelta(days=20))}*",
        f"*Eve Reviewer*: Re-approval falls due *{day(TODAY + timedelta(days=15))}*",
        f"*Fay Reviewer*: Insurance falls due *{day(horizon(TODAY))}*",
    ):
        assert line in text
    assert "Gus Current" not in text and "Dee Suspended" not in text
    reminders = [b for b in message_blocks(posted) if "digest.remind" in json.dumps(b)]
    assert [b["block_id"] for b in reminders] == [f"digest|{lapsing['ada']}|dbs"]  # only Ada is on Slack

    assert "Posted 0 digest item(s)." in digest()
    assert len(standin.calls_to("chat.postMessage")) == 1
    claims = _claims(session)
    assert len(claims) == 5 and {c.detail["channel"] for c in claims} == {ADMIN_CHANNEL}
    assert all(c.key.startswith(f"digest:{week_of(TODAY)}:") and c.detail["ts"] for c in claims)

    # A check that newly falls due during the week is posted on its own, once.
    consultant(session, "Hal Uninsured", insurance_expiry=None)
    assert "Posted 1 digest item(s)." in digest()
    latest = standin.calls_to("chat.postMessage")[-1]
    assert "*Hal Uninsured*: no insurance recorded" in json.dumps(message_blocks(latest))
    assert "Ada Reviewer" not in json.dumps(message_blocks(latest))


def test_a_digest_slack_refused_is_posted_on_the_next_run(slack, standin, lapsing, session: Session, digest):
    standin.fail("chat.postMessage", error="not_in_channel")
    assert "Slack refused the digest (not_in_channel)" in digest(expect=1)
    assert _claims(session) == []
    assert "Posted 5 digest item(s)." in digest()


def test_the_week_looks_ahead_thirty_days_from_its_last_day():
    monday, sunday = date(2026, 3, 9), date(2026, 3, 15)
    assert horizon(monday) == horizon(sunday) == date(2026, 4, 14)
    assert week_of(monday) == week_of(sunday) == "2026-W11" and week_of(date(2026, 1, 1)) == "2026-W01"


def _posted_digest(standin: SlackStandIn, digest) -> Call:  # type: ignore[no-untyped-def]
    digest()
    return standin.calls_to("chat.postMessage")[0]


def _value(call: Call, action_id: str, block_id: str) -> str:
    [block] = [b for b in message_blocks(call) if b.get("block_id") == block_id]
    return next(e["value"] for e in block["elements"] if e["action_id"] == action_id)


def _thread_notes(standin: SlackStandIn, digest_call: Call, count: int) -> list[str]:
    ts = digest_call.answer["ts"]
    for _ in range(50):
        notes = [
            c.body["text"].removeprefix(":white_check_mark: ")
            for c in standin.calls_to("chat.postMessage")
            if c.body.get("thread_ts") == ts
        ]
        if len(notes) >= count:
            return notes
        standin.wait_for("chat.postMessage", len(standin.calls_to("chat.postMessage")) + 1, timeout=5)
    raise AssertionError("no thread note")


def test_suspend_and_mark_renewed_from_the_digest_change_the_record_and_reply_under_it(
    slack: SlackDriver, standin, people, lapsing, session: Session, digest
):
    posted = _posted_digest(standin, digest)
    ada, bea, eve = lapsing["ada"], lapsing["bea"], lapsing["eve"]

    slack.press(
        posted,
        "digest.suspend",
        user=people.admin,
        value=_value(posted, "digest.suspend", f"digest|{ada}|dbs"),
    )
    [modal] = standin.wait_for("views.open")
    reason = {"consultant.reason": {"value": {"type": "plain_text_input", "value": "DBS check not renewed"}}}
    assert slack.submit(modal, reason, user=people.admin).json()["response_action"] == "update"

    renew = _value(posted, "digest.renew", f"digest|{bea}|insurance")
    slack.press(posted, "digest.renew", user=people.admin, value=renew)
    modal = standin.wait_for("views.open", 2)[-1]
    new_date = TODAY + timedelta(days=365)
    dated = {"consultant.date": {"value": {"type": "datepicker", "selected_date": new_date.isoformat()}}}
    assert slack.submit(modal, dated, user=people.admin).json()["response_action"] == "update"

    # Re-approval is renewed by approving again, with a reason; approval sets the new due date.
    slack.press(
        posted,
        "digest.renew",
        user=people.admin,
        value=_value(posted, "digest.renew", f"digest|{eve}|reapproval"),
    )
    modal = standin.wait_for("views.open", 3)[-1]
    assert "Approve consultant" in json.dumps(modal.json_field("view"))
    reason = {
        "consultant.reason": {"value": {"type": "plain_text_input", "value": "Re-approved by the panel"}}
    }
    assert slack.submit(modal, reason, user=people.admin).json()["response_action"] == "update"

    notes = _thread_notes(standin, posted, 3)
    assert notes == [
        "<@U0ADMIN> suspended Ada Reviewer.",
        f"<@U0ADMIN> recorded the new insurance expiry of Bea Reviewer: *{day(new_date)}*.",
        "<@U0ADMIN> approved Eve Reviewer.",
    ]
    session.expire_all()
    assert session.get(Consultant, ada).status == ConsultantStatus.suspended
    assert session.get(Consultant, bea).insurance_expiry == new_date
    assert session.get(Consultant, eve).reapproval_due == add_years(TODAY, 3)
    actions = set(
        session.exec(select(AuditEvent.action).where(AuditEvent.actor == "admin@board.example.org"))
    )
    assert {"consultant.suspend", "consultant.update", "consultant.approve"} <= actions


def test_an_admin_reminds_a_consultant_by_dm_once_a_week_and_a_commissioner_cannot(
    slack: SlackDriver, standin, people, lapsing, session: Session, digest
):
    posted = _posted_digest(standin, digest)
    remind = _value(posted, "digest.remind", f"digest|{lapsing['ada']}|dbs")

    slack.press(posted, "digest.remind", user=people.commissioner, value=remind)
    [refusal] = standin.wait_for("response_url")
    assert refusal.body["response_type"] == "ephemeral" and "needs a list admin" in refusal.body["text"]
    assert standin.calls_to("conversations.open") == []

    slack.press(posted, "digest.remind", user=people.admin, value=remind)
    [opened] = standin.wait_for("conversations.open")
    assert opened.body["users"] == ADA_SLACK
    dm = next(c for c in standin.wait_for("chat.postMessage", 2) if c.body["channel"] == "D0ADA")
    assert f"your DBS check falls due on *{day(TODAY + timedelta(days=10))}*" in dm.body["text"]
    assert _thread_notes(standin, posted, 1) == ["<@U0ADMIN> reminded Ada Reviewer by direct message."]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.remind")).one()
    assert (event.actor, event.entity_id) == ("admin@board.example.org", str(lapsing["ada"]))

    slack.press(posted, "digest.remind", user=people.admin, value=remind)
    again = standin.wait_for("response_url", 2)[-1]
    assert "already been reminded" in again.body["text"]
    assert len(standin.calls_to("conversations.open")) == 1
    assert (
        session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "consultant.remind")
        ).one()
        == 1
    )


def test_in_http_mode_the_service_runs_the_digest_in_its_loop_once_a_week(
    people, standin, lapsing, session: Session, looping_service
):
    post = looping_service(SCR_SLACK_REMINDER_CHANNEL="")
    assert post.body["channel"] == ADMIN_CHANNEL and len(standin.calls_to("chat.postMessage")) == 1
    assert len(_claims(session)) == 5


def _this_monday(hour: int, minute: int) -> datetime:
    """This week's Monday at ``hour``:``minute`` in England."""
    monday = TODAY - timedelta(days=TODAY.weekday())
    return datetime.combine(monday, time(hour, minute), tzinfo=bot_clock.LOCAL_ZONE)


def test_the_digest_waits_for_eight_on_monday_morning_not_midnight(
    slack, standin, lapsing, session: Session, digest, monkeypatch
):
    monkeypatch.setenv("SCR_SLACK_DIGEST_HOUR", "8")
    now = {"at": _this_monday(0, 5)}  # in summer, 23:05 on Sunday by UTC
    monkeypatch.setattr(bot_clock, "now", lambda: now["at"])
    printed = digest()
    assert "Posted 0 digest item(s)." in printed and "posted from 08:00 (UK time" in printed
    assert standin.calls_to("chat.postMessage") == [] and _claims(session) == []

    now["at"] = _this_monday(7, 59)
    assert "Posted 0 digest item(s)." in digest()
    now["at"] = _this_monday(8, 0)
    assert re.search(r"Posted [1-9]\d* digest item\(s\)\.\n", digest())
    [posted] = standin.calls_to("chat.postMessage")
    assert posted.body["channel"] == ADMIN_CHANNEL
    assert f"week of {day(_this_monday(8, 0).date())}" in posted.body["text"]


def test_the_digests_hour_is_englands_hour_whatever_the_zone_of_the_time_given():
    eight_in_london = datetime(2026, 7, 6, 7, 0, tzinfo=UTC)  # BST: 08:00 in London
    assert digest_open(8, eight_in_london) and not digest_open(8, eight_in_london - timedelta(minutes=1))
    assert digest_open(8, datetime(2026, 1, 5, 8, 0, tzinfo=UTC))  # GMT: the same hour as UTC
    assert not digest_open(8, datetime(2026, 1, 5, 7, 59, tzinfo=UTC))
