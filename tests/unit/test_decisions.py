"""Which deadlines apply to a case: its stored decisions read back, the board's own outcomes given the
clocks the rules give them, and the answer in force (the board's once it has decided)."""

from datetime import date, timedelta
from typing import Any

import pytest

from commissioning import calendar, decisions, features, rules, threshold
from commissioning.decisions import Due, StoredDecision

TODAY = date(2026, 11, 26)
NOTIFIED = date(2026, 11, 4)
# Serious harm from known abuse, notified on 4 November: the engine says notify the Panel in five working
# days and hold a rapid review in fifteen.
HARM = {
    "incident_date": "2026-11-02",
    "notified_date": NOTIFIED.isoformat(),
    "country": "england",
    "subject_age_years": 6,
    "outcome": "serious_harm",
    "abuse_or_neglect": "known",
}
# A looked-after child's death, notified the same day: the engine itself says notify Ofsted.
LOOKED_AFTER_DEATH = {
    "incident_date": "2026-11-02",
    "notified_date": NOTIFIED.isoformat(),
    "country": "england",
    "subject_age_years": 15,
    "outcome": "death",
    "abuse_or_neglect": "not_suspected",
    "looked_after": True,
}
WT2023 = rules.load("wt2023")
PANEL_DUE = calendar.add_working_days(NOTIFIED, 5)
RAPID_DUE = calendar.add_working_days(NOTIFIED, 15)
DECIDED = date(2026, 11, 20)  # the day the board decided
PANEL_BASIS = (
    "5 working days from the day the local authority learned of it "
    "(Working Together to Safeguard Children 2023, chapter 5)"
)


def decide(raw: dict[str, Any]) -> threshold.Decision:
    return threshold.decide(features.validate(raw), "auto", TODAY, rulesets=rules.load_all())


def depart(*chosen: tuple[str, str], raw: dict[str, Any] = HARM) -> dict[str, Any]:
    """The answer a board stores when it departs from the engine's answer on ``raw`` and names ``chosen``."""
    recommended = StoredDecision.from_json(decide(raw).to_json())
    return decisions.departure(
        recommended,
        chosen,
        reason="Local learning.",
        ruleset=WT2023,
        features=features.validate(raw),
        decided_on=DECIDED,
    ).to_json()


def dated(governing: decisions.Governing) -> list[tuple[str, date]]:
    return [(due.type, due.day) for due in governing.deadlines]


# --- the stored answer, typed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        HARM,
        LOOKED_AFTER_DEATH,
        {**HARM, "notified_date": None},  # deadlines waiting for their start date; open questions
    ],
    ids=["harm", "looked-after death", "not yet notified"],
)
def test_an_engine_answer_reads_back_to_exactly_what_was_stored(raw: dict[str, Any]) -> None:
    stored = decide(raw).to_json()
    assert StoredDecision.from_json(stored).to_json() == stored


def test_a_read_answer_has_dates_as_dates_and_outcomes_without_deadlines_as_none() -> None:
    read = StoredDecision.from_json(decide(HARM).to_json())
    assert read.outcomes[0].deadline.date == PANEL_DUE  # type: ignore[union-attr]
    assert read.ruleset == decisions.RulesetRef("wt2023", "2", "incident_date", WT2023.title)
    by_type = {o.type: o for o in StoredDecision.from_json(decide(LOOKED_AFTER_DEATH).to_json()).outcomes}
    assert by_type["child_death_review"].deadline is None
    assert by_type["notify_secretary_of_state"].deadline is None  # the law sets no time limit


def test_a_departure_naming_no_outcomes_reads_as_no_outcomes_and_back() -> None:
    assert StoredDecision.from_json({}) == StoredDecision(None, ())
    assert StoredDecision(None, ()).to_json() == {}


# --- the board's own outcomes ------------------------------------------------------------------------------


def test_an_outcome_the_board_keeps_has_the_deadline_the_engine_gave_it() -> None:
    board = StoredDecision.from_json(depart(("rapid_review", "mandatory")))
    recommended = {o.type: o for o in decide(HARM).outcomes}
    [rapid] = board.outcomes
    assert rapid.deadline == recommended["rapid_review"].deadline
    assert rapid.deadline.date == RAPID_DUE  # type: ignore[union-attr]


