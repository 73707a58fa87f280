"""Commissioning a consultant: checks under a lock, declarations, confirmation and what ends a commission."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest
from factories import TODAY, case, consultant, engagement, hackney
from sqlmodel import select

from commissioning import commissions
from commissioning.models import Case, Commission
from core.audit import AuditEvent
from registry.vocabulary import ConsultantStatus, EngagementKind

AGENCIES = ["hackney-csc", "met-police", "homerton"]


@pytest.fixture
def world(session):
    hackney(session)
    case(session, "HK-1")
    return session


def commission(client, persona, consultant_id, *, ref="HK-1", role="lead_reviewer", key=None):
    headers = {**persona.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(
        f"/api/v1/cases/{ref}/commissions",
        headers=headers,
        json={"consultant_id": consultant_id, "role": role},
    )


@pytest.fixture
def bot(session):
    """The Slack bot's service user: it relays the consultant named by the Slack id in the body."""
    from service.models import Role
    from service.users import add_user

    _, token = add_user(session, email="bot@board.example.org", role=Role.bot, actor="test")
    session.commit()
    return SimpleNamespace(headers={"Authorization": f"Bearer {token}"})


def declare(client, caller, commission_id, agencies=AGENCIES, **body):
    """``caller`` declares on the commission: the bot relaying the consultant (``slack_user_id``), or
    anyone else trying to."""
    return client.post(
        f"/api/v1/commissions/{commission_id}/declaration",
        headers=caller.headers,
        json={"agencies": agencies, "no_conflict": True, **body},
    )


SIGNED = {"signed_on": (TODAY - timedelta(days=2)).isoformat(), "reference": "Ivy-declaration-signed.pdf"}


def record_signed(client, persona, commission_id, agencies=AGENCIES, **body):
    """``persona`` records a declaration the consultant signed on paper or by email."""
    return client.post(
        f"/api/v1/commissions/{commission_id}/declaration/recorded",
        headers=persona.headers,
        json={"agencies": agencies, "no_conflict": True, **SIGNED, **body},
    )


def act(client, persona, commission_id, action, **body):
    return client.post(f"/api/v1/commissions/{commission_id}/{action}", headers=persona.headers, json=body)


def audit_actions(session, commission_id):
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "commission"))
    return [event.action for event in events if event.entity_id == str(commission_id)]


# Commissioning ---------------------------------------------------------------------------------


def test_a_commissioner_commissions_an_eligible_consultant_and_it_is_audited(client, world, commissioner):
    ann = consultant(world, "Ann Able")
    engagement(world, ann, "met-police", EngagementKind.employed, end_date=TODAY - timedelta(days=365 * 6))

    response = commission(client, commissioner, ann)

    assert response.status_code == 201
    body = response.json()
    assert (body["case_ref"], body["consultant_id"], body["consultant_name"]) == ("HK-1", ann, "Ann Able")
    assert (body["role"], body["status"], body["created_by"]) == (
        "lead_reviewer",
        "proposed",
        commissioner.email,
    )
    assert [w["rule"] for w in body["warnings"]] == ["independence.past_employment"]
    assert body["declaration"] is None
    assert body["allowed_actions"] == ["declare", "decline", "withdraw"]
    assert audit_actions(world, body["id"]) == ["commission.propose"]


def test_a_conflicted_consultant_gets_409_with_the_findings_and_nothing_is_written(
    client, world, commissioner
):
    cy = consultant(world, "Cy Conflicted")
    engagement(world, cy, "homerton", EngagementKind.employed)

    response = commission(client, commissioner, cy)

    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith(
        "Cy Conflicted cannot be commissioned for HK-1: Cy Conflicted is employed by"
    )
    assert [f["rule"] for f in body["findings"]] == ["independence.current_employment"]
    assert world.exec(select(Commission)).all() == []
    assert world.exec(select(AuditEvent).where(AuditEvent.entity_type == "commission")).all() == []


def test_a_full_consultant_gets_409_saying_they_are_at_capacity(client, world, commissioner):
    dee = consultant(world, "Dee Busy", capacity=1)
    case(world, "HK-2")
    assert commission(client, commissioner, dee, ref="HK-2").status_code == 201
    response = commission(client, commissioner, dee)
    assert response.status_code == 409
    assert [f["rule"] for f in response.json()["findings"]] == ["capacity.full"]
    assert "Dee Busy is at capacity: 1 of 1 reviews in progress." in response.json()["detail"]


