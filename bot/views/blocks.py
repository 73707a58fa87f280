"""Block Kit building blocks that keep Slack's limits, so no builder can produce a payload Slack rejects.

Lengths are clipped where clipping is harmless (a long reason keeps its start and says it was cut);
counts that would lose content (blocks in a message or modal) are checked by ``message`` and ``modal``,
which raise: a builder must page or summarise its lists itself.
"""

from typing import Any

Block = dict[str, Any]

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
MODAL_TITLE_CHARS = 24
SECTION_CHARS = 3000
FIELD_CHARS = 2000
HEADER_CHARS = 150
BUTTON_TEXT_CHARS = 75
VALUE_CHARS = 2000
OPTION_TEXT_CHARS = 75
OPTIONS_MAX = 100
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
PRIVATE_METADATA_CHARS = 3000
INPUT_CHARS = 3000  # the most a plain-text input's max_length may be


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Text from the service shown as mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = SECTION_CHARS) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def plain_if_given(key: str, text: str | None, limit: int) -> dict[str, Any]:
    """``{key: plain(text)}``, or nothing without a text: Slack refuses a null where a key may be left out."""
    return {} if text is None else {key: plain(text, limit)}


def mrkdwn(text: str, limit: int = SECTION_CHARS) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_CHARS)}


def section(text: str, *, accessory: dict[str, Any] | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(*texts: str) -> Block:
    """A section of up to ten short two-column fields."""
    return {"type": "section", "fields": [mrkdwn(text, FIELD_CHARS) for text in texts[:10]]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text) for text in texts[:CONTEXT_ELEMENTS]]}


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    if len(elements) > ACTIONS_ELEMENTS:
        raise ValueError(f"an actions block holds at most {ACTIONS_ELEMENTS} elements")
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def confirm(*, title: str, text: str, yes: str, no: str = "Cancel") -> dict[str, Any]:
    return {
        "title": plain(title, 100),
        "text": mrkdwn(text, 300),
        "confirm": plain(yes, 30),
        "deny": plain(no, 30),
    }


def button(
    text: str,
    *,
    action_id: str,
    value: str = "",
    style: str | None = None,
    confirm_with: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if len(value) > VALUE_CHARS:
        raise ValueError("a button value holds at most 2,000 characters")
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_CHARS),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    if confirm_with is not None:
        element["confirm"] = confirm_with
    return element


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label, OPTION_TEXT_CHARS), "value": value}


def message(blocks: list[Block]) -> list[Block]:
    """The blocks of a message, checked against Slack's limit of 50."""
    if len(blocks) > MESSAGE_BLOCKS:
        raise ValueError(f"{len(blocks)} blocks: a message holds at most {MESSAGE_BLOCKS}")
    return blocks


def modal(
    *,
    title: str,
    blocks: list[Block],
    callback_id: str,
    submit: str | None = None,
    close: str = "Close",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A modal view, checked against Slack's limits (100 blocks, 24-character title, submit and close)."""
    if len(blocks) > MODAL_BLOCKS:
        raise ValueError(f"{len(blocks)} blocks: a modal holds at most {MODAL_BLOCKS}")
    if len(private_metadata) > PRIVATE_METADATA_CHARS:
        raise ValueError("private_metadata holds at most 3,000 characters")
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_CHARS),
        "close": plain(close, MODAL_TITLE_CHARS),
        "blocks": blocks,
        "private_metadata": private_metadata,
        **plain_if_given("submit", submit, MODAL_TITLE_CHARS),
    }
