"""The threshold-check modal, generated from the service's feature catalogue, and the way back.

No question is written here: every input comes from ``GET /api/v1/features`` (name, type, group,
question, help, options, limits), so a feature added to the catalogue appears in the modal with no
change here. The one feature named is ``agencies_involved``, whose ids are offered as a search of the
agency list rather than typed. Booleans marked ``theme`` are gathered into one multi-select per group
(eighteen yes/no questions would make the form unusable); every other feature gets one input. All
inputs are optional: what is left blank is unknown, and the service then says which unknowns matter.
A feature the catalogue marks ``in_slack: false`` (special category data, such as the family's ethnic
group) is neither asked nor read back here: Slack carries no such data.
"""

from typing import Any

from bot.views.blocks import OPTIONS_MAX, Block, clip, header, modal, option, plain
from bot.views.inputs import NO_CASE_DETAILS
from bot.views.wording import humanise

CALLBACK_ID = "check.submit"
VALUE = "value"
AGENCY_SEARCH = "agency_search"  # the action id of agency searches, which bolt routes option requests by
FEATURE_BLOCK = "feature:"
THEMES_BLOCK = "themes:"
LABEL_CHARS = 2000
BOOLEAN_OPTIONS = (("Yes", "true"), ("No", "false"), ("Not known", "unknown"))
# text_list features whose values are agency ids: offered as a search of the agency list, not typed.
AGENCY_LISTS = frozenset({"agencies_involved"})


def _options(feature: dict[str, Any]) -> list[dict[str, Any]]:
    choices = feature.get("options") or []
    if len(choices) > OPTIONS_MAX:
        raise ValueError(f"{feature['name']} has {len(choices)} options; a select holds {OPTIONS_MAX}")
    return [option(choice["label"], choice["value"]) for choice in choices]


def element(feature: dict[str, Any]) -> dict[str, Any]:
    """The Block Kit input element that asks ``feature``, by its type."""
    kind = feature["type"]
    if kind == "date":
        return {"type": "datepicker", "action_id": VALUE}
    if kind == "choice":
        return {"type": "static_select", "action_id": VALUE, "options": _options(feature)}
    if kind == "choices":
        return {"type": "multi_static_select", "action_id": VALUE, "options": _options(feature)}
    if kind == "boolean":
        return {
            "type": "radio_buttons",
            "action_id": VALUE,
            "options": [option(label, value) for label, value in BOOLEAN_OPTIONS],
        }
    if kind == "number":
        number: dict[str, Any] = {"type": "number_input", "action_id": VALUE, "is_decimal_allowed": True}
        if feature.get("minimum") is not None:
            number["min_value"] = f"{feature['minimum']:g}"
        if feature.get("maximum") is not None:
            number["max_value"] = f"{feature['maximum']:g}"
        return number
    if kind == "text":
        text: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE}
        if feature.get("max_length"):
            text["max_length"] = feature["max_length"]
        return text
    if kind == "text_list" and feature["name"] in AGENCY_LISTS:
        return {"type": "multi_external_select", "action_id": AGENCY_SEARCH, "min_query_length": 0}
    if kind == "text_list":
        return {
            "type": "plain_text_input",
            "action_id": VALUE,
            "placeholder": plain("Separate them with commas"),
        }
    raise ValueError(f"feature {feature['name']} has a type the bot cannot ask: {kind}")


def question_input(feature: dict[str, Any], *, optional: bool = True) -> Block:
    """One question as an input block; its block id names the feature. Typed text carries the hint that
    keeps a child or family unnamed."""
    block: Block = {
        "type": "input",
        "block_id": FEATURE_BLOCK + feature["name"],
        "optional": optional,
        "label": plain(feature["question"], LABEL_CHARS),
        "element": element(feature),
    }
    hints = [feature.get("help") or ""]
    if block["element"]["type"] == "plain_text_input":
        hints.append(NO_CASE_DETAILS)
    hint = " ".join(part for part in hints if part)
    if hint:
        block["hint"] = plain(hint, LABEL_CHARS)
    return block


def _named(feature: dict[str, Any]) -> str:
    """What a feature is called: the catalogue's label."""
    return str(feature.get("label") or humanise(feature["name"]))