def test_a_removed_consultant_gets_409_saying_they_are_not_approved(client, world, commissioner):
    gone = consultant(world, "Ola Gone", status=ConsultantStatus.removed)
    response = commission(client, commissioner, gone)
    assert response.status_code == 409
    assert [f["rule"] for f in response.json()["findings"]] == ["vetting.not_approved"]


def test_a_withdrawn_commission_frees_its_place(client, world, commissioner):
    dee = consultant(world, "Dee Busy", capacity=1)
    case(world, "HK-2")
    first = commission(client, commissioner, dee, ref="HK-2").json()
    assert act(client, commissioner, first["id"], "withdraw", reason="Case merged").status_code == 200
    assert commission(client, commissioner, dee).status_code == 201


def test_a_consultant_already_commissioned_on_the_case_is_refused(client, world, commissioner):
    eve = consultant(world, "Eve Twice", capacity=3)
    first = commission(client, commissioner, eve).json()
    response = commission(client, commissioner, eve, role="overview_author")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Eve Twice already holds commission {first['id']} on HK-1 as lead_reviewer (proposed)."
    )


def test_unknown_case_or_consultant_is_404_wrong_role_403_bad_role_422(client, world, commissioner, chair):
    fay = consultant(world, "Fay")
    assert commission(client, commissioner, fay, ref="NOPE").status_code == 404
    missing = commission(client, commissioner, 999_999)
    assert (missing.status_code, missing.json()["detail"]) == (404, "No consultant with id 999999.")
    forbidden = commission(client, chair, fay)
    assert forbidden.status_code == 403
    assert "commissioner or admin" in forbidden.json()["detail"]
    assert commission(client, commissioner, fay, role="tea_maker").status_code == 422


def test_a_closed_case_cannot_be_commissioned(client, world, commissioner):
    fay = consultant(world, "Fay")
    closed = world.exec(select(Case).where(Case.ref == "HK-1")).one()
    closed.status = "closed"
    world.add(closed)
    world.commit()
    response = commission(client, commissioner, fay)
    assert (response.status_code, response.json()["detail"]) == (
        409,
        "Case HK-1 is closed; reopen it before commissioning anyone.",
    )


