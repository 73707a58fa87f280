"""The sections real terms of reference have, built from the case's facts: why the review is held, what
each agency must address, the reviewer, the panel, the child's and family's involvement, confidentiality,
and the era's own publication rules."""

from dataclasses import replace
from datetime import date
from typing import Any

from commissioning.render import render_markdown
from commissioning.rules import DeadlineSpec
from commissioning.rules import load as load_ruleset
from commissioning.terms import Agency, BoardDecision, CaseFacts, CommissionFacts, assemble
from commissioning.terms_context import without_notes
from commissioning.terms_document import Paragraph, Points, Section, Terms, Timetable

TODAY = date(2026, 12, 14)
CSPR = {"id": "wt2023", "version": "1"}
LCSPR = {"type": "lcspr", "kind": "review", "requirement": "discretionary", "reasons": []}
BOARD = BoardDecision(decided_by="The partners", decided_on=date(2026, 12, 10))
SCHOOL = Agency("x-school", "Northgate Academy", "school")
TRUST = Agency("x-trust", "County Hospitals NHS Foundation Trust", "nhs_trust")
CHARITY = Agency("x-charity", "Hope Families", "voluntary_sector")
UNKNOWN = Agency("someone", "Someone Unlisted")


def terms(
    features: dict[str, Any] | None = None,
    *,
    agencies: tuple[Agency, ...] = (),
    outcomes: tuple[dict[str, Any], ...] = (LCSPR,),
    ruleset: dict[str, str] = CSPR,
    board: BoardDecision | None = BOARD,
    commission: CommissionFacts | None = None,
) -> Terms:
    case = CaseFacts(ref="ABC-2026-0001", features={"area": "hackney", **(features or {})}, agencies=agencies)
    decision = {"ruleset": ruleset, "outcomes": list(outcomes)}
    return assemble(case=case, decision=decision, board=board, commission=commission, today=TODAY)


def section(built: Terms, key: str) -> Section:
    return next(s for s in built.sections if s.key == key)


def texts(built: Terms, key: str) -> list[str]:
    found: list[str] = []
    for block in section(built, key).blocks:
        if isinstance(block, Paragraph):
            found.append(block.text)
        elif isinstance(block, Points):
            found += [item.text for item in block.items]
        else:
            assert isinstance(block, Timetable)
            found += [f"{row.label} | {row.basis} | {row.status}" for row in block.rows]
    return found


def joined(built: Terms, key: str) -> str:
    return "\n".join(texts(built, key))


# Why the review ----------------------------------------------------------------------------------


def test_the_summary_tells_what_happened_in_neutral_words_with_no_names() -> None:
    built = terms(
        {
            "incident_date": "2026-05-04",
            "subject_age_years": 15,
            "outcome": "serious_harm",
            "serious_harm_kinds": ["life_threatening_injury", "serious_sexual_abuse", "other"],
            "abuse_or_neglect": "known",
            "setting": "secure_childrens_home",
            "looked_after": True,
            "racism_or_discrimination": True,
            "child_sexual_exploitation": True,
        },
        agencies=(SCHOOL, UNKNOWN),
    )
    summary = texts(built, "why")
    assert summary[0] == (
        "In May 2026, a young person aged fifteen, sixteen or seventeen was seriously harmed in a secure "
        "children's home. The harm included a potentially life-threatening injury and serious sexual abuse. "
        "Abuse or neglect is known to have been a factor. The child was looked after by the local authority."
    )
    assert summary[1] == (
        "A school or early years setting and other services had worked with the child or family. Features "
        "of the case include child sexual exploitation. There is concern that racism or other discrimination "
        "may have played a part."
    )
    assert summary[2].startswith("The safeguarding partners decided that the case meets the criteria")


def test_a_suspected_suicide_is_said_before_an_unexpected_death_and_an_undecided_case_says_so() -> None:
    built = terms(
        {"outcome": "death", "suspected_suicide": True, "death_unexpected": True, "subject_age_years": 16},
        board=None,
    )
    summary = texts(built, "why")
    assert "The death is thought to have been suicide." in summary[0]
    assert "unexpected" not in summary[0]
    assert summary[1] == "No agency is yet recorded as having worked with the child or family."
    assert summary[2] == (
        "Whether the case meets the criteria for a review is for the safeguarding partners to decide; the "
        "threshold decision is set out below."
    )
    assert "A young person" in texts(terms({"outcome": "death", "subject_age_years": 17}), "why")[0]
    assert texts(terms({"outcome": "death", "subject_age_years": 30}), "why")[0] == "A child died."