def _themes(group: str, themes: list[dict[str, Any]]) -> Block:
    return {
        "type": "input",
        "block_id": THEMES_BLOCK + group,
        "optional": True,
        "label": plain("Which of these were features of the case? Tick all that apply."),
        "hint": plain("Leave out anything you are not sure of."),
        "element": {
            "type": "multi_static_select",
            "action_id": VALUE,
            "options": [option(_named(theme), theme["name"]) for theme in themes],
        },
    }


def _in_slack(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The features Slack may ask and carry: not those the catalogue keeps out of Slack."""
    return [feature for feature in catalogue if feature.get("in_slack", True)]


def form(catalogue: list[dict[str, Any]]) -> dict[str, Any]:
    """The check modal: a header per group (the catalogue's title for it), then its questions in
    catalogue order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for feature in _in_slack(catalogue):
        groups.setdefault(feature["group"], []).append(feature)
    blocks: list[Block] = []
    for group, features in groups.items():
        blocks.append(header(features[0].get("group_title") or humanise(group)))
        blocks.extend(question_input(feature) for feature in features if not feature.get("theme"))
        themes = [feature for feature in features if feature.get("theme")]
        if themes:
            blocks.append(_themes(group, themes))
    return modal(
        title="Threshold check", submit="Check", close="Cancel", callback_id=CALLBACK_ID, blocks=blocks
    )


def answer_value(feature: dict[str, Any], state: dict[str, Any]) -> Any:
    """The answer held by one element's state, as the API wants it; None when left blank or not known."""
    kind = state.get("type")
    if kind == "datepicker":
        return state.get("selected_date")
    if kind in ("static_select", "radio_buttons"):
        chosen = (state.get("selected_option") or {}).get("value")
        if feature["type"] == "boolean":
            return {"true": True, "false": False}.get(chosen or "")
        return chosen
    if kind in ("multi_static_select", "multi_external_select"):
        values = [chosen["value"] for chosen in state.get("selected_options") or []]
        return values or None
    if kind == "number_input":
        raw = (state.get("value") or "").strip()
        if not raw:
            return None
        number = float(raw)
        return int(number) if number.is_integer() else number
    if kind == "plain_text_input":
        text = (state.get("value") or "").strip()
        if feature["type"] == "text_list":
            return [item.strip() for item in text.split(",") if item.strip()] or None
        return text or None
    return None


def features_from(catalogue: list[dict[str, Any]], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The features a submitted modal states (``view.state.values``); blanks are left out as unknown."""
    by_name = {feature["name"]: feature for feature in _in_slack(catalogue)}
    features: dict[str, Any] = {}
    for block_id, actions in values.items():
        state = next(iter(actions.values()), None) or {}
        if block_id.startswith(FEATURE_BLOCK):
            feature = by_name.get(block_id.removeprefix(FEATURE_BLOCK))
            answer = answer_value(feature, state) if feature else None
            if feature and answer is not None:
                features[feature["name"]] = answer
        elif block_id.startswith(THEMES_BLOCK):
            for chosen in state.get("selected_options") or []:
                if chosen["value"] in by_name:
                    features[chosen["value"]] = True
    return features


def errors_for(
    catalogue: list[dict[str, Any]], problems: list[dict[str, Any]], *, fallback: str
) -> dict[str, str]:
    """``response_action: errors`` for the modal: each problem under the input it is about."""
    by_name = {feature["name"]: feature for feature in catalogue}
    asked = [feature for feature in catalogue if not feature.get("theme")]
    first_block = FEATURE_BLOCK + asked[0]["name"] if asked else ""
    errors: dict[str, str] = {}
    for problem in problems:
        name = problem.get("feature")
        if name is None and problem.get("loc"):
            name = str(problem["loc"][-1])
        feature = by_name.get(name or "")
        if feature is None:
            block = first_block
        elif feature.get("theme"):
            block = THEMES_BLOCK + feature["group"]
        else:
            block = FEATURE_BLOCK + feature["name"]
        message = str(problem.get("msg") or "")
        if feature is not None and feature.get("theme"):
            message = f"{_named(feature)}: {message}"
        errors[block] = clip(f"{errors[block]}; {message}" if block in errors else message, 200)
    if not errors and first_block:
        errors[first_block] = clip(fallback, 200)
    return errors


def agency_options(agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Options for an agency search: the name shown, the id sent (at most Slack's 100)."""
    return [option(f"{agency['name']} ({agency['area']})", agency["id"]) for agency in agencies[:OPTIONS_MAX]]
