"""Recommendations and action plans through the API: recording with the writing checks' warnings, an
import, a whole action plan's course (an agency's contact starting an action and submitting evidence,
the partnership judging it, the chair closing the recommendation), who may do what, and the overdue
reminders by email, once each."""

import io
from datetime import timedelta
from typing import Any

import pytest
from factories import TODAY, add_person, case, hackney, home_partnership
from mail_standin import MailStandIn
from sqlmodel import Session

from service.models import Role

REF = "HAC-2026-0101"
GOOD = {
    "text": "Hackney CSC will audit 20 strategy meetings so that police attend every one.",
    "scope": "single_agency",
    "agencies": ["Hackney CSC"],
    "owner": "Head of Safeguarding, Hackney CSC",
    "priority": "high",
    "due": (TODAY + timedelta(days=90)).isoformat(),
    "finding": "Finding 1: strategy discussions were held without the police.",
}


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    hackney(session)
    home_partnership(session)
    case(session, REF)
    _, contact = add_person(
        session,
        email="contact@hackney.example.org",
        role=Role.agency_contact,
        actor="test",
        agency="hackney-csc",
    )
    _, police = add_person(
        session, email="contact@met.example.org", role=Role.agency_contact, actor="test", agency="met-police"
    )
    session.commit()
    return {
        "contact": {"Authorization": f"Bearer {contact}"},
        "police": {"Authorization": f"Bearer {police}"},
    }


def test_a_recommendation_is_recorded_with_its_warnings_and_never_refused(
    client, world, commissioner
) -> None:
    made = client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["number"] == 1 and body["warnings"] == []
    assert body["agencies"] == [{"id": "hackney-csc", "name": "Hackney Children's Social Care"}]
    assert body["status"] == "not_started" and body["scope_words"] == "single-agency"

    vague = client.post(
        f"/api/v1/cases/{REF}/recommendations",
        json={"text": "Consider the use of chronologies."},
        headers=commissioner.headers,
    )
    assert vague.status_code == 201
    assert [w["check"] for w in vague.json()["warnings"]] == [
        "no_owner",
        "no_date",
        "no_measurable_outcome",
        "vague_verb",
        "scope_undecided",
        "no_finding",
    ]
    listed = client.get(f"/api/v1/cases/{REF}/recommendations", headers=commissioner.headers).json()
    assert [r["number"] for r in listed] == [1, 2]


def test_bad_input_is_refused_naming_it(client, world, commissioner) -> None:
    unknown = client.post(
        f"/api/v1/cases/{REF}/recommendations",
        json={**GOOD, "agencies": ["Nowhere Agency"]},
        headers=commissioner.headers,
    )
    assert unknown.status_code == 422
    assert "Nowhere Agency" in unknown.text
    two = client.post(
        f"/api/v1/cases/{REF}/recommendations",
        json={**GOOD, "agencies": ["hackney-csc", "met-police"]},
        headers=commissioner.headers,
    )
    assert two.status_code == 422 and "single-agency recommendation names one agency" in two.text
    assert client.get(f"/api/v1/cases/{REF}/recommendations", headers=commissioner.headers).json() == []


def test_a_partnerships_own_number_of_recommendations_warns_past_it(
    client, session, world, commissioner
) -> None:
    partnership = home_partnership(session)
    partnership.policy = {"max_recommendations": 1}
    session.add(partnership)
    session.commit()
    client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers)
    second = client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers)
    [warning] = second.json()["warnings"]
    assert warning["check"] == "too_many" and "more than the 1 the partnership sets" in warning["msg"]


def test_a_csv_is_read_first_then_recorded_all_or_none(client, world, commissioner) -> None:
    csv = (
        b"text,scope,agencies,owner,due\n"
        b"Audit 20 files so that each has a plan.,multi-agency,hackney-csc;met-police,Jo,31/12/2027\n"
    )
    files = {"file": ("plan.csv", io.BytesIO(csv), "text/csv")}
    seen = client.post(
        f"/api/v1/cases/{REF}/recommendations/import", files=files, headers=commissioner.headers
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["dry_run"] is True and [
        [w["check"] for w in ws] for ws in seen.json()["warnings"]
    ] == [["no_finding"]]
    assert client.get(f"/api/v1/cases/{REF}/recommendations", headers=commissioner.headers).json() == []
    files = {"file": ("plan.csv", io.BytesIO(csv), "text/csv")}
    done = client.post(
        f"/api/v1/cases/{REF}/recommendations/import?dry_run=false", files=files, headers=commissioner.headers
    )
    [made] = done.json()["recommendations"]
    assert made["scope"] == "multi_agency" and len(made["agencies"]) == 2
    bad = {"file": ("plan.csv", io.BytesIO(b"text,due\nAudit.,30/02/2027\n"), "text/csv")}
    refused = client.post(
        f"/api/v1/cases/{REF}/recommendations/import", files=bad, headers=commissioner.headers
    )
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {"row": 2, "column": "due", "msg": refused.json()["problems"][0]["msg"]}
    ]


