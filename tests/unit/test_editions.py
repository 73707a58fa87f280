"""Citations of the edition in force on the day a rule turns on, clocks counted from their legal triggers,
which area leads, children harmed outside England, the harm each edition names, a looked-after child's
death, the COVID-19 relaxation, and questions that cannot apply to a case."""

from datetime import date
from typing import Any

import pytest

from commissioning import calendar, features, rules, threshold
from commissioning.citations import Cite, Document, Edition, render, trigger_day
from core.errors import Invalid

TODAY = date(2026, 11, 26)
CHILD_DEATH = {"country": "england", "subject_age_years": 3, "outcome": "death", "abuse_or_neglect": "known"}
CHILD_HARM = {
    "country": "england",
    "subject_age_years": 6,
    "outcome": "serious_harm",
    "abuse_or_neglect": "known",
}
LAC_DEATH = {
    "country": "england",
    "subject_age_years": 15,
    "outcome": "death",
    "abuse_or_neglect": "not_suspected",
    "looked_after": True,
}


def decide(raw: dict[str, Any], *, decided_on: date | None = None, **settings: Any) -> threshold.Decision:
    return threshold.decide(
        features.validate(raw), "auto", TODAY, rulesets=rules.load_all(settings), decided_on=decided_on
    )


def outcome(decision: threshold.Decision, name: str) -> threshold.Outcome:
    return next(o for o in decision.outcomes if o.type == name)


def sources(decision: threshold.Decision, name: str) -> str:
    return "; ".join(reason.source for reason in outcome(decision, name).reasons)


def on(day: str, **more: Any) -> dict[str, Any]:
    return {"incident_date": day, "notified_date": day, **more}


# --- the edition in force on the day the rule turns on ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working_together", "panel"),
    [
        ("2018-09-03", "Working Together to Safeguard Children 2018, chapter 4", None),
        (
            "2020-06-17",
            "Working Together to Safeguard Children 2018, chapter 4",
            "Child Safeguarding Practice Review Panel: practice guidance (April 2019)",
        ),
        (
            "2023-01-09",
            "Working Together to Safeguard Children 2018, chapter 4",
            "Child Safeguarding Practice Review Panel: guidance for safeguarding partners (September 2022)",
        ),
        (
            "2024-02-05",
            "Working Together to Safeguard Children 2023, chapter 5",
            "Child Safeguarding Practice Review Panel: guidance for safeguarding partners (September 2022)",
        ),
    ],
)
def test_a_rapid_review_cites_the_editions_in_force_when_it_turned_on(
    day: str, working_together: str, panel: str | None
) -> None:
    cited = sources(decide(on(day, **CHILD_HARM)), "rapid_review")
    assert cited == "; ".join(source for source in (working_together, panel) if source)


def test_a_2020_case_cites_nothing_published_later() -> None:
    said = str(decide(on("2020-06-17", **CHILD_DEATH, improvement_learning=True)).to_json())
    assert "Working Together to Safeguard Children 2023" not in said and "September 2022" not in said
    assert "Working Together to Safeguard Children 2018, chapter 5" in sources(
        decide(on("2020-06-17", **CHILD_DEATH)), "child_death_review"
    )


def test_a_decision_cites_the_edition_in_force_on_the_day_the_board_decided() -> None:
    raw = on("2023-11-20", **CHILD_HARM, recurrent_themes=True)
    assert "2018, chapter 4" in sources(decide(raw), "lcspr")
    assert "2023, chapter 5" in sources(decide(raw, decided_on=date(2024, 1, 10)), "lcspr")
    assert "2018, chapter 4" in sources(decide(raw, decided_on=date(2024, 1, 10)), "notify_panel")


@pytest.mark.parametrize(
    ("day", "edition"),
    [
        ("2007-08-03", "Working Together to Safeguard Children 2006, chapter 8"),
        ("2011-06-01", "Working Together to Safeguard Children 2010, chapter 8"),
        ("2014-05-01", "Working Together to Safeguard Children 2013, chapter 4"),
        ("2016-05-10", "Working Together to Safeguard Children 2015, chapter 4"),
    ],
)
def test_a_serious_case_review_cites_the_edition_of_its_day(day: str, edition: str) -> None:
    assert edition in sources(decide(on(day, **CHILD_DEATH)), "scr")


