"""The sign-in throttle cannot be dodged: X-Forwarded-For is believed only from SCR_TRUSTED_PROXIES,
guesses are counted per account and per address, and the count is in the database, shared by every
worker (issue 13, item 8)."""

from collections.abc import Callable
from typing import Any

import pytest
import uvicorn
from admin_pages_client import PASSWORD, as_browser, sign_in, with_password
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import select
from typer.testing import CliRunner

from service import migrate
from service.cli import app as cli
from service.settings import Settings

FREE_PER_ADDRESS = 10  # the service's own
FREE_PER_ACCOUNT = 3
WRONG = "a wrong guess"


@pytest.fixture
def served(session, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    """``served()``: the app as 'scr serve' has uvicorn run it (uvicorn's forwarded-header handling
    included), in a test client connecting from 127.0.0.1, as a client on the same machine would."""

    def serve() -> Any:
        calls: list[tuple[str, dict[str, Any]]] = []
        monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
        monkeypatch.setattr(migrate, "upgrade", lambda url, revision="head": None)
        result = CliRunner().invoke(cli, ["serve"])
        assert result.exit_code == 0, result.output
        ((app, options),) = calls
        config = uvicorn.Config(app, **{**options, "log_config": None})  # the test keeps its own logging
        config.load()
        return as_browser(TestClient(config.loaded_app, client=("127.0.0.1", 50000)))

    return serve


def forwarded(number: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{number}"}


def test_a_new_x_forwarded_for_on_each_try_gains_no_guesses(served, session, admin) -> None:
    """No proxy is trusted by default: the header is ignored, and the address's guesses run out."""
    with_password(session, admin.email)
    browser = served()
    for number in range(FREE_PER_ADDRESS):
        email = f"guess-{number}@board.example.org"  # a new account each time, too
        assert sign_in(browser, email, WRONG, **forwarded(number)).status_code == 400
    refused = sign_in(browser, admin.email, PASSWORD, **forwarded(99))
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


def test_a_trusted_proxy_s_forwarded_address_is_the_one_counted(served, environment, session, admin) -> None:
    environment(SCR_TRUSTED_PROXIES="127.0.0.1")
    with_password(session, admin.email)
    browser = served()
    for number in range(FREE_PER_ADDRESS):
        assert sign_in(browser, f"guess-{number}@board.example.org", WRONG, **forwarded(1)).status_code == 400
    assert sign_in(browser, admin.email, PASSWORD, **forwarded(1)).status_code == 429
    assert sign_in(browser, admin.email, PASSWORD, **forwarded(2)).status_code == 303


def test_guesses_at_one_account_from_many_addresses_are_counted_together(served, environment, session, admin):  # type: ignore[no-untyped-def]
    environment(SCR_TRUSTED_PROXIES="127.0.0.0/8")
    with_password(session, admin.email)
    browser = served()
    for number in range(FREE_PER_ACCOUNT):
        assert sign_in(browser, admin.email, WRONG, **forwarded(number)).status_code == 400
    refused = sign_in(browser, admin.email, PASSWORD, **forwarded(50))
    assert refused.status_code == 429
    assert "Wait 5 seconds" in refused.text


def test_the_count_is_shared_by_every_worker(client, session, admin) -> None:
    """Another worker is another process, with a throttle of its own: the count reaches it."""
    with_password(session, admin.email)
    first = as_browser(client)
    for _ in range(FREE_PER_ACCOUNT):
        assert sign_in(first, admin.email, WRONG).status_code == 400
    from service.app import create_app
    from service.web.throttle import Throttle, get_throttle

    other = create_app()
    fresh = Throttle()
    other.dependency_overrides[get_throttle] = lambda: fresh
    with TestClient(other) as second:
        assert sign_in(as_browser(second), admin.email).status_code == 429


def test_the_table_holds_no_email_or_address(client, session, admin) -> None:
    from service.models import SignInFailure

    sign_in(as_browser(client), admin.email, WRONG)
    rows = session.exec(select(SignInFailure)).all()
    assert sorted(row.kind for row in rows) == ["account", "address"]
    for row in rows:
        assert admin.email not in row.key_hash and "testclient" not in row.key_hash
        assert row.failures == 1


def test_scr_serve_believes_forwarded_headers_only_from_the_trusted_proxies(environment, monkeypatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setattr(migrate, "upgrade", lambda url, revision="head": None)
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    environment(SCR_TRUSTED_PROXIES="10.0.0.5, 10.1.2.0/24")
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert calls[0]["proxy_headers"] is False
    assert calls[1]["proxy_headers"] is True
    assert calls[1]["forwarded_allow_ips"] == ["10.0.0.5", "10.1.2.0/24"]


@pytest.mark.parametrize("value", ["10.0.0.300", "proxy.internal", "10.0.0.0/33"])
def test_a_mistyped_trusted_proxy_stops_the_start_up(value: str) -> None:
    with pytest.raises(ValidationError, match="not an IP address or network"):
        Settings(trusted_proxies=value)  # type: ignore[arg-type]


def test_a_network_written_with_host_bits_is_read_as_its_network() -> None:
    """uvicorn would silently take 10.1.2.3/24 as a name that matches nothing."""
    assert Settings(trusted_proxies="10.1.2.3/24, ::1").trusted_proxies == ["10.1.2.0/24", "::1"]  # type: ignore[arg-type]
