"""The per-process copy of the approved list: read at the list's version, dropped when any process
writes to the list, kept when a write rolls back, and answering exactly as reading the list afresh."""

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from factories import (
    TODAY,
    agency,
    case,
    consultant,
    engagement,
    hackney,
    interest,
    rating,
    saved,
)
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlmodel import Session

from commissioning import commissions
from commissioning.models import Commission, CommissionStatus
from commissioning.workload import workload as workload_since
from core.transaction import atomic, unit_of_work
from matching import candidates, profile_cache
from matching.policy import IndependencePolicy
from registry import consultants, records, version
from registry.lifecycle import Action
from registry.models import Absence, EngagementCreate
from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind
from service.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(session):
    hackney(session)
    case(session, "HK-1", neglect=True)
    return session


def candidate_ids(client, persona):
    response = client.get("/api/v1/cases/HK-1/shortlist", headers=persona.headers)
    assert response.status_code == 200, response.text
    return [c["consultant_id"] for c in response.json()["candidates"]]


def committed_version(engine) -> int:
    with Session(engine) as session:
        found = version.current(session)
    assert found is not None
    return found


def test_the_shortlist_reads_the_list_once_and_then_from_the_copy_while_nothing_changes(
    client, world, commissioner, engine
):
    ada = consultant(world, "Ada Reviewer")
    counts = profile_cache.for_session(world).counts
    reads = counts.reads

    assert candidate_ids(client, commissioner) == [ada]
    hits = counts.hits
    assert candidate_ids(client, commissioner) == [ada]

    assert (counts.reads, counts.hits) == (reads + 1, hits + 1)


def cache_events(result: str) -> float:
    return (
        REGISTRY.get_sample_value("scr_cache_events_total", {"cache": profile_cache.CACHE, "result": result})
        or 0.0
    )


def test_the_copy_counts_its_hits_and_its_stale_reads_in_the_service_metrics(
    client, world, commissioner, engine
):
    ada = consultant(world, "Ada Reviewer")
    assert candidate_ids(client, commissioner) == [ada]  # the copy is read, and kept
    hits, stale = cache_events("hit"), cache_events("stale")

    assert candidate_ids(client, commissioner) == [ada]
    assert (cache_events("hit"), cache_events("stale")) == (hits + 1, stale)

    with unit_of_work(engine) as session:
        consultants.change_status(
            session=session, consultant_id=ada, action=Action.suspend, reason="Under review.", actor="t"
        )
    assert candidate_ids(client, commissioner) == []
    assert (cache_events("hit"), cache_events("stale")) == (hits + 1, stale + 1)


