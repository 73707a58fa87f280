"""A request to an agency: its due date over weekends and bank holidays, the questions the terms of
reference put to the agency, the period they propose, the letter's content and the emails, which say
nothing about the family."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from commissioning.chronology import columns as cols
from commissioning.chronology import requests
from commissioning.chronology.dates import Period
from commissioning.chronology.requests import RequestFacts
from commissioning.terms import Agency, BoardDecision, CaseFacts, assemble
from commissioning.terms_document import Paragraph, Points, Terms, format_date
from core.errors import Invalid

INCIDENT = date(2026, 3, 4)
ISSUED = date(2026, 12, 14)  # a Monday, with Christmas, Boxing Day's substitute and New Year ahead
URL = "https://reviews.example.org/pages/requests/17"
FEATURES = {"area": "hackney", "domestic_abuse": True, "neglect": True, "family_languages": ["somali"]}


def facts(**changes: Any) -> RequestFacts:
    made = RequestFacts(
        case_ref="HAC-2026-0001",
        partnership="Hackney Safeguarding Children Partnership",
        agency="County Police",
        agency_kind="police",
        period=requests.default_period(INCIDENT, ISSUED),
        questions=requests.request_questions("police", FEATURES),
        issued_on=ISSUED,
        due_on=requests.due_on(ISSUED),
        upload_url=URL,
        contact="Sam Okafor",
    )
    return replace(made, **changes)


# When it is due ------------------------------------------------------------------------------------


def test_twenty_working_days_skip_weekends_and_englands_bank_holidays() -> None:
    # 15-18, 21-24, 29-31 December (25 and 28 December are bank holidays), 4-8 and 11-14 January.
    assert requests.due_on(ISSUED) == date(2027, 1, 14)
    assert requests.due_on(date(2026, 4, 2), 1) == date(2026, 4, 7)  # over Good Friday and Easter Monday
    assert requests.due_on(date(2026, 6, 5), 1) == date(2026, 6, 8)  # a Friday: due on Monday


def test_a_request_needs_at_least_a_working_day() -> None:
    with pytest.raises(Invalid, match="at least one working day"):
        requests.due_on(ISSUED, 0)


def test_the_reminder_goes_five_working_days_before_the_due_date() -> None:
    assert requests.reminder_on(facts()) == date(2027, 1, 7)
    # Due Tuesday 5 January 2027: five working days back crosses New Year's Day and Christmas.
    assert requests.reminder_on(facts(due_on=date(2027, 1, 5))) == date(2026, 12, 24)
    assert requests.reminder_on(facts(), 1) == date(2027, 1, 13)
    # A request due within the week needs no reminder: it is itself the reminder.
    assert requests.reminder_on(facts(due_on=date(2026, 12, 21))) is None


# What it asks ---------------------------------------------------------------------------------------


def terms_for(agencies: tuple[Agency, ...], features: dict[str, Any]) -> Terms:
    case = CaseFacts(ref="HAC-2026-0001", features=features, agencies=agencies)
    decision = {"ruleset": {"id": "wt2023", "version": "1"}, "outcomes": []}
    board = BoardDecision(decided_by="The partners", decided_on=date(2026, 12, 10))
    return assemble(case=case, decision=decision, board=board, commission=None, today=ISSUED)


def asked_by_terms(built: Terms) -> dict[str, tuple[str, ...]]:
    """Each agency's questions as its section of the terms lists them, after the common one."""
    blocks = next(s for s in built.sections if s.key == "agencies").blocks
    common = blocks[1]
    assert isinstance(common, Points)
    asked: dict[str, tuple[str, ...]] = {}
    for name, points in zip(blocks[2::2], blocks[3::2], strict=True):
        assert isinstance(name, Paragraph) and isinstance(points, Points)
        asked[name.text.removesuffix(":")] = (common.items[0].text, *(p.text for p in points.items))
    return asked


AGENCIES = (
    Agency("csc", "Children's Social Care", "childrens_social_care"),
    Agency("police", "County Police", "police"),
    Agency("trust", "County Hospitals NHS Foundation Trust", "nhs_trust"),
    Agency("gp", "Riverside Surgery", "gp_practice"),
    Agency("school", "Northgate Academy", "school"),
    Agency("someone", "Someone Unlisted"),
)


@pytest.mark.parametrize(
    "features",
    [
        {"area": "hackney"},
        FEATURES,
        {"area": "hackney", "interpreter_needed": True, "parental_substance_misuse": True},
        {"area": "hackney", "child_protection_plan": True, "race_ethnicity_and_culture": True},
    ],
)
def test_a_request_asks_exactly_what_the_terms_of_reference_ask_the_agency(features: dict[str, Any]) -> None:
    by_terms = asked_by_terms(terms_for(AGENCIES, features))
    assert by_terms == {a.name: requests.request_questions(a.kind, features) for a in AGENCIES}


def test_the_cases_themes_add_the_questions_of_the_agencys_kind() -> None:
    plain = requests.agency_questions("police", {})
    themed = requests.agency_questions("police", FEATURES)
    assert themed[: len(plain)] == plain
    assert any("domestic abuse" in question for question in themed[len(plain) :])
    # The family's languages call for the interpreter question even when "interpreter needed" is unset.
    assert len(requests.agency_questions("nhs_trust", {"family_languages": ["somali"]})) > len(
        requests.agency_questions("nhs_trust", {})
    )


def test_the_default_period_is_the_one_the_terms_propose() -> None:
    period = requests.default_period(INCIDENT, ISSUED)
    assert period == Period(date(2025, 3, 4), INCIDENT)
    scope = next(s for s in terms_for(AGENCIES, {"incident_date": "2026-03-04"}).sections if s.key == "scope")
    assert any(
        f"proposed: {format_date(period.start)} to {format_date(period.end)}" in item
        for item in scope.to_confirm
    )