@pytest.mark.parametrize(
    ("day", "guidance"),
    [
        ("2011-09-10", "Domestic Homicide Reviews (Home Office, 2011)"),
        ("2017-03-01", "Domestic Homicide Reviews (Home Office, December 2016)"),
    ],
)
def test_a_domestic_homicide_review_cites_the_guidance_of_its_day(day: str, guidance: str) -> None:
    raw = on(
        day,
        subject_age_years=32,
        outcome="death",
        abuse_or_neglect="known",
        perpetrators=["intimate_partner"],
    )
    assert (
        sources(decide(raw), "dhr") == "Domestic Violence, Crime and Victims Act 2004 s9; "
        f"Multi-agency Statutory Guidance for the Conduct of {guidance}"
    )


@pytest.mark.parametrize(
    ("day", "framework"),
    [
        ("2008-06-10", "the Strategic Health Authority's serious untoward incident policy"),
        ("2011-06-01", "(National Patient Safety Agency, March 2010)"),
        ("2014-05-01", "Serious Incident Framework (NHS England, March 2013)"),
        ("2016-05-10", "Serious Incident Framework (NHS England, March 2015)"),
    ],
)
def test_an_nhs_serious_incident_cites_the_framework_of_its_day(day: str, framework: str) -> None:
    assert framework in sources(decide(on(day, **CHILD_HARM, nhs_care_involved=True)), "nhs_serious_incident")


def test_a_rule_with_no_edition_in_force_cites_what_stands_in_for_it() -> None:
    raw = {
        "subject_age_years": 9,
        "outcome": "other_harm",
        "abuse_or_neglect": "not_suspected",
        "single_agency_concerns": True,
        "interagency_concerns": False,
    }
    early = sources(decide(on("2008-06-10", **raw)), "learning_review")
    assert early.startswith("Children Act 2004 s14(1)(b)")
    assert sources(decide(on("2014-05-01", **raw)), "learning_review") == (
        "Working Together to Safeguard Children 2013, chapter 4"
    )


def test_abuse_in_nhs_care_is_referred_under_the_adult_law_of_the_day_or_the_1989_act_for_a_child() -> None:
    adult = {
        "subject_age_years": 70,
        "outcome": "serious_harm",
        "abuse_or_neglect": "known",
        "setting": "nhs_care",
    }
    assert (
        sources(decide(on("2014-05-01", **adult)), "safeguarding_referral")
        == "No Secrets (Department of Health, March 2000)"
    )
    assert sources(decide(on("2016-05-10", **adult)), "safeguarding_referral") == "Care Act 2014 s42"
    child = {**CHILD_HARM, "setting": "nhs_care"}
    assert sources(decide(on("2016-05-10", **child)), "safeguarding_referral") == "Children Act 1989 s47"


def test_the_editions_table_is_published_with_each_ruleset() -> None:
    published = rules.load("wt2023").to_json()
    editions = published["editions"]["working_together"]["editions"]
    assert [e["id"] for e in editions] == [
        "wt2006",
        "wt2006_ch8_2009",
        "wt2010",
        "wt2013",
        "wt2015",
        "wt2018",
        "wt2023",
    ]
    assert all(e["title"] and e["in_force"] and e["source"] for e in editions)
    assert {"dhr_guidance", "nhs_incidents", "panel_guidance"} <= set(published["editions"])
    secondary = next(c for c in published["criteria"] if c["id"] == "wt2023.notify.known_family_death")
    assert "Tees" in secondary["evidence"] and "Tees" not in str(secondary["source"])


def test_a_published_version_still_decides_as_it_did() -> None:
    first = rules.load("wt2023", "1")
    decision = threshold.decide(features.validate(on("2020-06-17", **CHILD_DEATH)), first, TODAY)
    notify = outcome(decision, "notify_panel")
    assert (decision.ruleset_version, notify.reasons[0].source) == ("1", "Children Act 2004 s16C(1)")
    assert notify.deadline.basis == "5 working days from the day the local authority learned of it"  # type: ignore[union-attr]


# --- the citations table itself -------------------------------------------------------------------------


