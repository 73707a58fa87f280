"""What a person is told when their request could not be done: one sentence they can act on."""

from typing import Any

from bot.service_client import Forbidden, NotFound, NotLinked, Rejected, ServiceError, ServiceUnavailable
from bot.views.blocks import clip, escape

# What a refusal shows, within the 4,000 characters Slack advises for a message's text.
SHOWN_DETAILS = 10
DETAIL_CHARS = 250
MESSAGE_CHARS = 1000


def not_linked(user: str) -> str:
    return (
        f":no_entry: Your Slack account is not linked to a user of the case review service, so I can't act "
        f"for you. {link_request(user)}"
    )


def link_request(user: str) -> str:
    """What an unlinked person does about it, with the member id their admin will ask for."""
    return (
        "Ask your admin, who can link you from the admin pages (Users); give them your Slack member ID, "
        f"`{escape(user)}`."
    )


def service_down(reference: str) -> str:
    return (
        ":warning: The case review service is not answering just now, so nothing was done. Try again in a "
        f"few minutes; if it keeps happening, tell your admin, giving this reference: `{reference}`."
    )


def unknown_case(ref: str) -> str:
    return (
        f":mag: There is no case `{escape(ref[:40])}`. Check the reference (it looks like "
        "`HAC-2026-0007`), or record a case from `/scr check`."
    )


def usage(command: str, what: str) -> dict[str, Any]:
    """The reply to a subcommand missing its argument."""
    text = f"Usage: `{command}`: {what}"
    return {"text": text, "response_type": "ephemeral"}


def describe(error: Exception, *, user: str, reference: str) -> str:
    """The message for ``error``; ``reference`` ties a failure to its log lines (the bot's, and the
    service's for a call that failed there)."""
    if isinstance(error, NotLinked):
        return not_linked(user)
    if isinstance(error, ServiceUnavailable):
        return service_down(reference)
    if isinstance(error, Forbidden):
        return f":no_entry: {escape(error.message)}"
    if isinstance(error, NotFound):
        return f":mag: {escape(error.message)}"
    if isinstance(error, Rejected):
        said = [str(p["msg"]) for p in error.problems if p.get("msg")]
        said += [str(f["reason"]) for f in error.findings if f.get("reason")]
        details = [f"• {escape(clip(line, DETAIL_CHARS))}" for line in said[:SHOWN_DETAILS]]
        if len(said) > SHOWN_DETAILS:
            details.append(f"• and {len(said) - SHOWN_DETAILS} more")
        if error.allowed:
            details.append(f"Allowed now: {', '.join(escape(str(a)) for a in error.allowed)}")
        return "\n".join([f":warning: {escape(clip(error.message, MESSAGE_CHARS))}", *details])
    if isinstance(error, ServiceError) and error.status >= 500:
        return f":warning: {escape(error.message)} Tell your admin, giving this reference: `{reference}`."
    if isinstance(error, ServiceError):
        return f":warning: {escape(error.message)}"
    return (
        f":warning: Something went wrong and your request may not have been completed (reference "
        f"`{reference}`). Try again; if it happens again, give your admin that reference."
    )
