"""The service's foundation: health, readiness, authentication, the audit log and migrations."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from core import audit
from core.audit import AuditEvent
from service.users import revoke_user


def test_healthz_answers_without_a_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_schema_at_head(client):
    from service.migrate import head_revision

    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "schema": head_revision()}


def test_openapi_docs_are_published(client):
    assert client.get("/docs").status_code == 200
    assert "/api/v1/audit" in client.get("/openapi.json").json()["paths"]


def test_a_missing_token_gets_401_saying_how_to_sign_in(client):
    response = client.get("/api/v1/audit")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_bad_token_gets_401(client):
    response = client.get("/api/v1/audit", headers={"Authorization": "Bearer scr_not-a-token"})
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_a_wrong_scheme_gets_401(client, admin):
    response = client.get("/api/v1/audit", headers={"Authorization": f"Basic {admin.token}"})
    assert response.status_code == 401


def test_the_audit_log_is_for_admins_only(client, chair):
    response = client.get("/api/v1/audit", headers=chair.headers)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "The audit log is read by list admins, and by partnerships' admins for their own partnership. "
        "You are signed in as chair of Hackney test partnership."
    )


def test_a_revoked_token_stops_working(client, session, admin):
    assert client.get("/api/v1/audit", headers=admin.headers).status_code == 200
    revoke_user(session, email=admin.email, actor="test")
    session.commit()
    assert client.get("/api/v1/audit", headers=admin.headers).status_code == 401


def test_adding_a_user_is_audited_and_filterable_by_entity(client, admin):
    response = client.get(
        "/api/v1/audit",
        params={"entity_type": "user", "entity_id": str(admin.user_id)},
        headers=admin.headers,
    )
    assert response.status_code == 200
    events = response.json()
    assert [event["action"] for event in events] == ["user.add"]
    assert events[0]["after"]["email"] == admin.email
    assert "token_hash" not in events[0]["after"]


def test_the_audit_chain_holds_until_a_row_is_edited_directly(
    session, owner_bypass, admin, chair, commissioner
):
    assert audit.verify(audit.history(session)) is None
    second = audit.history(session)[1]
    owner_bypass("UPDATE audit_event SET actor = 'someone-else' WHERE id = :id", id=second.id)
    session.expire_all()
    broken = audit.verify(audit.history(session))
    assert broken is not None
    assert broken.event_id == second.id
    assert "edited" in broken.problem


def test_a_deleted_audit_event_is_reported_at_the_next_one(session, owner_bypass, admin, chair, commissioner):
    events = audit.history(session)
    owner_bypass("DELETE FROM audit_event WHERE id = :id", id=events[1].id)
    session.expire_all()
    broken = audit.verify(audit.history(session))
    assert broken is not None
    assert broken.event_id == events[2].id
    assert "deleted" in broken.problem


def test_an_audit_event_rolls_back_with_its_change(session, engine):
    audit.record(session, actor="test", action="thing.add", entity_type="thing", entity_id=1, after={"a": 1})
    session.rollback()
    with Session(engine) as other:
        assert other.exec(select(func.count()).select_from(AuditEvent)).one() == 0


def test_migrations_from_empty_build_exactly_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
