"""Terms of reference: assembly from case data, and the four renderings of it."""

import io
import json
import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from factories import NOTIFY_PANEL, RULESET
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from commissioning.features import CATALOGUE
from commissioning.render import render_docx, render_html, render_markdown, render_pdf
from commissioning.rules import load as load_ruleset
from commissioning.terms import (
    TITLES,
    Agency,
    BoardDecision,
    CaseFacts,
    CommissionFacts,
    assemble,
    load_clauses,
)
from commissioning.terms_document import Points, Section, Terms, Timetable, format_date, from_dict, to_dict

GOLDEN = Path(__file__).parent / "golden"
THEMES = tuple(feature.name for feature in CATALOGUE if feature.theme)
TODAY = date(2026, 12, 14)

# The catalogue's example case, a case file as ``scr check`` reads one (the threshold benchmark sends it too).
FEATURES = json.loads((Path(__file__).parent / "data" / "example_case.json").read_text())
AGENCIES = (
    Agency("hackney-csc", "Hackney Children's Social Care", "childrens_social_care"),
    Agency("met-police", "Metropolitan Police Service", "police"),
    Agency("homerton-nhs", "Homerton Healthcare NHS Foundation Trust", "nhs_trust"),
)
DECISION = {
    "ruleset": RULESET,
    "outcomes": [
        NOTIFY_PANEL,
        {
            "type": "rapid_review",
            "kind": "review",
            "requirement": "mandatory",
            "reasons": [
                {"rule": "wt2023.rapid", "text": "A notification was made.", "source": "WT2023 ch 5"}
            ],
            "deadline": {"date": "2026-11-25", "basis": "15 working days from notification to the Panel"},
        },
        {
            "type": "lcspr",
            "kind": "review",
            "requirement": "discretionary",
            "reasons": [
                {
                    "rule": "wt2023.lcspr.improvement",
                    "text": "The case may highlight improvements needed.",
                    "source": "CSPR Regs 2018 reg 11(a)",
                }
            ],
        },
        {
            "type": "child_death_review",
            "kind": "review",
            "requirement": "mandatory",
            "reasons": [{"rule": "wt2023.cdr", "text": "A child died.", "source": "CDR SOG 2018"}],
        },
    ],
    "open_questions": [],
    "summary": "Notify the Panel and hold a rapid review; a local review is for the partners to consider.",
}
BOARD = BoardDecision(decided_by="Priya Raman", decided_on=date(2026, 12, 10))
COMMISSION = CommissionFacts(
    consultant_name="Alex Reviewer",
    role="lead_reviewer",
    commissioned_on=date(2026, 12, 11),
    warnings=("Alex Reviewer was employed by the Metropolitan Police Service until March 2017.",),
    declared_on=date(2026, 12, 12),
    declaration="no conflict of interest with the agencies in scope.",
    backgrounds=("social_work", "police"),
    accreditations=("scie_learning_together_accredited",),
    reviews=(("lcspr", 3), ("scr", 1)),
    specialisms=("domestic_abuse", "neglect", "infant_injury_and_sudi"),
    languages=("French",),
)


def full_case(**changes: object) -> CaseFacts:
    fields = {
        "ref": "HAC-2026-001",
        "features": FEATURES,
        "agencies": AGENCIES,
        "period_from": date(2025, 11, 1),
        "period_to": date(2026, 11, 2),
    }
    return CaseFacts(**{**fields, **changes})  # type: ignore[arg-type]


def complete_terms() -> Terms:
    return assemble(case=full_case(), decision=DECISION, board=BOARD, commission=COMMISSION, today=TODAY)


def bare_terms() -> Terms:
    """A case with nothing beyond a reference and an engine answer that names no review."""
    case = CaseFacts(ref="XYZ-2026-009", features={"country": "england"})
    decision = {"ruleset": {"id": "wt2023", "version": "1"}, "outcomes": [], "summary": "No review applies."}
    return assemble(case=case, decision=decision, board=None, commission=None, today=TODAY)