# What each agency must address -------------------------------------------------------------------


def test_each_agency_gets_the_questions_of_its_kind_and_of_the_cases_themes() -> None:
    built = terms({"neglect": True, "interpreter_needed": True}, agencies=(SCHOOL, TRUST, CHARITY, UNKNOWN))
    lines = texts(built, "agencies")
    assert lines[0].startswith("Each agency in scope will provide a chronology and a summary")
    headings = [line for line in lines if line.endswith(":")]
    assert headings == [
        "Northgate Academy:",
        "County Hospitals NHS Foundation Trust:",
        "Hope Families:",
        "Someone Unlisted:",
    ]
    text = "\n".join(lines)
    assert "Were signs of neglect (such as hunger, hygiene, tiredness or missed education)" in text
    assert "Were professional interpreters used in every clinical contact" in text
    assert "What support did the organisation give" in text
    assert "What did the agency know of the child and family" in text


def test_without_agencies_the_questions_wait_for_them() -> None:
    assert texts(terms(), "agencies") == [
        "The questions for each agency will be set once the agencies in scope are confirmed."
    ]


def test_an_scr_under_the_2006_guidance_asks_for_individual_management_reviews() -> None:
    built = terms(
        {"incident_date": "2008-03-03"},
        agencies=(SCHOOL,),
        outcomes=({"type": "scr", "kind": "review", "requirement": "mandatory", "reasons": []},),
        ruleset={"id": "wt2006", "version": "1"},
        board=BoardDecision(decided_by="The chair", decided_on=date(2008, 4, 1)),
    )
    assert texts(built, "agencies")[0].startswith("Each agency in scope will write an individual management")


# The reviewer -------------------------------------------------------------------------------------


def test_a_reviewer_with_no_recorded_experience_is_asked_about_and_languages_they_share_are_said() -> None:
    bare = CommissionFacts(consultant_name="Kim Reviewer", role="overview_author", languages=("Somali",))
    built = terms({"family_languages": ["somali"]}, commission=bare)
    assert "Kim Reviewer has been commissioned as overview author." in texts(built, "independence")
    assert next(m.what for m in built.missing if m.section == "independence").startswith(
        "the lead reviewer's experience"
    )
    known = CommissionFacts(
        consultant_name="Kim Reviewer",
        role="panel_chair",
        reviews=(("dhr", 1), ("unknown_type", 4)),
        languages=("Somali", "French"),
        specialisms=("race_ethnicity_and_culture", "infant_injury_and_sudi"),
    )
    built = terms({"family_languages": ["somali"], "racism_or_discrimination": True}, commission=known)
    text = joined(built, "independence")
    assert "as chair of the review panel" in text
    assert (
        "Kim Reviewer has led or written 1 domestic homicide review. Their specialist knowledge includes "
        "race, ethnicity and culture, which this case raises. They speak Somali, which the family needs."
    ) in text


def test_a_specialism_that_is_not_a_case_theme_reads_in_words() -> None:
    known = CommissionFacts(
        consultant_name="Kim Reviewer",
        role="lead_reviewer",
        backgrounds=("medicine_paediatrics",),
        specialisms=("disability",),
    )
    text = joined(terms({"disability": True}, commission=known), "independence")
    assert (
        "comes from a background in medicine and paediatrics. Their specialist knowledge includes a " in text
    )


# The panel ----------------------------------------------------------------------------------------


def test_the_panel_takes_a_role_from_each_agency_and_expert_advice_where_the_themes_call_for_it() -> None:
    built = terms(
        {"fabricated_or_induced_illness": True, "suspected_suicide": True}, agencies=(SCHOOL, TRUST)
    )
    lines = texts(built, "panel")
    assert "Northgate Academy: a senior leader, or the local authority's education safeguarding lead" in lines
    assert any(
        line.startswith("The designated doctor and designated nurse for safeguarding") for line in lines
    )
    assert "From a paediatrician experienced in fabricated or induced illness" in lines
    assert "From a specialist in adolescent mental health and suicide prevention" in lines
    no_health = texts(terms(agencies=(SCHOOL,)), "panel")
    assert not any("designated doctor" in line for line in no_health)
    assert texts(terms(), "panel") == [
        "The panel's members will be drawn from the agencies in scope once they are confirmed, with a chair "
        "independent of them."
    ]


# The child, family and practitioners ---------------------------------------------------------------


