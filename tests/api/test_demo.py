"""The demo data: an invented approved list, a region of three partnerships with their people, and a few
cases, loaded into an empty service all at once (``scr demo load``, ``scr serve --demo``)."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from commissioning import partnerships
from registry.agencies import list_agencies, resolve_agency
from registry.consultants import list_consultants
from registry.models import Consultant
from registry.records import REVIEW, engagements_since, list_records
from registry.vocabulary import EngagementKind
from service.cli import app as cli
from service.models import User

API = "/api/v1"
TODAY = date(2026, 6, 1)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def tokens_printed(output: str) -> dict[str, str]:
    """The users ``scr demo load`` printed, email -> token (each user's line starts with two spaces)."""
    lines = [line.split() for line in output.splitlines() if line.startswith("  ")]
    return {words[0]: words[-1] for words in lines}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_demo_load_prints_every_user_with_a_working_token_and_refuses_a_second_load(runner, client, session):
    result = runner.invoke(cli, ["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "3 partnerships (CHS, CAM, ISL), 4 cases" in result.stdout
    tokens = tokens_printed(result.stdout)
    assert set(tokens) == {
        "list-admin@demo.example.org",
        "analyst@demo.example.org",
        "bot@demo.example.org",
        *(
            f"{role}.{p}@demo.example.org"
            for role in ("chair", "commissioner", "admin")
            for p in ("chs", "cam", "isl")
        ),
    }
    assert "chair of CAM, commissioner of ISL" in result.stdout
    chair = bearer(tokens["chair.chs@demo.example.org"])
    page = client.get(f"{API}/consultants", params={"limit": 200}, headers=chair).json()
    assert page["total"] == 40
    assert len(client.get(f"{API}/agencies", headers=chair).json()) == 30
    statuses = [item["status"] for item in page["items"]]
    assert {s: statuses.count(s) for s in set(statuses)} == {
        "approved": 30,
        "applied": 4,
        "suspended": 3,
        "removed": 3,
    }
    assert client.post(f"{API}/agencies", json={}, headers=chair).status_code == 403
    again = runner.invoke(cli, ["demo", "load"])
    assert again.exit_code == 1
    assert "already has agencies or consultants" in again.output


def test_demo_load_goes_into_an_empty_service_only_and_writes_nothing_otherwise(runner, session):
    partnerships.add_partnership(
        session, name="Camden partnership", prefix="CMD", areas=["camden"], actor="t"
    )
    session.commit()

    result = runner.invoke(cli, ["demo", "load"])

    assert result.exit_code == 1
    assert "The service already has partnerships; demo data goes into an empty one." in result.output
    assert session.exec(select(func.count()).select_from(Consultant)).one() == 0
    assert session.exec(select(User)).all() == []


def test_serve_with_demo_loads_an_empty_registry_once_then_serves(runner, session, monkeypatch):
    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(kwargs["port"]))
    first = runner.invoke(cli, ["serve", "--demo", "--port", "8123"])
    assert "Demo data loaded" in first.output
    assert "chair.chs@demo.example.org" in first.output
    second = runner.invoke(cli, ["serve", "--demo", "--port", "8124"])
    assert "Demo data not loaded" in second.output
    assert served == [8123, 8124]


@pytest.fixture
def region(session) -> dict[str, dict[str, str]]:
    """The demo loaded for ``TODAY``: each user's headers, by email's local part."""
    from service import demo

    loaded = demo.load(session=session, today=TODAY)
    session.commit()
    assert loaded.refs == ["CHS-2026-0001", "CHS-2026-0002", "CAM-2026-0001", "ISL-2026-0001"]
    return {user.email.split("@")[0]: bearer(user.token) for user in loaded.users}


def refs_seen(client, headers) -> list[str]:
    response = client.get(f"{API}/cases", headers=headers)
    assert response.status_code == 200, response.text
    return sorted(case["ref"] for case in response.json()["items"])


def test_the_demo_region_has_three_partnerships_one_over_two_areas_and_a_contributed_case(client, region):
    listed = client.get(f"{API}/partnerships", headers=region["list-admin"]).json()
    assert {(p["prefix"], tuple(p["areas"])) for p in listed} == {
        ("CHS", ("city-of-london", "hackney")),
        ("CAM", ("camden",)),
        ("ISL", ("islington",)),
    }
    islington = next(p for p in listed if p["prefix"] == "ISL")
    assert islington["policy"]["independence_policy"] == {"employment_block_years": 7}

    # A Camden child harmed in Hackney (2023 edition): Hackney's partnership leads, Camden's contributes.
    case = client.get(f"{API}/cases/CHS-2026-0002", headers=region["chair.cam"]).json()
    assert (case["features"]["area"], case["features"]["incident_area"]) == ("camden", "hackney")
    assert (case["partnership"], case["contributing"]) == ("CHS", ["CAM"])
    assert refs_seen(client, region["chair.chs"]) == ["CHS-2026-0001", "CHS-2026-0002"]
    assert refs_seen(client, region["commissioner.cam"]) == ["CAM-2026-0001", "CHS-2026-0002"]
    assert refs_seen(client, region["admin.isl"]) == ["ISL-2026-0001"]
    # Camden's chair also commissions for Islington, so reads its case; Islington's people never see
    # another board's.
    assert refs_seen(client, region["chair.cam"]) == ["CAM-2026-0001", "CHS-2026-0002", "ISL-2026-0001"]
    assert client.get(f"{API}/cases/CHS-2026-0002", headers=region["chair.isl"]).status_code == 404
    assert client.get(f"{API}/cases", headers=region["analyst"]).status_code == 403

    decided = client.get(f"{API}/cases/CHS-2026-0001", headers=region["commissioner.chs"]).json()
    assert decided["board_decision"]["accepted"] is True
    assert decided["board_decision"]["decided_by"] == "chair.chs@demo.example.org"


def test_the_demo_exercises_every_independence_rule(session):
    from service import demo

    today = TODAY
    demo.load(session=session, today=today)
    everything = engagements_since(
        session=session,
        agency_ids=[agency.id for agency in list_agencies(session=session)],
        kinds=list(EngagementKind),
        since=date(1900, 1, 1),
    )
    kinds = {engagement.kind for engagement in everything}
    assert kinds == {"employed", "contracted", "board_member", "line_manager", "reviewed", "personal_link"}
    years_since_leaving = sorted(
        today.year - e.end_date.year
        for e in engagements_since(
            session=session,
            agency_ids=["hackney-csc", "islington-csc", "camden-csc", "haringey-csc"],
            kinds=["employed"],
            since=date(1900, 1, 1),
        )
        if e.end_date is not None
    )
    assert {1, 4, 6, 11} <= set(years_since_leaving)
    current_scrutineer = engagements_since(
        session=session, agency_ids=["hackney-scp"], kinds=["board_member"], since=today
    )
    assert [e.end_date for e in current_scrutineer] == [None]
    assert resolve_agency(session=session, name="London Borough of Hackney").id == "hackney-csc"
    expiring = list_consultants(session=session, status="approved", expiring_within_days=90, today=today)
    assert 5 <= expiring.total <= 20
    ratings = {
        review.rating
        for consultant in list_consultants(session=session, limit=200).items
        for review in list_records(session=session, kind=REVIEW, consultant_id=consultant.id)
    }
    assert {1, 2, 3, 4} <= ratings


def test_the_demo_is_the_same_every_time_for_the_same_day():
    from service import demo, demo_region

    assert demo._plans(TODAY) == demo._plans(TODAY)
    assert demo_region._cases(TODAY) == demo_region._cases(TODAY)
