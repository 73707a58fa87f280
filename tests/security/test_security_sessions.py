"""Admin-page sessions live in the database: signing out, a new password or a revoke ends them at once,
in every worker, and a copied cookie opens nothing afterwards (issue 13, items 1 and 6)."""

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from admin_pages_client import as_browser, csrf_from, sign_in, with_password
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlmodel import select

from core.clock import utcnow
from service.app import create_app
from service.models import User
from service.passwords import set_password
from service.settings import get_settings
from service.users import revoke_user

COOKIE = "scr_admin"


@pytest.fixture
def browser(client):  # type: ignore[no-untyped-def]
    return as_browser(client)


@pytest.fixture
def signed_in(browser, session, admin):  # type: ignore[no-untyped-def]
    """The browser, signed in to the admin pages as the admin."""
    assert sign_in(browser, with_password(session, admin.email)).status_code == 303
    return browser


def page_sessions_held(session):  # type: ignore[no-untyped-def]
    from service.models import PageSession

    session.expire_all()
    return session.exec(select(PageSession)).all()


def replay(cookie: str) -> int:
    """The status of the dashboard for a cookie copied into another worker (a second app, its own
    process as far as anything in memory goes)."""
    with TestClient(create_app(), cookies={COOKIE: cookie}) as other:
        return other.get("/admin/dashboard", follow_redirects=False).status_code


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(signed_in, session, admin):
    copied = signed_in.cookies[COOKIE]
    assert replay(copied) == 200
    token = csrf_from(signed_in.get("/admin/dashboard").text)
    signed_out = signed_in.post("/admin/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert replay(copied) == 303
    assert page_sessions_held(session) == []


def test_a_new_password_ends_the_session_in_every_worker(signed_in, session, admin):
    copied = signed_in.cookies[COOKIE]
    set_password(session, email=admin.email, password="another long password", actor="test")
    session.commit()
    assert replay(copied) == 303


def test_revoking_a_user_ends_their_sessions_at_once(signed_in, session, admin):
    copied = signed_in.cookies[COOKIE]
    revoke_user(session, email=admin.email, actor="test")
    session.commit()
    assert replay(copied) == 303
    assert page_sessions_held(session) == []


def test_the_cookie_holds_only_a_random_id_and_the_table_only_a_keyed_hash_of_it(signed_in, session, admin):
    cookie = signed_in.cookies[COOKIE]
    assert "." not in cookie and len(cookie) >= 43  # no signed payload, just 32 random bytes
    (row,) = page_sessions_held(session)
    assert row.user_id == admin.user_id
    assert cookie not in (row.id_hash, row.csrf)
    assert row.id_hash != hashlib.sha256(cookie.encode()).hexdigest()
    assert timedelta(hours=get_settings().session_hours - 1) < row.expires_at - row.created_at


def test_signing_in_gives_a_new_id_so_a_planted_one_is_worthless(browser, session, admin):
    with_password(session, admin.email)
    browser.get("/admin/sign-in")
    before = browser.cookies[COOKIE]
    sign_in(browser, admin.email)
    assert browser.cookies[COOKIE] != before
    assert replay(before) == 303


def test_an_expired_session_is_refused(signed_in, session, admin):
    (row,) = page_sessions_held(session)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert signed_in.get("/admin/dashboard", follow_redirects=False).status_code == 303


def _forged_cookie(user_id: int) -> str:
    """The cookie the old signed-cookie session took, for a user without a password: anyone holding
    the key could make it."""
    key = get_settings().secret_key
    key = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    data = {"uid": user_id, "pw": hashlib.sha256(b"").hexdigest()[:16], "csrf": "forged"}
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(str(key)).sign(payload).decode()


def test_a_user_without_a_password_never_holds_a_page_session_whatever_the_cookie_says(client, admin):
    """An API-only admin (no password) cannot be impersonated on the pages with a signed cookie."""
    client.cookies.set(COOKIE, _forged_cookie(admin.user_id), path="/admin")
    response = client.get("/admin/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/sign-in")


def test_a_session_whose_user_loses_their_password_is_over(signed_in, session, admin):
    assert signed_in.get("/admin/dashboard").status_code == 200
    user = session.get(User, admin.user_id)
    assert user is not None
    user.password_hash = None
    session.add(user)
    session.commit()
    assert signed_in.get("/admin/dashboard", follow_redirects=False).status_code == 303


def test_a_session_cannot_be_opened_for_a_user_without_a_password(session, admin):
    from service import page_sessions

    user = session.get(User, admin.user_id)
    with pytest.raises(ValueError, match="password"):
        page_sessions.start(session, user, hours=1)
