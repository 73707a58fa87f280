"""One way to commit: store functions add and flush; the request, command or job around them commits.

On both databases: writes in one unit of work stand or fall together, a store write that fails leaves
nothing behind while the unit of work carries on (a savepoint, which on SQLite needs the service to
send BEGIN itself), and a request whose commit fails is answered with an error, not a success.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from core.audit import AuditEvent
from core.errors import Conflict
from core.transaction import atomic, unit_of_work
from registry.agencies import create_agency
from registry.consultants import create_consultant
from registry.models import Agency, AgencyCreate, ConsultantCreate


def agency(agency_id: str, *aliases: str) -> AgencyCreate:
    return AgencyCreate(
        id=agency_id, name=agency_id.title(), kind="police", area="Hackney", aliases=list(aliases)
    )


def stored(engine) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The agencies and the audit actions committed, read afresh."""
    with Session(engine) as fresh:
        agencies = [a.id for a in fresh.exec(select(Agency).order_by(Agency.id))]
        actions = [e.action for e in fresh.exec(select(AuditEvent).order_by(AuditEvent.id))]
    return agencies, actions


def test_writes_in_one_unit_of_work_commit_together_or_not_at_all(engine, session):
    with pytest.raises(RuntimeError), unit_of_work(engine) as work:
        create_agency(session=work, data=agency("met-police"), actor="test")
        create_consultant(session=work, data=ConsultantCreate(name="Ann", email="ann@x.org"), actor="test")
        raise RuntimeError("the command failed after both writes")
    assert stored(engine) == ([], [])

    with unit_of_work(engine) as work:
        create_agency(session=work, data=agency("met-police"), actor="test")
        create_consultant(session=work, data=ConsultantCreate(name="Ann", email="ann@x.org"), actor="test")
    assert stored(engine) == (["met-police"], ["agency.create", "consultant.create"])


def test_a_failed_write_leaves_nothing_and_the_unit_of_work_carries_on(engine, session):
    with unit_of_work(engine) as work:
        create_agency(session=work, data=agency("met-police", "the met"), actor="test")
        with pytest.raises(Conflict):
            create_agency(session=work, data=agency("city-police", "the met"), actor="test")
        with pytest.raises(RuntimeError), atomic(session=work):
            work.add(Agency(id="half-written", name="Half", kind="police", area="Hackney"))
            work.flush()
            raise RuntimeError("failed after writing")
        create_agency(session=work, data=agency("btp"), actor="test")
    assert stored(engine) == (["btp", "met-police"], ["agency.create", "agency.create"])


def test_a_savepoint_belongs_to_the_transaction_around_it(engine, session):
    """A savepoint released as the transaction's first statement must not commit on its own."""
    with pytest.raises(RuntimeError), unit_of_work(engine) as work:
        with atomic(session=work):
            work.add(Agency(id="met-police", name="Met", kind="police", area="London"))
        raise RuntimeError("the unit of work fails after the savepoint")
    assert stored(engine) == ([], [])


def test_a_request_whose_commit_fails_gets_an_error_and_saves_nothing(engine, session, admin, monkeypatch):
    from service.app import create_app

    def refuse(_: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", refuse)
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        body = {"id": "met-police", "name": "Met", "kind": "police", "area": "London"}
        response = client.post("/api/v1/agencies", json=body, headers=admin.headers)
    monkeypatch.undo()
    assert response.status_code == 500
    assert stored(engine)[0] == []


def test_every_route_commits_before_its_response_is_validated(engine):
    """The commit runs in the route's own worker thread: waiting for another while holding locks that
    other requests' threads wait for could stall them all."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from service.app import create_app
    from service.db import UnitOfWorkRoute

    contexts = iter_route_contexts(create_app().routes)
    routes = [context.route for context in contexts if isinstance(context.route, APIRoute)]
    assert len(routes) > 80
    assert [route.path for route in routes if not isinstance(route, UnitOfWorkRoute)] == []