def test_a_day_before_every_edition_cites_the_first_or_nothing_as_the_document_says() -> None:
    first = Edition("a", "Guide A", date(2020, 1, 1), {"part": "chapter 1"})
    never = Edition("b", "Guide B", None, {"part": ""})
    cites_first = Document("d", (first, never), True)
    cites_none = Document("e", (first,), False)
    assert cites_first.cite("part", date(2019, 1, 1)) == "Guide A, chapter 1"
    assert cites_first.cite("part", date(2030, 1, 1)) == "Guide A, chapter 1"  # B is set to never
    assert cites_none.cite("part", date(2019, 1, 1)) is None
    documents = {"d": cites_first, "e": cites_none}
    shown = render(
        ["An Act s1", Cite("e", "part", "An Act s1"), Cite("d", "part")], documents, date(2019, 1, 1)
    )
    assert shown == "An Act s1; Guide A, chapter 1"


def test_an_unknown_date_stands_in_with_the_nearest_known_one_then_today() -> None:
    known = {"incident_date": date(2020, 1, 6), "notified_date": date(2020, 1, 8), "decided_on": None}
    assert trigger_day("decision", known, TODAY) == date(2020, 1, 8)
    assert trigger_day("incident", {"notified_date": date(2020, 1, 8)}, TODAY) == date(2020, 1, 8)
    assert trigger_day("panel_notification", {}, TODAY) == TODAY


# --- clocks from their legal triggers -------------------------------------------------------------------


def test_an_scr_under_the_2015_guidance_counts_from_notification_then_from_the_decision() -> None:
    raw = on("2016-05-10", **CHILD_DEATH)
    before = outcome(decide(raw), "scr").deadline
    assert before.date == date(2016, 6, 10)  # type: ignore[union-attr]
    assert before.basis.startswith("1 month from the notification, for the LSCB chair to decide")  # type: ignore[union-attr]
    after = outcome(decide(raw, decided_on=date(2016, 6, 1)), "scr").deadline
    assert after.date == date(2016, 12, 1)  # type: ignore[union-attr]
    assert after.basis.startswith("6 months from the decision to hold the review, to complete and publish it")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("decided", "months", "words"),
    [
        (date(2008, 7, 1), 4, "the LSCB agreed its timetable with the Government Office"),
        (date(2010, 1, 15), 6, "revises its timetable with the Government Office"),
        (date(2011, 3, 1), 6, "revises its timetable and tells the Department for Education"),
    ],
)
def test_an_scr_decided_under_the_2006_guidance_runs_on_the_clock_in_force_when_decided(
    decided: date, months: int, words: str
) -> None:
    deadline = outcome(decide(on("2008-06-10", **CHILD_DEATH), decided_on=decided), "scr").deadline
    assert deadline.date == calendar.add_months(decided, months)  # type: ignore[union-attr]
    assert words in deadline.basis  # type: ignore[union-attr]


def test_an_scr_under_the_2010_guidance_never_mentions_a_government_office_after_february_2011() -> None:
    raw = on("2012-03-03", **CHILD_DEATH)
    for decided in (None, date(2012, 4, 2)):
        basis = outcome(decide(raw, decided_on=decided), "scr").deadline.basis  # type: ignore[union-attr]
        assert "Government Office" not in basis and "Department for Education" in basis
    early = outcome(decide(on("2010-06-01", **CHILD_DEATH)), "scr").deadline
    assert "Government Office" in early.basis and early.date is None  # type: ignore[union-attr]


def test_the_boards_decision_dates_the_clocks_that_run_from_it() -> None:
    harm = on("2026-09-14", **CHILD_HARM, interagency_concerns=True)
    assert outcome(decide(harm), "lcspr").deadline.date is None  # type: ignore[union-attr]
    decided = outcome(decide(harm, decided_on=date(2026, 10, 2)), "lcspr").deadline
    assert decided.date == date(2027, 4, 2)  # type: ignore[union-attr]
    notice = outcome(
        decide(on("2016-05-10", **LAC_DEATH, setting="community"), decided_on=date(2016, 5, 20)),
        "panel_no_scr_notice",
    ).deadline
    assert notice.date == date(2016, 6, 3)  # type: ignore[union-attr]


def test_a_rapid_review_counts_from_the_panel_notification_once_given() -> None:
    raw = on("2025-03-03", **CHILD_HARM)
    waiting = decide(raw)
    assert outcome(waiting, "rapid_review").deadline.date == calendar.add_working_days(date(2025, 3, 3), 15)  # type: ignore[union-attr]
    assert (
        "counted for now from the day the local authority learned of it"
        in outcome(waiting, "rapid_review").deadline.basis
    )  # type: ignore[union-attr]
    assert {"feature": "panel_notified_date", "why": "The deadline for rapid review counts from it."} in [
        q.to_json() for q in waiting.open_questions
    ]
    told = decide({**raw, "panel_notified_date": "2025-03-07"})
    rapid = outcome(told, "rapid_review").deadline
    assert rapid.date == calendar.add_working_days(date(2025, 3, 7), 15)  # type: ignore[union-attr]
    assert rapid.basis.startswith("15 working days from the notification to the Panel (")  # type: ignore[union-attr]
    assert "panel_notified_date" not in {q.feature for q in told.open_questions}