def section(terms: Terms, key: str) -> Section:
    return next(s for s in terms.sections if s.key == key)


def enquiry_lines(terms: Terms) -> list[str]:
    points = next(b for b in section(terms, "enquiry").blocks if isinstance(b, Points))
    return [item.text for item in points.items]


def check_golden(name: str, text: str) -> None:
    """Compare with the stored file; SCR_UPDATE_GOLDEN=1 rewrites it after a deliberate change."""
    path = GOLDEN / name
    if os.environ.get("SCR_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


# Golden files ------------------------------------------------------------------------------------


def test_markdown_for_a_complete_case_matches_the_golden_file() -> None:
    check_golden("terms_complete.md", render_markdown(complete_terms()))


def test_markdown_for_a_bare_case_matches_the_golden_file() -> None:
    check_golden("terms_bare.md", render_markdown(bare_terms()))


# Content -----------------------------------------------------------------------------------------


def test_the_sections_follow_the_standard_headings_in_order() -> None:
    assert [s.title for s in complete_terms().sections] == list(TITLES.values())


def test_a_complete_case_has_nothing_left_to_confirm() -> None:
    assert complete_terms().missing == ()


def test_every_theme_in_the_feature_vocabulary_adds_its_own_line_of_enquiry() -> None:
    core = enquiry_lines(
        assemble(case=full_case(features={}), decision=DECISION, board=BOARD, commission=None, today=TODAY)
    )
    for theme in THEMES:
        terms = assemble(
            case=full_case(features={theme: True}),
            decision=DECISION,
            board=BOARD,
            commission=None,
            today=TODAY,
        )
        extra = enquiry_lines(terms)[len(core) :]
        assert extra, f"theme {theme} adds no line of enquiry"
        assert enquiry_lines(terms)[: len(core)] == core


def test_a_case_with_every_theme_asks_every_themes_questions_once() -> None:
    features = {**FEATURES, **dict.fromkeys(THEMES, True)}
    lines = enquiry_lines(
        assemble(
            case=full_case(features=features), decision=DECISION, board=BOARD, commission=None, today=TODAY
        )
    )
    by_feature = load_clauses()["lines_of_enquiry"]["by_feature"]
    for theme in THEMES:
        for question in by_feature[theme]:
            assert lines.count(question["text"].format(languages="the family's languages")) == 1


def test_a_case_with_no_themes_still_has_the_core_lines_of_enquiry() -> None:
    lines = enquiry_lines(bare_terms())
    assert lines == [q["text"] for q in load_clauses()["lines_of_enquiry"]["core"]]


def test_a_theme_answered_unknown_adds_no_line_of_enquiry() -> None:
    core = enquiry_lines(bare_terms())
    case = full_case(features={"domestic_abuse": None, "neglect": "unknown"})
    terms = assemble(case=case, decision=DECISION, board=BOARD, commission=None, today=TODAY)
    assert enquiry_lines(terms) == core


def test_missing_information_is_listed_section_by_section() -> None:
    missing = {(m.section, m.what.split(":")[0].split(" (")[0]) for m in bare_terms().missing}
    assert missing == {
        ("decision", "who decided to hold the review, and when"),
        ("decision", "the review type"),
        ("scope", "the period under review"),
        ("scope", "the agencies in scope"),
        ("scope", "the lead area"),
        ("method", "the method"),
        ("independence", "the lead reviewer, their experience, and their declaration of independence"),
        ("timescales", "the date of the board's decision, from which the dates below are counted"),
        ("timescales", "the completion date"),
        ("publication", "the publication arrangements"),
    }


def test_a_commission_without_a_declaration_asks_for_it() -> None:
    commission = CommissionFacts(consultant_name="Alex Reviewer", role="lead_reviewer")
    terms = assemble(case=full_case(), decision=DECISION, board=BOARD, commission=commission, today=TODAY)
    assert [m.what for m in terms.missing] == [
        "the lead reviewer's experience: nothing is yet recorded of their background, accreditation or the "
        "reviews they have led",
        "the declaration of independence by Alex Reviewer",
    ]


def test_the_reviewer_section_states_experience_checks_warnings_and_declaration_in_prose() -> None:
    text = render_markdown(complete_terms()).split("## 8. ")[1].split("## 9. ")[0]
    assert "Alex Reviewer has been commissioned as lead reviewer on 11 December 2026." in text
    assert (
        "Alex Reviewer comes from a background in social work and policing. They hold accreditation as a "
        "SCIE Learning Together lead reviewer. They have led or written 3 local child safeguarding practice "
        "reviews and 1 serious case review. Their specialist knowledge includes domestic abuse, which this "
        "case raises."
    ) in text
    assert "was checked against every agency in scope: no current or recent employment" in text
    assert "- Alex Reviewer was employed by the Metropolitan Police Service until March 2017." in text
    assert "Alex Reviewer declared on 12 December 2026: no conflict of interest" in text
    assert not re.search(r"\bR\d+\b|\brules?\b|domain notes|Service (default|decision|commission)", text)


def test_a_declaration_signed_on_paper_reads_as_recorded_by_the_board_from_it() -> None:
    signed = replace(COMMISSION, declared_on=date(2026, 12, 14), signed_on=date(2026, 12, 5))
    terms = assemble(case=full_case(), decision=DECISION, board=BOARD, commission=signed, today=TODAY)
    text = render_markdown(terms)
    assert (
        "Alex Reviewer's declaration, recorded by the board from a signed statement of 5 December 2026: "
        "no conflict of interest with the agencies in scope."
    ) in text
    assert "declared on" not in text
    assert not [m for m in terms.missing if m.section == "independence"]


def decided(board: BoardDecision, *, area: str = "hackney", **starts: date) -> str:
    case = full_case(features={**FEATURES, "area": area})
    terms = assemble(
        case=case, decision=DECISION, board=board, commission=None, today=TODAY, partnership_starts=starts
    )
    return section(terms, "decision").blocks[0].text


def test_the_decision_is_credited_to_the_safeguarding_partners_with_the_chairs_name_and_role() -> None:
    assert decided(BOARD) == (
        "The safeguarding partners for Hackney decided on 10 December 2026 that this Local Child "
        "Safeguarding Practice Review should be held. Priya Raman, chair for the safeguarding partners, "
        "recorded the decision."
    )


@pytest.mark.parametrize(
    ("decided_on", "starts", "body"),
    [
        (date(2019, 9, 28), {}, "The Local Safeguarding Children Board"),
        (date(2019, 9, 29), {}, "The safeguarding partners"),
        (date(2019, 1, 10), {"Hackney": date(2019, 1, 10)}, "The safeguarding partners"),
        (date(2019, 1, 9), {"Hackney": date(2019, 1, 10)}, "The Local Safeguarding Children Board"),
        (date(2018, 8, 1), {"Camden": date(2018, 6, 29)}, "The Local Safeguarding Children Board"),
    ],
    ids=["before the last day", "on the last day", "on the area's day", "the day before", "another area's"],
)
def test_the_lscb_decided_until_the_area_moved_to_the_new_arrangements(decided_on, starts, body) -> None:
    text = decided(replace(BOARD, decided_on=decided_on), **starts)
    assert text.startswith(f"{body} for Hackney decided on {format_date(decided_on)}")
    role = "chair of the Board" if "Board" in body else "chair for the safeguarding partners"
    assert text.endswith(f"Priya Raman, {role}, recorded the decision.")


def test_an_lscb_decision_names_the_board_throughout_and_cites_its_regulations() -> None:
    board = replace(BOARD, decided_on=date(2012, 5, 3))
    terms = assemble(
        case=full_case(features={**FEATURES, "area": "tower-hamlets"}),
        decision=DECISION,
        board=board,
        commission=None,
        today=TODAY,
        partnership_starts={"Tower Hamlets": date(2019, 4, 1)},
    )
    first = section(terms, "decision").blocks[0]
    assert first.text.startswith("The Local Safeguarding Children Board for Tower Hamlets decided on 3 May")
    assert first.source == "Local Safeguarding Children Boards Regulations 2006, regulation 5"
    # Every sentence names the Board; only a source's title may still mention the partners.
    said = [line for line in render_markdown(terms).splitlines() if not line.startswith("*Sources:")]
    assert not [line for line in said if "safeguarding partners" in line]


def test_a_chair_with_no_name_recorded_is_not_named_by_an_address_but_asked_for() -> None:
    unnamed = replace(BOARD, decided_by=None)
    terms = assemble(case=full_case(), decision=DECISION, board=unnamed, commission=None, today=TODAY)
    assert section(terms, "decision").blocks[0].text.endswith("should be held.")
    assert "the name of the chair who recorded the decision" in [m.what for m in terms.missing]


def test_the_period_is_proposed_from_the_incident_date_when_not_set() -> None:
    terms = assemble(
        case=full_case(period_from=None, period_to=None),
        decision=DECISION,
        board=BOARD,
        commission=None,
        today=TODAY,
    )
    (what,) = [m.what for m in terms.missing if m.section == "scope"]
    assert "proposed: 2 November 2025 to 2 November 2026" in what


def test_timescales_count_working_days_and_months_from_the_board_decision() -> None:
    table = next(b for b in section(complete_terms(), "timescales").blocks if isinstance(b, Timetable))
    due = {row.label: row.due for row in table.rows}
    # 10 working days from Thu 10 Dec 2026 skip Christmas Day and Boxing Day (observed) on Mon 28 Dec.
    assert due["Family informed that the review is taking place"] == date(2026, 12, 24)
    assert due["Terms of reference agreed and lead reviewer in place"] == date(2027, 1, 5)
    assert due["Final report published"] == date(2027, 6, 10)
    assert due["Final report sent to the Panel and the Secretary of State"] == date(2027, 6, 1)
    assert due["Notify the Child Safeguarding Practice Review Panel"] == date(2026, 11, 11)
    assert "Local child safeguarding practice review" not in due, (
        "the review's own clock is planned, not copied"
    )
    dated = [row.due for row in table.rows if row.due is not None]
    assert dated == sorted(dated)


def test_the_completion_time_comes_from_the_ruleset_the_decision_applied() -> None:
    ruleset = load_ruleset("wt2023", overrides={"lcspr_publication_months": 9})
    decision = {**DECISION, "ruleset": {"id": "wt2023", "version": ruleset.version}}
    terms = assemble(
        case=full_case(), decision=decision, board=BOARD, commission=None, today=TODAY, ruleset=ruleset
    )
    table = next(b for b in section(terms, "timescales").blocks if isinstance(b, Timetable))
    row = next(r for r in table.rows if r.label == "Final report published")
    assert (row.due, row.basis, row.status) == (
        date(2027, 9, 10),
        "9 months from the board's decision",
        "Expected by guidance",
    )


def test_six_months_from_the_end_of_august_lands_on_the_next_working_day_after_february() -> None:
    board = BoardDecision(decided_by="Partners", decided_on=date(2026, 8, 31))
    terms = assemble(case=full_case(), decision=DECISION, board=board, commission=None, today=TODAY)
    table = next(b for b in section(terms, "timescales").blocks if isinstance(b, Timetable))
    # 28 Feb 2027 is a Sunday.
    assert {row.label: row.due for row in table.rows}["Final report published"] == date(2027, 3, 1)


def test_without_a_board_decision_the_timescales_show_durations_but_no_dates() -> None:
    terms = assemble(case=full_case(), decision=DECISION, board=None, commission=None, today=TODAY)
    table = next(b for b in section(terms, "timescales").blocks if isinstance(b, Timetable))
    planned = [row for row in table.rows if not row.status.startswith("Threshold decision")]
    assert planned and all(row.due is None for row in planned)
    assert "To be confirmed" in render_markdown(terms).split("## 15. Timescales")[1]


def test_an_scr_under_the_2006_guidance_uses_management_reviews_and_four_months() -> None:
    decision = {
        "ruleset": {"id": "wt2006", "version": "1"},
        "outcomes": [
            {
                "type": "scr",
                "kind": "review",
                "requirement": "mandatory",
                "reasons": [{"rule": "wt2006.scr.death", "text": "A child died.", "source": "WT2006 ch 8"}],
            }
        ],
    }
    board = BoardDecision(decided_by="The LSCB chair", decided_on=date(2008, 7, 1))
    terms = assemble(case=full_case(), decision=decision, board=board, commission=None, today=TODAY)
    text = render_markdown(terms)
    assert terms.title == "Terms of reference: Serious Case Review"
    assert "individual management review" in text
    # 1 Nov 2008 is a Saturday: the date moves to Monday.
    assert (
        "| Review completed | 3 November 2008 | 4 months from the board's decision | "
        "For the board to confirm; date passed |"
    ) in text
    assert "Working Together to Safeguard Children 2006, chapter 8" in text
    assert "2010" not in text and "2018" not in text
    assert "Under that guidance this review is required." in text


def test_the_boards_choice_of_review_and_method_wins_over_the_engines_preference() -> None:
    board = BoardDecision(
        decided_by="Partners",
        decided_on=date(2026, 12, 10),
        review_type="learning_review",
        method="imr_overview",
    )
    terms = assemble(case=full_case(), decision=DECISION, board=board, commission=None, today=TODAY)
    assert terms.review_type == "learning_review"
    assert "individual management review" in render_markdown(terms)
    assert any("does not recommend a Multi-agency Learning Review" in m.what for m in terms.missing)


def test_parallel_processes_follow_the_decision_and_the_facts() -> None:
    decision = {
        **DECISION,
        "outcomes": [
            *DECISION["outcomes"],
            {"type": "dhr", "kind": "review", "requirement": "discretionary", "reasons": []},
        ],
    }
    terms = assemble(case=full_case(), decision=decision, board=BOARD, commission=None, today=TODAY)
    text = render_markdown(terms).split("## 13. Parallel processes")[1].split("## 14.")[0]
    assert (
        "Domestic homicide review (Domestic Violence, Crime and Victims Act 2004, section 9; Home Office, "
        "Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews (December 2016))"
    ) in text
    assert "to be considered" in text
    assert "Coroner's inquest" in text
    assert "Criminal investigation" in text

    harmed = full_case(features={"outcome": "serious_harm", "abuse_or_neglect": "not_suspected"})
    text = render_markdown(
        assemble(case=harmed, decision=DECISION, board=BOARD, commission=None, today=TODAY)
    )
    assert "Coroner's inquest" not in text
    assert "Criminal investigation" not in text


def test_a_board_decision_naming_no_review_is_reported_and_the_review_type_asked_for() -> None:
    decision = {"ruleset": {"id": "wt2023", "version": "1"}, "outcomes": []}
    terms = assemble(case=full_case(), decision=decision, board=BOARD, commission=None, today=TODAY)
    text = render_markdown(terms)
    assert (
        "The safeguarding partners for Hackney decided on 10 December 2026; the decision names no review "
        "these terms can cover. Priya Raman, chair for the safeguarding partners, recorded the decision."
    ) in text
    assert "the review type: the decision names no review these terms can cover" in [
        m.what for m in terms.missing
    ]


def test_a_board_decision_overtaken_by_a_change_to_the_case_is_questioned() -> None:
    board = BoardDecision(
        decided_by="Partners", decided_on=date(2026, 12, 10), superseded_on=date(2027, 1, 4)
    )
    terms = assemble(case=full_case(), decision=DECISION, board=board, commission=None, today=TODAY)
    assert [m.what for m in terms.missing if m.section == "decision"] == [
        "whether the board's decision of 10 December 2026 still stands: the case changed on 4 January 2027 "
        "and the threshold decision now recommends other outcomes"
    ]


def test_a_decision_without_a_known_ruleset_still_gives_complete_sections() -> None:
    unknown = {**DECISION, "ruleset": {"id": "wt1999", "version": "1"}}
    terms = assemble(case=full_case(), decision=unknown, board=BOARD, commission=None, today=TODAY)
    table = next(b for b in section(terms, "timescales").blocks if isinstance(b, Timetable))
    row = next(r for r in table.rows if r.label == "Final report published")
    assert (row.due, row.status) == (date(2027, 6, 10), "Expected by guidance")  # the library's own figure
    assert "the safeguarding partners" in render_markdown(terms)

    bare = {key: value for key, value in DECISION.items() if key != "ruleset"}
    terms = assemble(case=full_case(), decision=bare, board=BOARD, commission=COMMISSION, today=TODAY)
    assert [m.what for m in terms.missing] == ["the guidance whose criteria the threshold decision applied"]
    assert terms.ruleset is None


def test_validated_features_with_date_objects_and_bad_dates_are_both_handled() -> None:
    as_dates = full_case(period_from=None, features={**FEATURES, "incident_date": date(2026, 11, 2)})
    terms = assemble(case=as_dates, decision=DECISION, board=BOARD, commission=None, today=TODAY)
    assert "proposed: 2 November 2025 to 2 November 2026" in terms.missing[0].what
    garbled = full_case(period_from=None, features={**FEATURES, "incident_date": "2026-13-40"})
    terms = assemble(case=garbled, decision=DECISION, board=BOARD, commission=None, today=TODAY)
    assert terms.missing[0].what == "the period under review"


def test_a_case_of_national_importance_coordinates_media_with_the_panel() -> None:
    case = full_case(features={**FEATURES, "national_importance": True})
    text = render_markdown(assemble(case=case, decision=DECISION, board=BOARD, commission=None, today=TODAY))
    assert "coordinated with the Child Safeguarding Practice Review Panel" in text.split("## 14.")[1]


def test_a_custody_setting_adds_its_line_of_enquiry() -> None:
    case = full_case(features={"setting": "young_offender_institution"})
    lines = enquiry_lines(assemble(case=case, decision=DECISION, board=BOARD, commission=None, today=TODAY))
    assert any("custodial or secure setting" in line for line in lines)


def test_a_stored_content_object_renders_exactly_as_the_original() -> None:
    terms = complete_terms()
    assert from_dict(to_dict(terms)) == terms


def test_personal_details_slipped_into_the_features_never_reach_any_format() -> None:
    features = {**FEATURES, "child_name": "Zebedee Quint", "date_of_birth": "2026-06-01", "notes": "Zebedee"}
    terms = assemble(
        case=full_case(features=features), decision=DECISION, board=BOARD, commission=None, today=TODAY
    )
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(terms))).paragraphs)
    for text in (render_markdown(terms), render_html(terms), docx_text, pdf_text(render_pdf(terms))):
        assert "Zebedee" not in text
        assert "2026-06-01" not in text and "1 June 2026" not in text


