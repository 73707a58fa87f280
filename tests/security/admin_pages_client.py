"""Driving the admin pages as a browser does: the form token, ``Origin``, and signing in."""

import re
from collections.abc import Mapping

import httpx
from sqlmodel import Session

from service.passwords import set_password

PASSWORD = "correct horse battery staple"
NEW_CONSULTANT = {"name": "Robin Reviewer", "email": "robin@reviews.example.org", "capacity": "2"}  # the form


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match.group(1)


def as_browser(client):  # type: ignore[no-untyped-def]
    """The client, naming the page's origin on every POST as a browser does."""
    client.headers["Origin"] = str(client.base_url)
    return client


def with_password(session: Session, email: str) -> str:
    set_password(session, email=email, password=PASSWORD, actor="test")
    session.commit()
    return email


def sign_in(client, email: str, password: str = PASSWORD, **headers: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    """Fetch the sign-in form, then post it; returns the answer (303 on success)."""
    token = csrf_from(client.get("/admin/sign-in").text)
    return client.post(
        "/admin/sign-in",
        data={"email": email, "password": password, "csrf_token": token, "next": "/admin/dashboard"},
        headers=headers,
        follow_redirects=False,
    )


def signed_in_as(client, session: Session, email: str, page: str = "/admin/consultants"):  # type: ignore[no-untyped-def]
    """The client as a browser, signed in as ``email`` (given a password first); ``client.token`` is the
    form token ``page`` carries."""
    assert sign_in(as_browser(client), with_password(session, email)).status_code == 303
    client.token = csrf_from(client.get(page).text)
    return client


def assert_refused_beside_fields(response: httpx.Response, messages: Mapping[str, str]) -> None:
    """The form is refused (422) with each field's message beside it (``FIELD-error``), and the error
    summary links to the field."""
    assert response.status_code == 422
    html = response.text
    for field, message in messages.items():
        assert re.search(rf'id="{field}-error">.*?{message}', html, re.S), field
        assert f'href="#{field}"' in html, field