def test_the_childs_own_voice_is_sought_in_a_way_that_fits_what_happened() -> None:
    infant = joined(terms({"outcome": "death", "subject_age_years": 0.3}), "involvement")
    assert "too young to speak for themselves" in infant
    died = joined(terms({"outcome": "death", "subject_age_years": 9}), "involvement")
    assert "the people who knew the child well" in died
    living = joined(terms({"outcome": "serious_harm", "subject_age_years": 9}), "involvement")
    assert "The child will be offered the chance to contribute" in living
    unknown = joined(terms({"subject_age_years": 9}), "involvement")
    assert "where the child is able and wishes to, will hear from the child directly" in unknown
    for text in (infant, died, living, unknown):
        assert "Any brothers and sisters will be offered the chance to contribute" in text


def test_interpreters_are_arranged_in_the_familys_languages_or_the_languages_asked_for() -> None:
    built = terms({"interpreter_needed": True, "family_languages": ["tigrinya", "british-sign-language"]})
    assert (
        "A professional interpreter in Tigrinya and British Sign Language will be provided for every contact"
        in joined(built, "involvement")
    )
    assert "professional interpreters in Tigrinya and British Sign Language" in joined(built, "enquiry")
    unnamed = terms({"interpreter_needed": True})
    assert "A professional interpreter in the family's languages" in joined(unnamed, "involvement")
    assert [m.what for m in unnamed.missing if m.section == "involvement"] == [
        "the languages in which the family needs interpreters"
    ]


def test_looked_after_disabled_and_race_concerns_shape_the_familys_involvement() -> None:
    text = joined(
        terms({"looked_after": True, "disability": True, "race_ethnicity_and_culture": True}), "involvement"
    )
    assert "The child's carers and the people who knew the child in their placement" in text
    assert "accessible formats and advocacy" in text
    assert "how they experienced services in relation to their race, ethnicity, culture and faith" in text


# Confidentiality ----------------------------------------------------------------------------------


def test_confidentiality_cites_the_data_law_and_powers_of_the_era() -> None:
    now = section(terms(), "confidentiality")
    assert "Data Protection Act 2018" in now.sources and "Children Act 2004, section 16H" in now.sources
    assert any(
        "may require a person or body to provide information" in t for t in texts(terms(), "confidentiality")
    )
    then = terms(
        {"incident_date": "2009-01-05"},
        outcomes=({"type": "scr", "kind": "review", "requirement": "mandatory", "reasons": []},),
        ruleset={"id": "wt2006", "version": "1"},
        board=BoardDecision(decided_by="The chair", decided_on=date(2009, 2, 2)),
    )
    old = section(then, "confidentiality")
    assert "Data Protection Act 1998" in old.sources
    assert "HM Government, Information sharing: guidance for practitioners and managers (2008)" in old.sources
    assert not any("may require a person or body" in t for t in texts(then, "confidentiality"))


# Publication by era -------------------------------------------------------------------------------


def scr_decided(on: date) -> Terms:
    return terms(
        {"incident_date": on.replace(day=1).isoformat()},
        outcomes=({"type": "scr", "kind": "review", "requirement": "mandatory", "reasons": []},),
        ruleset={"id": "wt2006" if on.year < 2010 else "wt2010", "version": "1"},
        board=BoardDecision(decided_by="The chair", decided_on=on),
    )


def test_scrs_started_before_10_june_2010_publish_an_executive_summary_only() -> None:
    early = joined(scr_decided(date(2006, 11, 6)), "publication")
    assert "An executive summary of the overview report will be published" in early
    assert "Ofsted" not in early  # Ofsted evaluated serious case reviews from April 2007
    later = joined(scr_decided(date(2008, 4, 1)), "publication")
    assert "sent to Ofsted" in later and "Department" not in later
    full = joined(scr_decided(date(2010, 6, 14)), "publication")
    assert "published in full" in full and "the Department for Education" in full


def test_a_learning_review_leaves_publication_to_the_board() -> None:
    board = BoardDecision(
        decided_by="The partners", decided_on=date(2026, 12, 10), review_type="learning_review"
    )
    text = joined(terms(board=board), "publication")
    assert "Whether to publish the findings is for the safeguarding partners to decide" in text


# Decisions resting on facts the guidance left open ------------------------------------------------


def rapid_review(basis: str) -> dict[str, object]:
    """The mandatory rapid review as the decision names it, due 25 November 2026 on the clock ``basis``."""
    return {
        "type": "rapid_review",
        "kind": "review",
        "requirement": "mandatory",
        "reasons": [],
        "deadline": {"date": "2026-11-25", "basis": basis},
    }