@settings(max_examples=40, deadline=None)
@given(
    themes=st.sets(st.sampled_from(sorted(THEMES))),
    with_board=st.booleans(),
    with_commission=st.booleans(),
    with_agencies=st.booleans(),
    ruleset=st.sampled_from(["wt2006", "wt2010", "wt2015", "wt2023", "unknown"]),
    review=st.sampled_from(["scr", "lcspr", "learning_review", "national_review", None]),
)
def test_no_section_is_ever_empty_or_left_with_a_placeholder(
    themes: set[str],
    with_board: bool,
    with_commission: bool,
    with_agencies: bool,
    ruleset: str,
    review: str | None,
) -> None:
    decision = {
        "ruleset": {"id": ruleset, "version": "1"},
        "outcomes": [{"type": review, "kind": "review", "requirement": "mandatory", "reasons": []}]
        if review
        else [],
    }
    case = full_case(
        features={"area": "leeds", **dict.fromkeys(themes, True)}, agencies=AGENCIES if with_agencies else ()
    )
    terms = assemble(
        case=case,
        decision=decision,
        board=BOARD if with_board else None,
        commission=COMMISSION if with_commission else None,
        today=TODAY,
    )
    for part in terms.sections:
        assert part.blocks, part.key
    text = render_markdown(terms)
    assert not re.search(r"\{[a-z_]+\}|None|\[\]", text)