def test_a_write_in_another_process_changes_the_next_shortlist_here(
    client, world, commissioner, database_url
):
    ada, ben = consultant(world, "Ada Reviewer"), consultant(world, "Ben Reviewer")
    assert candidate_ids(client, commissioner) == [ada, ben]  # the copy is read, and kept
    script = textwrap.dedent(
        f"""
        import service.models  # the tables the list's records name
        from core.transaction import unit_of_work
        from registry import consultants
        from registry.lifecycle import Action
        from service.db import get_engine

        with unit_of_work(get_engine()) as session:
            consultants.change_status(
                session=session, consultant_id={ada}, action=Action.suspend, reason="Under review.",
                actor="admin@board.example.org",
            )
        """
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "SCR_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr

    assert candidate_ids(client, commissioner) == [ben]


def test_a_write_through_a_second_engine_with_a_copy_of_its_own_changes_the_next_shortlist(
    client, world, commissioner, database_url
):
    ada, ben = consultant(world, "Ada Reviewer"), consultant(world, "Ben Reviewer")
    assert candidate_ids(client, commissioner) == [ada, ben]
    other = make_engine(database_url)  # as another worker or replica holds its own engine and copy
    try:
        with unit_of_work(other) as session:
            assert candidates_in(session) == [ada, ben]
            records.add_record(
                session=session,
                kind=records.ENGAGEMENT,
                consultant_id=ben,
                data=EngagementCreate(agency_id="Hackney CSC", role_title="Social worker", kind="employed"),
                actor="admin@board.example.org",
            )
        assert candidate_ids(client, commissioner) == [ada]
        with Session(other) as session:
            assert candidates_in(session) == [ada]  # and the writer's own copy moved with it
    finally:
        other.dispose()


def candidates_in(session: Session) -> list[int]:
    from commissioning.shortlists import shortlist_for
    from matching.policy import RankingPolicy

    result = shortlist_for(
        session=session, ref="HK-1", policy=IndependencePolicy(), ranking=RankingPolicy(), today=TODAY
    )
    session.rollback()
    return [c.consultant.id for c in result.shortlist.candidates]


def test_a_rolled_back_write_leaves_the_version_and_the_copy_alone(client, world, commissioner, engine):
    ada = consultant(world, "Ada Reviewer")
    assert candidate_ids(client, commissioner) == [ada]
    before = committed_version(engine)
    counts = profile_cache.for_session(world).counts
    reads = counts.reads

    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        consultants.change_status(
            session=session, consultant_id=ada, action=Action.suspend, reason="Under review.", actor="t"
        )
        raise RuntimeError("the request failed after the write")
    # A write undone by its savepoint, in a transaction that commits.
    with unit_of_work(engine) as session, pytest.raises(RuntimeError), atomic(session=session):
        consultants.change_status(
            session=session, consultant_id=ada, action=Action.suspend, reason="Under review.", actor="t"
        )
        raise RuntimeError("the store call failed")

    assert committed_version(engine) == before
    assert candidate_ids(client, commissioner) == [ada]
    assert counts.reads == reads


def test_a_transaction_that_has_written_sees_its_own_writes_and_leaves_no_copy_behind(world, engine):
    ada = consultant(world, "Ada Reviewer")
    assert candidates_in(world) == [ada]

    with Session(engine) as session:
        engagement(session, ada, "homerton", EngagementKind.employed)  # committed by the factory
    with Session(engine) as session:
        assert candidates_in(session) == []
        session.add(Absence(consultant_id=ada, start_date=TODAY, end_date=TODAY))  # not committed
        session.flush()
        snapshot = profile_cache.snapshot(session)
        assert snapshot.version is None
        session.rollback()
    with Session(engine) as session:
        assert profile_cache.snapshot(session).version == committed_version(engine)


def test_each_table_of_the_list_raises_the_version_when_written(world, engine):
    ada = consultant(world, "Ada Reviewer")
    writes = {
        "agency": lambda s: agency(s, "islington-csc", "Islington CSC", area="islington", aliases=()),
        "agency_alias": lambda s: s.execute(
            text("INSERT INTO agency_alias (alias, agency_id) VALUES ('islington', 'islington-csc')")
        ),
        "consultant": lambda s: consultant(s, "Ben Reviewer"),
        "engagement": lambda s: engagement(s, ada, "homerton", EngagementKind.reviewed),
        "interest": lambda s: interest(s, ada, case_ref="HK-1"),
        "absence": lambda s: saved(s, Absence, consultant_id=ada, start_date=TODAY, end_date=TODAY),
        "accreditation": lambda s: s.execute(
            text("INSERT INTO accreditation (consultant_id, name, awarded_on) VALUES (:id, 'x', :on)"),
            {"id": ada, "on": TODAY},
        ),
        "review_record": lambda s: rating(s, ada, 3),
    }
    assert set(writes) == set(version.TABLES)
    for table, write in writes.items():
        before = committed_version(engine)
        with Session(engine) as session:
            write(session)
            session.commit()
        assert committed_version(engine) > before, table
    before = committed_version(engine)
    with Session(engine) as session:
        session.execute(text("DELETE FROM absence"))
        session.commit()
    assert committed_version(engine) > before


@pytest.mark.postgres_only
def test_on_postgresql_a_transaction_raises_the_version_once_and_truncate_raises_it(world, engine):
    ada = consultant(world, "Ada Reviewer")
    before = committed_version(engine)
    with Session(engine) as session:
        for day in range(5):
            session.add(Absence(consultant_id=ada, start_date=TODAY, end_date=TODAY + timedelta(days=day)))
        rating(session, ada, 4)  # commits everything in one transaction
    assert committed_version(engine) == before + 1
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE absence"))
    assert committed_version(engine) == before + 2


def test_the_copy_answers_as_reading_the_list_afresh(world, engine):
    """Every kind of record and status, on both sides of each date the checks and filters turn on."""
    camden = case(world, "CA-1", area="camden", agencies=("camden-csc", "Hackney CSC"))
    case(world, "HK-2", agencies=("hackney-csc", "unknown-agency"))
    policy = IndependencePolicy()
    people = [
        consultant(world, "Ada Reviewer", areas=["Hackney"], languages=["Turkish"], specialisms=["neglect"]),
        consultant(world, "Ben Applied", status=ConsultantStatus.applied),
        consultant(world, "Cy Suspended", status=ConsultantStatus.suspended),
        consultant(world, "Di Removed", status=ConsultantStatus.removed),
        consultant(world, "Ed Old Check", dbs_check_date=TODAY - timedelta(days=3 * 366)),
        consultant(world, "Flo Uninsured", insurance_expiry=None),
        consultant(world, "Gus Lapsed", insurance_expiry=TODAY - timedelta(days=1)),
        consultant(world, "Hal Registered", registration_expiry=TODAY),
        consultant(world, "Ivy Full", capacity=1),
        consultant(world, "Jo Busy", capacity=3),
    ]
    ada, *_, ivy, jo = people
    for person in people:
        rating(world, person, 3)
    engagement(world, ada, "hackney-csc", EngagementKind.employed, end_date=TODAY - timedelta(days=900))
    engagement(world, ada, "camden-csc", EngagementKind.reviewed)
    engagement(world, jo, "chscp", EngagementKind.board_member)
    engagement(world, jo, "met-police", EngagementKind.contracted)
    interest(world, ada, case_ref="HK-1")
    interest(world, jo, agency_id="homerton")
    interest(world, ivy, case_ref="CA-1", agency_id="camden-csc")
    saved(world, Absence, consultant_id=ada, start_date=TODAY, end_date=TODAY + timedelta(days=9))
    saved(
        world,
        Absence,
        consultant_id=jo,
        start_date=TODAY - timedelta(days=20),
        end_date=TODAY - timedelta(days=1),
    )
    saved(world, Commission, case_id=camden, consultant_id=ivy, role="lead_reviewer", created_by="t")
    saved(
        world,
        Commission,
        case_id=camden,
        consultant_id=jo,
        role="lead_reviewer",
        created_by="t",
        status=CommissionStatus.confirmed,
    )
    agency(
        world,
        "islington-sp",
        "Islington Partnership",
        kind=AgencyKind.safeguarding_partnership,
        area="Islington",
    )

    with Session(engine) as session:
        snapshot = profile_cache.snapshot(session)
        assert snapshot.version is not None
        for refs in (["HK-1"], ["CA-1"], ["HK-2"], ["HK-1", "CA-1", "HK-2"]):
            contexts = [commissions.context_of(session=session, ref=ref) for ref in refs]
            names = [
                *candidates.agency_names(contexts),
                "HACKNEY  csc",
                " met-police ",
                "Camden Children's Social Care",
            ]
            agencies = candidates.resolve_agencies(session=session, names=names)
            assert snapshot.agencies(names) == agencies
            for day in (TODAY, TODAY + timedelta(days=5), TODAY + timedelta(days=400)):
                held = workload_since(since=day - timedelta(days=365))
                for available_only in (True, False):
                    asked = {"session": session, "contexts": contexts, "agencies": agencies, "policy": policy}
                    asked |= {"today": day, "workload": held, "available_only": available_only}
                    fresh = candidates.load_profiles(**asked)
                    cached = snapshot.profiles_for(**asked)
                    assert in_order(cached) == in_order(fresh), (refs, day, available_only)
        for area in ("hackney", " HACKNEY ", "islington", "camden", "nowhere"):
            assert snapshot.partnership_for(area) == candidates.partnership_for(session=session, area=area)


def in_order(found):
    """Profiles by id, each one's records by id (reading afresh leaves their order to the database)."""
    return sorted(
        (
            profile.id,
            replace(
                profile,
                engagements=tuple(sorted(profile.engagements, key=lambda e: e.id)),
                interests=tuple(sorted(profile.interests, key=lambda i: i.id)),
                recent_commissions=tuple(sorted(profile.recent_commissions, key=lambda c: c.id)),
            ),
        )
        for profile in found
    )