def test_a_board_decision_is_made_and_read_as_of_its_own_day() -> None:
    raw = on("2020-06-17", **CHILD_DEATH)
    decision = threshold.decide(features.validate(raw), "auto", date(2020, 7, 1), decided_on=date(2020, 7, 1))
    assert "(by Wed 8 Jul 2020)" in decision.summary and "(was due Wed 24 Jun 2020)" in decision.summary


# --- the COVID-19 relaxation ------------------------------------------------------------------------------


def test_answers_in_the_covid_window_say_the_expectations_were_relaxed_but_not_notifications() -> None:
    decision = decide(on("2020-06-17", **CHILD_HARM))
    assert "From Mon 30 Mar 2020 the Panel and the Department for Education relaxed this expectation" in (
        outcome(decision, "rapid_review").deadline.basis  # type: ignore[union-attr]
    )
    assert "COVID" not in outcome(decision, "notify_panel").deadline.basis  # type: ignore[union-attr]
    assert "This falls in the COVID-19 period" in decision.summary


@pytest.mark.parametrize("day", ["2019-10-01", "2024-05-01"])
def test_answers_outside_the_covid_window_do_not_mention_it(day: str) -> None:
    assert "COVID" not in str(decide(on(day, **CHILD_HARM)).to_json())


def test_a_review_running_into_the_window_is_covered_and_the_window_is_a_setting() -> None:
    started = on("2020-03-02", **CHILD_HARM)  # its 15 working days run past 30 March? no: they end 23 March
    assert "COVID" not in str(decide(started).to_json())
    late = on("2020-03-16", **CHILD_HARM)  # due 6 April: inside the window
    assert "COVID" in outcome(decide(late), "rapid_review").deadline.basis  # type: ignore[union-attr]
    ended = decide(on("2021-06-01", **CHILD_HARM), covid_relaxation_until="2021-03-31")
    assert "COVID" not in str(ended.to_json())
    open_ended = decide(on("2025-06-02", **CHILD_HARM), covid_relaxation_until=None)
    assert "COVID" in outcome(open_ended, "rapid_review").deadline.basis  # type: ignore[union-attr]
    never = decide(on("2020-06-17", **CHILD_HARM), covid_relaxation_from=None)
    assert "COVID" not in str(never.to_json())


def test_an_scr_still_running_in_2020_is_covered_too() -> None:
    decision = decide(on("2018-01-15", **CHILD_DEATH), decided_on=date(2020, 1, 6))
    assert "COVID-19" in outcome(decision, "scr").deadline.basis  # type: ignore[union-attr]


# --- children harmed outside England and which area leads --------------------------------------------------


@pytest.mark.parametrize("country", ["wales", "scotland", "northern_ireland", "outside_uk"])
def test_a_child_normally_resident_in_england_harmed_elsewhere_is_decided_and_the_home_area_notifies(
    country: str,
) -> None:
    raw = on("2025-03-03", **{**CHILD_DEATH, "country": country}, normally_resident_in_england=True)
    decision = decide(raw)
    assert outcome(decision, "notify_panel").requirement == "mandatory"
    reasons = {r.rule: r for r in outcome(decision, "notify_panel").reasons}
    assert reasons["wt2023.lead.outside_england"].source == "Children Act 2004 s16C(1)(b)"
    assert "where the child normally lives notifies the Panel" in reasons["wt2023.lead.outside_england"].text
    assert "wt2023.lead.rapid_review_home_area_abroad" in {
        r.rule for r in outcome(decision, "rapid_review").reasons
    }
    assert "incident_outside_home_area" not in {q.feature for q in decision.open_questions}


def test_a_child_with_no_home_in_england_harmed_elsewhere_is_redirected() -> None:
    with pytest.raises(Invalid) as refused:
        decide(on("2025-03-03", **{**CHILD_DEATH, "country": "wales"}, normally_resident_in_england=False))
    assert "Child Practice Review" in refused.value.problems[0]["msg"]


