"""The bot's calls to Slack, checked in one place: a refusal is logged once, with a reference, and raised as
``SlackRefused`` for whoever made the call to tell the person concerned (``bot.reporting`` for a listener,
``bot.schedule`` for a job).

Slack refuses in three ways, and the libraries pass on each differently: a Web API method answers
``ok: false`` (the SDK raises ``SlackApiError``), the upload step of a file upload answers an error status
(the SDK raises an error naming the file), and a ``response_url`` answers an error status (bolt's
``respond`` returns it without raising, so a refused reply went unnoticed). ``CheckedWebClient`` and
``CheckedRespond`` turn all three into one ``SlackRefused``. Bolt builds a fresh ``AsyncWebClient`` and
``AsyncRespond`` for every request, so the middleware ``checked`` swaps in the checked ones before any
listener runs.

The log line names the method, Slack's error and its reasons, and the reference the person is given
(that of the Slack request or job being handled, ``bot.reference``, which the service's log lines of the
same work carry too); never the payload, which may hold what a person typed. Each failed call is counted
(``bot.metrics.SLACK_ERRORS``).
"""

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result
from slack_sdk.webhook import WebhookResponse

from bot.metrics import SLACK_ERRORS
from bot.reference import current as current_reference
from bot.reference import new as new_reference

log = logging.getLogger("bot.slack")

UPLOAD = "files.upload"  # the step of a files upload v2 that sends the bytes to the URL Slack handed out
RESPONSE_URL = "response_url"
UNREACHABLE = "unreachable"  # the error counted for a call Slack never answered
SLACK_ERROR = re.compile(r"[a-z0-9_]{1,64}")  # what Slack's error codes look like ("invalid_blocks")
QUOTED = re.compile(r"(['\"`]).*?\1")  # a value a reason may quote back from the payload
REASONS_LOGGED, REASON_CHARS = 5, 200


class SlackRefused(SlackApiError):
    """Slack refused ``method`` with ``error``; ``reference`` is in the log line and in what the person
    is told. ``done``, ``step`` and ``advice`` (set by ``if_refused``) explain it to the person."""

    def __init__(self, *, method: str, error: str, reference: str) -> None:
        self.method, self.error, self.reference = method, error, reference
        self.done, self.step, self.advice = "", "", ""
        self.channel = ""  # the channel a job was posting to, when it says (``bot.schedule``)
        super().__init__(f"Slack refused {method} (reference {reference})", {"ok": False, "error": error})


def refusal(method: str, error: str, *, reasons: list[str] | None = None) -> SlackRefused:
    """Log and count Slack's refusal of ``method`` with the reference of what the bot is doing (a new
    one outside any), and return it as an error to raise."""
    SLACK_ERRORS.labels(method=method, error=error).inc()
    reference = current_reference() or new_reference()
    shown = [QUOTED.sub("'…'", str(reason))[:REASON_CHARS] for reason in (reasons or [])[:REASONS_LOGGED]]
    log.error(
        "slack.refused method=%s error=%s reference=%s reasons=%s",
        method,
        error,
        reference,
        json.dumps(shown, ensure_ascii=False),
    )
    return SlackRefused(method=method, error=error, reference=reference)


def _reasons(response: Any) -> list[str]:
    metadata = response.get("response_metadata") if hasattr(response, "get") else None
    messages = (metadata or {}).get("messages") if isinstance(metadata, dict) else None
    return [str(message) for message in messages or []]


def _error_of_status(status: int, body: str) -> str:
    """Slack's error code for a refused hook or upload: its JSON ``error``, its plain-text body when that
    is a code (``expired_url``), else the status."""
    text = (body or "").strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text).get("error") or "")
        except (ValueError, AttributeError):
            text = ""
    return text if SLACK_ERROR.fullmatch(text) else f"http_{status}"


class CheckedWebClient(AsyncWebClient):
    """The Web API client whose every refusal is a logged ``SlackRefused``."""

    @classmethod
    def like(cls, client: AsyncWebClient) -> "CheckedWebClient":
        """A checked client with ``client``'s token, address, session and retry handlers (the same
        settings bolt copies into each request's client)."""
        return cls(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            session=client.session,
            trust_env_in_session=client.trust_env_in_session,
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=client.retry_handlers,
        )

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        try:
            return await super().api_call(api_method, **kwargs)
        except (aiohttp.ClientError, TimeoutError):  # no answer, after the retry handlers gave up
            SLACK_ERRORS.labels(method=api_method, error=UNREACHABLE).inc()
            raise
        except SlackApiError as error:
            response = error.response
            code = response.get("error") if hasattr(response, "get") else None
            status = getattr(response, "status_code", 0)
            raise refusal(api_method, str(code or f"http_{status}"), reasons=_reasons(response)) from None

    async def _upload_file(self, **kwargs: Any) -> FileUploadV2Result:  # type: ignore[override]
        """The upload step of ``files_upload_v2``: the SDK's own error names the file, so a refusal is
        raised here first, as Slack's status alone."""
        result = await super()._upload_file(**kwargs)
        if result.status != 200:
            raise refusal(UPLOAD, _error_of_status(result.status, str(result.body or "")))
        return result


class CheckedRespond(AsyncRespond):
    """Bolt's ``respond`` (a post to the request's ``response_url``), raising ``SlackRefused`` when Slack
    refuses the post instead of returning the refusal."""

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        response = await super().__call__(*args, **kwargs)
        if response.status_code != 200:
            raise refusal(RESPONSE_URL, _error_of_status(response.status_code, response.body))
        return response


async def checked(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
    """Middleware: every listener gets the checked client and ``respond`` for its request."""
    client = CheckedWebClient.like(context.client)
    context["client"] = client
    context["respond"] = CheckedRespond(response_url=context.response_url, proxy=client.proxy, ssl=client.ssl)
    return await next()


@contextmanager
def if_refused(*, done: str = "", step: str = "", advice: str = "") -> Iterator[None]:
    """Around Slack calls whose refusal needs more than the method's name to explain: what had been done
    before (a record written), the ``step`` in plain words ("send you the case"), and ``advice`` (what
    the person can do instead). An inner ``if_refused``, nearer the call, is kept where both say it."""
    try:
        yield
    except SlackRefused as error:
        error.done, error.step = error.done or done, error.step or step
        error.advice = error.advice or advice
        raise
