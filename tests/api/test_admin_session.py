"""Signing in to the admin pages: passwords, the session cookie, form tokens, throttle, 403 page."""

from datetime import UTC, datetime, timedelta

import pytest
from security.admin_pages_client import PASSWORD, as_browser, csrf_from, sign_in, with_password
from sqlmodel import select
from typer.testing import CliRunner

from core.audit import AuditEvent
from service.models import SignInFailure, User
from service.passwords import set_password
from service.web.throttle import Throttle, get_throttle


@pytest.fixture
def client(client):  # type: ignore[no-untyped-def]
    """The test client, naming the page's origin on every POST as a browser does."""
    return as_browser(client)


@pytest.fixture
def admin_with_password(session, admin):  # type: ignore[no-untyped-def]
    with_password(session, admin.email)
    return admin


@pytest.fixture
def chair_with_password(session, chair):  # type: ignore[no-untyped-def]
    with_password(session, chair.email)
    return chair


def test_the_session_cookie_is_httponly_samesite_and_scoped_to_the_admin_pages(client, admin_with_password):
    response = sign_in(client, admin_with_password.email)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/dashboard"
    cookie = response.headers["set-cookie"].lower()
    assert "scr_admin=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/admin" in cookie


def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_message(client, admin_with_password):
    wrong = sign_in(client, admin_with_password.email, "not the password at all")
    unknown = sign_in(client, "nobody@board.example.org", "not the password at all")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "The email address or password is not right." in response.text
    assert client.get("/admin/dashboard", follow_redirects=False).status_code == 303


