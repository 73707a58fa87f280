"""Slack's rules for Block Kit payloads and for the methods that carry them, checked as Slack checks them.

``check_call(method, body)`` says what Slack answers a Web API call (or a post to a ``response_url``):
a ``Verdict`` with no error when it accepts it, else Slack's error code (``invalid_blocks``,
``invalid_arguments``, ``msg_too_long``, ...) and the reasons in Slack's form, e.g.
``[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]``. ``check_ack`` does the
same for what the app answers in an acknowledgement (a slash command's reply, a modal's
``response_action``, an options request's options). The limits are ``blockkit_limits``, written from
Slack's documentation; nothing here reads the bot's own limits.

Beyond Slack, one rule of this project's own: a message with blocks carries a non-empty top-level
``text``, because notifications and screen readers read it.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import blockkit_limits as limits

MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"})
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SELECTS = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
MULTI_SELECTS = frozenset({f"multi_{kind}" for kind in SELECTS})
CHOOSERS = frozenset({"checkboxes", "radio_buttons", "datepicker", "datetimepicker", "timepicker"})
# Which elements each block takes (blocks reference: section accessory, actions elements, input element).
SECTION_ACCESSORIES = (
    SELECTS | MULTI_SELECTS | (CHOOSERS - {"datetimepicker"}) | {"button", "overflow", "image"}
)
ACTIONS_ELEMENTS = SELECTS | MULTI_SELECTS | CHOOSERS | {"button", "overflow"}
INPUT_ELEMENTS = (
    SELECTS
    | MULTI_SELECTS
    | CHOOSERS
    | {"plain_text_input", "number_input", "email_text_input", "url_text_input", "rich_text_input"}
)
BLOCK_FIELDS = {
    "section": {"text", "fields", "accessory", "expand"},
    "header": {"text"},
    "divider": set(),
    "context": {"elements"},
    "actions": {"elements"},
    "input": {"label", "element", "hint", "optional", "dispatch_action"},
    "image": {"image_url", "alt_text", "title", "slack_file"},
}
BLOCK_REQUIRED = {
    "header": ("text",),
    "context": ("elements",),
    "actions": ("elements",),
    "input": ("label", "element"),
    "image": ("alt_text",),
}
SELECT_FIELDS = {"action_id", "placeholder", "confirm", "focus_on_load"}
ELEMENT_FIELDS = {
    "button": {"action_id", "text", "value", "url", "style", "confirm", "accessibility_label"},
    "static_select": SELECT_FIELDS | {"options", "option_groups", "initial_option"},
    "multi_static_select": SELECT_FIELDS
    | {"options", "option_groups", "initial_options", "max_selected_items"},
    "external_select": SELECT_FIELDS | {"initial_option", "min_query_length"},
    "multi_external_select": SELECT_FIELDS | {"initial_options", "min_query_length", "max_selected_items"},
    "overflow": {"action_id", "options", "confirm"},
    "checkboxes": {"action_id", "options", "initial_options", "confirm", "focus_on_load"},
    "radio_buttons": {"action_id", "options", "initial_option", "confirm", "focus_on_load"},
    "datepicker": {"action_id", "initial_date", "confirm", "focus_on_load", "placeholder"},
    "plain_text_input": {
        "action_id",
        "initial_value",
        "multiline",
        "min_length",
        "max_length",
        "dispatch_action_config",
        "focus_on_load",
        "placeholder",
    },
    "number_input": {
        "action_id",
        "is_decimal_allowed",
        "initial_value",
        "min_value",
        "max_value",
        "dispatch_action_config",
        "focus_on_load",
        "placeholder",
    },
    "image": {"image_url", "alt_text", "slack_file"},
}
OPTION_LIMITS = {
    "static_select": limits.SELECT_OPTIONS,
    "multi_static_select": limits.SELECT_OPTIONS,
    "overflow": limits.OVERFLOW_OPTIONS,
    "checkboxes": limits.CHECKBOX_OPTIONS,
    "radio_buttons": limits.RADIO_OPTIONS,
}
MODAL_FIELDS = {
    "type",
    "title",
    "blocks",
    "close",
    "submit",
    "private_metadata",
    "callback_id",
    "clear_on_close",
    "notify_on_close",
    "external_id",
    "submit_disabled",
}
HOME_FIELDS = {"type", "blocks", "private_metadata", "callback_id", "external_id"}


@dataclass
class Verdict:
    """Slack's answer to one payload: ``error`` None when accepted; ``warnings`` never refuse."""

    error: str | None = None
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def answer(self) -> dict[str, Any]:
        """The body of Slack's refusal: ``{"ok": false, "error": ..., "response_metadata": {...}}``."""
        return {"ok": False, "error": self.error, "response_metadata": {"messages": list(self.messages)}}


