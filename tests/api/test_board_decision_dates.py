"""The board's decision through HTTP: its own day, the clocks that count from it, and the newest version of
the rules: a decision is made and recorded under it, and a case says when it would now answer differently."""

import re
from datetime import date, timedelta

import pytest
from factories import HARM_2020
from security.admin_pages_client import signed_in_as
from sqlmodel import Session, select

from commissioning import calendar, rules, store
from commissioning.models import CaseDecision, DecisionKind
from core import clock
from core.audit import AuditEvent

# A looked-after child's death in 2008: the first version of the rules did not name the notice to the
# Secretary of State that the Children Act 1989 requires; the second does.
LAC_DEATH_2008 = {
    "incident_date": "2008-06-10",
    "notified_date": "2008-06-10",
    "country": "england",
    "area": "camden",
    "subject_age_years": 15,
    "outcome": "death",
    "abuse_or_neglect": "not_suspected",
    "looked_after": True,
    "death_unexpected": True,
    "setting": "community",
}


def first_versions() -> tuple[rules.Ruleset, ...]:
    """The rulesets as they were first published: what decisions made before version 2 were made under."""
    return tuple(sorted((rules.load(rid, "1") for rid in rules.available()), key=lambda r: r.starts.value))


def recorded(client, chair, features):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/cases", headers=chair.headers, json={"features": features})
    assert response.status_code == 201, response.text
    return response.json()["ref"]


def recorded_under_version_1(session: Session, features: dict[str, object]) -> str:
    view, _ = store.create_case(
        session=session,
        raw_features=features,
        actor="chair@board.example.org",
        today=clock.today(),
        rulesets=first_versions(),
    )
    session.commit()
    return view.case.ref


def test_the_board_records_the_day_it_decided_and_its_clocks_count_from_it(client, session, chair):
    ref = recorded(client, chair, HARM_2020)
    decided = client.post(
        f"/api/v1/cases/{ref}/decision",
        headers=chair.headers,
        json={"accepted": True, "decided_on": "2020-07-10"},
    )
    assert decided.status_code == 200, decided.text
    board = decided.json()["board_decision"]
    assert board["decided_on"] == "2020-07-10" and board["today"] == "2020-07-10"
    outcomes = {o["type"]: o for o in board["result"]["outcomes"]}
    assert outcomes["lcspr"]["deadline"]["date"] == "2021-01-10"
    assert (
        outcomes["notify_panel"]["deadline"]["date"]
        == calendar.add_working_days(date(2020, 6, 16), 5).isoformat()
    )
    assert "Working Together to Safeguard Children 2018, chapter 4" in outcomes["lcspr"]["deadline"]["basis"]
    assert decided.json()["next_deadline"] is None  # every clock of a 2020 decision has run out
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "case.decision")).one()
    assert event.after["decided_on"] == "2020-07-10"  # type: ignore[index]
    assert event.after["ruleset"] == {"id": "wt2023", "version": "2"}  # type: ignore[index]


def test_a_decision_without_a_day_is_taken_today(client, chair):
    notified = clock.today() - timedelta(days=3)
    recent = {**HARM_2020, "incident_date": notified.isoformat(), "notified_date": notified.isoformat()}
    ref = recorded(client, chair, recent)
    board = client.post(
        f"/api/v1/cases/{ref}/decision", headers=chair.headers, json={"accepted": True}
    ).json()["board_decision"]
    assert board["decided_on"] == clock.today().isoformat()
    lcspr = next(o for o in board["result"]["outcomes"] if o["type"] == "lcspr")
    assert lcspr["deadline"]["date"] == calendar.add_months(clock.today(), 6).isoformat()


@pytest.mark.parametrize(
    ("decided_on", "words"),
    [
        ((clock.today() + timedelta(days=1)).isoformat(), "is after today"),
        ("2020-06-15", "is before the day the local authority learned of it (Tue 16 Jun 2020)"),
    ],
)
def test_a_decision_day_after_today_or_before_the_authority_knew_is_refused(
    client, session, chair, decided_on, words
):
    ref = recorded(client, chair, HARM_2020)
    refused = client.post(
        f"/api/v1/cases/{ref}/decision",
        headers=chair.headers,
        json={"accepted": True, "decided_on": decided_on},
    )
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["loc"] == ["body", "decided_on"]
    assert words in refused.json()["problems"][0]["msg"]
    assert session.exec(select(CaseDecision).where(CaseDecision.kind == DecisionKind.board)).first() is None


def test_a_departure_is_recorded_under_the_newest_rules_with_its_clocks_from_the_decision(client, chair):
    ref = recorded(client, chair, HARM_2020)
    departed = client.post(
        f"/api/v1/cases/{ref}/decision",
        headers=chair.headers,
        json={
            "accepted": False,
            "reason": "A local review will cover it.",
            "outcomes": [{"type": "lcspr", "requirement": "mandatory"}],
            "decided_on": "2020-08-03",
        },
    ).json()["board_decision"]
    assert departed["ruleset"] == {"id": "wt2023", "version": "2"}
    [lcspr] = departed["result"]["outcomes"]
    assert lcspr["deadline"]["date"] == "2021-02-03"


