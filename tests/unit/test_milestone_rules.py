"""The review's milestones: their order and words, the checks on a recorded day (a good and a bad example
each), the deadlines they meet and move, and the timeline."""

from datetime import date, datetime

import factories
import pytest

from commissioning import calendar, features, milestones, rules
from commissioning.decisions import Due
from commissioning.milestones import Recorded

RULESETS = rules.load_all()
WT2023 = next(r for r in RULESETS if r.id == "wt2023")
WT2015 = next(r for r in RULESETS if r.id == "wt2015")
TODAY = date(2021, 3, 1)
# A child's serious harm in 2020, notified the next day: the Panel's time (Working Together 2018).
HARM_2020 = features.validate(factories.HARM_2020)
HARM_2016 = {**HARM_2020, "incident_date": date(2016, 3, 1), "notified_date": date(2016, 3, 2)}
OUTCOMES_2020 = [("notify_panel", "mandatory"), ("rapid_review", "mandatory"), ("lcspr", "discretionary")]
OUTCOMES_2016 = [("notify_ofsted", "mandatory"), ("scr", "mandatory")]


def test_the_kinds_are_in_the_order_of_a_review_and_the_two_ends_share_a_place():
    assert [kind.id for kind in milestones.KINDS] == [
        "la_notified",
        "panel_notified",
        "rapid_review_sent",
        "decision_to_initiate",
        "review_started",
        "draft_received",
        "panel_told_before_publication",
        "published",
        "not_published",
    ]
    assert milestones.place("published") == milestones.place("not_published") == 7
    assert milestones.place("la_notified") < milestones.place("panel_notified")


def test_the_edition_in_force_decides_whether_the_panel_or_ofsted_was_notified():
    assert milestones.panel_in_force(RULESETS, date(2018, 6, 29))
    assert not milestones.panel_in_force(RULESETS, date(2018, 6, 28))
    assert not milestones.panel_in_force(RULESETS, date(1990, 1, 1))  # before any edition: the first
    panel = milestones.BY_ID["panel_notified"]
    assert panel.said(panel=True) == "The Child Safeguarding Practice Review Panel was notified"
    assert panel.said(panel=False) == "Ofsted was notified"
    assert milestones.BY_ID["review_started"].said(panel=False) == "The review started"


def test_the_notification_day_is_the_recorded_one_else_the_nearest_known_date():
    assert milestones.notice_day(HARM_2020, {}, TODAY) == date(2020, 6, 16)
    assert milestones.notice_day(HARM_2020, {"panel_notified": date(2020, 6, 18)}, TODAY) == date(2020, 6, 18)
    assert milestones.notice_day({}, {}, TODAY) == TODAY


def check(kind, on, note=None, **recorded):  # type: ignore[no-untyped-def]
    return milestones.problems(kind, on, note, today=TODAY, incident=date(2020, 6, 15), recorded=recorded)


@pytest.mark.parametrize(
    ("kind", "good", "bad", "said"),
    [
        ("review_started", date(2021, 3, 1), date(2021, 3, 2), "is after today (Mon 1 Mar 2021)"),
        ("la_notified", date(2020, 6, 15), date(2020, 6, 14), "is before the incident (Mon 15 Jun 2020)"),
    ],
)
def test_a_day_is_not_in_the_future_nor_before_the_incident(kind, good, bad, said):
    assert check(kind, good) == []
    ((field, msg),) = check(kind, bad)
    assert field == "on" and msg.startswith(said)


def test_a_milestone_is_not_before_an_earlier_one_nor_after_a_later_one():
    earlier = {"la_notified": date(2020, 6, 16), "decision_to_initiate": date(2020, 7, 20)}
    assert check("rapid_review_sent", date(2020, 7, 6), **earlier) == []
    assert check("rapid_review_sent", date(2020, 6, 16), **earlier) == []  # the same day is in order
    assert check("rapid_review_sent", date(2020, 6, 15), **earlier) == [
        (
            "on",
            "is before Tue 16 Jun 2020, when the local authority learned of it, which comes first",
        )
    ]
    assert check("rapid_review_sent", date(2020, 7, 21), **earlier) == [
        ("on", "is after Mon 20 Jul 2020, when the decision to hold the review, which comes later")
    ]


def test_the_milestone_itself_its_other_end_and_unknown_records_are_not_compared():
    recorded = {"published": date(2020, 12, 1), "review_started": date(2020, 9, 1), "gone": date(2030, 1, 1)}
    assert check("published", date(2020, 11, 1), **recorded) == []
    assert check("not_published", date(2020, 11, 1), "Family's wish", **recorded) == []


def test_a_decision_not_to_publish_needs_its_reason():
    assert check("not_published", date(2021, 1, 4), "The family asked the board not to.") == []
    assert check("not_published", date(2021, 1, 4), "  ") == [
        ("note", "is needed: the reason the report is not published")
    ]


def test_an_unknown_kind_is_refused_alone():
    assert milestones.problems(
        "archived", date(2030, 1, 1), None, today=TODAY, incident=None, recorded={}
    ) == [("kind", "is not one of a review's milestones: choose one of those listed")]


def test_with_nothing_recorded_the_milestones_meet_the_rules_deadlines():
    found = milestones.read(WT2023, OUTCOMES_2020, HARM_2020, {}, as_of=TODAY, decided_on=None, panel=True)
    assert [due.type for due in found.deadlines] == ["notify_panel", "rapid_review"]  # lcspr: no decision
    assert found.due["panel_notified"].day == calendar.add_working_days(date(2020, 6, 16), 5)
    assert found.due["rapid_review_sent"].day == calendar.add_working_days(date(2020, 6, 16), 15)
    assert "published" not in found.due and "decision_to_initiate" not in found.due