def test_an_action_plan_runs_its_whole_course(client, session, world, commissioner, chair, admin) -> None:
    made = client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers).json()
    rid = made["id"]
    contact, police = world["contact"], world["police"]
    # The agency's contact adds their agency's action, and sees only recommendations naming their agency.
    action = client.post(
        f"/api/v1/recommendations/{rid}/actions",
        json={
            "text": "Audit the strategy meetings.",
            "owner": "Lead@Hackney.example.org",
            "due": GOOD["due"],
        },
        headers=contact,
    )
    assert action.status_code == 201, action.text
    action_id = action.json()["id"]
    assert (
        action.json()["agency_id"] == "hackney-csc" and action.json()["owner"] == "lead@hackney.example.org"
    )
    assert client.get(f"/api/v1/cases/{REF}/recommendations", headers=police).status_code == 404
    assert client.get(f"/api/v1/recommendations/{rid}", headers=police).status_code == 404
    assert (
        client.post(
            f"/api/v1/actions/{action_id}/status", json={"change": "start"}, headers=police
        ).status_code
        == 404
    )

    def change(body: dict[str, Any], who: dict[str, str], code: int = 200) -> dict[str, Any]:
        answer = client.post(f"/api/v1/actions/{action_id}/status", json=body, headers=who)
        assert answer.status_code == code, answer.text
        return answer.json()

    assert change({"change": "start"}, contact)["status"] == "in_progress"
    refused = change({"change": "submit_evidence"}, contact, 409)
    assert "Attach a file or a link" in refused["detail"]
    upload = client.post(
        f"/api/v1/actions/{action_id}/evidence",
        files={"file": ("audit.pdf", io.BytesIO(b"%PDF-1.4 audit"), "application/pdf")},
        data={"note": "The audit report."},
        headers=contact,
    )
    assert upload.status_code == 201, upload.text
    submitted = change(
        {"change": "submit_evidence", "links": ["https://intranet.example.org/audit"]}, contact
    )
    assert submitted["status"] == "evidence_submitted"
    assert [e["kind"] for e in submitted["evidence"]] == ["file", "link"]
    file = client.get(
        f"/api/v1/actions/{action_id}/evidence/{upload.json()['id']}", headers=commissioner.headers
    )
    assert file.content == b"%PDF-1.4 audit"
    # The agency does not judge its own evidence; the partnership sends it back, then accepts it.
    assert "Only the partnership" in change({"change": "complete"}, contact, 409)["detail"]
    assert (
        change({"change": "send_back", "note": "Add the re-audit."}, commissioner.headers)["status"]
        == "in_progress"
    )
    change({"change": "submit_evidence"}, contact)
    assert change({"change": "complete"}, commissioner.headers)["status"] == "completed"
    # Only the chair or admins close it.
    assert (
        client.post(f"/api/v1/recommendations/{rid}/close", json={}, headers=commissioner.headers).status_code
        == 403
    )
    assert client.post(f"/api/v1/recommendations/{rid}/close", json={}, headers=contact).status_code == 403
    closed = client.post(
        f"/api/v1/recommendations/{rid}/close", json={"note": "Re-audit seen."}, headers=chair.headers
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["actions"][0]["status"] == "closed"
    assert closed.json()["actions"][0]["status_words"] == "closed by the partnership"
    again = client.post(f"/api/v1/recommendations/{rid}/close", json={}, headers=admin.headers)
    assert again.status_code == 422
    history = client.get(
        "/api/v1/audit", params={"entity_type": "action", "entity_id": action_id}, headers=admin.headers
    )
    done = {e["action"] for e in history.json()}
    assert {"action.add", "action.start", "action.evidence", "action.send_back", "action.complete"} <= done


def test_a_recommendation_closes_only_once_its_actions_are_completed(
    client, world, commissioner, chair
) -> None:
    rid = client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers).json()[
        "id"
    ]
    refused = client.post(f"/api/v1/recommendations/{rid}/close", json={}, headers=chair.headers)
    assert refused.status_code == 409 and "no actions yet" in refused.json()["detail"]
    client.post(
        f"/api/v1/recommendations/{rid}/actions",
        json={
            "text": "Audit.",
            "owner": "lead@hackney.example.org",
            "due": GOOD["due"],
            "agency": "hackney-csc",
        },
        headers=commissioner.headers,
    )
    refused = client.post(f"/api/v1/recommendations/{rid}/close", json={}, headers=chair.headers)
    assert refused.status_code == 409 and "1 action is not completed" in refused.json()["detail"]
    other = client.post(
        f"/api/v1/recommendations/{rid}/actions",
        json={"text": "Audit.", "owner": "lead@met.example.org", "due": GOOD["due"], "agency": "met-police"},
        headers=commissioner.headers,
    )
    assert other.status_code == 422 and "not one the recommendation asks to act" in other.text


