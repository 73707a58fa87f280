"""One approved list shared by partnerships: a batch plan judges each case by its own partnership's
policy, a consultant's places are counted across partnerships even when two boards commission them at
the same moment, and a refusal's audit names the partnership roles of whoever was refused."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from factories import TODAY, case, commission, consultant, engagement, hackney
from sqlmodel import select

from commissioning import partnerships, workload
from commissioning.models import Commission, CommissionStatus
from core.audit import AuditEvent
from registry.vocabulary import EngagementKind
from service.models import Role
from service.users import grant_role


@pytest.fixture
def world(session):
    hackney(session)
    return session


def set_policy(session, prefix: str, **independence: int) -> None:
    partnerships.change_partnership(
        session, prefix=prefix, changes={"policy": {"independence_policy": independence}}, actor="test"
    )
    session.commit()


# Batch plans -------------------------------------------------------------------------------------------


def test_a_batch_plan_judges_each_case_by_its_lead_partnerships_own_policy(client, world, commissioner):
    """Ed left Hackney's children's services four years ago. Hackney's partnership (HAC) lets a reviewer
    work for it three years after employment; Southwark and Lambeth's (SAL) asks for eight; the
    service's default is five. So Ed may review HAC's case and not SAL's, although both name Hackney."""
    case(world, "HK-1", neglect=True)
    case(world, "SK-1", area="southwark", neglect=True)
    set_policy(world, "HAC", employment_block_years=3)
    set_policy(world, "SAL", employment_block_years=8)
    grant_role(world, email=commissioner.email, role=Role.commissioner, partnership="SAL", actor="test")
    world.commit()
    ed = consultant(world, "Ed Expert", specialisms=["neglect"])
    engagement(
        world, ed, "hackney-csc", EngagementKind.employed, end_date=TODAY - timedelta(days=4 * 365 + 30)
    )
    flo = consultant(world, "Flo Fallback")

    response = client.post(
        "/api/v1/assignments/plan",
        headers=commissioner.headers,
        json={"case_refs": ["HK-1", "SK-1"], "alternates": 2},
    )

    assert response.status_code == 200, response.text
    proposals = {p["case_ref"]: p for p in response.json()["proposals"]}
    # Under the service's five years Ed would review neither; under one policy for both, both or neither.
    assert proposals["HK-1"]["consultant_id"] == ed
    assert proposals["SK-1"]["consultant_id"] == flo
    assert [a["consultant_id"] for a in proposals["SK-1"]["alternates"]] == []
    assert response.json()["assigned"] == 2


# Capacity across partnerships --------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_two_partnerships_commissioning_the_last_place_at_once_let_exactly_one_through(
    world, commissioner, outsider, live_server
):
    """Rae has two places and holds one (for HAC). HAC's commissioner and SAL's ask for her at the same
    moment, each for their own case: one gets her, the other is told she is at capacity."""
    rae = consultant(world, "Rae Popular", capacity=2)
    commission(world, case(world, "HK-0"), rae, status=CommissionStatus.confirmed)
    case(world, "HK-1")
    case(world, "SK-1", area="southwark", agencies=("met-police",))
    start = threading.Barrier(2)

    def attempt(caller_and_ref) -> httpx.Response:  # type: ignore[no-untyped-def]
        caller, ref = caller_and_ref
        with httpx.Client(base_url=live_server, headers=caller.headers, timeout=60) as http:
            start.wait()
            return http.post(
                f"/api/v1/cases/{ref}/commissions", json={"consultant_id": rae, "role": "lead_reviewer"}
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(attempt, [(commissioner, "HK-1"), (outsider, "SK-1")]))

    assert sorted(r.status_code for r in responses) == [201, 409]
    (refused,) = [r for r in responses if r.status_code == 409]
    assert "Rae Popular is at capacity: 2 of 2 reviews in progress." in refused.json()["detail"]
    assert [f["rule"] for f in refused.json()["findings"]] == ["capacity.full"]
    world.expire_all()
    held = world.exec(select(Commission).where(Commission.consultant_id == rae)).all()
    assert len(held) == 2
    assert workload.places_held(session=world, consultant_id=rae) == 2


# The audit of a refusal --------------------------------------------------------------------------------


def test_a_refused_probe_of_another_boards_case_records_the_callers_partnership_roles(
    client, world, outsider
):
    case(world, "HK-1")

    response = client.get("/api/v1/cases/HK-1", headers=outsider.headers)

    assert response.status_code == 404
    (event,) = world.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    assert event.actor == outsider.email
    assert event.after["role"] == "member"
    assert event.after["roles"] == ["commissioner@SAL"]


def test_a_refusal_names_every_role_held_and_none_for_a_regional_role(client, world, persona):
    case(world, "HK-1")
    both = persona("chair", partnership="SAL")
    grant_role(world, email=both.email, role=Role.admin, partnership="SAL", actor="test")
    world.commit()
    analyst = persona("analyst")

    assert client.get("/api/v1/cases/HK-1", headers=both.headers).status_code == 404
    assert client.get("/api/v1/audit", headers=analyst.headers).status_code == 403

    events = world.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    roles = {event.actor: event.after["roles"] for event in events}
    assert roles == {both.email: ["admin@SAL", "chair@SAL"], analyst.email: []}
