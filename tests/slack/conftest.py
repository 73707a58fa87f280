"""The Slack test rig: the real service (bot mounted) under uvicorn, the Web API stand-in, signed requests."""

import functools
import os
import time
from collections.abc import Callable, Iterator

import live_server
import pytest
from live_server import serving
from slack_rig import (
    ADMIN_CHANNEL,
    BOT_API_TOKEN,
    REMINDER_CHANNEL,
    SECRET,
    People,
    SlackDriver,
    add_bot_user,
    add_people,
    personal_data_findings,
    private_metadata_findings,
)
from slack_standin import Call, SlackStandIn
from sqlmodel import Session


@pytest.fixture(autouse=True)
def slack_refusals_fail_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which Slack (the stand-in) refused a call or an acknowledgement, unless it
    expects refusals (marked ``expect_refusals``, or it called ``standin.expect_refusals()``). The bot
    carries on after a refusal, so without this a refused payload would pass unseen."""
    yield
    if "standin" not in request.fixturenames:
        return
    standin: SlackStandIn = request.getfixturevalue("standin")
    if "slack" not in request.fixturenames:  # the slack fixture waits for the bot's work itself
        standin.settle(0.1)
    refused, expected = standin.take_refusals()
    if refused and not expected and request.node.get_closest_marker("expect_refusals") is None:
        pytest.fail("Slack refused what the bot sent:\n" + "\n".join(call.describe() for call in refused))


@pytest.fixture(scope="session")
def standin() -> Iterator[SlackStandIn]:
    fake = SlackStandIn().start()
    fake.busy = live_server.busy  # the bot runs in the servers live_server starts
    yield fake
    fake.stop()


def slack_environment(standin: SlackStandIn) -> dict[str, str]:
    return {
        "SCR_SLACK_BOT_TOKEN": "xoxb-test-token",
        "SCR_SLACK_SIGNING_SECRET": SECRET,
        "SCR_SLACK_API_URL": standin.api_url,
        "SCR_BOT_API_TOKEN": BOT_API_TOKEN,
        "SCR_SLACK_REMINDER_CHANNEL": REMINDER_CHANNEL,
        "SCR_SLACK_ADMIN_CHANNEL": ADMIN_CHANNEL,
        "SCR_SLACK_REMINDER_INTERVAL_SECONDS": "0",
        "SCR_SLACK_DIGEST_HOUR": "0",  # tests run at any hour; the digest's own hour is tested on its own
    }


@pytest.fixture(scope="session")
def slack_app(database_url: str, standin: SlackStandIn):  # type: ignore[no-untyped-def]
    """The service app built with the Slack settings set (restored afterwards for other tests)."""
    from service.app import create_app
    from service.settings import get_settings

    env = slack_environment(standin)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        return create_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def service_url(slack_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under uvicorn on a free loopback port."""
    with serving(slack_app) as url:
        yield url


@pytest.fixture
def cron(service_url: str, standin: SlackStandIn, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """``scr bot COMMAND`` as cron runs it: a separate process's settings (the test sets its channel),
    reaching the service over HTTP. Returns what it printed, once it exited with ``expect``."""
    from typer.testing import CliRunner

    from service.cli import app
    from service.settings import get_settings

    for name, value in {
        "SCR_SERVICE_URL": service_url,
        "SCR_BOT_API_TOKEN": BOT_API_TOKEN,
        "SCR_SLACK_BOT_TOKEN": "xoxb-test-token",
        "SCR_SLACK_API_URL": standin.api_url,
        "SCR_SLACK_DIGEST_HOUR": "0",  # tests run at any hour; the digest's own hour is tested on its own
    }.items():
        monkeypatch.setenv(name, value)

    def run(command: str, expect: int = 0) -> str:
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, ["bot", command])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == expect, result.output
        return result.output

    return run


@pytest.fixture
def remind(cron: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """``scr bot remind`` from cron, with 30 days' notice of each deadline and the admins' channel set."""
    monkeypatch.setenv("SCR_SLACK_REMINDER_CHANNEL", REMINDER_CHANNEL)
    monkeypatch.setenv("SCR_SLACK_REMINDER_LEAD_DAYS", "30")
    monkeypatch.setenv("SCR_SLACK_ADMIN_CHANNEL", ADMIN_CHANNEL)
    return functools.partial(cron, "remind")


@pytest.fixture
def looping_service(standin: SlackStandIn, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Call]:
    """The service in HTTP mode, running its own reminder and digest loop every second with the Slack
    settings changed by ``env``. Returns the first message it posted, after two more runs of the loop
    (which must find everything already posted)."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import get_settings

    def run(**env: str) -> Call:
        every_second = {**slack_environment(standin), "SCR_SLACK_REMINDER_INTERVAL_SECONDS": "1", **env}
        for name, value in every_second.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        standin.reset()
        try:
            with TestClient(create_app()):
                [post] = standin.wait_for("chat.postMessage")
                time.sleep(2.5)
        finally:
            get_settings.cache_clear()
        return post

    return run


@pytest.fixture
def people(session: Session) -> People:
    add_bot_user(session)
    add_people(session)
    return People()


@pytest.fixture
def slack(people: People, standin: SlackStandIn, service_url: str) -> Iterator[SlackDriver]:
    """A clean stand-in and a driver. Afterwards it waits for the bot's background work, then scans every
    call the bot made for the child's personal data (see ``personal_data_findings``)."""
    standin.reset()
    driver = SlackDriver(url=service_url, standin=standin)
    yield driver
    standin.settle(0.2)
    driver.http.close()
    assert personal_data_findings(standin.calls) == []
    assert private_metadata_findings(standin.calls) == []
