"""What ``/scr help`` and an unknown subcommand reply (always ephemeral)."""

from typing import Any

from bot.views.blocks import context, escape, section

COMMANDS = (
    (
        "/scr check",
        "a threshold check: answer a short form and get the reviews and notifications that "
        "apply, mandatory or discretionary, with reasons, sources and deadlines.",
    ),
    (
        "/scr case REF",
        "a case and its decision; a chair can accept the recommendation or record a "
        "different decision with a reason.",
    ),
    (
        "/scr shortlist REF",
        "the consultants who may review a case, ranked with their scores, who is "
        "excluded and why; commission one.",
    ),
    ("/scr terms REF", "the terms of reference for a case, as DOCX and PDF, sent to your direct messages."),
    (
        "/scr report [FROM TO] [PARTNERSHIP]",
        "the thematic briefing of a period (this year so far unless you give the days), as a PDF sent to "
        "your direct messages: the publishable version, which names no case.",
    ),
    (
        "/scr consultant QUERY",
        "consultants by name, specialism or area (commissioners and admins): status, checks and when "
        "they lapse, places in use, engagements, interests, reviews; admins change the record from the card.",
    ),
    (
        "/scr me",
        "consultants: your own record, privately; set your availability and dates away, declare an "
        "interest or an engagement, see your open commissions.",
    ),
    ("/scr help", "this list."),
)

PRIVACY = (
    "Cases are named by their reference only. Replies about cases come to you alone: ephemeral replies, "
    "or your direct messages with this app."
)


def _lines() -> str:
    return "\n".join(f"• `{usage}`: {what}" for usage, what in COMMANDS)


def reply() -> dict[str, Any]:
    """The help text as an ephemeral slash-command response."""
    text = f"*Case review commissioning*\n{_lines()}"
    return {"text": text, "blocks": [section(text), context(PRIVACY)], "response_type": "ephemeral"}


def unknown(word: str) -> dict[str, Any]:
    """The reply to a subcommand the bot does not know, with the list of those it does."""
    text = f"I don't know `/scr {escape(word[:40])}`. These are the commands:\n{_lines()}"
    return {"text": text, "blocks": [section(text)], "response_type": "ephemeral"}