# Renderings --------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_docx_has_word_headings_numbered_lines_of_enquiry_and_a_timescales_table() -> None:
    terms = complete_terms()
    document = Document(io.BytesIO(render_docx(terms)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{n}. {title}" for n, title in enumerate(TITLES.values(), start=1)]
    assert [p.style.name for p in document.paragraphs if p.style.name.startswith("Title")] == ["Title"]
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered == enquiry_lines(terms)
    timescales = next(t for t in document.tables if t.rows[0].cells[0].text == "Step")
    assert [c.text for c in timescales.rows[0].cells] == ["Step", "Due", "Basis", "Status"]
    rows = {r.cells[0].text: r.cells[1].text for r in timescales.rows[1:]}
    assert rows["Final report published"] == "10 June 2027"
    assert "HAC-2026-001" in document.sections[0].header.paragraphs[0].text


def test_the_docx_shows_what_is_to_be_confirmed_in_bold() -> None:
    document = Document(io.BytesIO(render_docx(bare_terms())))
    flagged = [p for p in document.paragraphs if p.text.startswith("To be confirmed: ")]
    assert len(flagged) == len(bare_terms().missing)
    assert all(p.runs[0].bold for p in flagged)


def test_the_pdf_carries_the_headings_dates_page_numbers_and_case_reference() -> None:
    data = render_pdf(complete_terms())
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    for number, title in enumerate(TITLES.values(), start=1):
        assert f"{number}. {title}" in text
    for day in ("10 December 2026", "24 December 2026", "10 June 2027"):
        assert day in text
    pages = len(reader.pages)
    assert pages > 1
    for index, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert "Case reference: HAC-2026-001" in page_text
        assert f"Page {index} of {pages}" in page_text


def test_the_pdf_shows_what_is_to_be_confirmed() -> None:
    text = pdf_text(render_pdf(bare_terms()))
    assert text.count("To be confirmed:") == len(bare_terms().missing)


def test_html_escapes_names_that_look_like_markup() -> None:
    case = full_case(agencies=(Agency("x", "<script>alert(1)</script> Trust"),))
    html = render_html(assemble(case=case, decision=DECISION, board=BOARD, commission=None, today=TODAY))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trust" in html


def test_the_versions_behind_a_document_are_in_its_properties_not_its_text() -> None:
    terms = complete_terms()
    versions = "clause library v2, template v3, ruleset wt2023 v1"
    html = render_html(terms)
    assert f'<meta name="generator" content="scr-commissioning: {versions}">' in html
    assert versions not in html.split("<body>")[1] and versions not in render_markdown(terms)
    properties = Document(io.BytesIO(render_docx(terms))).core_properties
    assert (properties.comments, properties.identifier) == (versions, "HAC-2026-001")
    pdf = PdfReader(io.BytesIO(render_pdf(terms)))
    assert versions in str(pdf.metadata["/Creator"])
    assert "Produced by" not in pdf_text(render_pdf(terms))


def test_a_version_stored_before_the_guidance_was_named_leaves_the_row_out() -> None:
    stored = to_dict(complete_terms())
    del stored["guidance"]
    older = from_dict(stored)
    assert "| Guidance |" not in render_markdown(older)
    assert "Guidance</th>" not in render_html(older)
    meta = Document(io.BytesIO(render_docx(older))).tables[0]
    assert [row.cells[0].text for row in meta.rows] == [
        "Case reference",
        "Review",
        "Lead area",
        "Issued",
        "Status",
    ]