def test_in_the_cspr_era_the_area_where_it_happened_notifies_and_the_question_is_asked() -> None:
    raw = on("2025-03-03", **CHILD_HARM)
    asked = {q.feature: q.why for q in decide(raw).open_questions}
    assert asked["incident_outside_home_area"] == (
        "That decides which area notifies the Panel and carries out the rapid review."
    )
    elsewhere = decide({**raw, "incident_outside_home_area": True})
    notify = {r.rule: r for r in outcome(elsewhere, "notify_panel").reasons}["wt2023.lead.where_it_happened"]
    assert "the local authority for the area where it happened notifies the Panel" in notify.text
    assert "frequently asked questions" in notify.source
    home = decide({**raw, "incident_outside_home_area": False})
    assert "wt2023.lead.rapid_review_home_area" in {r.rule for r in outcome(home, "rapid_review").reasons}
    assert outcome(home, "notify_panel").reasons == outcome(decide(raw), "notify_panel").reasons


def test_in_the_scr_era_the_home_area_leads_or_for_a_looked_after_child_the_responsible_authority() -> None:
    raw = on("2008-06-10", **CHILD_DEATH)
    assert decide(raw).open_questions[0].feature == "looked_after"
    looked_after = decide({**raw, "looked_after": True})
    assert "wt2006.lead.responsible_authority" in {r.rule for r in outcome(looked_after, "scr").reasons}
    at_home = decide({**raw, "looked_after": False})
    assert "incident_outside_home_area" in {q.feature for q in at_home.open_questions}
    away = decide({**raw, "looked_after": False, "incident_outside_home_area": True})
    lead = {r.rule: r for r in outcome(away, "scr").reasons}["wt2006.lead.home_area_elsewhere"]
    assert "the LSCB for the area where the child normally lived leads" in lead.text
    assert lead.source == "Working Together to Safeguard Children 2006, chapter 8"
    home = decide({**raw, "looked_after": False, "incident_outside_home_area": False})
    assert "wt2006.lead.home_area" in {r.rule for r in outcome(home, "scr").reasons}


# --- the harm each edition names ------------------------------------------------------------------------


def test_impairment_of_mental_health_or_development_is_serious_harm_from_2013() -> None:
    raw = {**CHILD_HARM, "serious_harm_kinds": ["mental_health_or_development_impairment"]}
    assert outcome(decide(on("2020-12-01", **raw)), "notify_panel").requirement == "mandatory"
    assert decide(on("2016-05-10", **raw, interagency_concerns=True)).outcomes
    with pytest.raises(Invalid) as refused:
        decide(on("2008-06-10", **raw))
    (problem,) = refused.value.problems
    assert problem["feature"] == "serious_harm_kinds"
    assert problem["msg"].startswith(
        "Working Together 2006 (serious case reviews, LSCB Regulations 2006) does not name 'Serious or "
        "long-term impairment of mental health or of intellectual, emotional, social or behavioural "
        "development'"
    )
    assert "permanent_impairment" in problem["valid"] and "physical_health_impairment" not in problem["valid"]


# --- a looked-after child's death ------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2008-06-10", "2011-06-01", "2016-05-10", "2025-05-06"])
def test_a_looked_after_childs_death_is_notified_to_the_secretary_of_state_with_no_time_limit(
    day: str,
) -> None:
    decision = decide(on(day, **LAC_DEATH))
    notice = outcome(decision, "notify_secretary_of_state")
    assert notice.requirement == "mandatory" and notice.deadline is None
    assert notice.reasons[0].source == "Children Act 1989 Schedule 2 paragraph 20(1)(a)"
    assert "The law sets no time limit." in notice.reasons[0].text
    assert "notify_panel" not in {o.type for o in decision.outcomes}


# --- questions that cannot apply ------------------------------------------------------------------------


def test_a_living_teenager_is_asked_of_no_adult_death_or_mappa_offender_unless_facts_point_there() -> None:
    raw = on("2025-03-03", **{**CHILD_HARM, "subject_age_years": 15})
    asked = {q.feature for q in decide(raw).open_questions}
    assert not asked & {"linked_adult_death", "perpetrator_mappa", "perpetrator_in_mental_health_care"}
    pointed = decide({**raw, "domestic_abuse": True, "perpetrators": ["parent_partner"]})
    assert {"linked_adult_death", "perpetrator_mappa"} <= {q.feature for q in pointed.open_questions}
