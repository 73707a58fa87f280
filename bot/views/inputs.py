"""What every modal that edits a record is made of: its inputs, reading what was entered, and the service's
refusal shown under the input it concerns, so nothing is lost and the person can correct and resubmit.

Pure builders and readers. Each input block holds one element, whose action id is ``VALUE`` unless an
options listener must tell it apart (an external select).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.service_client import Rejected, ServiceError
from bot.views.blocks import INPUT_CHARS, OPTIONS_MAX, Block, clip, modal, plain, plain_if_given, section

VALUE = "value"
LABEL_CHARS = 2000
ERROR_CHARS = 200
NO_CASE_DETAILS = "Write nothing that identifies a child or family: no names, addresses or dates of birth."
"""The hint every free-text input that might invite a case's details carries, in every modal."""


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL_CHARS),
        "optional": optional,
        "element": element,
        **plain_if_given("hint", hint, LABEL_CHARS),
    }


def text_input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    min_length: int | None = None,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
    action_id: str = VALUE,
) -> Block:
    """A text input. A multiline one invites free text, so its hint always ends with ``NO_CASE_DETAILS``."""
    if multiline:
        hint = f"{hint} {NO_CASE_DETAILS}" if hint else NO_CASE_DETAILS
    if not 1 <= max_length <= INPUT_CHARS:
        raise ValueError(f"a text input takes at most {INPUT_CHARS} characters, not {max_length}")
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "max_length": max_length,
        "multiline": multiline,
    }
    if min_length is not None:
        element["min_length"] = min_length
    return input_block(block_id, label, element, optional=optional, hint=hint)


def written(
    block_id: str, label: str, *, max_length: int, action_id: str = VALUE, hint: str | None = None
) -> Block:
    """Free text a person must write in their own words (a reason, a statement): at least 3 characters, as
    the service takes it."""
    return text_input(
        block_id, label, action_id=action_id, multiline=True, min_length=3, max_length=max_length, hint=hint
    )


def datepicker(block_id: str, label: str, *, initial: date | None = None, optional: bool = False) -> Block:
    element: dict[str, Any] = {"type": "datepicker", "action_id": VALUE}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return input_block(block_id, label, element, optional=optional)


def static_select(
    block_id: str, label: str, options: list[dict[str, Any]], *, initial: dict[str, Any] | None = None
) -> Block:
    element: dict[str, Any] = {"type": "static_select", "action_id": VALUE, "options": options}
    if initial is not None:
        element["initial_option"] = initial
    return input_block(block_id, label, element)


def multi_select(
    block_id: str,
    label: str,
    options: list[dict[str, Any]],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    """Several of ``options`` (at most ``OPTIONS_MAX``, Slack's limit for one select)."""
    if len(options) > OPTIONS_MAX:
        raise ValueError(f"a select offers at most {OPTIONS_MAX} options, not {len(options)}")
    element = {"type": "multi_static_select", "action_id": VALUE, "options": options}
    return input_block(block_id, label, element, optional=optional, hint=hint)


def agency_picker(block_id: str, *, action_id: str, min_query_length: int, optional: bool = False) -> Block:
    """An agency searched as the person types: ``action_id`` is what the options listener answers."""
    element = {
        "type": "external_select",
        "action_id": action_id,
        "min_query_length": min_query_length,
        "placeholder": plain("Type part of the agency's name"),
    }
    return input_block(block_id, "Agency", element, optional=optional)


def done(text: str, *, callback_id: str) -> dict[str, Any]:
    """What a modal becomes once the service has made its change."""
    return modal(title="Done", callback_id=callback_id, blocks=[section(text)])


# Reading a submission ----------------------------------------------------------------------------


def state_of(view: Mapping[str, Any], block_id: str) -> dict[str, Any]:
    """The state of the one element in the input ``block_id`` (empty when the block sent none)."""
    return next(iter(view["state"]["values"].get(block_id, {}).values()), None) or {}


def value(view: Mapping[str, Any], block_id: str) -> str | None:
    """What was entered in an input: text, a date or the chosen option's value (None when left empty)."""
    state = state_of(view, block_id)
    chosen = state.get("selected_option")
    found = chosen["value"] if chosen else state.get("selected_date") or state.get("value")
    return found.strip() if isinstance(found, str) and found.strip() else None


def values(view: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, str | None]:
    """What was entered in each input of ``fields`` (field name -> block id), by field name."""
    return {name: value(view, block_id) for name, block_id in fields.items()}


def chosen(view: Mapping[str, Any], block_id: str) -> list[str]:
    """The values of the options ticked in a multi-select, in the order shown (empty when none)."""
    return [str(option["value"]) for option in state_of(view, block_id).get("selected_options") or []]


def chosen_text(view: Mapping[str, Any], block_id: str) -> str:
    """The words of the option chosen in a select (what the person saw)."""
    return str(state_of(view, block_id)["selected_option"]["text"]["text"])


def errors(error: ServiceError, *, fields: Mapping[str, str], fallback: str) -> dict[str, str]:
    """``response_action: errors`` for a refusal: each problem under the input of the field it names
    (``fields``: field name -> block id), anything else under ``fallback`` (a refusal of the whole
    request, for instance). A refused status change names the actions allowed now.
    """
    shown: dict[str, str] = {}

    def add(block: str, text: str) -> None:
        before = shown.get(block, "")
        joined = f"{before}{' ' if before.endswith('.') else '; '}{text}" if before else text
        shown[block] = clip(joined, ERROR_CHARS)

    problems = error.problems if isinstance(error, Rejected) else []
    for problem in problems:
        names = [str(part) for part in problem.get("loc") or []]
        block = next((fields[name] for name in reversed(names) if name in fields), fallback)
        add(block, str(problem.get("msg") or error.message))
    if not problems:
        add(fallback, error.message)
    allowed = error.allowed if isinstance(error, Rejected) else []
    if allowed and not all(action in error.message for action in allowed):
        add(fallback, f"Allowed now: {', '.join(allowed)}.")
    return shown