def test_recorded_days_move_the_deadlines_that_count_from_them():
    recorded = {
        "la_notified": date(2020, 6, 17),
        "panel_notified": date(2020, 6, 19),
        "decision_to_initiate": date(2020, 7, 20),
    }
    found = milestones.read(
        WT2023, OUTCOMES_2020, HARM_2020, recorded, as_of=TODAY, decided_on=date(2020, 7, 1), panel=True
    )
    due = {one.type: one.day for one in found.deadlines}
    assert due["notify_panel"] == calendar.add_working_days(date(2020, 6, 17), 5)
    assert due["rapid_review"] == calendar.add_working_days(date(2020, 6, 19), 15)
    assert due["lcspr"] == calendar.add_months(date(2020, 7, 20), 6)  # the recorded decision, not the board's
    assert found.due["published"].day == found.due["not_published"].day == due["lcspr"]
    assert [one.day for one in found.deadlines] == sorted(due.values())


def test_before_the_panel_the_notification_to_ofsted_and_the_decision_have_their_deadlines():
    found = milestones.read(
        WT2015, OUTCOMES_2016, HARM_2016, {}, as_of=TODAY, decided_on=date(2016, 3, 20), panel=False
    )
    assert found.due["panel_notified"].type == "notify_ofsted"
    assert found.due["decision_to_initiate"].day == calendar.add_months(date(2016, 3, 2), 1)
    assert found.due["published"].day == calendar.add_months(date(2016, 3, 20), 6)
    assert "rapid_review_sent" not in found.due
    panel_words = milestones.read(
        WT2015, OUTCOMES_2016, HARM_2016, {}, as_of=TODAY, decided_on=None, panel=True
    )
    assert "panel_notified" not in panel_words.due  # no notice to the Panel in that edition's answer


def test_of_two_clocks_to_decide_the_sooner_is_the_deadline():
    one = Due("scr", "review", date(2016, 4, 2), "one")
    other = Due("sar", "review", date(2016, 5, 2), "other")
    assert milestones._sooner(None, one) is one
    assert milestones._sooner(one, other) is one
    assert milestones._sooner(other, one) is one


def test_outcomes_without_a_dated_clock_give_no_deadline():
    found = milestones.read(
        WT2023,
        [("learning_review", "discretionary"), ("psirf_response", "mandatory")],
        HARM_2020,
        {},
        as_of=TODAY,
        decided_on=None,
        panel=True,
    )
    assert found.deadlines == () and found.due == {}


AT = datetime(2020, 6, 20, 9, 0)


def test_the_timeline_marks_late_on_time_overdue_and_due_lines():
    due = {
        "panel_notified": Due("notify_panel", "notification", date(2020, 6, 23), "5 working days"),
        "rapid_review_sent": Due("rapid_review", "review", date(2020, 7, 7), "15 working days"),
        "published": Due("lcspr", "review", date(2021, 1, 20), "6 months"),
        "decision_to_initiate": Due("scr", "review", date(2021, 6, 1), "1 month"),
    }
    recorded = {
        "la_notified": Recorded(date(2020, 6, 16), None, "ann@example.org", AT),
        "panel_notified": Recorded(date(2020, 6, 24), None, "ann@example.org", AT),
        "rapid_review_sent": Recorded(date(2020, 7, 7), "Sent by email", "bob@example.org", AT),
    }
    lines = milestones.timeline(recorded, due, today=TODAY, panel=True)
    by = {line.kind: line for line in lines}
    assert [line.kind for line in lines] == [
        kind.id for kind in milestones.KINDS if kind.id != "not_published"
    ]
    assert (by["la_notified"].late, by["la_notified"].standing) == (False, "")
    assert (by["panel_notified"].late, by["panel_notified"].standing) == (
        True,
        "Late: it was due by Tue 23 Jun 2020",
    )
    assert by["rapid_review_sent"].standing == "On time: due by Tue 7 Jul 2020"
    assert (by["published"].late, by["published"].standing) == (
        True,
        "Overdue: it was due by Wed 20 Jan 2021",
    )
    assert by["decision_to_initiate"].standing == "Due by Tue 1 Jun 2021"
    assert by["review_started"].standing == "Not recorded yet"
    assert by["rapid_review_sent"].to_json() == {
        "kind": "rapid_review_sent",
        "words": "The rapid review was sent to the Panel",
        "on": date(2020, 7, 7),
        "note": "Sent by email",
        "recorded_by": "bob@example.org",
        "recorded_at": AT,
        "due": date(2020, 7, 7),
        "due_basis": "15 working days",
        "late": False,
        "standing": "On time: due by Tue 7 Jul 2020",
    }
    assert by["review_started"].to_json()["on"] is None


def test_a_decision_not_to_publish_takes_the_place_of_the_publication():
    recorded = {"not_published": Recorded(date(2021, 1, 4), "The family's wish", "ann@example.org", AT)}
    lines = milestones.timeline(recorded, {}, today=TODAY, panel=False)
    assert [line.kind for line in lines][-1] == "not_published"
    assert "published" not in [line.kind for line in lines]
    assert lines[1].words == "Ofsted was notified"


def test_a_clock_to_decide_by_without_its_start_gives_the_decision_no_deadline():
    unknown = {name: value for name, value in HARM_2016.items() if name != "notified_date"}
    found = milestones.read(WT2015, OUTCOMES_2016, unknown, {}, as_of=TODAY, decided_on=None, panel=False)
    assert "decision_to_initiate" not in found.due
