"""One logging set-up for every process (``service.logs``): JSON lines with the request's id, uvicorn's
lines through the same handler, and the bot's lines written wherever it runs."""

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from service import logs


@pytest.fixture
def root() -> Iterator[logging.Logger]:
    """The root logger, put back as it was afterwards (handlers, level, uvicorn's loggers and levels)."""
    logger = logging.getLogger()
    saved = (list(logger.handlers), logger.level)
    kept = {
        name: (
            list(logging.getLogger(name).handlers),
            logging.getLogger(name).propagate,
            logging.getLogger(name).level,
        )
        for name in logs.UVICORN
    }
    for name in logs.UVICORN:  # as a fresh process has them: an in-process uvicorn earlier sets their levels
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield logger
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    for name, (handlers, propagate, level) in kept.items():
        logging.getLogger(name).handlers[:] = handlers
        logging.getLogger(name).propagate = propagate
        logging.getLogger(name).setLevel(level)


def written(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_a_line_is_one_json_object_with_the_request_id_bound_where_it_was_logged(root, capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure(level="INFO", fmt="json")
    with structlog.contextvars.bound_contextvars(request_id="abc123"):
        logging.getLogger("bot.reminders").info(
            "slack.reminder.sent ref=%s due=%s", "HAC-2026-0001", "2026-07-02"
        )
    logging.getLogger("bot.reminders").debug("not at INFO")
    [line] = written(capsys)
    assert line["event"] == "slack.reminder.sent ref=HAC-2026-0001 due=2026-07-02"
    assert (line["request_id"], line["level"], line["logger"]) == ("abc123", "info", "bot.reminders")
    assert line["timestamp"].endswith("Z")


def test_configuring_again_keeps_one_handler_and_takes_the_new_format(root, capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure(fmt="json")
    logs.configure(level="WARNING", fmt="text")
    assert [h.get_name() for h in root.handlers].count(logs.HANDLER) == 1
    logging.getLogger("service.x").info("dropped below WARNING")
    logging.getLogger("service.x").warning("kept")
    err = capsys.readouterr().err
    assert "dropped" not in err and "kept" in err and not err.lstrip().startswith("{")


def test_an_exception_is_written_with_its_traceback(root, capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure(fmt="json")
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("service.x").exception("went.wrong")
    [line] = written(capsys)
    assert line["level"] == "error" and "ValueError: broken" in line["exception"]


def test_uvicorn_lines_go_through_the_same_handler_and_its_access_line_loses_the_query(root, capsys) -> None:  # type: ignore[no-untyped-def]
    logging.config.dictConfig(
        logs.uvicorn_config(level="INFO", fmt="json")
    )  # as ``scr serve`` has uvicorn do
    logs.configure(fmt="json")  # then the app factory, in each worker: still one handler
    assert [h.get_name() for h in root.handlers] == [logs.HANDLER]
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.7:5123", "GET", "/api/v1/consultants/search?q=Jane", "1.1", 200
    )
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    first, second = written(capsys)
    assert first["event"] == "GET /api/v1/consultants/search 200" and "Jane" not in json.dumps(first)
    assert (first["method"], first["path"], first["status"], first["client"]) == (
        "GET",
        "/api/v1/consultants/search",
        200,
        "10.0.0.7:5123",
    )
    assert second == {**second, "event": "Started server process [42]", "logger": "uvicorn.error"}


def test_a_failure_already_logged_with_its_request_is_not_logged_again_by_uvicorn(root, capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure(fmt="json")
    logged, fresh = RuntimeError("logged"), RuntimeError("fresh")
    setattr(logged, logs.LOGGED, True)
    for error in (logged, fresh):
        logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=error)
    [line] = written(capsys)
    assert "RuntimeError: fresh" in line["exception"]


def test_the_format_is_text_on_a_terminal_and_json_elsewhere_unless_set(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert logs.chosen_format(None) == "json" and logs.chosen_format("text") == "text"
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert logs.chosen_format(None) == "text" and logs.chosen_format("json") == "json"


def test_the_app_factory_sets_up_logging_so_the_bots_lines_are_written(
    root, capsys, database_url, environment
) -> None:  # type: ignore[no-untyped-def]
    """Under ``scr serve`` only uvicorn used to configure logging: the bot's INFO lines went nowhere."""
    environment(SCR_LOG_FORMAT="json", SCR_LOG_LEVEL="info")
    for handler in [h for h in root.handlers if h.get_name() == logs.HANDLER]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)  # as Python starts
    from service.app import create_app

    create_app()
    logging.getLogger("bot.digest").info("slack.digest.sent week=2026-W27 items=3")
    assert [line["event"] for line in written(capsys)] == ["slack.digest.sent week=2026-W27 items=3"]


def test_the_http_clients_line_per_call_is_not_written(root, capsys) -> None:  # type: ignore[no-untyped-def]
    """httpx logs every call at INFO with its query string, which may name a person searched for."""
    logs.configure(fmt="json")
    logging.getLogger("httpx").info(
        'HTTP Request: GET http://service/api/v1/consultants/search?q=Jane "200 OK"'
    )
    logging.getLogger("httpx").warning("a connection was dropped")
    assert [line["event"] for line in written(capsys)] == ["a connection was dropped"]