def test_an_outcome_the_engine_did_not_reach_gets_the_clock_the_rules_give_it_on_the_case_dates() -> None:
    board = StoredDecision.from_json(depart(("notify_panel", "mandatory"), raw=LOOKED_AFTER_DEATH))
    assert "notify_panel" not in {o.type for o in decide(LOOKED_AFTER_DEATH).outcomes}
    where_the_engine_reaches_it = {o.type: o for o in decide(HARM).outcomes}
    [panel] = board.outcomes
    assert panel.deadline == where_the_engine_reaches_it["notify_panel"].deadline
    assert panel.deadline.date == calendar.add_working_days(NOTIFIED, 5)  # type: ignore[union-attr]


def test_the_board_outcomes_are_in_decision_order_with_the_boards_reason_and_no_clock_where_none_runs() -> (
    None
):
    stored = depart(
        ("learning_review", "discretionary"), ("lcspr", "mandatory"), ("notify_panel", "mandatory")
    )
    board = StoredDecision.from_json(stored)
    assert [(o.type, o.kind, o.requirement) for o in board.outcomes] == [
        ("notify_panel", "notification", "mandatory"),
        ("lcspr", "review", "mandatory"),
        ("learning_review", "review", "discretionary"),
    ]
    assert {o.reasons for o in board.outcomes} == {
        (threshold.Reason(decisions.BOARD_RULE, "Local learning.", "decision of the board"),)
    }
    deadlines = {o.type: o.deadline for o in board.outcomes}
    assert deadlines["lcspr"] == threshold.Deadline(
        calendar.add_months(DECIDED, 6),
        "6 months from the decision to hold the review, to publication (an expectation) "
        "(Working Together to Safeguard Children 2023, chapter 5)",
    )
    assert deadlines["learning_review"] is None  # the rules set it no clock
    assert board.summary == "The board departed from the recommendation: Local learning."
    assert board.ruleset == decisions.RulesetRef("wt2023", "2", "incident_date", WT2023.title)
    assert board.open_questions == ()


def test_a_clock_waiting_for_its_start_date_waits_for_the_board_too() -> None:
    waiting = {**HARM, "notified_date": None}
    [panel] = StoredDecision.from_json(depart(("notify_panel", "mandatory"), raw=waiting)).outcomes
    assert panel.deadline.date is None  # type: ignore[union-attr]
    assert panel.deadline.basis.startswith(PANEL_BASIS)  # type: ignore[union-attr]


def test_a_rule_with_its_own_clock_sets_the_boards_deadline_as_it_sets_the_engines() -> None:
    """Harm in NHS care in 2021: the serious incident framework had suspended its 60 working days, so the
    engine gives the investigation no date; a board choosing it gets none either, at the same requirement."""
    in_nhs_care = {
        **HARM,
        "incident_date": "2021-06-01",
        "notified_date": "2021-06-02",
        "setting": "nhs_care",
    }
    engines = {o.type: o for o in decide(in_nhs_care).outcomes}["nhs_serious_incident"]
    [boards] = StoredDecision.from_json(
        depart(("nhs_serious_incident", "mandatory"), raw=in_nhs_care)
    ).outcomes
    assert boards.deadline == engines.deadline
    assert boards.deadline.date is None and boards.deadline.basis.startswith("no national timescale")  # type: ignore[union-attr]
    [discretionary] = StoredDecision.from_json(
        depart(("nhs_serious_incident", "discretionary"), raw=in_nhs_care)
    ).outcomes
    assert discretionary.deadline.date == calendar.add_working_days(date(2021, 6, 2), 60)  # type: ignore[union-attr]


# --- the answer in force -----------------------------------------------------------------------------------


def test_before_the_board_decides_the_recommendation_governs() -> None:
    governing = decisions.governing([("recommendation", decide(HARM).to_json())])
    assert dated(governing) == [("notify_panel", PANEL_DUE), ("rapid_review", RAPID_DUE)]
    assert governing.deadlines[0].basis == PANEL_BASIS


def test_a_board_that_departs_governs_with_its_own_outcomes_deadlines() -> None:
    history = [
        ("recommendation", decide(HARM).to_json()),
        ("board", depart(("rapid_review", "mandatory"), ("lcspr", "discretionary"))),
    ]
    assert dated(decisions.governing(history)) == [
        ("rapid_review", RAPID_DUE),
        ("lcspr", calendar.add_months(DECIDED, 6)),
    ]