def test_pages_send_a_visitor_who_is_not_signed_in_to_sign_in_and_back(client):
    response = client.get("/admin/dashboard?page=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/sign-in?next=%2Fadmin%2Fdashboard%3Fpage%3D2"


def test_sign_in_never_redirects_off_the_admin_pages(client, admin_with_password):
    token = csrf_from(client.get("/admin/sign-in").text)
    response = client.post(
        "/admin/sign-in",
        data={"email": admin_with_password.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/admin"
    token = csrf_from(client.get("/admin/sign-in").text)
    response = client.post(
        "/admin/sign-in",
        data={
            "email": admin_with_password.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/admin"


def test_sign_in_without_the_form_token_is_refused(client, admin_with_password):
    client.get("/admin/sign-in")
    response = client.post(
        "/admin/sign-in",
        data={"email": admin_with_password.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "nothing was saved" in response.text
    assert client.get("/admin/dashboard", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_form_token_and_then_ends_the_session(client, admin_with_password):
    sign_in(client, admin_with_password.email)
    refused = client.post("/admin/sign-out", data={}, follow_redirects=False)
    assert refused.status_code == 403
    page = client.get("/admin/dashboard")
    assert page.status_code == 200
    response = client.post(
        "/admin/sign-out", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/admin/dashboard", follow_redirects=False).status_code == 303


def test_the_token_from_before_sign_in_is_stale_afterwards(client, admin_with_password):
    old_token = csrf_from(client.get("/admin/sign-in").text)
    client.post(
        "/admin/sign-in",
        data={"email": admin_with_password.email, "password": PASSWORD, "csrf_token": old_token},
    )
    response = client.post("/admin/sign-out", data={"csrf_token": old_token}, follow_redirects=False)
    assert response.status_code == 403
    assert "out of date" in response.text


def test_setting_a_new_password_ends_existing_sessions(client, session, admin_with_password):
    sign_in(client, admin_with_password.email)
    assert client.get("/admin/dashboard").status_code == 200
    set_password(session, email=admin_with_password.email, password="another long password", actor="test")
    session.commit()
    assert client.get("/admin/dashboard", follow_redirects=False).status_code == 303


def test_a_page_for_a_role_the_user_lacks_gets_the_403_page(client, chair_with_password):
    sign_in(client, chair_with_password.email)
    response = client.get("/admin/consultants")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "You do not have access to this page" in response.text
    assert "chair" in response.text


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_repeated_failures_make_the_next_attempt_wait_even_with_the_right_password(
    client, admin_with_password
):
    clock = FakeClock()
    throttle = Throttle(free_per_account=3, first_wait=5.0, clock=clock)
    client.app.dependency_overrides[get_throttle] = lambda: throttle
    for _ in range(3):
        assert sign_in(client, admin_with_password.email, "a wrong guess").status_code == 400
    refused = sign_in(client, admin_with_password.email)
    assert refused.status_code == 429
    assert "Wait 5 seconds" in refused.text
    assert refused.headers["retry-after"] == "5"
    clock.advance(5)
    assert sign_in(client, admin_with_password.email).status_code == 303


def test_the_throttle_doubles_the_wait_up_to_the_longest_and_forgets_on_success(session):
    clock = FakeClock()
    throttle = Throttle(free_per_account=2, free_per_address=100, first_wait=5.0, longest=60.0, clock=clock)
    tried = {"email": "admin@board.example.org", "address": "10.0.0.1"}
    throttle.failed(session, **tried)
    assert throttle.wait(session, **tried) == 0
    throttle.failed(session, **tried)
    assert throttle.wait(session, **tried) == 5
    throttle.failed(session, **tried)
    assert throttle.wait(session, **tried) == 10
    for _ in range(10):
        throttle.failed(session, **tried)
    assert throttle.wait(session, **tried) == 60
    assert throttle.wait(session, email="other@board.example.org", address="10.0.0.2") == 0
    throttle.succeeded(session, email=tried["email"])
    assert throttle.wait(session, **tried) == 0


def test_the_throttle_forgets_old_failures_and_deletes_them(session):
    clock = FakeClock()
    throttle = Throttle(
        free_per_account=1, free_per_address=1, first_wait=5.0, forget_after=60.0, clock=clock
    )
    throttle.failed(session, email="a@board.example.org", address="10.0.0.1")
    clock.advance(61)
    assert throttle.wait(session, email="a@board.example.org", address="10.0.0.1") == 0
    throttle.failed(session, email="b@board.example.org", address="10.0.0.2")
    assert throttle.wait(session, email="b@board.example.org", address="10.0.0.2") == 5
    session.expire_all()
    assert len(session.exec(select(SignInFailure)).all()) == 2  # the first try's two counts are gone


def test_set_password_reads_two_lines_from_standard_input_and_audits_without_the_hash(session, admin):
    from service.cli import app

    result = CliRunner().invoke(app, ["user", "set-password", admin.email], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    session.expire_all()
    user = session.exec(select(User).where(User.email == admin.email)).one()
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.set_password")).one()
    assert event.after == {"email": admin.email}


def test_the_service_hashes_at_argon2s_own_cost_and_signs_in_against_that_hash(
    client, session, admin, real_password_hasher
):
    """The other tests hash at argon2's lightest (``quick_password_hashes``); this one has the service's
    own hasher set a password and check a right and a wrong one through the sign-in page."""
    with_password(session, admin.email)
    session.expire_all()
    stored = session.exec(select(User).where(User.email == admin.email)).one().password_hash
    assert stored and stored.startswith("$argon2id$")
    assert not real_password_hasher.check_needs_rehash(stored)  # made at the service's own cost
    assert sign_in(client, admin.email, "a wrong guess").status_code == 400
    assert sign_in(client, admin.email).status_code == 303


def test_set_password_refuses_two_different_entries_and_short_passwords(session, admin):
    from service.cli import app

    differ = CliRunner().invoke(
        app, ["user", "set-password", admin.email], input=f"{PASSWORD}\nsomething else\n"
    )
    assert differ.exit_code == 2
    assert "differ" in differ.output
    short = CliRunner().invoke(app, ["user", "set-password", admin.email], input="short\nshort\n")
    assert short.exit_code == 2
    assert "12" in short.output
    session.expire_all()
    assert session.exec(select(User).where(User.email == admin.email)).one().password_hash is None


def test_pages_are_not_cached_framed_or_allowed_scripts_from_elsewhere(client):
    response = client.get("/admin/sign-in")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "default-src 'self'" in response.headers["content-security-policy"]
