"""The threshold engine: examples, every criterion, edition boundaries, deadlines, questions and wording."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from commissioning import features, rules, threshold
from core.errors import Invalid

TODAY = date(2026, 11, 26)
EXAMPLES = json.loads((Path(__file__).parent / "data" / "examples.json").read_text())


def decide(
    raw: dict[str, Any], ruleset: str = "auto", today: date = TODAY, **settings: Any
) -> threshold.Decision:
    return threshold.decide(features.validate(raw), ruleset, today, rulesets=rules.load_all(settings))


def requirements(decision: threshold.Decision) -> dict[str, str]:
    return {outcome.type: outcome.requirement for outcome in decision.outcomes}


def outcome(decision: threshold.Decision, name: str) -> threshold.Outcome:
    return next(o for o in decision.outcomes if o.type == name)


def fired(decision: threshold.Decision) -> set[str]:
    return {reason.rule for o in decision.outcomes for reason in o.reasons}


# --- the shared examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.get("error")], ids=lambda e: e["id"])
def test_each_example_gets_the_outcomes_it_must_and_none_it_must_not(example: dict[str, Any]) -> None:
    got = requirements(decide(example["features"]))
    for name, requirement in example["must"]:
        assert got.get(name) == requirement, f"{name}: expected {requirement}, got {got.get(name)}"
    for name in example["must_not"]:
        assert name not in got


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.get("deadlines")], ids=lambda e: e["id"])
def test_example_deadlines_fall_on_the_expected_dates(example: dict[str, Any]) -> None:
    decision = decide(example["features"])
    for name, expected in example["deadlines"].items():
        assert outcome(decision, name).deadline.to_json()["date"] == expected  # type: ignore[union-attr]


CITING = [e for e in EXAMPLES if {"sources", "basis", "never_cited", "not_asked"} & set(e)]


@pytest.mark.parametrize("example", CITING, ids=lambda e: e["id"])
def test_each_example_cites_the_editions_in_force_then_and_asks_only_what_can_apply(
    example: dict[str, Any],
) -> None:
    decision = decide(example["features"])
    by_type = {o.type: o for o in decision.outcomes}
    for name, cited in example.get("sources", {}).items():
        sources = "; ".join(reason.source for reason in by_type[name].reasons)
        assert all(source in sources for source in cited), sources
    for name, words in example.get("basis", {}).items():
        assert all(word in by_type[name].deadline.basis for word in words)  # type: ignore[union-attr]
    said = json.dumps(decision.to_json())
    assert [word for word in example.get("never_cited", []) if word in said] == []
    assert not {q.feature for q in decision.open_questions} & set(example.get("not_asked", []))


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.get("error")], ids=lambda e: e["id"])
def test_an_example_marked_error_is_refused_with_the_feature_named(example: dict[str, Any]) -> None:
    with pytest.raises(Invalid) as refused:
        decide(example["features"])
    assert all(problem["feature"] for problem in refused.value.problems)


def test_the_decision_matches_the_documented_json_shape() -> None:
    decision = decide(EXAMPLES[2]["features"]).to_json()
    assert set(decision) == {"ruleset", "outcomes", "open_questions", "summary"}
    assert decision["ruleset"] == {
        "id": "wt2023",
        "version": "2",
        "chosen_by": "incident_date",
        "title": "Working Together 2018 and 2023 (child safeguarding practice reviews)",
    }
    notify = decision["outcomes"][0]
    assert set(notify) == {"type", "kind", "requirement", "reasons", "deadline"}
    assert notify["type"] == "notify_panel" and notify["kind"] == "notification"
    assert notify["reasons"][0] == {
        "rule": "wt2023.notify.death",
        "text": notify["reasons"][0]["text"],
        "source": "Children Act 2004 s16C(1); Working Together to Safeguard Children 2023, chapter 5",
    }
    assert notify["deadline"] == {
        "date": "2026-11-11",
        "basis": "5 working days from the day the local authority learned of it "
        "(Working Together to Safeguard Children 2023, chapter 5)",
    }
    rapid = decision["outcomes"][1]
    assert rapid["type"] == "rapid_review" and rapid["deadline"]["date"] == "2026-11-25"
    assert all(set(q) == {"feature", "why"} for q in decision["open_questions"])
    assert {
        "feature": "interagency_concerns",
        "why": "That decides whether these apply: local child safeguarding practice review and learning "
        "review or audit below the statutory threshold.",
    } in decision["open_questions"]
    json.dumps(decision)


# --- every criterion fires on a case made for it ------------------------------------------------------

CHILD_DEATH = {"subject_age_years": 3, "outcome": "death", "abuse_or_neglect": "suspected"}
CHILD_HARM = {"subject_age_years": 6, "outcome": "serious_harm", "abuse_or_neglect": "known"}
NO_REG_11 = {
    "improvement_learning": False,
    "recurrent_themes": False,
    "interagency_concerns": False,
    "panel_advises_local_review": False,
    "single_agency_concerns": False,
    "no_prior_agency_involvement": False,
}
LAC_DEATH = {
    "subject_age_years": 15,
    "outcome": "death",
    "abuse_or_neglect": "not_suspected",
    "looked_after": True,
}
ADULT = {"subject_age_years": 30}
COMMON: dict[str, dict[str, Any]] = {
    "referral.abuse_of_a_child_in_nhs_care": {**CHILD_HARM, "setting": "nhs_care"},
    "referral.abuse_of_an_adult_in_nhs_care": {**CHILD_HARM, **ADULT, "setting": "nhs_care"},
    "notify_secretary_of_state.looked_after_death": LAC_DEATH,
    "learning.below_threshold": {
        "subject_age_years": 9,
        "outcome": "other_harm",
        "single_agency_concerns": True,
        "interagency_concerns": False,
    },
    "mental_health.homicide": {
        **ADULT,
        "outcome": "death",
        "perpetrators": ["stranger"],
        "perpetrator_in_mental_health_care": True,
    },
    "dhr.homicide": {
        **ADULT,
        "outcome": "death",
        "abuse_or_neglect": "known",
        "perpetrators": ["intimate_partner"],
    },
    "dhr.suicide": {**ADULT, "outcome": "death", "suspected_suicide": True, "domestic_abuse": True},
    "dhr.linked_adult": {
        "subject_age_years": 4,
        "linked_adult_death": "killed_by_relative_partner_or_household",
    },
    "dhr.linked_adult_suicide": {"subject_age_years": 4, "linked_adult_death": "suicide_with_domestic_abuse"},
    "sar.condition_met": {
        "subject_age_years": 70,
        "care_and_support_needs": True,
        "interagency_concerns": True,
        "abuse_or_neglect": "suspected",
        "outcome": "serious_harm",
    },
    "sar.other_case": {"subject_age_years": 70, "care_and_support_needs": True, "outcome": "other_harm"},
    "mappa.serious_further_offence": {**ADULT, "outcome": "serious_harm", "perpetrator_mappa": True},
}
NHS_HARM = {**CHILD_HARM, "nhs_care_involved": True}
SCR_ERA: dict[str, dict[str, Any]] = {
    "scr.death": CHILD_DEATH,
    "scr.injury_or_impairment": {
        **CHILD_HARM,
        "serious_harm_kinds": ["life_threatening_injury"],
        "interagency_concerns": True,
    },
    "scr.sexual_abuse": {
        **CHILD_HARM,
        "serious_harm_kinds": ["serious_sexual_abuse"],
        "interagency_concerns": True,
    },
    "scr.parent_killed": {
        "subject_age_years": 5,
        "linked_adult_death": "killed_by_relative_partner_or_household",
        "interagency_concerns": True,
    },
    "learning.harm_without_interagency_concerns": {**CHILD_HARM, "interagency_concerns": False},
    "cdr.child_death": CHILD_DEATH,
    "joint_agency_response.unexpected_death": {**CHILD_DEATH, "death_unexpected": True},
}
# Each edition's own criteria, each with a case made for it. The incident falls in the edition's period
# (``IN_FORCE``) unless the case names its own date.
IN_FORCE = {"wt2006": "2008-06-10", "wt2010": "2011-06-01", "wt2015": "2016-05-10", "wt2023": "2025-03-03"}
OWN: dict[str, dict[str, dict[str, Any]]] = {
    "wt2006": {
        **SCR_ERA,
        "scr.parent_mental_illness": {
            "subject_age_years": 2,
            "outcome": "death",
            "perpetrators": ["mother"],
            "parental_mental_health": True,
            "interagency_concerns": True,
        },
        "notify_ofsted.serious_incident": LAC_DEATH,
        "nhs.serious_untoward_incident": NHS_HARM,
    },
    "wt2010": {
        **SCR_ERA,
        "scr.violent_assault": {
            **CHILD_HARM,
            "serious_harm_kinds": ["violent_assault"],
            "interagency_concerns": True,
        },
        "notify_ofsted.serious_incident": LAC_DEATH,
        "nhs.serious_incident": NHS_HARM,
    },
    "wt2015": {
        "scr.death": CHILD_DEATH,
        "scr.serious_harm": {**CHILD_HARM, "interagency_concerns": True},
        "scr.death_in_custody": {**LAC_DEATH, "setting": "secure_childrens_home"},
        "notify_ofsted.notifiable_incident": LAC_DEATH,
        "panel_no_scr_notice.no_scr": {**LAC_DEATH, "setting": "community"},
        "learning.harm_without_interagency_concerns": {**CHILD_HARM, "interagency_concerns": False},
        "cdr.child_death": CHILD_DEATH,
        "joint_agency_response.unexpected_death": {**CHILD_DEATH, "suspected_suicide": True},
        "nhs.serious_incident": NHS_HARM,
    },
    "wt2023": {
        "notify.death": CHILD_DEATH,
        "notify.serious_harm": CHILD_HARM,
        "notify.known_family_death": {
            **LAC_DEATH,
            "death_unexpected": True,
            "known_to_childrens_social_care": True,
        },
        "rapid_review.if_notified": {
            **LAC_DEATH,
            "suspected_suicide": True,
            "known_to_childrens_social_care": True,
        },
        "notify_ofsted.looked_after_death": LAC_DEATH,
        "rapid_review.after_notification": CHILD_HARM,
        "lcspr.reg_11": {**CHILD_HARM, "recurrent_themes": True},
        "lcspr.wt2018_regard": {**CHILD_HARM, **NO_REG_11, "no_prior_agency_involvement": True},
        "national.complex_or_national_importance": {**CHILD_HARM, "national_importance": True},
        "learning.no_lcspr": {**CHILD_HARM, **NO_REG_11},
        "cdr.child_death": CHILD_DEATH,
        "joint_agency_response.unexpected_or_suspicious": {
            **CHILD_DEATH,
            "abuse_or_neglect": "not_suspected",
            "setting": "police_custody",
        },
        "nhs.sif_2015": {**NHS_HARM, "incident_date": "2019-10-01"},
        "nhs.sif_2015_no_timescale": {**NHS_HARM, "incident_date": "2021-06-01"},
        "psirf.patient_safety_incident": {**NHS_HARM, "incident_date": "2024-05-01"},
    },
}
# The criteria every edition shares, on a case in 2024 (each edition asked for by name), and those that
# local settings switch on: domestic abuse related death reviews, and the harm reviews regulation 5(2)
# made mandatory before 2013.
DARDR = {"incident_date": "2027-02-01", **ADULT, "outcome": "death", "domestic_abuse": True}
REG_5_2 = {**CHILD_HARM, "interagency_concerns": True}
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    *(
        (ruleset, rule, {"incident_date": IN_FORCE[ruleset], **raw}, {})
        for ruleset, criteria in OWN.items()
        for rule, raw in criteria.items()
    ),
    *(
        (ruleset, rule, {"incident_date": "2024-01-10", **raw}, {})
        for ruleset in IN_FORCE
        for rule, raw in COMMON.items()
    ),
    *(
        (ruleset, "dhr.domestic_abuse_related_death", DARDR, {"dardr_from": "2027-01-01"})
        for ruleset in IN_FORCE
    ),
    *(
        (
            ruleset,
            "scr.reg_5_2_harm",
            {"incident_date": IN_FORCE[ruleset], **REG_5_2},
            {"reg5_2_harm_mandatory_before_2013": True},
        )
        for ruleset in ("wt2006", "wt2010")
    ),
]


@pytest.mark.parametrize(("ruleset", "rule", "raw", "settings"), CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_each_criterion_fires_on_a_case_made_for_it(
    ruleset: str, rule: str, raw: dict[str, Any], settings: dict[str, Any]
) -> None:
    decision = decide(
        {"country": "england", "notified_date": raw.get("incident_date"), **raw}, ruleset, **settings
    )
    assert f"{ruleset}.{rule}" in fired(decision)


def test_every_criterion_of_every_ruleset_has_a_case_here() -> None:
    tested = {f"{ruleset}.{rule}" for ruleset, rule, _, _ in CASES}
    defined = {c.rule for r in rules.load_all() for cs in r.criteria.values() for c in [*cs, *r.disabled]}
    assert defined <= tested, sorted(defined - tested)


def test_every_outcome_id_is_reachable_in_some_ruleset() -> None:
    reachable = {outcome for r in rules.load_all() for outcome in r.order}
    assert reachable == set(rules.outcome_types())
    assert set(rules.outcome_types()) == {
        *("scr", "rapid_review", "lcspr", "national_review", "learning_review", "child_death_review"),
        *("joint_agency_response", "nhs_serious_incident", "psirf_response", "mental_health_homicide_review"),
        *("dhr", "sar", "mappa_scr", "notify_ofsted", "notify_panel", "notify_secretary_of_state"),
        *("safeguarding_referral", "panel_no_scr_notice"),
    }


# --- edition boundaries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2006-04-01", "wt2006"),
        ("2010-03-31", "wt2006"),
        ("2010-04-01", "wt2010"),
        ("2013-04-14", "wt2010"),
        ("2013-04-15", "wt2015"),
        ("2018-06-28", "wt2015"),
        ("2018-06-29", "wt2023"),
    ],
)
def test_auto_picks_the_edition_in_force_on_the_incident_date(day: str, expected: str) -> None:
    decision = decide({"incident_date": day})
    assert (decision.ruleset_id, decision.chosen_by) == (expected, "incident_date")


def test_an_incident_before_the_first_edition_is_refused_naming_incident_date() -> None:
    with pytest.raises(Invalid) as refused:
        decide({"incident_date": "2006-03-31"})
    assert refused.value.problems[0]["feature"] == "incident_date"
    assert "Sat 1 Apr 2006" in refused.value.problems[0]["msg"]


def test_without_incident_date_todays_edition_is_assumed_and_the_date_asked_first() -> None:
    decision = decide(CHILD_DEATH)
    assert (decision.ruleset_id, decision.chosen_by) == ("wt2023", "today")
    assert decision.open_questions[0].feature == "incident_date"
    assert "today's edition was assumed: Working Together 2018 and 2023" in decision.summary
    assert decision.open_questions[0].why == (
        "That decides which edition of the guidance applies; until then, Working Together 2018 and 2023 "
        "(child safeguarding practice reviews) is assumed."
    )


@pytest.mark.parametrize(
    ("ruleset", "before", "on", "raw", "outcome_type"),
    [
        ("wt2006", "2008-03-31", "2008-04-01", CHILD_DEATH, "child_death_review"),
        ("wt2006", "2007-03-31", "2007-04-01", LAC_DEATH, "notify_ofsted"),
        ("wt2010", "2011-04-12", "2011-04-13", COMMON["dhr.homicide"], "dhr"),
        ("wt2015", "2015-03-31", "2015-04-01", COMMON["sar.condition_met"], "sar"),
        ("wt2015", "2016-11-30", "2016-12-01", COMMON["dhr.suicide"], "dhr"),
        ("wt2023", "2023-08-31", "2023-09-01", {**CHILD_HARM, "nhs_care_involved": True}, "psirf_response"),
    ],
)
def test_a_rule_starts_on_the_date_its_source_gives(
    ruleset: str, before: str, on: str, raw: dict[str, Any], outcome_type: str
) -> None:
    assert outcome_type not in requirements(decide({"incident_date": before, **raw}, ruleset))
    assert outcome_type in requirements(decide({"incident_date": on, **raw}, ruleset))


def test_nhs_serious_incidents_lose_their_60_day_timescale_from_march_2020() -> None:
    raw = {**CHILD_HARM, "nhs_care_involved": True}
    before = outcome(
        decide({"incident_date": "2020-02-29", "notified_date": "2020-03-02", **raw}), "nhs_serious_incident"
    )
    after = outcome(
        decide({"incident_date": "2020-03-01", "notified_date": "2020-03-02", **raw}), "nhs_serious_incident"
    )
    assert before.deadline.date == date(2020, 5, 29)  # type: ignore[union-attr]  (the May holiday moved to VE day)
    assert after.deadline == threshold.Deadline(
        None,
        "no national timescale: the 60-working-day expectation was lifted in March 2020 "
        "and not reinstated (NHS England, Serious Incident framework page)",
    )


def test_an_explicit_edition_outside_its_period_answers_as_a_what_if() -> None:
    decision = decide({"incident_date": "2024-01-10", **CHILD_DEATH}, "wt2006")
    assert decision.chosen_by == "request"
    assert "outside that period, so this is a what-if answer" in decision.summary
    assert "to before Thu 1 Apr 2010; the incident, on Wed 10 Jan 2024, is outside" in decision.summary
    latest = decide({"incident_date": "2010-01-10", **CHILD_DEATH}, "wt2023")
    assert "practice reviews) governs incidents from Fri 29 Jun 2018;" in latest.summary


def test_an_explicit_edition_inside_its_period_adds_no_note() -> None:
    decision = decide({"incident_date": "2024-01-10", **CHILD_DEATH}, "wt2023")
    assert "what-if" not in decision.summary


def test_a_ruleset_object_can_be_passed_directly() -> None:
    decision = threshold.decide(features.validate(CHILD_DEATH), rules.load("wt2015"), TODAY)
    assert (decision.ruleset_id, decision.chosen_by) == ("wt2015", "request")


def test_an_unknown_ruleset_is_refused_listing_the_valid_ones() -> None:
    with pytest.raises(Invalid) as refused:
        decide(CHILD_DEATH, "wt1999")
    assert refused.value.problems[0]["valid"] == ["auto", "wt2006", "wt2010", "wt2015", "wt2023"]


# --- deadlines ------------------------------------------------------------------------------------------


def test_five_working_days_skip_christmas_and_the_boxing_day_substitute() -> None:
    decision = decide({"incident_date": "2026-12-23", "notified_date": "2026-12-24", **CHILD_DEATH})
    assert outcome(decision, "notify_panel").deadline.date == date(2027, 1, 5)  # type: ignore[union-attr]


def test_a_one_month_deadline_ends_on_the_last_day_of_a_shorter_month() -> None:
    decision = decide({"incident_date": "2016-01-30", "notified_date": "2016-01-31", **CHILD_DEATH})
    scr = outcome(decision, "scr").deadline
    assert scr.date == date(2016, 2, 29)  # type: ignore[union-attr]
    assert scr.basis.startswith(  # type: ignore[union-attr]
        "1 month from the notification, for the LSCB chair to decide whether to hold a serious case review "
        "(Working Together to Safeguard Children 2015, chapter 4)"
    )


def test_a_deadline_counted_from_a_later_event_has_its_basis_but_no_date() -> None:
    decision = decide({"incident_date": "2024-01-10", **COMMON["mental_health.homicide"]})
    deadline = outcome(decision, "mental_health_homicide_review").deadline
    assert deadline == threshold.Deadline(
        None,
        "26 weeks from commissioning to the independent report "
        "(Serious Incident Framework (NHS England, March 2015))",
    )


def test_without_notified_date_deadlines_wait_and_the_date_is_asked_for() -> None:
    decision = decide({"incident_date": "2025-03-03", **CHILD_HARM})
    deadline = outcome(decision, "notify_panel").deadline
    assert deadline.date is None and deadline.basis == (  # type: ignore[union-attr]
        "5 working days from the day the local authority learned of it "
        "(Working Together to Safeguard Children 2023, chapter 5) (that day is not given yet)"
    )
    asked = {q.feature: q.why for q in decision.open_questions}
    assert asked["notified_date"] == (
        "The deadlines for notify the Child Safeguarding Practice Review Panel and rapid review count from "
        "it."
    )


def test_an_immediate_response_is_due_on_the_day_of_notification() -> None:
    decision = decide({"incident_date": "2025-03-03", "notified_date": "2025-03-04", **CHILD_DEATH})
    jar = outcome(decision, "joint_agency_response").deadline
    assert jar.date == date(2025, 3, 4) and jar.basis.startswith("immediately")  # type: ignore[union-attr]


def test_a_deadline_in_the_past_is_pointed_out() -> None:
    decision = decide({"incident_date": "2025-03-03", "notified_date": "2025-03-03", **CHILD_HARM})
    assert (
        "The deadline has passed for notify the Child Safeguarding Practice Review Panel (was due Mon 10 "
        "Mar 2025) and rapid review (was due Mon 24 Mar 2025)." in decision.summary
    )


def test_an_outcome_with_no_deadline_says_none() -> None:
    decision = decide({"incident_date": "2025-03-03", **CHILD_DEATH})
    assert outcome(decision, "child_death_review").deadline is None


# --- unconfirmed facts ----------------------------------------------------------------------------------


def test_an_answer_resting_on_an_unconfirmed_rule_says_so_in_the_reason_and_summary() -> None:
    decision = decide({"incident_date": "2024-01-10", **COMMON["mappa.serious_further_offence"]})
    reason = outcome(decision, "mappa_scr").reasons[0].text
    assert "(for the board to confirm: the board confirms with the MAPPA" in reason
    assert 'Points marked "for the board to confirm"' in decision.summary
    assert "UNCONFIRMED" not in decision.summary
    assert decision.unconfirmed


def test_an_unconfirmed_deadline_length_is_flagged_in_its_basis() -> None:
    decision = decide(
        {"incident_date": "2025-03-03", "notified_date": "2025-03-03", **COMMON["dhr.homicide"]}
    )
    assert outcome(decision, "dhr").deadline.basis.endswith(  # type: ignore[union-attr]
        "(for the board to confirm: the board confirms the one-month time for deciding whether to hold a "
        "domestic homicide review)"
    )


def test_an_unconfirmed_date_is_flagged_only_near_it() -> None:
    raw = {**CHILD_HARM, "nhs_care_involved": True}
    near = outcome(decide({"incident_date": "2023-06-01", **raw}), "nhs_serious_incident")
    far = outcome(decide({"incident_date": "2024-05-01", **raw}), "psirf_response")
    assert "moved to PSIRF on its own date" in near.reasons[0].text
    assert "for the board to confirm" not in far.reasons[0].text


def test_an_unconfirmed_start_of_an_edition_is_flagged_near_the_boundary_only() -> None:
    assert "the day Working Together 2010 took effect" in decide({"incident_date": "2010-04-10"}).summary
    assert "the day Working Together 2010 took effect" in decide({"incident_date": "2010-03-20"}).summary
    assert "for the board to confirm" not in decide({"incident_date": "2011-06-10"}).summary


def test_a_switched_off_rule_that_would_apply_is_mentioned() -> None:
    decision = decide({"incident_date": "2009-01-20", **CHILD_HARM, "interagency_concerns": True})
    assert (
        "a rule is switched off (the board confirms whether this wording of regulation 5(2) applied before "
        "April 2013)" in decision.summary
    )
    assert "serious case review would be mandatory" in decision.summary


def test_a_local_setting_replaces_the_default_and_marks_the_version() -> None:
    raw = {"incident_date": "2023-10-15", **CHILD_HARM, "nhs_care_involved": True}
    assert "psirf_response" in requirements(decide(raw))
    local = decide(raw, psirf_from="2023-11-01")
    assert "nhs_serious_incident" in requirements(local) and "psirf_response" not in requirements(local)
    assert local.ruleset_version.startswith("2+")
    definition = outcome(local, "nhs_serious_incident").reasons[0].text.split("definition")[1]
    assert "for the board to confirm" not in definition


def test_a_date_setting_of_null_means_never() -> None:
    raw = {"incident_date": "2025-10-15", **CHILD_HARM, "nhs_care_involved": True}
    never = requirements(decide(raw, psirf_from=None, sif_timescale_suspended_from=None))
    assert "nhs_serious_incident" in never and "psirf_response" not in never


# --- open questions -------------------------------------------------------------------------------------


NOTHING = {
    "incident_date": "2025-03-03",
    "notified_date": "2025-03-03",
    "subject_age_years": 40,
    "outcome": "none",
    "abuse_or_neglect": "not_suspected",
    "linked_adult_death": "none",
}


def test_a_fully_answered_case_has_no_open_questions() -> None:
    assert decide(NOTHING).open_questions == ()


def test_the_question_that_settles_most_outcomes_comes_first() -> None:
    questions = [q.feature for q in decide(EXAMPLES[2]["features"]).open_questions]
    assert questions.index("looked_after") < questions.index("interagency_concerns")
    assert questions.index("interagency_concerns") < questions.index("national_importance")


def test_answering_the_questions_in_turn_reaches_a_settled_decision() -> None:
    raw = dict(EXAMPLES[2]["features"])
    for _ in range(len(features.CATALOGUE)):
        decision = decide(raw)
        if not decision.open_questions:
            break
        name = decision.open_questions[0].feature
        known = features.BY_NAME[name]
        first = (known.values or (False,))[0]
        raw[name] = {features.Kind.date: raw["notified_date"], features.Kind.choices: [first]}.get(
            known.type, first
        )
    assert decide(raw).open_questions == ()


def test_a_known_fact_that_already_settles_an_outcome_is_not_asked_about() -> None:
    decision = decide({"incident_date": "2025-03-03", **CHILD_HARM, "interagency_concerns": True})
    assert "improvement_learning" not in {q.feature for q in decision.open_questions}


# --- summary ---------------------------------------------------------------------------------------------


def test_the_summary_names_the_edition_what_is_needed_and_by_when() -> None:
    summary = decide(EXAMPLES[2]["features"], today=date(2026, 11, 5)).summary
    assert summary.startswith(
        "Under Working Together 2018 and 2023 (child safeguarding practice reviews), this case needs:"
    )
    assert "notify the Child Safeguarding Practice Review Panel (by Wed 11 Nov 2026)" in summary
    assert (
        "open questions could change this. First: was the child looked after by a local authority? That "
        "decides whether these apply: notify Ofsted and notify the Secretary of State." in summary
    )
    later = decide(EXAMPLES[2]["features"]).summary
    assert "notify the Child Safeguarding Practice Review Panel (was due Wed 11 Nov 2026)" in later


def test_the_summary_lists_what_to_consider_when_nothing_is_required() -> None:
    summary = decide({"incident_date": "2009-01-20", **SCR_ERA["scr.injury_or_impairment"]}).summary
    assert "this case needs: notify Ofsted" in summary and "Also to consider: serious case review." in summary
    only = decide(
        {"incident_date": "2024-01-10", **COMMON["sar.other_case"], "perpetrators": ["stranger"]}
    ).summary
    assert ", to consider: safeguarding adults review." in only


def test_when_nothing_applies_the_summary_says_which_facts_decide_it() -> None:
    decision = decide(NOTHING)
    assert decision.outcomes == ()
    assert "No review or notification applies under Working Together 2018 and 2023" in decision.summary
    assert "chiefly because the answer to 'What happened to them?' is 'No harm'" in decision.summary
    assert "learning review or audit" in decision.summary


def test_when_nothing_applies_and_no_single_fact_would_change_it_the_summary_says_so() -> None:
    ruleset = rules.load("wt2023")
    lean = rules.Ruleset(**{**ruleset.__dict__, "probes": {name: () for name in ruleset.probes}})
    decision = threshold.decide(features.validate(NOTHING), lean, TODAY)
    assert ": none of its criteria is met." in decision.summary


def test_when_nothing_applies_yet_the_summary_points_to_the_questions() -> None:
    decision = decide({"incident_date": "2025-03-03", "subject_age_years": 40, "outcome": "death"})
    assert decision.outcomes == ()
    assert (
        "Nothing applies yet" in decision.summary and "open questions could change this" in decision.summary
    )


def test_one_open_question_is_counted_in_the_singular() -> None:
    decision = decide({**NOTHING, "linked_adult_death": None, "domestic_abuse": True})
    assert [q.feature for q in decision.open_questions] == ["linked_adult_death"]
    assert "1 open question could change this" in decision.summary


def test_the_text_form_lists_outcomes_reasons_deadlines_and_questions() -> None:
    text = decide({"incident_date": "2025-03-03", **CHILD_HARM, "recurrent_themes": True}).to_text()
    assert text.startswith("Working Together 2018 and 2023 (child safeguarding practice reviews) [wt2023 v2")
    assert "Mandatory:\n  * notify_panel: Notify the Child Safeguarding Practice Review Panel" in text
    assert (
        "deadline: date to follow (5 working days from the day the local authority learned of it "
        "(Working Together to Safeguard Children 2023, chapter 5) (that day is not given yet))" in text
    )
    assert "To consider (discretionary):\n  * lcspr:" in text
    assert (
        "[Children Act 2004 s16C(1); Working Together to Safeguard Children 2023, chapter 5; "
        "rule wt2023.notify.serious_harm]" in text
    )
    assert "Open questions, in the order to ask them:\n  1. " in text
    dated = decide({"incident_date": "2025-03-03", "notified_date": "2025-03-03", **CHILD_HARM}).to_text()
    assert (
        "deadline: Mon 10 Mar 2025 (5 working days from the day the local authority learned of it "
        "(Working Together to Safeguard Children 2023, chapter 5))" in dated
    )


def test_the_text_form_of_a_settled_case_with_nothing_to_do_has_no_lists() -> None:
    text = decide(NOTHING).to_text()
    assert "Mandatory" not in text and "Open questions" not in text


def test_the_text_form_leaves_out_a_deadline_an_outcome_does_not_have() -> None:
    text = decide({"incident_date": "2025-03-03", **CHILD_DEATH}).to_text()
    review = text.split("  * child_death_review:")[1].split("\n")
    assert review[1].startswith("      because:")


def test_a_deadline_counted_from_an_unknown_incident_date_is_asked_for_once() -> None:
    raw = {**COMMON["dhr.homicide"], "nhs_care_involved": True}
    decision = decide(raw, "wt2010")
    asked = [q.feature for q in decision.open_questions]
    assert asked.count("incident_date") == 1
    assert outcome(decision, "nhs_serious_incident").deadline.basis.endswith(  # type: ignore[union-attr]
        "(the day of the death or serious harm is not given yet)"
    )
