"""The retention purge in the service's own loop: once a day, whichever of several sessions (replicas)
claims it first; a failed purge leaves no claim behind, so the next look runs it."""

import threading
import time
from datetime import timedelta

import pytest
from factories import HARM_2020
from sqlmodel import Session, select, update

from commissioning.models import Case, CaseStatusChange
from core import clock
from core.audit import AuditEvent
from registry.lifecycle import add_years
from service import daily_jobs
from service.slack_state import SlackClaim

API = "/api/v1"
REASON = "The review is published and its plan is done."


def closed_long_ago(client, session: Session, chair) -> str:  # type: ignore[no-untyped-def]
    """A case closed with a reason more than the retention period ago."""
    made = client.post(f"{API}/cases", headers=chair.headers, json={"features": HARM_2020})
    ref = made.json()["ref"]
    closed = client.post(f"{API}/cases/{ref}/close", headers=chair.headers, json={"reason": REASON})
    assert closed.status_code == 200, closed.text
    long_ago = add_years(clock.today(), -7) - timedelta(days=1)
    session.exec(update(Case).where(Case.ref == ref).values(closed_on=long_ago))  # type: ignore[call-overload]
    session.commit()
    return ref


def purges(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "case.purge")))


def test_two_sessions_at_once_purge_once_a_day(client, session: Session, engine, chair):
    ref = closed_long_ago(client, session, chair)
    today = clock.today()
    start = threading.Barrier(2)
    results = []

    def replica() -> None:
        start.wait()
        results.append(daily_jobs.run_once(engine, today=today))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ran = [report for report in results if report is not None]
    assert len(results) == 2 and len(ran) == 1
    assert [case.ref for case in ran[0].cases] == [ref]
    assert ran[0].cases[0].fields["case_notes"] == 1
    (event,) = purges(session)
    assert (event.entity_id, event.actor) == (ref, daily_jobs.ACTOR)
    assert session.exec(select(CaseStatusChange.reason)).all() == [None]
    claim = session.get(SlackClaim, daily_jobs.key(today))
    assert claim is not None and claim.detail == {"cases": 1}
    assert daily_jobs.run_once(engine, today=today) is None  # today's is done
    assert daily_jobs.run_once(engine, today=today + timedelta(days=1)).cases == []  # type: ignore[union-attr]


def test_a_failed_purge_leaves_no_claim(session: Session, engine, monkeypatch: pytest.MonkeyPatch):
    def broken(**_: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(daily_jobs.retention_store, "purge", broken)
    with pytest.raises(RuntimeError):
        daily_jobs.run_once(engine, today=clock.today())
    session.expire_all()
    assert session.get(SlackClaim, daily_jobs.key(clock.today())) is None


def test_the_service_runs_the_purge_in_its_own_loop(client, session: Session, chair, environment):
    from fastapi.testclient import TestClient

    from service.app import create_app

    ref = closed_long_ago(client, session, chair)  # on a service without the loop: nothing purges it
    assert purges(session) == []
    environment(SCR_RETENTION_PURGE_CHECK_SECONDS="3600")
    with TestClient(create_app()):
        deadline = time.monotonic() + 20
        while not purges(session):
            assert time.monotonic() < deadline, "the service's loop never purged"
            time.sleep(0.1)
    assert [event.entity_id for event in purges(session)] == [ref]
    assert session.get(SlackClaim, daily_jobs.key(clock.today())) is not None
