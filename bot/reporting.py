"""How the bot fails: it tells the person privately what went wrong, and logs it with a reference.

Every listener is wrapped in ``reported``. A listener that raises after ``ack()`` must not hand the error
to bolt: with ``process_before_response=False`` bolt's runner then resets the acknowledgement it is
still waiting to send, and Slack gets an error status (or nothing) instead of the ack it was already
given. So the wrapper catches the error itself, reports it to the person, and acknowledges if the
listener had not yet done so. ``report_failure`` is bolt's global error handler, for failures in
middleware: it reports only to a request known to come from Slack, since the reply goes to the
``response_url`` the request itself names.

A call Slack refused (``bot.slack_calls.SlackRefused``) is told in plain words: what had been done, what
Slack would not let the bot do, and the reference of the log line that records Slack's error. The
reference is the id of the Slack request (``bot.reference``): the bot's log lines and the service's
for that request carry it, so what a person quotes finds them all.
"""

import inspect
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot import dm, payloads
from bot.reference import current as current_reference
from bot.reference import new as new_reference
from bot.service_client import ServiceError
from bot.slack_calls import SlackRefused
from bot.views import errors, refusals

log = logging.getLogger("bot")

Listener = Callable[..., Awaitable[None]]
NEEDED = ("ack", "body", "respond", "client")
# Set in a request's context by the HTTP route once it has checked the signature (``service.slack_http``).
SIGNATURE_CHECKED = "signature_checked"


async def report_error(
    error: Exception, body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
) -> None:
    """Tell the person what went wrong, privately; log it (without the payload) with a reference."""
    user = payloads.user_id(body)
    if isinstance(error, SlackRefused):  # logged with its reference where Slack refused it
        reference = error.reference
        log.info("slack.refusal_reported reference=%s user=%s", reference, user)
        text = refusals.told(
            method=error.method, reference=reference, done=error.done, step=error.step, advice=error.advice
        )
    else:
        reference = _reference_of(error)
        if isinstance(error, ServiceError):
            log.info("slack.refused reference=%s user=%s kind=%s", reference, user, type(error).__name__)
        else:
            log.error("slack.failed reference=%s user=%s", reference, user, exc_info=error)
        text = errors.describe(error, user=user, reference=reference)
    await tell(user, text, respond=respond, client=client, reference=reference)


def _reference_of(error: Exception) -> str:
    """The reference to show for ``error``: the service's id for a call it refused or failed (its log
    lines carry it), else that of the Slack request being handled."""
    if isinstance(error, ServiceError) and error.request_id:
        return error.request_id
    return current_reference() or new_reference()


async def tell(
    user: str, text: str, *, respond: AsyncRespond | None, client: AsyncWebClient, reference: str
) -> None:
    """Tell ``user`` privately: ephemerally where they asked (the request's ``response_url``) if it has
    one, else (or if Slack refuses that) in a direct message; if both fail, the log line is all there is."""
    ways: list[Callable[[], Awaitable[Any]]] = []
    if respond is not None and respond.response_url:
        ways.append(lambda: respond(text=text, response_type="ephemeral", replace_original=False))
    if user:
        ways.append(lambda: dm.send(client, user=user, text=text))
    for way in ways:
        try:
            await way()
            return
        except SlackRefused:  # logged where Slack refused it; try the next way
            continue
        except Exception:
            log.exception("slack.tell_failed reference=%s user=%s", reference, user)
    log.error("slack.untold reference=%s user=%s", reference, user)


async def report_failure(
    error: Exception,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    request: AsyncBoltRequest,
) -> None:
    """Bolt's global error handler: ``report_error`` for a request from Slack (signed, or over Socket
    Mode, whose connection Slack opened); only a log line for any other, which could name any address
    as its ``response_url``."""
    if request.mode == "socket_mode" or request.context.get(SIGNATURE_CHECKED) is True:
        await report_error(error, body, respond, client)
        return
    log.warning("slack.unverified_failure kind=%s", type(error).__name__)


def reported(listener: Listener, *, acknowledge: bool = False) -> Listener:
    """``listener``, with any error reported to the person instead of raised into bolt; with
    ``acknowledge``, the request is acknowledged (with nothing) before the listener runs.

    Bolt passes a listener the arguments its signature names; the wrapper's signature adds the ones it
    needs to report (``ack``, ``body``, ``respond``, ``client``) and hands the listener only its own.
    """
    own = inspect.signature(listener).parameters

    @wraps(listener)
    async def wrapper(**kwargs: Any) -> None:
        try:
            if acknowledge:
                await kwargs["ack"]()
            await listener(**{name: value for name, value in kwargs.items() if name in own})
        except Exception as error:
            await report_error(error, kwargs["body"], kwargs["respond"], kwargs["client"])
            ack: AsyncAck = kwargs["ack"]
            if ack.response is None:
                await ack()

    del wrapper.__wrapped__  # bolt reads the argument names of the unwrapped function
    parameters = [*own.values()] + [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in NEEDED if name not in own
    ]
    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [parameter.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for parameter in parameters]
    )
    return wrapper