def test_open_recommendations_list_by_age_for_the_partnership_and_the_agency(
    client, world, commissioner, outsider
) -> None:
    client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers)
    client.post(
        f"/api/v1/cases/{REF}/recommendations",
        json={**GOOD, "agencies": ["met-police"]},
        headers=commissioner.headers,
    )
    mine = client.get("/api/v1/recommendations", headers=commissioner.headers).json()
    assert [row["recommendation"]["number"] for row in mine] == [1, 2]
    assert mine[0]["age_days"] == 0 and mine[0]["partnership"]
    police = client.get("/api/v1/recommendations", headers=world["police"]).json()
    assert [row["recommendation"]["number"] for row in police] == [2]
    assert client.get("/api/v1/recommendations", headers=outsider.headers).json() == []
    assert client.get("/api/v1/recommendations?status=closed", headers=commissioner.headers).json() == []


# Overdue reminders by email, once each --------------------------------------------------------------


@pytest.fixture(scope="module")
def mail():
    with MailStandIn() as standin:
        yield standin


def test_an_overdue_action_is_emailed_to_its_owner_once(
    client, session, world, commissioner, bot, mail, environment
) -> None:
    environment(
        SCR_SMTP_HOST=mail.host,
        SCR_SMTP_PORT=str(mail.port),
        SCR_MAIL_FROM="Reviews <reviews@board.example.org>",
    )
    mail.clear()
    rid = client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers).json()[
        "id"
    ]
    late = (TODAY - timedelta(days=3)).isoformat()
    action = client.post(
        f"/api/v1/recommendations/{rid}/actions",
        json={"text": "Audit the meetings of the family.", "owner": "lead@hackney.example.org", "due": late},
        headers=commissioner.headers,
    ).json()
    [listed] = client.get("/api/v1/slack/overdue-actions", headers=bot.headers).json()
    assert listed["days"] == 3 and listed["owner_slack_user_id"] is None and listed["case_ref"] == REF
    first = client.post(f"/api/v1/slack/overdue-actions/{action['id']}/email", headers=bot.headers).json()
    assert first["status"] == "sent", first
    again = client.post(f"/api/v1/slack/overdue-actions/{action['id']}/email", headers=bot.headers).json()
    assert again == {"claimed": False, "status": "already", "message": again["message"]}
    [email] = mail.received
    assert email.rcpt_tos == ("lead@hackney.example.org",)
    body = email.message.get_content()
    assert REF in body and "recommendation 1" in body and "3 days overdue" in body
    assert "family" not in body  # the action's own words stay out of the email


def test_a_failed_email_is_tried_again_on_the_next_run(
    client, session, world, commissioner, bot, mail, environment
) -> None:
    environment(
        SCR_SMTP_HOST=mail.host, SCR_SMTP_PORT=str(mail.port), SCR_MAIL_FROM="reviews@board.example.org"
    )
    mail.clear()
    rid = client.post(f"/api/v1/cases/{REF}/recommendations", json=GOOD, headers=commissioner.headers).json()[
        "id"
    ]
    late = (TODAY - timedelta(days=1)).isoformat()
    action = client.post(
        f"/api/v1/recommendations/{rid}/actions",
        json={"text": "Audit.", "owner": "lead@refused.example", "due": late},
        headers=commissioner.headers,
    ).json()
    failed = client.post(f"/api/v1/slack/overdue-actions/{action['id']}/email", headers=bot.headers).json()
    assert failed["status"] == "failed" and failed["claimed"] is True
    retried = client.post(f"/api/v1/slack/overdue-actions/{action['id']}/email", headers=bot.headers).json()
    assert retried["status"] == "failed"  # not "already": the claim was released
    assert mail.received == []
