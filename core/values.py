"""The values every boundary accepts: dates a calendar can count from, and text every store and document
can hold.

API bodies and query parameters, the CSV import, the admin forms and the case features all take their
dates and text through these, so each is checked once, the same way, with a message a person can act
on. (The Slack bot sends what people type through the API.)

Dates lie between 1900 and 2100, so nothing counted from one (a recheck, a deadline) leaves the
calendar; a date that records something done cannot be after today. Text holds no control character
(PostgreSQL cannot store NUL, and no DOCX or PDF can hold the others) and no lone surrogate (it cannot
be encoded). Word's manual line break (vertical tab) and page break (form feed) become line breaks
where a line break is allowed, and a single-line value (a name) holds none.
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from core.clock import today

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

# What XML 1.0 allows (tab, line feed, carriage return, and the rest of Unicode bar surrogates and
# U+FFFE/U+FFFF): anything else can be neither stored everywhere nor written into a document.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WORD_BREAKS = re.compile("\r\n|[\x0b\x0c]")  # Word's manual line and page breaks, and Windows line ends
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c]")


def _long(value: date) -> str:
    """A date as people write it: 31 December 2100."""
    return f"{value.day} {value:%B %Y}"


def bounded(value: date) -> date:
    """``value`` when it is between 1900 and 2100, else a ``ValueError`` saying which end it passes (a
    pydantic error, so a schema reports it against its field)."""
    if value < EARLIEST:
        raise PydanticCustomError("too_early", f"must be on or after {_long(EARLIEST)}")
    if value > LATEST:
        raise PydanticCustomError("too_late", f"must be on or before {_long(LATEST)}")
    return value


def bounded_past(value: date) -> date:
    """``value`` when it is a date the service accepts and not after the service's today."""
    now = today()
    if bounded(value) > now:
        raise PydanticCustomError("in_future", f"cannot be in the future (today is {_long(now)})")
    return value


def _storable(text: str) -> str:
    """``text`` when it holds only characters every store and document can take."""
    found = _NOT_XML.search(text)
    if found and "\ud800" <= found.group() <= "\udfff":
        raise PydanticCustomError(
            "broken_character", "holds a broken character that cannot be stored; retype it"
        )
    if found:
        raise PydanticCustomError(
            "control_character", "holds a control character that cannot be stored; remove it"
        )
    return text


def line(text: str) -> str:
    """``text`` when it is one line of storable text (a name, an id, a search)."""
    if _LINE_BREAKS.search(text):
        raise PydanticCustomError("line_break", "must be on one line; remove the line break")
    return _storable(text)


def paragraphs(text: str) -> str:
    """``text`` with Word's breaks and Windows line ends as line breaks, when all of it is storable."""
    return _storable(_WORD_BREAKS.sub("\n", text))


def storable_json(value: Any) -> Any:
    """``value`` (parsed JSON, such as a form in progress) when every text in it, names included, is
    storable. Walked without recursion, so no nesting the parser accepted can overflow the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            _storable(item)
        elif isinstance(item, dict):
            pending += [*item, *item.values()]
        elif isinstance(item, list):
            pending += item
    return value


def echoed(text: str) -> str:
    """``text`` safe to quote back in an answer: a lone surrogate, which cannot be encoded, as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_WORDS_AND_SPACES = re.compile(r"\S+|\s+")


def shortened(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut only between words: whole words from its start and
    from its end either side of "…". A message that echoes a long input keeps its end, which says what is
    wrong; a single word longer than the room left is left out whole rather than cut."""
    if len(text) <= limit:
        return text
    parts = _WORDS_AND_SPACES.findall(text)
    room = limit - 3  # the ellipsis and a space either side of it
    head: list[str] = []
    used = 0
    for part in parts:
        if used + len(part) > room // 2:
            break
        head.append(part)
        used += len(part)
    tail: list[str] = []
    for part in reversed(parts[len(head) :]):
        if used + len(part) > room:
            break
        tail.append(part)
        used += len(part)
    for part in parts[len(head) : len(parts) - len(tail)]:  # room the end did not need
        if used + len(part) > room:
            break
        head.append(part)
        used += len(part)
    ends = ("".join(head).strip(), "".join(reversed(tail)).strip())
    return " ".join(piece for piece in (ends[0], "…", ends[1]) if piece)


def printable(text: str) -> str:
    """``text`` as a document can hold it, whatever was stored: Word's breaks as line breaks, and every
    character XML 1.0 forbids dropped. For text stored before it was checked on the way in."""
    return _NOT_XML.sub("", _WORD_BREAKS.sub("\n", text))


Day = Annotated[date, AfterValidator(bounded)]
"""A date between 1 January 1900 and 31 December 2100: an expiry, a date due, a period away."""

PastDay = Annotated[date, AfterValidator(bounded_past)]
"""A date something was done (a check, an approval, an award): a ``Day`` not after today."""

Line = Annotated[str, AfterValidator(line)]
"""Single-line text: a name, an area, a search. Refuses line breaks and control characters."""

Text = Annotated[str, AfterValidator(paragraphs)]
"""Multi-line text: a reason, a statement, notes. Word's line and page breaks become line breaks."""


def _unless_none(check: Callable[[str], str]) -> Callable[[str | None], str | None]:
    def checked(text: str | None) -> str | None:
        return None if text is None else check(text)

    return checked


# Optional text is its own type, not ``Line | None``: pydantic applies a field's length limits to the
# text itself only when the check wraps the whole ``str | None`` (over a union it reports them as "items").
OptionalLine = Annotated[str | None, AfterValidator(_unless_none(line))]
"""A ``Line`` that may be left out (``None``)."""

OptionalText = Annotated[str | None, AfterValidator(_unless_none(paragraphs))]
"""A ``Text`` that may be left out (``None``)."""

StorableJson = Annotated[dict[str, Any], AfterValidator(storable_json)]
"""A JSON object kept as it is sent (a Slack form in progress, a note of what the bot did), whose every
text can be stored."""