def test_without_an_incident_date_the_period_runs_to_today() -> None:
    assert requests.default_period(None, ISSUED) == Period(date(2025, 12, 14), ISSUED)
    # An incident after today is a slip of the keyboard: the period still ends today.
    assert requests.default_period(date(2027, 5, 1), ISSUED) == Period(date(2025, 12, 14), ISSUED)


# The request's facts --------------------------------------------------------------------------------


def test_a_request_missing_what_it_needs_lists_every_problem() -> None:
    with pytest.raises(Invalid) as refused:
        facts(
            case_ref=" ",
            partnership="",
            agency="",
            period=Period(date(2026, 3, 4), date(2025, 3, 4)),
            questions=(),
            due_on=ISSUED,
            upload_url="reviews.example.org/upload",
        )
    assert [problem["msg"] for problem in refused.value.problems] == [
        "A request needs the case reference.",
        "A request needs the name of the partnership making it.",
        "A request needs the name of the agency it is made to.",
        "The period under review ends (4 March 2025) before it starts (4 March 2026).",
        "A request needs at least one question for the agency to answer.",
        "The due date (14 December 2026) must come after the day the request is issued (14 December 2026).",
        "A request needs the web address of the page the agency uploads to, starting https://.",
    ]
    assert refused.value.message.startswith("A request needs the case reference. A request needs the name")


def test_a_web_address_with_a_space_in_it_is_refused() -> None:
    with pytest.raises(Invalid, match="web address"):
        facts(upload_url="https://reviews.example.org/a page")


# The letter -----------------------------------------------------------------------------------------


def test_the_letter_says_what_to_send_about_which_period_by_when_and_how() -> None:
    extra = cols.added_column("Ethnicity recorded", required=True)
    letter = requests.letter(facts(columns=(*cols.STANDARD, extra)))
    text = "\n".join(letter.text())
    assert letter.title == "Request for your agency's chronology and report"
    assert letter.running_head == "HAC-2026-0001: request to County Police"
    assert dict(letter.details) == {
        "Case review": "HAC-2026-0001",
        "To": "Sam Okafor, County Police",
        "From": "Hackney Safeguarding Children Partnership",
        "Date": "14 December 2026",
        "Due by": "Thursday 14 January 2027",
    }
    assert "From 4 March 2025 to 4 March 2026, both days included." in text
    parts = {part.heading: part for part in letter.parts}
    assert parts["The questions your report must answer"].points == facts().questions
    columns = dict(parts["The chronology's columns"].table)
    assert columns["Date (every row)"] == cols.DATE.help
    assert columns["Time"] == cols.TIME.help
    assert columns["Ethnicity recorded (every row)"] == ""
    assert URL in text and "never by email" in text and "Teams" in text
    assert "Tell Hackney Safeguarding Children Partnership before Thursday 14 January 2027" in text


def test_a_letter_without_a_named_contact_is_addressed_to_the_agency() -> None:
    assert dict(requests.letter(facts(contact=None)).details)["To"] == "County Police"


# The emails -----------------------------------------------------------------------------------------


def family_details(request: RequestFacts) -> list[str]:
    """What the letter says about the case beyond its reference: none of it may be in an email."""
    themed = [q for q in request.questions if q not in requests.agency_questions("police", {})]
    return [
        *themed,
        "domestic abuse",
        "neglect",
        "Somali",
        requests.day_in_words(request.period.start),
        "4 March",
        "2025",
    ]


def test_the_request_email_carries_the_reference_agency_due_date_and_link_only() -> None:
    email = requests.request_email(facts())
    assert email.subject == "Chronology request, case HAC-2026-0001: County Police, due 14 January 2027"
    assert email.body.startswith("Dear Sam Okafor,\n\n")
    for needed in (
        "HAC-2026-0001",
        "County Police",
        "Due by: Thursday 14 January 2027",
        f"Upload page: {URL}",
    ):
        assert needed in email.body
    assert "never by email" in email.body
    for detail in family_details(facts()):
        assert detail not in email.subject and detail not in email.body


def test_the_reminder_says_how_long_is_left() -> None:
    due = facts().due_on
    assert requests.reminder_email(facts(), date(2027, 1, 7)).subject == (
        "Reminder: chronology for case HAC-2026-0001 due in 7 days (14 January 2027)"
    )
    assert "due tomorrow" in requests.reminder_email(facts(), date(2027, 1, 13)).body
    reminder = requests.reminder_email(facts(contact=None), due)
    assert "due today" in reminder.subject and reminder.body.startswith("Dear colleague,")
    for detail in family_details(facts()):
        assert detail not in reminder.body


def test_the_late_notice_says_by_how_much() -> None:
    late = requests.late_email(facts(), date(2027, 1, 15))
    assert late.subject == "Overdue: chronology for case HAC-2026-0001 was due 14 January 2027"
    assert "were due 1 day ago" in late.body
    assert "were due 6 days ago" in requests.late_email(facts(), date(2027, 1, 20)).body
    for detail in family_details(facts()):
        assert detail not in late.body
    with pytest.raises(ValueError, match="not late"):
        requests.late_email(facts(), facts().due_on)


def test_a_subject_is_one_line_whatever_the_agency_is_called() -> None:
    email = requests.request_email(facts(agency="County\nPolice  Service"))
    assert (
        email.subject == "Chronology request, case HAC-2026-0001: County Police Service, due 14 January 2027"
    )