def test_a_case_says_when_the_newest_rules_would_answer_it_differently(client, session, chair):
    ref = recorded_under_version_1(session, LAC_DEATH_2008)
    case_ = client.get(f"/api/v1/cases/{ref}", headers=chair.headers).json()
    assert case_["history"][0]["ruleset"] == {"id": "wt2006", "version": "1"}  # kept as it was made
    newer = case_["newer_rules"]
    assert newer["ruleset"] == {"id": "wt2006", "version": "2"}
    assert ["notify_secretary_of_state", "mandatory"] in newer["outcomes"]
    assert newer["text"].startswith("The current version of the rules (Working Together 2006")
    assert "notify the Secretary of State now applies (mandatory)" in newer["text"]
    assert "_" not in newer["text"]
    [listed] = client.get("/api/v1/cases", headers=chair.headers).json()["items"]
    assert listed["newer_rules"] == newer


def test_accepting_an_out_of_date_recommendation_is_refused_until_the_case_is_updated(client, session, chair):
    ref = recorded_under_version_1(session, LAC_DEATH_2008)
    refused = client.post(f"/api/v1/cases/{ref}/decision", headers=chair.headers, json={"accepted": True})
    assert refused.status_code == 409
    assert refused.json()["findings"][0]["rule"] == "case.recommendation_out_of_date"
    refreshed = client.patch(f"/api/v1/cases/{ref}", headers=chair.headers, json={"features": {}})
    assert refreshed.status_code == 200, refreshed.text
    history = refreshed.json()["history"]
    assert [h["ruleset"]["version"] for h in history] == ["1", "2"]
    assert refreshed.json()["newer_rules"] is None
    again = client.patch(f"/api/v1/cases/{ref}", headers=chair.headers, json={"features": {}})
    assert len(again.json()["history"]) == 2  # same facts, same rules: nothing new
    accepted = client.post(f"/api/v1/cases/{ref}/decision", headers=chair.headers, json={"accepted": True})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["board_decision"]["ruleset"] == {"id": "wt2006", "version": "2"}


def test_a_case_the_newest_rules_answer_the_same_way_says_nothing(client, session, chair):
    ref = recorded_under_version_1(session, HARM_2020)
    assert client.get(f"/api/v1/cases/{ref}", headers=chair.headers).json()["newer_rules"] is None


def test_the_admin_case_page_says_when_the_newest_rules_would_answer_differently(client, session, admin):
    ref = recorded_under_version_1(session, LAC_DEATH_2008)
    page = signed_in_as(client, session, admin.email).get(f"/admin/cases/{ref}")
    assert page.status_code == 200
    assert "would now answer this case differently" in page.text
    assert "notify the Secretary of State now applies (mandatory)" in page.text


def test_the_terms_count_their_timetable_from_the_day_the_board_decided(client, chair, commissioner):
    ref = recorded(client, chair, HARM_2020)
    client.post(
        f"/api/v1/cases/{ref}/decision",
        headers=chair.headers,
        json={"accepted": True, "decided_on": "2020-07-10"},
    )
    assert client.post(f"/api/v1/cases/{ref}/terms", headers=commissioner.headers).status_code == 201
    text = client.get(f"/api/v1/cases/{ref}/terms/1.md", headers=commissioner.headers).text
    assert "10 July 2020" in text
    assert str(clock.today().year + 1) not in text  # nothing counted from the day the case was typed in


def test_a_case_the_newest_rules_cannot_decide_as_recorded_says_so(client, session, chair):
    from factories import RULESET, case, decision

    harm_2008 = {
        "incident_date": "2008-06-10",
        "country": "england",
        "subject_age_years": 15,
        "outcome": "serious_harm",
        "serious_harm_kinds": ["mental_health_or_development_impairment"],
    }
    case_id = case(session, "HK-8", **harm_2008)
    decision(
        session,
        case_id,
        today=date(2026, 1, 5),
        features={"area": "hackney", **harm_2008},
        result={"ruleset": RULESET, "outcomes": [], "open_questions": [], "summary": "Nothing applies."},
    )
    newer = client.get("/api/v1/cases/HK-8", headers=chair.headers).json()["newer_rules"]
    assert newer["outcomes"] is None
    assert newer["text"] == (
        "The current version of the rules cannot answer this case as recorded. "
        "The case uses options this edition of the guidance does not have."
    )


def test_the_admin_case_pages_name_outcomes_and_the_edition_as_people_do(client, session, admin):
    ref = recorded_under_version_1(session, LAC_DEATH_2008)
    pages = signed_in_as(client, session, admin.email)
    case_page, case_list = pages.get(f"/admin/cases/{ref}").text, pages.get("/admin/cases").text
    assert "Guidance applied: Working Together" in case_page
    assert "<td>Notify Ofsted</td>" in case_page and "Notify Ofsted (mandatory)" in case_list
    for page in (case_page, case_list):
        assert not re.search(r"\bwt20\d\d\b|Ruleset |notify_\w+|Notify ofsted", page)