def decoded(value: Any) -> Any:
    """A field the SDK sent form-encoded as JSON text (``blocks``, ``view``), decoded; else as it is."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Checker:
    """Walks one payload, collecting Slack's reasons for refusing it."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, pointer: str, reason: str) -> None:
        self.problems.append(f"[ERROR] {reason} [json-pointer:{pointer}]")

    # Values ------------------------------------------------------------------------------------------

    def fields(self, obj: dict[str, Any], pointer: str, allowed: Iterable[str], required: Iterable[str] = ()):  # type: ignore[no-untyped-def]
        for name in required:
            if name not in obj:
                self.fail(pointer, f"missing required field: {name}")
        known = {"type", *allowed}
        for name in obj:
            if name not in known:
                self.fail(
                    f"{pointer}/{name}", f"unexpected field {name!r}: failed to match all allowed schemas"
                )

    def string(self, value: Any, pointer: str, *, limit: int, minimum: int = 0) -> None:
        if not isinstance(value, str):
            self.fail(pointer, "must provide a string")
        elif len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} characters")
        elif len(value) < minimum:
            self.fail(pointer, f"must be more than {minimum - 1} characters")

    def identifier(self, obj: dict[str, Any], name: str, pointer: str, *, limit: int) -> None:
        if name in obj:
            self.string(obj[name], f"{pointer}/{name}", limit=limit, minimum=1)

    def boolean(self, obj: dict[str, Any], name: str, pointer: str) -> None:
        if name in obj and not isinstance(obj[name], bool):
            self.fail(f"{pointer}/{name}", "must provide a boolean")

    def obj(self, value: Any, pointer: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(pointer, "must provide an object")
            return None
        return value

    def array(self, value: Any, pointer: str, *, maximum: int, minimum: int = 1) -> list[Any]:
        if not isinstance(value, list):
            self.fail(pointer, "must provide an array")
            return []
        if len(value) > maximum:
            self.fail(pointer, f"no more than {maximum} items allowed")
        if len(value) < minimum:
            self.fail(pointer, f"must provide at least {minimum} items")
        return value

    def text(self, value: Any, pointer: str, *, limit: int, plain: bool = False) -> None:
        """A text object: plain_text (``plain``: the only kind allowed here) or mrkdwn, 1 to ``limit``."""
        found = self.obj(value, pointer)
        if found is None:
            return
        kind = found.get("type")
        if plain and kind != "plain_text":
            self.fail(f"{pointer}/type", 'must be "plain_text"')
            return
        if kind not in ("plain_text", "mrkdwn"):
            self.fail(f"{pointer}/type", "must be a valid enum value")
            return
        extra = "emoji" if kind == "plain_text" else "verbatim"
        self.fields(found, pointer, {"text", extra}, required=("text",))
        self.boolean(found, extra, pointer)
        if "text" in found:
            self.string(found["text"], f"{pointer}/text", limit=min(limit, limits.TEXT_CHARS), minimum=1)

    # Blocks ------------------------------------------------------------------------------------------

    def blocks(self, value: Any, pointer: str, *, maximum: int) -> list[dict[str, Any]]:
        found = self.array(value, pointer, maximum=maximum, minimum=0)
        seen: dict[str, int] = {}
        for index, block in enumerate(found):
            where = f"{pointer}/{index}"
            if self.obj(block, where) is None:
                continue
            block_id = block.get("block_id")
            if isinstance(block_id, str):
                if block_id in seen:
                    self.fail(
                        f"{where}/block_id", f"duplicate block_id {block_id!r} (also block {seen[block_id]})"
                    )
                seen.setdefault(block_id, index)
            self.block(block, where)
        return [block for block in found if isinstance(block, dict)]

    def block(self, block: dict[str, Any], pointer: str) -> None:
        kind = block.get("type")
        if kind not in BLOCK_FIELDS:
            self.fail(f"{pointer}/type", f"failed to match all allowed schemas: no block of type {kind!r}")
            return
        self.fields(block, pointer, {"block_id", *BLOCK_FIELDS[kind]}, BLOCK_REQUIRED.get(kind, ()))
        self.identifier(block, "block_id", pointer, limit=limits.BLOCK_ID_CHARS)
        getattr(self, f"_{kind}")(block, pointer)

    def _section(self, block: dict[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(pointer, "must provide either text or fields")
        if "text" in block:
            self.text(block["text"], f"{pointer}/text", limit=limits.SECTION_TEXT_CHARS)
        if "fields" in block:
            found = self.array(block["fields"], f"{pointer}/fields", maximum=limits.SECTION_FIELDS)
            for index, item in enumerate(found):
                self.text(item, f"{pointer}/fields/{index}", limit=limits.SECTION_FIELD_CHARS)
        if "accessory" in block:
            self.elements([block["accessory"]], f"{pointer}/accessory", SECTION_ACCESSORIES, single=True)
        self.boolean(block, "expand", pointer)

    def _header(self, block: dict[str, Any], pointer: str) -> None:
        if "text" in block:
            self.text(block["text"], f"{pointer}/text", limit=limits.HEADER_CHARS, plain=True)

    def _divider(self, block: dict[str, Any], pointer: str) -> None:
        """Nothing but its type and block_id."""

    def _context(self, block: dict[str, Any], pointer: str) -> None:
        where = f"{pointer}/elements"
        found = self.array(block.get("elements"), where, maximum=limits.CONTEXT_ELEMENTS)
        for index, item in enumerate(found):
            if isinstance(item, dict) and item.get("type") == "image":
                self.element(item, f"{where}/{index}")
            else:
                self.text(item, f"{where}/{index}", limit=limits.TEXT_CHARS)

    def _actions(self, block: dict[str, Any], pointer: str) -> None:
        found = self.array(block.get("elements"), f"{pointer}/elements", maximum=limits.ACTIONS_ELEMENTS)
        self.elements(found, f"{pointer}/elements", ACTIONS_ELEMENTS)

    def _input(self, block: dict[str, Any], pointer: str) -> None:
        if "label" in block:
            self.text(block["label"], f"{pointer}/label", limit=limits.INPUT_LABEL_CHARS, plain=True)
        if "hint" in block:
            self.text(block["hint"], f"{pointer}/hint", limit=limits.INPUT_HINT_CHARS, plain=True)
        self.boolean(block, "optional", pointer)
        self.boolean(block, "dispatch_action", pointer)
        if "element" in block:
            self.elements([block["element"]], f"{pointer}/element", INPUT_ELEMENTS, single=True)

    def _image(self, block: dict[str, Any], pointer: str) -> None:
        self._picture(block, pointer)
        if "title" in block:
            self.text(block["title"], f"{pointer}/title", limit=2000, plain=True)

    def _picture(self, image: dict[str, Any], pointer: str) -> None:
        """An image block's or image element's picture: a URL (3000) or a Slack file, and its alt text."""
        if "slack_file" not in image:
            self.string(image.get("image_url"), f"{pointer}/image_url", limit=3000, minimum=1)
        self.string(image.get("alt_text"), f"{pointer}/alt_text", limit=2000, minimum=1)

    # Elements ----------------------------------------------------------------------------------------

    def elements(
        self, found: list[Any], pointer: str, allowed: frozenset[str], *, single: bool = False
    ) -> None:
        """The elements of one block: each of a kind the block takes; action_ids unique within it."""
        seen: set[str] = set()
        for index, element in enumerate(found):
            where = pointer if single else f"{pointer}/{index}"
            if self.obj(element, where) is None:
                continue
            kind = element.get("type")
            if kind not in allowed:
                self.fail(
                    f"{where}/type", f"failed to match all allowed schemas: {kind!r} is not allowed here"
                )
                continue
            action_id = element.get("action_id")
            if isinstance(action_id, str):
                if action_id in seen:
                    self.fail(f"{where}/action_id", f"duplicate action_id {action_id!r} within the block")
                seen.add(action_id)
            self.element(element, where)

    def element(self, element: dict[str, Any], pointer: str) -> None:
        kind = element["type"]
        if kind in ELEMENT_FIELDS:
            self.fields(element, pointer, ELEMENT_FIELDS[kind])
        self.identifier(element, "action_id", pointer, limit=limits.ACTION_ID_CHARS)
        if "placeholder" in element:
            self.text(
                element["placeholder"], f"{pointer}/placeholder", limit=limits.PLACEHOLDER_CHARS, plain=True
            )
        if "confirm" in element:
            self.confirm(element["confirm"], f"{pointer}/confirm")
        self.boolean(element, "focus_on_load", pointer)
        if kind == "button":
            self._button(element, pointer)
        elif kind in OPTION_LIMITS:
            self._options(element, pointer)
        elif kind in ("external_select", "multi_external_select"):
            self._external(element, pointer)
        elif kind == "datepicker" and "initial_date" in element:
            if not (isinstance(element["initial_date"], str) and DATE.match(element["initial_date"])):
                self.fail(f"{pointer}/initial_date", "must be a date in the format YYYY-MM-DD")
        elif kind == "plain_text_input":
            self._text_input(element, pointer)
        elif kind == "number_input":
            self._number_input(element, pointer)
        elif kind == "image":
            self._picture(element, pointer)

    def _button(self, element: dict[str, Any], pointer: str) -> None:
        if "text" not in element:
            self.fail(pointer, "missing required field: text")
        else:
            self.text(element["text"], f"{pointer}/text", limit=limits.BUTTON_TEXT_CHARS, plain=True)
        if "value" in element:
            self.string(element["value"], f"{pointer}/value", limit=limits.BUTTON_VALUE_CHARS)
        if "url" in element:
            self.string(element["url"], f"{pointer}/url", limit=limits.BUTTON_URL_CHARS, minimum=1)
        if "style" in element and element["style"] not in limits.BUTTON_STYLES:
            self.fail(f"{pointer}/style", "must be a valid enum value")
        if "accessibility_label" in element:
            self.string(element["accessibility_label"], f"{pointer}/accessibility_label", limit=75, minimum=1)

    def _options(self, element: dict[str, Any], pointer: str) -> None:
        kind = element["type"]
        plain = kind not in ("checkboxes", "radio_buttons")
        maximum = OPTION_LIMITS[kind]
        offered: list[Any] = []
        if "option_groups" in element and kind in ("static_select", "multi_static_select"):
            if "options" in element:
                self.fail(pointer, "must provide either options or option_groups, not both")
            groups = self.array(
                element["option_groups"], f"{pointer}/option_groups", maximum=limits.OPTION_GROUPS
            )
            for index, group in enumerate(groups):
                where = f"{pointer}/option_groups/{index}"
                if self.obj(group, where) is None:
                    continue
                self.fields(group, where, {"label", "options"}, required=("label", "options"))
                self.text(group.get("label"), f"{where}/label", limit=limits.OPTION_TEXT_CHARS, plain=True)
                items = self.array(group.get("options"), f"{where}/options", maximum=maximum)
                offered += self._option_list(items, f"{where}/options", plain=plain)
        else:
            items = self.array(element.get("options"), f"{pointer}/options", maximum=maximum)
            offered = self._option_list(items, f"{pointer}/options", plain=plain, urls=kind == "overflow")
        if "initial_option" in element and element["initial_option"] not in offered:
            self.fail(f"{pointer}/initial_option", "must exactly match one of the options")
        for index, chosen in enumerate(element.get("initial_options") or []):
            if chosen not in offered:
                self.fail(f"{pointer}/initial_options/{index}", "must exactly match one of the options")
        if "max_selected_items" in element and not (
            isinstance(element["max_selected_items"], int) and element["max_selected_items"] >= 1
        ):
            self.fail(f"{pointer}/max_selected_items", "must be an integer of at least 1")

    def _option_list(self, items: list[Any], pointer: str, *, plain: bool, urls: bool = False) -> list[Any]:
        values: set[str] = set()
        for index, item in enumerate(items):
            where = f"{pointer}/{index}"
            self.option(item, where, plain=plain, urls=urls)
            value = item.get("value") if isinstance(item, dict) else None
            if isinstance(value, str):
                if value in values:
                    self.fail(f"{where}/value", f"duplicate option value {value!r}")
                values.add(value)
        return items

    def option(self, item: Any, pointer: str, *, plain: bool = True, urls: bool = False) -> None:
        """An option object: text (plain_text unless ``plain`` is False) 75, value 150, description 75."""
        found = self.obj(item, pointer)
        if found is None:
            return
        self.fields(
            found, pointer, {"text", "value", "description", *(("url",) if urls else ())}, ("text", "value")
        )
        if "text" in found:
            self.text(found["text"], f"{pointer}/text", limit=limits.OPTION_TEXT_CHARS, plain=plain)
        if "value" in found:
            self.string(found["value"], f"{pointer}/value", limit=limits.OPTION_VALUE_CHARS, minimum=1)
        if "description" in found:
            self.text(found["description"], f"{pointer}/description", limit=limits.OPTION_DESCRIPTION_CHARS)

    def _external(self, element: dict[str, Any], pointer: str) -> None:
        minimum = element.get("min_query_length")
        if minimum is not None and not (isinstance(minimum, int) and minimum >= 0):
            self.fail(f"{pointer}/min_query_length", "must be an integer of at least 0")
        chosen = element.get("initial_options") or (
            [element["initial_option"]] if "initial_option" in element else []
        )
        for index, item in enumerate(chosen):
            self.option(item, f"{pointer}/initial_options/{index}")

    def _text_input(self, element: dict[str, Any], pointer: str) -> None:
        most, least = element.get("max_length"), element.get("min_length")
        if most is not None and not (isinstance(most, int) and 1 <= most <= limits.INPUT_MAX_LENGTH):
            self.fail(f"{pointer}/max_length", f"must be an integer from 1 to {limits.INPUT_MAX_LENGTH}")
        if least is not None and not (isinstance(least, int) and 0 <= least <= limits.INPUT_MAX_LENGTH):
            self.fail(f"{pointer}/min_length", f"must be an integer from 0 to {limits.INPUT_MAX_LENGTH}")
        if isinstance(most, int) and isinstance(least, int) and least > most:
            self.fail(f"{pointer}/min_length", "must not be more than max_length")
        self.boolean(element, "multiline", pointer)
        if "initial_value" in element:
            self.string(element["initial_value"], f"{pointer}/initial_value", limit=limits.INPUT_MAX_LENGTH)

    def _number_input(self, element: dict[str, Any], pointer: str) -> None:
        if not isinstance(element.get("is_decimal_allowed"), bool):
            self.fail(
                f"{pointer}/is_decimal_allowed", "missing required field: is_decimal_allowed (a boolean)"
            )
        for name in ("initial_value", "min_value", "max_value"):
            if name in element:
                self.string(element[name], f"{pointer}/{name}", limit=limits.TEXT_CHARS, minimum=1)

    def confirm(self, value: Any, pointer: str) -> None:
        found = self.obj(value, pointer)
        if found is None:
            return
        self.fields(
            found,
            pointer,
            {"title", "text", "confirm", "deny", "style"},
            ("title", "text", "confirm", "deny"),
        )
        if "title" in found:
            self.text(found["title"], f"{pointer}/title", limit=limits.CONFIRM_TITLE_CHARS, plain=True)
        if "text" in found:
            self.text(found["text"], f"{pointer}/text", limit=limits.CONFIRM_TEXT_CHARS)
        for name in ("confirm", "deny"):
            if name in found:
                self.text(found[name], f"{pointer}/{name}", limit=limits.CONFIRM_BUTTON_CHARS, plain=True)
        if "style" in found and found["style"] not in limits.BUTTON_STYLES:
            self.fail(f"{pointer}/style", "must be a valid enum value")

    # Views -------------------------------------------------------------------------------------------

    def view(self, value: Any, pointer: str, *, kinds: tuple[str, ...]) -> None:
        view = self.obj(value, pointer)
        if view is None:
            return
        kind = view.get("type")
        if kind not in kinds:
            self.fail(f"{pointer}/type", f"must be {' or '.join(repr(k) for k in kinds)}")
            return
        modal = kind == "modal"
        self.fields(
            view,
            pointer,
            MODAL_FIELDS if modal else HOME_FIELDS,
            ("title", "blocks") if modal else ("blocks",),
        )
        found = self.blocks(view.get("blocks", []), f"{pointer}/blocks", maximum=limits.SURFACE_BLOCKS)
        if "private_metadata" in view:
            self.string(
                view["private_metadata"], f"{pointer}/private_metadata", limit=limits.PRIVATE_METADATA_CHARS
            )
        for name in ("callback_id", "external_id"):
            if name in view:
                self.string(view[name], f"{pointer}/{name}", limit=limits.CALLBACK_ID_CHARS)
        if not modal:
            return
        for name in ("title", "submit", "close"):
            if name in view:
                self.text(view[name], f"{pointer}/{name}", limit=limits.VIEW_TITLE_CHARS, plain=True)
        if "submit" not in view and any(block.get("type") == "input" for block in found):
            self.fail(pointer, "missing required field: submit (the view has input blocks)")


# Calls -------------------------------------------------------------------------------------------------


def check_message(body: dict[str, Any], *, method: str) -> Verdict:
    """A message (``chat.*`` or a ``response_url`` post): its text and blocks."""
    verdict = Verdict()
    if method == "response_url" and body.get("delete_original") in (True, "true"):
        return verdict
    text, blocks = body.get("text"), decoded(body.get("blocks"))
    if isinstance(blocks, str) and blocks:
        return Verdict(
            "invalid_blocks_format", ["[ERROR] must be a JSON array of blocks [json-pointer:/blocks]"]
        )
    if not text and not blocks:
        return Verdict("no_text", ["[ERROR] a message needs text or blocks [json-pointer:/text]"])
    if text is not None and not isinstance(text, str):
        return Verdict("invalid_arguments", ["[ERROR] must provide a string [json-pointer:/text]"])
    if text and len(text) > limits.MESSAGE_TEXT_CHARS:
        return Verdict(
            "msg_too_long",
            [f"[ERROR] must be less than {limits.MESSAGE_TEXT_CHARS + 1} characters [json-pointer:/text]"],
        )
    if text and len(text) > limits.MESSAGE_TEXT_ADVISED_CHARS:
        verdict.warnings.append(
            f"text of {len(text)} characters: Slack advises at most {limits.MESSAGE_TEXT_ADVISED_CHARS}"
        )
    if blocks:
        checker = _Checker()
        checker.blocks(blocks, "/blocks", maximum=limits.MESSAGE_BLOCKS)
        if checker.problems:
            return Verdict("invalid_blocks", checker.problems, verdict.warnings)
        if not (isinstance(text, str) and text.strip()):
            reason = (
                "a message with blocks must carry a top-level text (this project's rule: notifications "
                "and screen readers read it)"
            )
            return Verdict("invalid_arguments", [f"[ERROR] {reason} [json-pointer:/text]"], verdict.warnings)
    return verdict


def check_view(body: dict[str, Any], *, method: str) -> Verdict:
    """A ``views.*`` call: the view, and the argument that says where it goes."""
    checker = _Checker()
    needed = {
        "views.open": ("trigger_id", "interactivity_pointer"),
        "views.push": ("trigger_id", "interactivity_pointer"),
        "views.update": ("view_id", "external_id"),
        "views.publish": ("user_id",),
    }[method]
    if not any(body.get(name) for name in needed):
        checker.fail("", f"missing required field: {' or '.join(needed)}")
    view = decoded(body.get("view"))
    if view is None:
        checker.fail("", "missing required field: view")
    elif len(json.dumps(view).encode()) > limits.VIEW_BYTES:
        return Verdict(
            "view_too_large", [f"[ERROR] a view holds at most {limits.VIEW_BYTES} bytes [json-pointer:/view]"]
        )
    else:
        kinds = {"views.publish": ("home",), "views.update": ("modal", "home")}.get(method, ("modal",))
        checker.view(view, "/view", kinds=kinds)
    return Verdict("invalid_arguments", checker.problems) if checker.problems else Verdict()


APP_TOKEN_METHODS = frozenset({"apps.connections.open"})  # the app-level token (xapp-) and no other


def token_verdict(method: str, token: str | None) -> Verdict:
    """Slack's answer to the token a Web API call carries: none is ``not_authed``; a bot token where an
    app-level one is needed, or the reverse, is ``not_allowed_token_type``."""
    token = (token or "").removeprefix("Bearer ").strip()
    if not token:
        return Verdict("not_authed", ["[ERROR] no token was sent"])
    wanted = "xapp-" if method in APP_TOKEN_METHODS else "xoxb-"
    if not token.startswith(wanted):
        return Verdict("not_allowed_token_type", [f"[ERROR] {method} takes a token starting {wanted}"])
    return Verdict()


def check_call(method: str, body: dict[str, Any]) -> Verdict:
    """What Slack answers ``method`` called with ``body`` (the stateful rules, triggers and response URLs'
    use, are the stand-in's)."""
    if method in MESSAGE_METHODS:
        missing = {
            "chat.postMessage": ("channel",),
            "chat.postEphemeral": ("channel", "user"),
            "chat.update": ("channel", "ts"),
        }.get(method, ())
        absent = [name for name in missing if not body.get(name)]
        if absent:
            return Verdict(
                "invalid_arguments",
                [f"[ERROR] missing required field: {name} [json-pointer:/]" for name in absent],
            )
        return check_message(body, method=method)
    if method in VIEW_METHODS:
        return check_view(body, method=method)
    if method in UPLOAD_METHODS:
        return check_upload(method, body)
    return Verdict()


UPLOAD_METHODS = frozenset({"files.getUploadURLExternal", "files.completeUploadExternal"})


def check_upload(method: str, body: dict[str, Any]) -> Verdict:
    """The two calls of a files upload v2 around the bytes: asking for an upload URL needs the file's
    name and its length in bytes (a whole number above 0); completing it needs the files, a JSON list of
    objects each naming an ``id``."""
    problems = []
    if method == "files.getUploadURLExternal":
        if not str(body.get("filename") or "").strip():
            problems.append("[ERROR] missing required field: filename")
        length = str(body.get("length") or "")
        if not length.isdigit() or int(length) < 1:
            problems.append("[ERROR] length must be a whole number of bytes above 0")
    else:
        files = body.get("files")
        try:
            listed = json.loads(files) if isinstance(files, str) else files
        except ValueError:
            listed = None
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(item, dict) and item.get("id") for item in listed)
        ):
            problems.append("[ERROR] files must be a JSON list of objects, each with an id")
    return Verdict("invalid_arguments", problems) if problems else Verdict()


# Acknowledgements -------------------------------------------------------------------------------------


def check_ack(kind: str, answer: dict[str, Any], *, view: dict[str, Any] | None = None) -> Verdict:
    """What the app answered in the acknowledgement of a request of ``kind`` (``slash_command``,
    ``view_submission`` with the submitted ``view``, ``block_suggestion``); Slack shows an error instead of
    an answer it refuses."""
    if not answer:
        return Verdict()
    if kind == "block_suggestion":
        checker = _Checker()
        options = checker.array(
            answer.get("options", []), "/options", maximum=limits.SUGGESTED_OPTIONS, minimum=0
        )
        for index, item in enumerate(options):
            checker.option(item, f"/options/{index}")
        return Verdict("invalid_arguments", checker.problems) if checker.problems else Verdict()
    if kind == "view_submission":
        action = answer.get("response_action")
        if action in ("update", "push"):
            checker = _Checker()
            checker.view(answer.get("view"), "/view", kinds=("modal",))
            return Verdict("invalid_arguments", checker.problems) if checker.problems else Verdict()
        if action == "errors":
            inputs = {b.get("block_id") for b in (view or {}).get("blocks", []) if b.get("type") == "input"}
            unknown = [key for key in answer.get("errors") or {} if key not in inputs]
            if unknown or not answer.get("errors"):
                return Verdict(
                    "invalid_arguments",
                    [
                        f"[ERROR] no input block {key!r} in the view [json-pointer:/errors/{key}]"
                        for key in unknown
                    ]
                    or ["[ERROR] must name at least one input block [json-pointer:/errors]"],
                )
            return Verdict()
        if action not in (None, "clear"):
            return Verdict(
                "invalid_arguments", ["[ERROR] must be a valid enum value [json-pointer:/response_action]"]
            )
        return Verdict()
    return check_message(answer, method="response_url")
