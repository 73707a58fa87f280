"""No secret key, no service: the app will not start on a default, empty or short key, however it is
started; 'scr serve --demo' makes one for its run; secrets never print (issue 13, items 1 and 13)."""

import os
import traceback
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from pydantic import SecretStr
from typer.testing import CliRunner

from bot.settings import BotSettings
from service import migrate
from service.cli import app as cli
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 16 + "0123456789abcdef"  # 32 bytes, the least accepted


@pytest.mark.parametrize(
    "key",
    ["", "change-me-in-production", "   ", "x" * 31, "é" * 15],
    ids=["empty", "the old default", "blank", "31 bytes", "15 two-byte characters"],
)
def test_the_app_refuses_to_start_without_a_real_key(environment, key: str) -> None:
    from service.app import create_app

    environment(SCR_SECRET_KEY=key)
    with pytest.raises(RuntimeError) as refused:
        create_app()
    assert "SCR_SECRET_KEY" in str(refused.value)
    assert "secrets.token_urlsafe(48)" in str(refused.value), "the message says how to make one"


def test_the_app_refuses_to_start_when_the_key_is_not_set_at_all(environment, monkeypatch) -> None:
    from service.app import create_app

    monkeypatch.delenv("SCR_SECRET_KEY")
    monkeypatch.chdir(REPO / "tests")  # no .env file here to supply one
    environment()
    with pytest.raises(RuntimeError, match="not set"):
        create_app()


def test_a_key_of_32_bytes_is_enough(environment) -> None:
    from service.app import create_app

    environment(SCR_SECRET_KEY=GOOD_KEY)
    assert create_app() is not None


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What 'scr serve' hands to uvicorn (and the key in the environment then), without serving."""
    calls: list[dict[str, Any]] = []

    def run(app: str, **options: Any) -> None:
        calls.append({"app": app, "key": os.environ.get("SCR_SECRET_KEY"), **options})

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(migrate, "upgrade", lambda url, revision="head": None)
    monkeypatch.setattr("service.cli.server._load_demo", lambda **_: None)
    return calls


def test_scr_serve_refuses_a_bad_key_with_a_message_and_no_traceback(environment, served) -> None:
    environment(SCR_SECRET_KEY="change-me-in-production")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "SCR_SECRET_KEY" in result.output
    assert "secrets.token_urlsafe(48)" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), "a clean exit, not an error escaping"
    assert served == []


def test_scr_serve_demo_makes_a_random_key_for_its_run_before_the_server_starts(environment, served) -> None:
    environment(SCR_SECRET_KEY="")
    for _ in range(2):
        result = CliRunner().invoke(cli, ["serve", "--demo", "--workers", "2"])
        assert result.exit_code == 0, result.output
        environment(SCR_SECRET_KEY="")
    first, second = (call["key"] for call in served)
    assert first and second and first != second
    assert len(first.encode()) >= 32


def test_scr_serve_keeps_a_good_key_even_with_demo(environment, served) -> None:
    key = GOOD_KEY + "-operator's own"
    environment(SCR_SECRET_KEY=key)
    assert CliRunner().invoke(cli, ["serve", "--demo"]).exit_code == 0
    assert served[0]["key"] == key


def test_compose_takes_the_key_from_the_environment_and_stops_without_it() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    service = compose["services"]["service"]
    assert service["environment"]["SCR_SECRET_KEY"].startswith("${SCR_SECRET_KEY:?")
    assert "token_urlsafe" in service["environment"]["SCR_SECRET_KEY"]


def test_the_containers_start_through_scr_serve_which_checks_the_key_and_the_proxies() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["services"]["service"]["command"][:2] == ["scr", "serve"]
    dockerfile = (REPO / "Dockerfile").read_text()
    (command,) = [line for line in dockerfile.splitlines() if line.startswith("CMD")]
    assert command.startswith('CMD ["scr", "serve"')


SECRETS = {
    "secret_key": GOOD_KEY + "-never-printed",
    "slack_bot_token": "xoxb-never-printed",
    "slack_signing_secret": "signing-never-printed",
    "slack_app_token": "xapp-never-printed",
    "bot_api_token": "scr_never-printed",
}


def test_secrets_never_print_in_a_repr_or_a_traceback() -> None:
    settings = Settings(**SECRETS)  # type: ignore[arg-type]
    bot = BotSettings(bot_token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret)

    def fails(settings: Settings, bot: BotSettings) -> None:
        raise RuntimeError("something went wrong")

    try:
        fails(settings, bot)
    except RuntimeError as error:
        printed = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    shown = "\n".join([repr(settings), str(settings), repr(settings.model_dump()), repr(bot), printed])
    for name, value in SECRETS.items():
        assert value not in shown, f"{name} was printed"
        assert getattr(settings, name).get_secret_value() == value
    assert isinstance(bot.bot_token, SecretStr)
