"""Reading Slack's payloads, and writing the ids the bot asks Slack to hand back.

Slack nests the same facts differently in each kind of payload (a slash command, a button press, a modal
submission, an options request, an event). Each is read here once, so a listener says what it wants (the
user, the message it came from, the ids a button or modal carries) rather than how Slack nests it. What a
button's value or a modal's private_metadata carries is compact JSON of ids and references only, never
anything about a case (the tests scan every private_metadata for that).
"""

import json
from collections.abc import Mapping
from typing import Any

Payload = Mapping[str, Any]


def user_id(body: Payload) -> str:
    """The Slack user a payload comes from, whatever its type ("" when it names nobody)."""
    if body.get("user_id"):
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    event = body.get("event")
    if isinstance(event, dict):
        return str(event.get("user", ""))
    return ""


def message_of(body: Payload) -> dict[str, str]:
    """The message a button was pressed in: its channel and timestamp (to update it or reply under it)."""
    container = body["container"]
    return {"channel": container["channel_id"], "ts": container["message_ts"]}


def subcommand(command: Payload) -> tuple[str, str]:
    """What follows ``/scr``: the first word as typed, and the rest."""
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    return word, rest.strip()


def typed(body: Payload) -> str:
    """What the person has typed so far in an external select (an options request)."""
    return body.get("value") or ""


def carry(**ids: Any) -> str:
    """A button's value or a modal's private_metadata: the ids given (those not None), as compact JSON."""
    return json.dumps({k: v for k, v in ids.items() if v is not None}, separators=(",", ":"))


def carried(action: Payload) -> dict[str, Any]:
    """The ids a button carries (``carry``); none when it has no value."""
    return json.loads(action.get("value") or "{}")


def metadata(view: Payload) -> dict[str, Any]:
    """The ids a modal carries in its private_metadata (``carry``)."""
    return json.loads(view["private_metadata"])