def test_notes_on_unconfirmed_facts_become_a_request_to_the_board_in_plain_words() -> None:
    outcome = {
        "type": "lcspr",
        "kind": "review",
        "requirement": "discretionary",
        "reasons": [
            {
                "rule": "wt2023.lcspr.factors",
                "text": "The case may highlight recurrent themes (UNCONFIRMED: these Working Together 2018 "
                "factors (three of them) were recalled, not seen in the text).",
                "source": "Working Together 2018 ch 4 (recalled, not seen)",
            }
        ],
    }
    rapid = rapid_review("15 working days from notified_date (UNCONFIRMED: a note)")
    built = terms({"incident_date": "2026-11-02"}, outcomes=(outcome, rapid))
    decision = texts(built, "decision")
    assert "The case may highlight recurrent themes." in decision
    assert (
        "The board is asked to confirm, when it agrees these terms, that the criteria above are those of the "
        "guidance in force on 2 November 2026." in decision
    )
    assert any(
        line.startswith(
            "Rapid review | 15 working days from the day the local authority learned of it | For the"
        )
        for line in texts(built, "timescales")
    )
    assert "UNCONFIRMED" not in render_markdown(built)


def test_a_clock_counted_from_another_day_until_the_right_one_is_known_is_for_the_board_to_confirm() -> None:
    rapid = rapid_review(
        "15 working days from the notification to the Panel, counted for now from notified_date"
    )
    rows = texts(terms({"incident_date": "2026-11-02"}, outcomes=(rapid,)), "timescales")
    assert (
        "Rapid review | 15 working days from the notification to the Panel; until the board confirms that "
        "date, counted from the day the local authority learned of it | For the board to confirm"
    ) in " ".join(rows)
    assert not any("for now" in row for row in rows)


def test_a_discretionary_review_without_a_board_decision_is_for_the_partners_to_consider() -> None:
    built = terms(board=None)
    assert "Under that guidance this review is for the safeguarding partners to consider." in texts(
        built, "decision"
    )


def test_a_note_with_brackets_inside_is_removed_whole() -> None:
    assert without_notes("A reason (UNCONFIRMED: the (a) and (b) tests were not seen).") == (
        "A reason.",
        True,
    )
    assert without_notes("A reason (with a bracket).") == ("A reason (with a bracket).", False)
    assert without_notes("Cut short (UNCONFIRMED: never closed") == ("Cut short", True)
    confirm = "5 working days (for the board to confirm: the board confirms the (a) day) from it"
    assert without_notes(confirm) == ("5 working days from it", True)


def test_an_unknown_ruleset_before_the_new_arrangements_reads_as_the_lscb_era() -> None:
    built = terms(
        {"incident_date": "2012-02-01"},
        outcomes=(),
        ruleset={"id": "wt1999", "version": "1"},
        board=BoardDecision(decided_by="The chair", decided_on=date(2012, 3, 1)),
    )
    assert built.guidance == "Working Together to Safeguard Children 2010, chapter 8"
    assert "the Local Safeguarding Children Board" in joined(built, "governance")


def test_a_ruleset_clock_with_no_figure_leaves_the_librarys_own() -> None:
    ruleset = load_ruleset("wt2023")
    silent = replace(
        ruleset, deadlines={**ruleset.deadlines, "lcspr": DeadlineSpec("to publication", unit="months")}
    )
    case = CaseFacts(ref="ABC-2026-0001", features={"area": "hackney"})
    decision = {"ruleset": CSPR, "outcomes": [LCSPR]}
    built = assemble(case=case, decision=decision, board=BOARD, commission=None, today=TODAY, ruleset=silent)
    assert "Final report published | 6 months from the board's decision | Expected by guidance" in texts(
        built, "timescales"
    )


def test_other_areas_taking_part_are_named_and_an_unknown_requirement_is_not_guessed() -> None:
    case = CaseFacts(
        ref="ABC-2026-0001", features={"area": "hackney"}, other_areas=("tower-hamlets", "Essex")
    )
    outcome = {**LCSPR, "requirement": "recommended"}
    decision = {"ruleset": CSPR, "outcomes": [outcome]}
    built = assemble(case=case, decision=decision, board=BOARD, commission=None, today=TODAY)
    assert "Other areas taking part: Tower Hamlets, Essex." in texts(built, "scope")
    assert not any(line.startswith("Under that guidance") for line in texts(built, "decision"))
