"""The ``/scr me`` views as pure functions: what a consultant sees, within Slack's limits."""

import json

from slack_rig import CHECKS

from bot.features.me import views as me_view
from bot.service_client import Forbidden, Rejected
from bot.views import inputs
from bot.views.blocks import MESSAGE_BLOCKS, SECTION_CHARS
from service.api.slack import words

VOCABULARY = words()  # what GET /api/v1/slack/vocabulary answers


def record(**changes: object) -> dict:
    base = {
        "id": 7,
        "name": "Ada Able",
        "email": "ada@reviews.example.org",
        "status": "approved",
        "status_reason": None,
        "approved_on": "2024-01-01",
        "checks": CHECKS,
        "capacity": 2,
        "places_held": 1,
        "away": [{"id": 1, "consultant_id": 7, "start_date": "2026-07-01", "end_date": "2026-07-14"}],
        "engagements": [
            {
                "id": 3,
                "consultant_id": 7,
                "agency_id": "hackney-csc",
                "kind": "employed",
                "role_title": "Team manager",
                "start_date": "2010-04-01",
                "end_date": None,
                "confirmed": False,
            }
        ],
        "interests": [],
        "commissions": [
            {
                "id": 9,
                "case_ref": "HK-1",
                "role": "lead_reviewer",
                "status": "proposed",
                "declared": False,
                "created_at": "2026-06-01T10:00:00",
            }
        ],
        "agencies": {"hackney-csc": "Hackney Children's Social Care"},
    }
    return {**base, **changes}


def test_the_record_marks_what_awaits_confirmation_and_what_is_missing() -> None:
    text = json.dumps(me_view.record_blocks(record(), vocabulary=VOCABULARY))
    assert "Employed by Hackney Children's Social Care: Team manager, 2010 to now" in text
    assert "awaiting an admin's confirmation" in text
    assert "Wed 1 Jul 2026 to Tue 14 Jul 2026" in text
    assert "*Indemnity insurance*\\nnone recorded" in text
    assert "*HK-1*: lead reviewer, proposed (your declaration is awaited)" in text
    assert "Social Work England, until Mon 30 Nov 2026" in text
    assert me_view.record_text(record()) == "Your record: Ada Able, 1 of 2 places in use."


def test_a_suspended_consultant_sees_why() -> None:
    text = json.dumps(
        me_view.record_blocks(
            record(status="suspended", status_reason="DBS check lapsed"), vocabulary=VOCABULARY
        )
    )
    assert "Suspended: DBS check lapsed" in text


def test_long_lists_are_counted_not_lost_and_stay_within_slacks_limits() -> None:
    interests = [
        {
            "id": n,
            "consultant_id": 7,
            "text": "x" * 2000,
            "agency_id": None,
            "case_ref": f"HK-{n}",
            "declared_on": "2026-05-01",
            "confirmed": True,
        }
        for n in range(40)
    ]
    blocks = me_view.record_blocks(record(interests=interests), vocabulary=VOCABULARY)
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(
        len(b["text"]["text"]) <= SECTION_CHARS for b in blocks if b["type"] == "section" and "text" in b
    )
    listed = next(
        b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith("*Declared")
    )
    assert listed.count("• ") == 12 and listed.endswith("…and 28 more")


def test_the_service_s_problems_are_shown_under_the_input_they_concern() -> None:
    refused = Rejected(
        "Invalid input: away.0.end_date.",
        status=422,
        problems=[
            {"loc": ["body", "away", 0, "end_date"], "msg": "2020-01-31 is already over"},
            {"loc": ["body", "capacity"], "msg": "must be 5 or less"},
        ],
    )
    shown = inputs.errors(refused, fields=me_view.AVAILABILITY_FIELDS, fallback=me_view.CAPACITY_BLOCK)
    assert shown == {"me.until": "2020-01-31 is already over", "me.capacity": "must be 5 or less"}
    forbidden = Forbidden("This needs the admin role; you are signed in as chair.", status=403)
    assert inputs.errors(forbidden, fields={}, fallback=me_view.REASON_BLOCK) == {
        "me.reason": "This needs the admin role; you are signed in as chair."
    }


def test_the_admins_channel_hears_only_that_a_consultant_declared_something() -> None:
    blocks = me_view.notice_blocks(kind="engagement", consultant=7, record=3)
    shown = json.dumps(blocks)
    assert me_view.notice_text("engagement") == "A consultant declared an engagement: Review"
    assert blocks[0]["text"]["text"] == "A consultant declared an engagement."
    assert blocks[0]["accessory"]["text"]["text"] == "Review"
    assert json.loads(blocks[0]["accessory"]["value"]) == {"kind": "engagement", "consultant": 7, "id": 3}
    assert not any(word in shown for word in ("Ada", "Hackney", "Team manager", "hackney-csc"))


def test_the_review_modal_shows_the_declaration_by_name_without_ids() -> None:
    summary = me_view.notice_summary(
        kind="engagement",
        record=record()["engagements"][0],
        consultant="Ada Able",
        agencies=record()["agencies"],
    )
    view = me_view.review_modal(
        summary, subject={"kind": "engagement", "consultant": 7, "id": 3}, channel="C1", ts="1.2"
    )
    assert summary == (
        "*Ada Able* declared an engagement:\n"
        "• Employed by Hackney Children's Social Care: Team manager, 2010 to now"
    )
    assert view["blocks"][0]["text"]["text"] == summary and view["title"]["text"] == "Declared engagement"
    assert me_view.reviewed_subject(json.loads(view["private_metadata"])) == {
        "kind": "engagement",
        "consultant": 7,
        "id": 3,
    }
