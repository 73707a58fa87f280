"""Threshold checks and cases through HTTP: the stateless check, recording, changing, the board's decision."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from factories import TODAY, case, consultant, departure, hackney, home_partnership
from sqlmodel import Session, func, select

from commissioning import features, rules, store
from commissioning.calendar import add_working_days
from commissioning.models import Case, CaseDecision
from core import clock
from core.audit import AuditEvent
from core.transaction import unit_of_work
from service.api.schemas import CaseOut, DecisionOut

EXAMPLES = {
    e["id"]: e for e in json.loads((Path(__file__).parents[1] / "unit/data/examples.json").read_text())
}
DEATH = {
    **EXAMPLES["death-2026"]["features"],
    "area": "hackney",
    "agencies_involved": ["hackney-csc", "met-police"],
}
HARM = {**EXAMPLES["harm-2026-lcspr"]["features"], "area": "hackney"}
YEAR = clock.today().year


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def audit_actions(session: Session, ref: str) -> list[str]:
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "case", AuditEvent.entity_id == ref)
    )
    return [event.action for event in events]


def record(client, persona, features_=DEATH, **headers):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/cases", headers={**persona.headers, **headers}, json={"features": features_})


# The stateless check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES.values() if not e.get("error")], ids=lambda e: e["id"]
)
def test_the_check_answers_each_example_in_the_decision_shape_and_stores_nothing(client, session, example):
    response = client.post("/api/v1/threshold", json={"features": example["features"]})
    assert response.status_code == 200, response.text
    decision = DecisionOut.model_validate(response.json())
    got = {o.type: o.requirement for o in decision.outcomes}
    assert all(got.get(name) == requirement for name, requirement in example["must"])
    assert not set(example["must_not"]) & set(got)
    assert count(session, Case) == count(session, AuditEvent) == 0


def test_the_check_takes_a_ruleset_and_a_date(client):
    body = {"features": DEATH, "ruleset": "wt2015", "today": "2026-11-05"}
    decision = client.post("/api/v1/threshold", json=body).json()
    assert decision["ruleset"] == {
        "id": "wt2015",
        "version": "2",
        "chosen_by": "request",
        "title": "Working Together 2013 and 2015 (serious case reviews, chapter 4)",
    }
    assert "what-if answer" in decision["summary"]


def test_the_check_lists_every_problem_at_once_naming_feature_and_valid_values(client):
    body = {
        "features": {"outcome": "dead", "outcom": 1, "country": "wales", "incident_date": "2026-02-30"},
        "ruleset": "wt1999",
        "today": "soon",
        "extra": True,
    }
    response = client.post("/api/v1/threshold", json=body)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert len(problems) == 7
    by_feature = {p.get("feature"): p for p in problems if p.get("feature")}
    assert by_feature["outcome"]["valid"] == ["death", "serious_harm", "other_harm", "none"]
    assert "Child Practice Review" in by_feature["country"]["msg"]
    assert by_feature["outcom"]["msg"].endswith("did you mean 'outcome'?")
    assert {tuple(p["loc"]) for p in problems if "loc" in p} == {
        ("body", "extra"),
        ("body", "ruleset"),
        ("body", "today"),
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", 'expected {"features": {...}}'),
        (b"{}", "is required: the case features, as an object"),
        (b'{"features": ["death"]}', "expected an object of features"),
        (b'{"features": {"outcome": "death", "death_unexpected": true}, "today": 5}', "must be a date"),
    ],
)
def test_a_malformed_check_is_a_422_with_a_message_never_a_500(client, body, message):
    response = client.post("/api/v1/threshold", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert any(message in p["msg"] for p in response.json()["problems"])


def test_a_contradiction_is_refused(client):
    response = client.post(
        "/api/v1/threshold", json={"features": {"outcome": "none", "suspected_suicide": True}}
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["feature"] == "suspected_suicide"


def test_the_catalogue_and_rulesets_are_published_and_drive_the_api_schema(client):
    catalogue = client.get("/api/v1/features").json()
    assert [f["name"] for f in catalogue] == [f.name for f in features.CATALOGUE]
    assert catalogue[0] == features.CATALOGUE[0].to_json()
    published = client.get("/api/v1/rulesets").json()
    assert [(r["id"], r["version"]) for r in published] == [(r.id, r.version) for r in rules.load_all()]
    paths = client.get("/openapi.json").json()["paths"]
    body = paths["/api/v1/threshold"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]["features"]["properties"]) == set(features.BY_NAME)
    case_body = client.get("/openapi.json").json()["components"]["schemas"]["CaseIn"]
    assert set(case_body["properties"]["features"]["properties"]) == set(features.BY_NAME)


# Recording a case ---------------------------------------------------------------------------------------


def test_recording_a_case_stores_features_and_recommendation_and_audits_it(client, session, chair):
    response = record(client, chair)
    assert response.status_code == 201, response.text
    case_ = CaseOut.model_validate(response.json())
    assert case_.ref == f"HAC-{YEAR}-0001"
    assert case_.features == features.to_json(features.validate(DEATH))
    assert {o.type for o in case_.recommendation.outcomes} >= {"notify_panel", "rapid_review"}  # type: ignore[union-attr]
    (entry,) = case_.history  # type: ignore[misc]
    assert (entry.kind, entry.ruleset, entry.features) == (
        "recommendation",
        {"id": "wt2023", "version": "2"},
        case_.features,
    )
    assert entry.today == clock.today() and entry.decided_by == chair.email
    assert audit_actions(session, case_.ref) == ["case.create"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "case.create")).one()
    assert event.after["ruleset"] == {"id": "wt2023", "version": "2"}  # type: ignore[index]
    assert ["notify_panel", "mandatory"] in event.after["outcomes"]  # type: ignore[index]


def test_references_number_cases_per_lead_partnership_and_year_without_personal_data(client, chair, outsider):
    refs = [
        record(client, chair, {**DEATH, "area": area}).json()["ref"]
        for area in ("hackney", "hackney", "camden")
    ]
    southwark = record(client, outsider, {**DEATH, "area": "Southwark"}).json()["ref"]
    assert [*refs, southwark] == [
        f"HAC-{YEAR}-0001",
        f"HAC-{YEAR}-0002",
        f"HAC-{YEAR}-0003",
        f"SAL-{YEAR}-0001",
    ]


def test_a_case_needs_an_area_and_valid_features_and_nothing_is_written_otherwise(client, session, chair):
    no_area = record(client, chair, {k: v for k, v in DEATH.items() if k != "area"})
    assert no_area.status_code == 422 and no_area.json()["problems"][0]["feature"] == "area"
    bad = record(client, chair, {**DEATH, "outcome": "dead", "setting": "home"})
    assert bad.status_code == 422 and len(bad.json()["problems"]) == 2
    before_2006 = record(
        client, chair, {**DEATH, "incident_date": "2001-05-01", "notified_date": "2001-05-01"}
    )
    assert before_2006.status_code == 422
    # the only events: the test partnership and the chair added
    assert count(session, Case) == count(session, CaseDecision) == count(session, AuditEvent) - 2 == 0


def test_recording_needs_a_signed_in_user(client):
    assert client.post("/api/v1/cases", json={"features": DEATH}).status_code == 401
    assert client.get("/api/v1/cases").status_code == 401


def test_the_same_idempotency_key_records_one_case(client, session, chair):
    first = record(client, chair, **{"Idempotency-Key": "slack-check-1"})
    again = record(client, chair, **{"Idempotency-Key": "slack-check-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ref"] == first.json()["ref"] and count(session, Case) == 1
    other = record(client, chair, HARM, **{"Idempotency-Key": "slack-check-1"})
    assert other.status_code == 409
    assert other.json()["findings"] == [{"rule": "case.idempotency_key_reused", "ref": first.json()["ref"]}]


def test_concurrent_recordings_in_one_area_get_distinct_references(engine, session):
    rulesets = rules.load_all()
    home_partnership(session)

    def one(n: int) -> str:
        with unit_of_work(engine) as own:
            view, _ = store.create_case(
                session=own, raw_features=DEATH, actor=f"user{n}", today=clock.today(), rulesets=rulesets
            )
        return view.case.ref

    with ThreadPoolExecutor(max_workers=6) as pool:
        refs = list(pool.map(one, range(12)))
    assert sorted(refs) == [f"HAC-{YEAR}-{n:04d}" for n in range(1, 13)]


# Reading ---------------------------------------------------------------------------------------


def test_cases_are_listed_newest_first_and_filtered(client, chair, commissioner):
    record(client, chair)
    record(client, chair, {**HARM, "area": "camden"})
    page = client.get("/api/v1/cases", headers=commissioner.headers).json()
    assert (page["total"], [c["ref"] for c in page["items"]]) == (2, [f"HAC-{YEAR}-0002", f"HAC-{YEAR}-0001"])
    assert page["items"][0]["history"] is None and page["items"][0]["recommendation"]["outcomes"]
    camden = client.get("/api/v1/cases", headers=chair.headers, params={"area": "Camden", "limit": 1}).json()
    assert (camden["total"], camden["items"][0]["ref"], camden["limit"]) == (1, f"HAC-{YEAR}-0002", 1)
    assert (
        client.get("/api/v1/cases", headers=chair.headers, params={"status": "closed"}).json()["total"] == 0
    )


def test_a_listing_filter_no_database_can_take_is_refused_as_bad_input(client, chair):
    """PostgreSQL text cannot hold NUL, and no database takes an offset past 64 bits: 422, not a 500."""
    for query in ({"area": "\x00"}, {"offset": 10**20}):
        response = client.get("/api/v1/cases", headers=chair.headers, params=query)
        assert response.status_code == 422, response.text


def test_an_unknown_case_is_a_404(client, chair):
    assert client.get("/api/v1/cases/HAC-2026-9999", headers=chair.headers).status_code == 404


# Changing a case ---------------------------------------------------------------------------------------


def test_changing_features_decides_again_and_keeps_the_history(client, session, chair):
    ref = record(client, chair, HARM).json()["ref"]
    changed = client.patch(
        f"/api/v1/cases/{ref}",
        headers=chair.headers,
        json={"features": {"outcome": "death", "improvement_learning": None, "death_unexpected": True}},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["features"]["outcome"] == "death" and "improvement_learning" not in body["features"]
    assert [h["features"]["outcome"] for h in body["history"]] == ["serious_harm", "death"]
    assert "child_death_review" in {o["type"] for o in body["recommendation"]["outcomes"]}
    assert body["redeclare"] == []
    assert audit_actions(session, ref) == ["case.create", "case.update"]
    update = session.exec(select(AuditEvent).where(AuditEvent.action == "case.update")).one()
    assert update.before["features"]["outcome"] == "serious_harm"  # type: ignore[index]


def test_a_change_that_changes_nothing_adds_no_decision(client, session, chair):
    ref = record(client, chair, HARM).json()["ref"]
    same = client.patch(
        f"/api/v1/cases/{ref}", headers=chair.headers, json={"features": {"outcome": "serious_harm"}}
    )
    assert same.status_code == 200 and len(same.json()["history"]) == 1
    assert audit_actions(session, ref) == ["case.create"]


def test_a_bad_change_is_refused_and_the_case_is_untouched(client, session, chair):
    ref = record(client, chair, HARM).json()["ref"]
    refused = client.patch(
        f"/api/v1/cases/{ref}",
        headers=chair.headers,
        json={"features": {"outcome": "dead", "country": "scotland"}},
    )
    assert refused.status_code == 422 and len(refused.json()["problems"]) == 2
    forget_area = client.patch(
        f"/api/v1/cases/{ref}", headers=chair.headers, json={"features": {"area": None}}
    )
    assert forget_area.status_code == 422 and forget_area.json()["problems"][0]["feature"] == "area"
    assert client.get(f"/api/v1/cases/{ref}", headers=chair.headers).json()["features"] == features.to_json(
        features.validate(HARM)
    )
    assert audit_actions(session, ref) == ["case.create"]


def test_changing_the_agencies_asks_commissioned_consultants_to_declare_again(
    client, session, commissioner, admin
):
    hackney(session)
    case(session, "HK-1", **{k: v for k, v in HARM.items() if k != "area"})
    made = client.post(
        "/api/v1/cases/HK-1/commissions",
        headers=commissioner.headers,
        json={"consultant_id": consultant(session, "Pat"), "role": "lead_reviewer"},
    ).json()
    signed = {"signed_on": TODAY.isoformat(), "reference": "Pat's signed declaration.pdf"}
    declared = client.post(
        f"/api/v1/commissions/{made['id']}/declaration/recorded",
        headers=admin.headers,
        json={"agencies": ["hackney-csc", "met-police", "homerton"], "no_conflict": True, **signed},
    )
    assert declared.status_code == 200, declared.text
    changed = client.patch(
        "/api/v1/cases/HK-1",
        headers=commissioner.headers,
        json={"features": {"agencies_involved": ["hackney-csc", "met-police", "homerton", "camden-csc"]}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["redeclare"] == [made["id"]]


# The board's decision -------------------------------------------------------------------------------------


def test_a_chair_accepts_the_recommendation_and_it_is_audited(client, session, chair):
    ref = record(client, chair).json()["ref"]
    decided = client.post(f"/api/v1/cases/{ref}/decision", headers=chair.headers, json={"accepted": True})
    assert decided.status_code == 200, decided.text
    board = decided.json()["board_decision"]
    assert (board["kind"], board["accepted"], board["decided_by"]) == ("board", True, chair.email)
    assert board["result"] == decided.json()["recommendation"]
    assert audit_actions(session, ref) == ["case.create", "case.decision"]


def test_departing_needs_a_reason_and_may_name_the_outcomes_chosen(client, session, chair):
    ref = record(client, chair, HARM).json()["ref"]
    silent = client.post(f"/api/v1/cases/{ref}/decision", headers=chair.headers, json={"accepted": False})
    assert silent.status_code == 422 and silent.json()["problems"][0]["loc"] == ["body", "reason"]
    blank = client.post(
        f"/api/v1/cases/{ref}/decision", headers=chair.headers, json={"accepted": False, "reason": " "}
    )
    assert blank.status_code == 422
    reason = "A single-agency review will cover the learning."
    departed = client.post(f"/api/v1/cases/{ref}/decision", headers=chair.headers, json=departure(reason))
    assert departed.status_code == 200, departed.text
    board = departed.json()["board_decision"]
    assert (board["accepted"], board["reason"]) == (False, reason)
    assert [(o["type"], o["requirement"]) for o in board["result"]["outcomes"]] == [
        ("learning_review", "discretionary")
    ]
    assert board["ruleset"] == {"id": "wt2023", "version": "2"}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "case.decision")).one()
    assert event.after["outcomes"] == [["learning_review", "discretionary"]]  # type: ignore[index]
    assert ["lcspr", "discretionary"] in event.after["recommended"]  # type: ignore[index]


def test_a_departure_without_outcomes_keeps_the_reason_and_no_outcomes(client, chair):
    ref = record(client, chair, HARM).json()["ref"]
    departed = client.post(
        f"/api/v1/cases/{ref}/decision",
        headers=chair.headers,
        json={"accepted": False, "reason": "Wait for the inquest."},
    )
    assert departed.json()["board_decision"]["result"] == {}


def test_a_case_gives_its_next_deadline_from_the_decision_in_force(client, chair):
    notified = clock.today() - timedelta(days=1)
    incident = notified - timedelta(days=1)
    recent = {**HARM, "incident_date": incident.isoformat(), "notified_date": notified.isoformat()}
    ref = record(client, chair, recent).json()["ref"]
    panel = {
        "type": "notify_panel",
        "date": add_working_days(notified, 5).isoformat(),
        "basis": "5 working days from the day the local authority learned of it "
        "(Working Together to Safeguard Children 2023, chapter 5)",
    }
    assert client.get(f"/api/v1/cases/{ref}", headers=chair.headers).json()["next_deadline"] == panel
    departed = client.post(
        f"/api/v1/cases/{ref}/decision", headers=chair.headers, json=departure("A learning review will do.")
    )
    assert departed.json()["next_deadline"] is None  # the board's choice runs on no clock
    [listed] = client.get("/api/v1/cases", headers=chair.headers).json()["items"]
    assert listed["next_deadline"] is None


def test_the_next_deadline_is_in_the_published_case_schema(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["CaseOut"]["properties"]["next_deadline"]["anyOf"][0] == {
        "$ref": "#/components/schemas/NextDeadlineOut"
    }
    assert set(schemas["NextDeadlineOut"]["required"]) == {"type", "date", "basis"}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (
            {"accepted": False, "reason": "r", "outcomes": [{"type": "inquiry", "requirement": "mandatory"}]},
            ["body", "outcomes", 0],
        ),
        (
            {
                "accepted": False,
                "reason": "r",
                "outcomes": [
                    {"type": "lcspr", "requirement": "mandatory"},
                    {"type": "lcspr", "requirement": "discretionary"},
                ],
            },
            ["body", "outcomes"],
        ),
        ({"accepted": True, "outcomes": []}, ["body", "outcomes"]),
    ],
)
def test_invalid_board_outcomes_are_refused(client, session, chair, body, where):
    ref = record(client, chair, HARM).json()["ref"]
    refused = client.post(f"/api/v1/cases/{ref}/decision", headers=chair.headers, json=body)
    assert refused.status_code == 422 and refused.json()["problems"][0]["loc"] == where
    assert audit_actions(session, ref) == ["case.create"]


def test_only_a_chair_records_the_boards_decision(client, chair, commissioner, admin):
    ref = record(client, chair).json()["ref"]
    for persona in (commissioner, admin):
        refused = client.post(
            f"/api/v1/cases/{ref}/decision", headers=persona.headers, json={"accepted": True}
        )
        assert refused.status_code == 403


def test_a_case_without_a_recommendation_cannot_be_decided(client, session, chair):
    case(session, "HK-9")
    assert client.get("/api/v1/cases/HK-9", headers=chair.headers).json()["recommendation"] is None
    refused = client.post("/api/v1/cases/HK-9/decision", headers=chair.headers, json={"accepted": True})
    assert refused.status_code == 409


# Reproducing ---------------------------------------------------------------------------------------


def test_a_stored_recommendation_reproduces_exactly_even_under_local_settings(session):
    home_partnership(session)
    settings = {"psirf_from": "2023-11-01"}
    raw = {
        "incident_date": "2023-10-15",
        "subject_age_years": 4,
        "outcome": "serious_harm",
        "area": "hackney",
    }
    view, _ = store.create_case(
        session=session,
        raw_features={**raw, "nhs_care_involved": True, "abuse_or_neglect": "suspected"},
        actor="test",
        today=date(2026, 11, 26),
        rulesets=rules.load_all(settings),
    )
    session.commit()
    stored = view.recommendation
    assert stored is not None and re.fullmatch(r"2\+[0-9a-f]{8}", stored.ruleset_version)
    assert store.reproduce(stored, settings=settings) == stored.result
    explicit, _ = store.create_case(
        session=session,
        raw_features=DEATH,
        actor="test",
        today=date(2026, 11, 26),
        rulesets=rules.load_all(),
        ruleset="wt2015",
    )
    session.commit()
    assert store.reproduce(explicit.recommendation, settings={}) == explicit.recommendation.result  # type: ignore[union-attr]