def test_a_board_that_departs_naming_no_outcomes_leaves_no_deadline() -> None:
    history = [("recommendation", decide(HARM).to_json()), ("board", {})]
    governing = decisions.governing(history)
    assert governing.decision.outcomes == () and governing.deadlines == ()


def test_the_boards_latest_decision_governs_even_when_the_case_was_recommended_again_since() -> None:
    later = {**HARM, "notified_date": "2026-11-10"}
    history = [
        ("recommendation", decide(HARM).to_json()),
        ("board", depart(("lcspr", "discretionary"))),
        ("board", decide(HARM).to_json()),  # the board then accepted the recommendation after all
        ("recommendation", decide(later).to_json()),
    ]
    assert dated(decisions.governing(history)) == [("notify_panel", PANEL_DUE), ("rapid_review", RAPID_DUE)]


def test_a_case_with_no_decision_has_no_deadline() -> None:
    governing = decisions.governing([])
    assert governing.deadlines == () and governing.next_deadline(TODAY) is None
    assert governing.review_due is None


def test_deadlines_ahead_count_from_the_day_itself() -> None:
    governing = decisions.governing([("recommendation", decide(HARM).to_json())])
    assert [due.type for due in governing.ahead(PANEL_DUE)] == ["notify_panel", "rapid_review"]
    assert governing.next_deadline(PANEL_DUE).type == "notify_panel"  # type: ignore[union-attr]
    assert [due.type for due in governing.ahead(date(2026, 11, 12))] == ["rapid_review"]
    assert governing.next_deadline(RAPID_DUE + timedelta(days=1)) is None


def test_the_review_is_due_on_the_last_review_deadline_not_a_notifications() -> None:
    notifications_only = decisions.governing([("board", depart(("notify_panel", "mandatory")))])
    assert notifications_only.review_due is None
    both = decisions.governing([("recommendation", decide(HARM).to_json())])
    assert both.review_due == RAPID_DUE


def test_the_next_deadline_reads_as_the_case_api_gives_it() -> None:
    due = Due("rapid_review", "review", RAPID_DUE, "15 working days")
    assert due.to_json() == {
        "type": "rapid_review",
        "date": RAPID_DUE.isoformat(),
        "basis": "15 working days",
    }


# --- what a newer version of the rules would change --------------------------------------------------------


def _answer(*outcomes: tuple[str, str, date | None]) -> StoredDecision:
    types = rules.outcome_types()
    return StoredDecision(
        decisions.RulesetRef("wt2023", "1", "incident_date", WT2023.title),
        tuple(
            threshold.Outcome(
                name,
                types[name].kind,
                requirement,
                (),
                None if due is None else threshold.Deadline(due, "basis"),
            )
            for name, requirement, due in outcomes
        ),
    )


def test_the_changes_a_newer_answer_makes_are_said_in_plain_words_in_decision_order() -> None:
    before = _answer(
        ("notify_panel", "mandatory", PANEL_DUE),
        ("notify_ofsted", "mandatory", PANEL_DUE),
        ("rapid_review", "mandatory", RAPID_DUE),
        ("lcspr", "discretionary", None),
        ("child_death_review", "mandatory", None),
    )
    after = _answer(
        ("notify_panel", "mandatory", PANEL_DUE),
        ("notify_secretary_of_state", "mandatory", None),
        ("rapid_review", "mandatory", date(2026, 12, 1)),
        ("lcspr", "mandatory", None),
        ("child_death_review", "mandatory", None),
    )
    changed = decisions.changes(before, after)
    assert changed == (
        "notify Ofsted no longer applies",
        "notify the Secretary of State now applies (mandatory)",
        "rapid review is due Tue 1 Dec 2026 instead of Wed 25 Nov 2026",
        "local child safeguarding practice review becomes mandatory",
    )
    assert decisions.changes(after, after) == ()
    undated = _answer(("rapid_review", "mandatory", None))
    dated_ = _answer(("rapid_review", "mandatory", RAPID_DUE))
    assert decisions.changes(undated, dated_) == ("rapid review is now due Wed 25 Nov 2026",)
    assert decisions.changes(dated_, undated) == (
        "rapid review no longer has a date (it was due Wed 25 Nov 2026)",
    )
    text = decisions.newer_answer("Working Together 2018 and 2023", changed[:1])
    assert text == (
        "The current version of the rules (Working Together 2018 and 2023) would now answer this case "
        "differently: notify Ofsted no longer applies. Update the case to record the new answer before "
        "the board decides on it."
    )
