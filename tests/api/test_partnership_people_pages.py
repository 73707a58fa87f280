"""The users pages and partnerships: a person's roles shown in words and granted or taken per partnership;
a partnership's admins manage the people of their own partnership only; list admins manage everyone and
give the regional roles."""

import re

import pytest
from factories import create_person, other_partnership
from security.admin_pages_client import signed_in_as
from sqlmodel import select

from core.audit import AuditEvent
from service.models import Role, User
from service.users import roles_of


@pytest.fixture
def hac_admin(session, persona):  # type: ignore[no-untyped-def]
    """An admin of the home partnership (HAC) only: no regional role."""
    return persona("admin", partnership="HAC")


@pytest.fixture
def sal_chair(session) -> User:  # type: ignore[no-untyped-def]
    other_partnership(session)
    user = create_person(
        session, email="sol@board.example.org", role=Role.chair, partnership="SAL", display_name="Sol"
    )
    session.commit()
    return user


def post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": client.token}, follow_redirects=False)


def change_role(client, user_id: int, partnership: str, role: str, *, remove: bool = False):  # type: ignore[no-untyped-def]
    """Post the person page's form granting (or, with ``remove``, taking away) ``role`` in ``partnership``."""
    path = f"/admin/users/{user_id}/roles" + ("/remove" if remove else "")
    return post(client, path, {"grant_partnership": partnership, "grant_role": role})