def test_the_same_idempotency_key_replays_the_commission_and_a_different_request_is_refused(
    client, world, commissioner
):
    gus = consultant(world, "Gus")
    hal = consultant(world, "Hal")
    first = commission(client, commissioner, gus, key="slack-action-1")
    again = commission(client, commissioner, gus, key="slack-action-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert len(world.exec(select(Commission)).all()) == 1
    clash = commission(client, commissioner, hal, key="slack-action-1")
    assert clash.status_code == 409
    assert "already used for a different commission" in clash.json()["detail"]


# Declaration and confirmation ------------------------------------------------------------------


def test_declaring_no_conflict_then_confirming_moves_through_the_states(client, world, commissioner, bot):
    ivy = consultant(world, "Ivy", slack_user_id="U0IVY")
    made = commission(client, commissioner, ivy).json()

    agencies = ["Hackney CSC", "met-police", "homerton"]
    declared = declare(client, bot, made["id"], agencies=agencies, slack_user_id="U0IVY")
    assert declared.status_code == 200
    body = declared.json()
    assert body["status"] == "declared"
    assert body["declaration"]["agencies"] == AGENCIES
    assert body["declaration"]["no_conflict"] is True
    assert body["allowed_actions"] == ["confirm", "decline", "withdraw"]

    confirmed = act(client, commissioner, made["id"], "confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["allowed_actions"] == ["withdraw"]
    assert audit_actions(world, made["id"]) == [
        "commission.propose",
        "commission.declare",
        "commission.confirm",
    ]


def test_a_declaration_must_name_every_agency_in_the_case_and_no_other(client, world, commissioner, bot):
    made = commission(client, commissioner, consultant(world, "Jo", slack_user_id="U0JO")).json()
    response = declare(client, bot, made["id"], agencies=["hackney-csc", "camden-csc"], slack_user_id="U0JO")
    assert response.status_code == 422
    messages = sorted(problem["msg"] for problem in response.json()["problems"])
    assert messages == [
        "'camden-csc' is not involved in the case",
        "'homerton' is involved in the case but not declared",
        "'met-police' is involved in the case but not declared",
    ]


def test_a_declared_conflict_needs_a_statement_and_confirming_it_needs_a_reason(
    client, world, commissioner, bot
):
    made = commission(client, commissioner, consultant(world, "Kit", slack_user_id="U0KIT")).json()
    bare = declare(client, bot, made["id"], no_conflict=False, slack_user_id="U0KIT")
    assert bare.status_code == 422
    assert bare.json()["problems"] == [
        {"loc": ["body", "statement"], "msg": "describe the conflict being declared"}
    ]
    statement = "I chaired a panel with the designated nurse in 2019."
    conflict = declare(client, bot, made["id"], no_conflict=False, statement=statement, slack_user_id="U0KIT")
    assert conflict.status_code == 200

    unexplained = act(client, commissioner, made["id"], "confirm")
    assert unexplained.status_code == 422
    assert "declared a conflict" in unexplained.json()["detail"]
    explained = act(client, commissioner, made["id"], "confirm", reason="A professional contact only.")
    assert explained.json()["status"] == "confirmed"
    (event,) = [
        e for e in world.exec(select(AuditEvent).where(AuditEvent.action == "commission.confirm")).all()
    ]
    assert event.after["reason"] == "A professional contact only."


def test_confirming_runs_the_checks_again(client, world, commissioner, admin):
    lou = consultant(world, "Lou", capacity=1)
    made = commission(client, commissioner, lou).json()
    assert record_signed(client, admin, made["id"]).status_code == 200
    engagement(world, lou, "met-police", EngagementKind.contracted)
    response = act(client, commissioner, made["id"], "confirm")
    assert response.status_code == 409
    assert [f["rule"] for f in response.json()["findings"]] == ["independence.current_contract"]


def test_a_transition_not_allowed_is_409_naming_what_is_allowed(client, world, commissioner):
    made = commission(client, commissioner, consultant(world, "Mo")).json()
    early = act(client, commissioner, made["id"], "confirm")
    assert early.status_code == 409
    assert early.json() == {
        "detail": "A proposed commission cannot confirm; allowed: declare, decline, withdraw.",
        "allowed": ["declare", "decline", "withdraw"],
        "request_id": early.headers["x-request-id"],
    }
    assert act(client, commissioner, made["id"], "withdraw", reason="Not needed").status_code == 200
    assert act(client, commissioner, made["id"], "withdraw", reason="Again").json()["allowed"] == []
    assert act(client, commissioner, 999_999, "withdraw", reason="Nothing").status_code == 404


def test_the_bot_relays_only_the_commissioned_consultants_own_answer(client, world, bot, commissioner):
    nia = consultant(world, "Nia", slack_user_id="U0NIA")
    made = commission(client, commissioner, nia).json()
    stranger = declare(client, bot, made["id"], slack_user_id="U0SOMEONE")
    assert stranger.status_code == 403
    assert declare(client, bot, made["id"], slack_user_id="U0NIA").json()["status"] == "declared"
    declined = act(client, bot, made["id"], "decline", reason="Too close to home", slack_user_id="U0NIA")
    assert declined.json()["status"] == "declined"
    assert declined.json()["declaration"]["declared_by"] == "bot@board.example.org for Slack user U0NIA"
    assert act(client, bot, made["id"], "withdraw", reason="Bots cannot withdraw").status_code == 403


def test_the_consultants_own_declaration_records_no_one_recording_it_for_them(
    client, world, bot, commissioner
):
    nia = consultant(world, "Nia", slack_user_id="U0NIA")
    made = commission(client, commissioner, nia).json()
    declaration = declare(client, bot, made["id"], slack_user_id="U0NIA").json()["declaration"]
    assert (declaration["recorded_by"], declaration["signed_on"], declaration["signed_reference"]) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize("role", ["commissioner", "admin", "chair"])
def test_only_the_consultant_declares_or_declines_and_a_board_user_is_told_who_may(
    client, world, commissioner, admin, chair, role
):
    caller = {"commissioner": commissioner, "admin": admin, "chair": chair}[role]
    made = commission(client, commissioner, consultant(world, "Ola Quill", slack_user_id="U0OLA")).json()

    declared = declare(client, caller, made["id"])
    declined = act(client, caller, made["id"], "decline", reason="Too close to home")

    assert (declared.status_code, declined.status_code) == (403, 403)
    assert declared.json()["detail"].startswith(
        "Only Ola Quill, the consultant commissioned, can make their declaration of independence: they "
        "answer the request in their Slack direct messages. If they signed one on paper or by email, an "
        "admin records it as such"
    )
    assert declined.json()["detail"].startswith(
        "Only Ola Quill, the consultant commissioned, can decline this commission on their own behalf"
    )
    after = client.get(f"/api/v1/commissions/{made['id']}", headers=commissioner.headers).json()
    assert (after["status"], after["declaration"]) == ("proposed", None)
    assert audit_actions(world, made["id"]) == ["commission.propose"]
    refused = world.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    assert [event.after["route"] for event in refused] == [
        "/api/v1/commissions/{commission_id}/declaration",
        "/api/v1/commissions/{commission_id}/decline",
    ]


def test_an_admin_records_a_declaration_signed_on_paper_as_the_consultants_recorded_by_them(
    client, world, commissioner, admin
):
    ivy = consultant(world, "Ivy", email="ivy@reviews.example.org")
    made = commission(client, commissioner, ivy).json()

    recorded = record_signed(client, admin, made["id"], reference="  Ivy-declaration-signed.pdf ")

    assert recorded.status_code == 200, recorded.text
    body = recorded.json()
    assert body["status"] == "declared"
    assert {key: body["declaration"][key] for key in ("declared_by", "recorded_by", "signed_on")} == {
        "declared_by": "ivy@reviews.example.org",
        "recorded_by": admin.email,
        "signed_on": SIGNED["signed_on"],
    }
    assert body["declaration"]["signed_reference"] == "Ivy-declaration-signed.pdf"
    (event,) = world.exec(select(AuditEvent).where(AuditEvent.action == "commission.declare")).all()
    assert event.actor == admin.email
    assert event.after["declaration"]["recorded_by"] == admin.email
    assert act(client, commissioner, made["id"], "confirm").json()["status"] == "confirmed"


def test_only_an_admin_records_a_signed_declaration_and_only_a_complete_one(
    client, world, commissioner, admin
):
    made = commission(client, commissioner, consultant(world, "Kit")).json()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()

    assert record_signed(client, commissioner, made["id"]).status_code == 403
    future = record_signed(client, admin, made["id"], signed_on=tomorrow)
    blank = record_signed(client, admin, made["id"], reference="   ")
    unnamed = record_signed(client, admin, made["id"], agencies=["hackney-csc"])
    undescribed = record_signed(client, admin, made["id"], no_conflict=False)

    assert [r.status_code for r in (future, blank, unnamed, undescribed)] == [422] * 4
    assert [p["loc"][-1] for p in future.json()["problems"]] == ["signed_on"]
    assert [p["loc"][-1] for p in blank.json()["problems"]] == ["reference"]
    assert "'met-police' is involved in the case but not declared" in unnamed.text
    assert "describe the conflict being declared" in undescribed.text
    assert audit_actions(world, made["id"]) == ["commission.propose"]


def test_changing_the_case_agencies_voids_declarations_and_asks_again(client, world, commissioner, bot):
    pat = consultant(world, "Pat", slack_user_id="U0PAT")
    made = commission(client, commissioner, pat).json()
    assert declare(client, bot, made["id"], slack_user_id="U0PAT").status_code == 200
    act(client, commissioner, made["id"], "confirm")
    untouched = commission(client, commissioner, consultant(world, "Quin")).json()
    hk1 = world.exec(select(Case).where(Case.ref == "HK-1")).one()

    asked = commissions.agencies_changed(session=world, case_id=hk1.id, actor="cases")
    world.commit()

    assert asked == [made["id"]]
    again = client.get(f"/api/v1/commissions/{made['id']}", headers=commissioner.headers).json()
    assert (again["status"], again["declaration"]) == ("proposed", None)
    assert audit_actions(world, made["id"])[-1] == "commission.redeclare"
    listed = client.get("/api/v1/cases/HK-1/commissions", headers=commissioner.headers).json()
    assert [c["id"] for c in listed] == [made["id"], untouched["id"]]


# Concurrency -----------------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_fifty_concurrent_attempts_on_a_consultant_with_two_places_let_exactly_two_through(
    world, commissioner, live_server
):
    rae = consultant(world, "Rae Popular", capacity=2)
    refs = [f"C-{n:02d}" for n in range(50)]
    for ref in refs:
        case(world, ref)
    start = threading.Barrier(50)

    def attempt(ref: str) -> httpx.Response:
        with httpx.Client(base_url=live_server, headers=commissioner.headers, timeout=60) as http:
            start.wait()
            return http.post(
                f"/api/v1/cases/{ref}/commissions", json={"consultant_id": rae, "role": "lead_reviewer"}
            )

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(attempt, refs))

    codes = sorted(response.status_code for response in responses)
    assert codes == [201] * 2 + [409] * 48
    for response in responses:
        if response.status_code == 409:
            assert "Rae Popular is at capacity: 2 of 2 reviews in progress." in response.json()["detail"]
            assert [f["rule"] for f in response.json()["findings"]] == ["capacity.full"]
    assert len(world.exec(select(Commission).where(Commission.consultant_id == rae)).all()) == 2
