"""Input the database cannot hold is refused as bad input (422, naming the field) before any lookup or write.

PostgreSQL cannot store or compare text holding a NUL byte; a claim key longer than its column, or a
version number beyond its integer, does not fit either. Each used to reach the database and fail
there as a 500 (found by fuzzing, ``test_fuzz``, on PostgreSQL; the version also on SQLite).
"""

import pytest
from factories import CASE_FEATURES

from service.models import Role
from service.users import add_user

NUL = "%00"  # as it arrives in a URL

PATHS = [
    ("GET", f"/api/v1/cases/{NUL}", "chair", None),
    ("PATCH", f"/api/v1/cases/{NUL}", "chair", {"features": {"subject_age_years": 2}}),
    ("POST", f"/api/v1/cases/{NUL}/decision", "chair", {"accepted": True}),
    ("POST", f"/api/v1/cases/{NUL}/close", "admin", None),
    ("POST", f"/api/v1/cases/{NUL}/terms", "admin", None),
    ("GET", f"/api/v1/cases/{NUL}/terms", "admin", None),
    ("GET", f"/api/v1/cases/{NUL}/terms/1.md", "admin", None),
    ("GET", f"/api/v1/cases/{NUL}/terms/1/diff/2", "admin", None),
    ("GET", f"/api/v1/slack/drafts/{NUL}", "admin", None),
    ("PUT", f"/api/v1/slack/drafts/{NUL}", "admin", {"state": {}}),
    ("PATCH", f"/api/v1/slack/claims/{NUL}", "bot", {"detail": {}}),
    ("DELETE", f"/api/v1/slack/claims/{NUL}", "bot", None),
]


@pytest.fixture
def callers(session, admin, chair):
    """Headers by role: an admin, a chair, and the Slack bot's service user."""
    _, token = add_user(session, email="bot@board.example.org", role=Role.bot, actor="test")
    session.commit()
    return {"admin": admin.headers, "chair": chair.headers, "bot": {"Authorization": f"Bearer {token}"}}


@pytest.mark.parametrize(("method", "path", "role", "body"), PATHS, ids=[f"{m} {p}" for m, p, _, _ in PATHS])
def test_a_nul_in_an_identifier_in_the_path_is_bad_input(client, callers, method, path, role, body):
    response = client.request(method, path, headers=callers[role], json=body)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"][0] == "path"


@pytest.mark.parametrize("name", ["entity_type", "entity_id"])
def test_a_nul_in_an_audit_filter_is_bad_input(client, callers, name):
    response = client.get(f"/api/v1/audit?{name}={NUL}", headers=callers["admin"])
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"] == ["query", name]


@pytest.mark.parametrize(
    ("claim", "field"),
    [
        ({"key": "\x00", "kind": "event"}, "key"),
        ({"key": "event:" + "E" * 200, "kind": "event"}, "key"),  # longer than the column holds
        ({"key": "event:Ev1", "kind": "Event 1"}, "kind"),
    ],
    ids=["nul key", "long key", "kind not a word"],
)
def test_a_claim_the_service_cannot_store_is_bad_input_and_nothing_is_claimed(client, callers, claim, field):
    headers = callers["bot"]
    response = client.post("/api/v1/slack/claims", headers=headers, json=claim)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"] == ["body", field]
    good = {"key": "event:Ev1", "kind": "event"}
    assert client.post("/api/v1/slack/claims", headers=headers, json=good).status_code == 201


def test_identifiers_as_issued_still_reach_their_records(client, callers):
    """The patterns admit every id the service issues: a draft's, a bot's claim keys, a case reference."""
    admin, bot = callers["admin"], callers["bot"]
    draft = client.post("/api/v1/slack/drafts", headers=admin, json={"state": {"outcome": "death"}}).json()
    assert client.get(f"/api/v1/slack/drafts/{draft['id']}", headers=admin).status_code == 200
    for key in ("decision:C0123:1712345678.000100", "digest:2026-W48:7:dbs", "reminder:SCR-2026-0001:due"):
        claimed = client.post("/api/v1/slack/claims", headers=bot, json={"key": key, "kind": "reminder"})
        assert claimed.status_code == 201, claimed.text
        assert client.delete(f"/api/v1/slack/claims/{key}", headers=bot).status_code == 204
    assert client.get("/api/v1/cases/SCR-2026-0001", headers=admin).status_code == 404


FEATURES = {**CASE_FEATURES, "agencies_involved": []}


@pytest.mark.parametrize("version", [2**31, 10**30])
def test_a_terms_version_number_no_version_can_have_is_bad_input(client, callers, version):
    admin = callers["admin"]
    ref = client.post("/api/v1/cases", headers=admin, json={"features": FEATURES}).json()["ref"]
    assert client.post(f"/api/v1/cases/{ref}/terms", headers=admin).status_code == 201
    assert client.get(f"/api/v1/cases/{ref}/terms/1.md", headers=admin).status_code == 200
    for path in (f"/terms/{version}.md", f"/terms/1/diff/{version}", f"/terms/{version}/diff/1"):
        response = client.get(f"/api/v1/cases/{ref}{path}", headers=admin)
        assert response.status_code == 422, response.text
        assert response.json()["problems"][0]["loc"][0] == "path"


def test_a_nul_in_the_reason_for_a_board_decision_is_bad_input_and_nothing_is_decided(client, callers):
    ref = client.post("/api/v1/cases", headers=callers["admin"], json={"features": FEATURES}).json()["ref"]
    departing = {"accepted": False, "reason": "Not \x00 this.", "outcomes": []}
    response = client.post(f"/api/v1/cases/{ref}/decision", headers=callers["chair"], json=departing)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"] == ["body", "reason"]
    assert client.get(f"/api/v1/cases/{ref}", headers=callers["chair"]).json()["board_decision"] is None
