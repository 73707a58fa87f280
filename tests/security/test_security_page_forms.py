"""The admin pages' forms are taken only from the service's own pages (``Origin``, or ``Referer``), as
well as with the session's token; every 403 on the pages to a signed-in user is audited as
``access.refused``, as the API's are (issue 13, item 14)."""

from collections.abc import Iterator

import pytest
from admin_pages_client import csrf_from, sign_in, with_password
from sqlmodel import select

from core.audit import AuditEvent
from registry.models import Agency
from service.settings import get_settings

AGENCY = {"id": "forms-agency", "name": "Forms Agency", "kind": "other", "area": "Camden"}


@pytest.fixture
def admin_browser(client, session, admin):  # type: ignore[no-untyped-def]
    """A client signed in as an admin, sending no ``Origin`` unless a test gives one."""
    with_password(session, admin.email)
    assert sign_in(client, admin.email, Origin="http://testserver").status_code == 303
    client.token = csrf_from(client.get("/admin/agencies/new").text)
    return client


def add_agency(client, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/agencies/new",
        data={**AGENCY, "csrf_token": client.token},
        headers=headers,
        follow_redirects=False,
    )


def refusals(session) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all())


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8080"},
        {"Origin": "https://testserver"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/admin/agencies/new"},
        {},
    ],
    ids=[
        "another site",
        "a look-alike host",
        "another port",
        "another scheme",
        "null",
        "another referer",
        "none",
    ],
)
def test_a_form_from_anywhere_else_is_refused_even_with_the_token(
    admin_browser, session, admin, headers
) -> None:
    response = add_agency(admin_browser, **headers)
    assert response.status_code == 403
    assert "did not come from this service" in response.text
    session.expire_all()
    assert session.get(Agency, AGENCY["id"]) is None
    (event,) = refusals(session)
    assert event.actor == admin.email
    assert event.entity_id == f"user:{admin.user_id}"
    assert event.after["route"] == "/admin/agencies/new"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Origin": "HTTP://TestServer:80"},
        {"Referer": "http://testserver/admin/agencies/new"},
    ],
    ids=["its origin", "its origin, written otherwise", "its referer, no origin"],
)
def test_a_form_from_the_service_s_own_page_is_taken(admin_browser, session, headers) -> None:
    assert add_agency(admin_browser, **headers).status_code == 303
    session.expire_all()
    assert session.get(Agency, AGENCY["id"]) is not None
    assert refusals(session) == []


@pytest.fixture
def public_address(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The service's public address in SCR_SERVICE_URL, as behind a proxy that ends TLS."""
    monkeypatch.setenv("SCR_SERVICE_URL", "https://scr.example.org")
    get_settings.cache_clear()
    yield "https://scr.example.org"
    get_settings.cache_clear()


def test_the_configured_service_address_is_the_service_s_own_origin(admin_browser, session, public_address):
    assert add_agency(admin_browser, Origin=public_address).status_code == 303
    session.expire_all()
    assert session.get(Agency, AGENCY["id"]) is not None


def test_sign_in_from_another_site_is_refused(client, session, admin) -> None:
    """A page elsewhere cannot sign a visitor in to an account of its choosing (login CSRF)."""
    with_password(session, admin.email)
    response = sign_in(client, admin.email, Origin="https://evil.example")
    assert response.status_code == 403
    assert client.get("/admin/dashboard", follow_redirects=False).status_code == 303
    assert refusals(session) == []  # nobody was signed in to be named


def test_a_page_for_another_role_is_audited_as_refused(client, session, chair) -> None:
    with_password(session, chair.email)
    sign_in(client, chair.email, Origin="http://testserver")
    response = client.get("/admin/consultants")
    assert response.status_code == 403
    (event,) = refusals(session)
    assert event.actor == chair.email
    assert event.entity_type == "access"
    assert event.entity_id == f"user:{chair.user_id}"
    assert event.after["route"] == "/admin/consultants"
    assert event.after["role"] == "member"
    assert "This page is for list admins" in event.after["detail"]
