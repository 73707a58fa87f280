"""Logging for every process of the service, configured here alone: the app factory, ``scr serve``'s
uvicorn (its access and error lines), the bot inside the service or on its own, and every CLI command.

Every line goes through one handler on the root logger, so a module only asks ``logging.getLogger``:
the bot's lines (reminders and digests sent, Slack's refusals) are written wherever it runs. A line is
one JSON object (``SCR_LOG_FORMAT=json``, for a log collector) or text for a person (``text``; the
default when the logs go to a terminal), and carries the id of the request or job it belongs to
(``request_id``: bound by ``service.request_ids`` and by the bot, through structlog's context
variables, so it reaches lines logged with the standard library too).
"""

import logging
import sys
from typing import Any

import structlog

HANDLER = "scr"  # the name of the root logger's handler, so configuring twice keeps one
UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access")
QUIETER = {  # lines that say nothing an operator needs, or say too much
    "alembic.runtime.plugins": "WARNING",  # a line per plugin loaded, in every process
    "httpx": "WARNING",  # every call the bot makes, with its query string (a search may name a person)
}
LOGGED = "scr_logged"  # set on an exception once its traceback is logged with its request


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is written: a test runner swaps it per test, and a
    handler holding the old one would write to a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class LoggedOnce(logging.Filter):
    """Drop uvicorn's "Exception in ASGI application" traceback of an error already logged, with its
    request id, by ``service.request_ids``: one failure, one traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (record.name.startswith("uvicorn") and getattr(error, LOGGED, False))


def _access_fields(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Uvicorn's access line as fields, without the query string (a search may carry a person's name)."""
    args = event.pop("positional_args", None) or ()
    record = event.get("_record")
    if record is not None and record.name == "uvicorn.access" and len(args) == 5:
        client, method, path, _version, status = args
        path = str(path).split("?", 1)[0]
        event.update(
            event=f"{method} {path} {status}", client=client, method=method, path=path, status=status
        )
    return event


def formatter(fmt: str = "json") -> logging.Formatter:
    """A log line as one JSON object (``json``) or as text for a person (``text``), with its time (UTC),
    level, logger, request id and any exception's traceback."""
    rendering: list[Any] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if fmt == "json"
        else [structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)]
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _access_fields,
        ],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        pass_foreign_args=True,  # for ``_access_fields``, which takes them off every line
    )


def chosen_format(fmt: str | None) -> str:
    """``fmt`` as set, or when unset: text on a terminal, JSON anywhere else."""
    return fmt or ("text" if sys.stderr.isatty() else "json")


def configure(*, level: str = "INFO", fmt: str | None = None) -> None:
    """Send every log line of this process, uvicorn's too, through the one handler; safe to call again
    (the app factory runs once per worker, after uvicorn applied ``uvicorn_config``)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER), None)
    if handler is None:
        handler = StderrHandler()
        handler.set_name(HANDLER)
        handler.addFilter(LoggedOnce())
        root.addHandler(handler)
    handler.setFormatter(formatter(chosen_format(fmt)))
    root.setLevel(level)
    for name in UVICORN:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    for name, quieter in QUIETER.items():
        logging.getLogger(name).setLevel(quieter)


def uvicorn_config(*, level: str = "INFO", fmt: str | None = None) -> dict[str, Any]:
    """The same configuration as ``configure``, as the ``dictConfig`` uvicorn applies in each process it
    starts (``log_config``), so its own lines before the app is built are written the same way."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"once": {"()": LoggedOnce}},
        "formatters": {HANDLER: {"()": formatter, "fmt": chosen_format(fmt)}},
        "handlers": {HANDLER: {"()": StderrHandler, "formatter": HANDLER, "filters": ["once"]}},
        "root": {"handlers": [HANDLER], "level": level},
        "loggers": {
            **{name: {"handlers": [], "propagate": True} for name in UVICORN},
            **{name: {"level": quieter} for name, quieter in QUIETER.items()},
        },
    }