def held(session, user_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [(p.prefix, role.value) for p, role in roles_of(session, user_id)]


def test_a_list_admin_grants_and_removes_a_role_shown_in_words(client, session, admin, sal_chair):
    signed_in_as(client, session, admin.email, page=f"/admin/users/{sal_chair.id}")
    page = client.get(f"/admin/users/{sal_chair.id}").text
    assert "<dd>Chair, Southwark and Lambeth test partnership</dd>" in page
    response = change_role(client, sal_chair.id, "HAC", "commissioner")
    assert response.status_code == 303
    assert held(session, sal_chair.id) == [("HAC", "commissioner"), ("SAL", "chair")]
    page = client.get(f"/admin/users/{sal_chair.id}").text
    assert "Sol is now commissioner, Hackney test partnership." in page
    assert "Commissioner, Hackney test partnership; chair, Southwark and Lambeth test partnership" in page
    response = change_role(client, sal_chair.id, "SAL", "chair", remove=True)
    assert response.status_code == 303
    assert held(session, sal_chair.id) == [("HAC", "commissioner")]


def test_a_grant_without_its_choices_is_refused_beside_the_fields(client, session, admin, sal_chair):
    signed_in_as(client, session, admin.email, page=f"/admin/users/{sal_chair.id}")
    response = change_role(client, sal_chair.id, "", "boss")
    assert response.status_code == 422
    assert re.search(r'id="grant_partnership-error">.*Choose a partnership', response.text, re.S)
    assert re.search(r'id="grant_role-error">.*Choose admin, commissioner or chair', response.text, re.S)
    assert held(session, sal_chair.id) == [("SAL", "chair")]


def test_a_list_admin_gives_and_takes_a_regional_role(client, session, admin, sal_chair):
    signed_in_as(client, session, admin.email, page=f"/admin/users/{sal_chair.id}")
    assert post(client, f"/admin/users/{sal_chair.id}/regional", {"regional": "analyst"}).status_code == 303
    session.expire_all()
    assert session.get(User, sal_chair.id).role == Role.analyst
    assert "Analyst; chair, Southwark" in client.get("/admin/users").text
    assert post(client, f"/admin/users/{sal_chair.id}/regional", {"regional": ""}).status_code == 303
    session.expire_all()
    assert session.get(User, sal_chair.id).role == Role.member
    refused = post(client, f"/admin/users/{admin.user_id}/regional", {"regional": ""})
    assert refused.status_code == 409 and "your own regional role" in refused.text


def test_a_partnerships_admin_sees_and_manages_only_their_own_people(
    client, session, hac_admin, chair, sal_chair
):
    signed_in_as(client, session, hac_admin.email, page="/admin/users")
    listing = client.get("/admin/users").text
    assert chair.email in listing and "sol@board.example.org" not in listing
    assert client.get(f"/admin/users/{sal_chair.id}").status_code == 404
    refused = change_role(client, sal_chair.id, "HAC", "chair")
    assert refused.status_code == 404
    assert held(session, sal_chair.id) == [("SAL", "chair")]
    page = client.get(f"/admin/users/{chair.user_id}").text
    assert '<option value="SAL">' not in page and "Regional role" not in page
    refused = change_role(client, chair.user_id, "SAL", "chair")
    assert refused.status_code == 422 and "Choose one of the partnerships you run" in refused.text
    granted = change_role(client, chair.user_id, "HAC", "commissioner")
    assert granted.status_code == 303
    assert held(session, chair.user_id) == [("HAC", "chair"), ("HAC", "commissioner")]
    assert (
        post(client, f"/admin/users/{chair.user_id}/regional", {"regional": "list_admin"}).status_code == 403
    )


def test_a_partnerships_admin_adds_a_person_to_their_partnership_only(client, session, hac_admin, sal_chair):
    signed_in_as(client, session, hac_admin.email, page="/admin/users/new")
    form = client.get("/admin/users/new").text
    assert '<option value="list_admin"' not in form and '<option value="SAL"' not in form
    person = {"display_name": "Ann", "email": "ann@board.example.org", "slack_user_id": ""}
    refused = post(client, "/admin/users/new", {**person, "role": "list_admin", "partnership": ""})
    assert refused.status_code == 422 and "Choose admin, commissioner or chair" in refused.text
    refused = post(client, "/admin/users/new", {**person, "role": "chair", "partnership": "SAL"})
    assert refused.status_code == 422 and "Choose one of the partnerships you run" in refused.text
    assert session.exec(select(User).where(User.email == "ann@board.example.org")).first() is None
    added = post(client, "/admin/users/new", {**person, "role": "chair", "partnership": "HAC"})
    assert added.status_code == 303
    ann = session.exec(select(User).where(User.email == "ann@board.example.org")).one()
    assert held(session, ann.id) == [("HAC", "chair")]


def test_a_partnerships_admin_leaves_a_person_with_roles_elsewhere_to_a_list_admin(
    client, session, hac_admin, sal_chair
):
    create_person(session, email="sol2@board.example.org", role=Role.chair, actor="t", partnership="HAC")
    from service.users import grant_role

    grant_role(session, email="sol@board.example.org", role=Role.commissioner, partnership="HAC", actor="t")
    session.commit()
    signed_in_as(client, session, hac_admin.email, page=f"/admin/users/{sal_chair.id}")
    page = client.get(f"/admin/users/{sal_chair.id}").text
    assert "also holds roles outside the partnerships you run" in page
    assert "Revoke access" not in page
    refused = post(client, f"/admin/users/{sal_chair.id}/revoke", {})
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(User, sal_chair.id).active
    before = len(session.exec(select(AuditEvent).where(AuditEvent.action == "user.ungrant")).all())
    removed = change_role(client, sal_chair.id, "HAC", "commissioner", remove=True)
    assert removed.status_code == 303
    assert held(session, sal_chair.id) == [("SAL", "chair")]
    assert (
        len(session.exec(select(AuditEvent).where(AuditEvent.action == "user.ungrant")).all()) == before + 1
    )


def test_chairs_and_commissioners_are_refused_the_users_pages(client, session, chair):
    signed_in_as(client, session, chair.email, page="/admin/cases")
    refused = client.get("/admin/users")
    assert refused.status_code == 403
    assert "This page is for list admins and the admins of partnerships" in refused.text
    nav = client.get("/admin/cases").text
    assert 'href="/admin/users"' not in nav and 'href="/admin/consultants"' not in nav
    assert 'href="/admin/cases"' in nav and 'href="/admin/partnerships"' in nav
