"""Statutory clocks: how long an outcome has, counted from which event, under the edition in force then.

An outcome's clock is ruleset data: one or more variants. A variant counts from a case date (the
incident, the day the local authority learned of it, the Panel's notification) or from the board's
decision; it may apply only from a date (a later edition's clock, or the day a role passed to another
body), and a relaxation such as the COVID-19 one may cover it. This module reads clocks from the data and
picks the variant that applies to a case's dates. Pure.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from commissioning.calendar import UNITS
from commissioning.citations import DECISION, Document, Source, parse_sources, trigger_day
from commissioning.features import in_words

CASE_DATES = ("incident_date", "notified_date", "panel_notified_date")

# The event a clock's start stands for, so its variant and its citations are those in force then.
TRIGGER_OF = {
    "incident_date": "incident",
    "notified_date": "notification",
    "panel_notified_date": "panel_notification",
    DECISION: "decision",
}


@dataclass(frozen=True)
class Dates:
    """A case's dates a rule can turn on, the board's decision among them, and the day decided as of."""

    known: Mapping[str, date | None]
    today: date

    @classmethod
    def of(cls, features: Mapping[str, Any], today: date, decided_on: date | None) -> "Dates":
        return cls({**{name: features.get(name) for name in CASE_DATES}, DECISION: decided_on}, today)

    def day(self, on: str) -> date:
        """The day a rule that turns on ``on`` is read as of (``citations.trigger_day``)."""
        return trigger_day(on, self.known, self.today)


@dataclass(frozen=True)
class DeadlineSpec:
    basis: str  # in words: what the clock counts to, and from when
    count: int | None = None
    count_param: str | None = None
    unit: str | None = None
    start: str | None = None  # a date feature, the board's decision (DECISION), or None: a later event
    words: str | None = None  # replaces "<count> <unit>", e.g. "immediately"
    fallback: str | None = None  # a date feature counted from, for now, while ``start`` is not known
    fallback_basis: str = ""  # the basis when counted from ``fallback``
    sources: tuple[Source, ...] = ()
    applies_from: str | None = None  # a date setting: the variant for clocks starting on or after it
    relaxed_by: str | None = None  # a relaxation (``Relaxation``) that may cover this clock

    @property
    def trigger(self) -> str:
        return TRIGGER_OF.get(self.start or DECISION, "decision")


@dataclass(frozen=True)
class Relaxation:
    """A period in which some expectations were relaxed (not the statutory notification deadlines)."""

    name: str
    starts: str  # date setting
    ends: str  # date setting; its value None means it has not ended
    text: str  # said in a relaxed deadline's basis; ``{starts}`` is the day it began
    summary: str  # said once in an answer that has a relaxed deadline
    sources: tuple[Source, ...]

    def covers(self, start: date, end: date, values: Mapping[str, Any]) -> bool:
        """Whether a clock running from ``start`` to ``end`` overlaps the relaxation."""
        began, ended = values[self.starts], values[self.ends]
        return began is not None and end >= began and (ended is None or start <= ended)


def parse_clock(
    spec: Any,
    names: Mapping[str, Any],
    features: Mapping[str, Any],
    documents: Mapping[str, Document],
    relaxations: Mapping[str, Relaxation],
    fail: Callable[[str], Exception],
) -> tuple[DeadlineSpec, ...] | None:
    """An outcome's clock from the data (one variant as an object, or a list of them), checked against
    the ruleset's settings (``names``), the date features and the relaxations."""
    if spec is None:
        return None
    return tuple(
        _variant(one, names, features, documents, relaxations, fail)
        for one in (spec if isinstance(spec, list) else [spec])
    )


def _variant(
    spec: Mapping[str, Any],
    names: Mapping[str, Any],
    features: Mapping[str, Any],
    documents: Mapping[str, Document],
    relaxations: Mapping[str, Relaxation],
    fail: Callable[[str], Exception],
) -> DeadlineSpec:
    count = spec.get("count")
    count_param = count["param"] if isinstance(count, dict) else None
    for setting in (count_param, spec.get("applies_from")):
        if setting is not None and setting not in names:
            raise fail(f"deadline uses unknown setting {setting!r}")
    for key in ("from", "otherwise_from"):
        start = spec.get(key)
        if start is not None and start != DECISION and start not in features:
            raise fail(f"deadline starts from unknown feature {start!r}")
    if count is not None and spec.get("unit") not in UNITS:
        raise fail(f"deadline unit must be one of {UNITS}")
    if spec.get("relaxed_by") not in (None, *relaxations):
        raise fail(f"deadline names an unknown relaxation {spec['relaxed_by']!r}")
    return DeadlineSpec(
        in_words(spec["basis"]),  # older files name the feature a clock starts from; a person reads words
        None if count_param else count,
        count_param,
        spec.get("unit"),
        spec.get("from"),
        spec.get("words"),
        spec.get("otherwise_from"),
        in_words(spec.get("otherwise_basis", "")),
        parse_sources(spec["sources"], documents, fail) if "sources" in spec else (),
        spec.get("applies_from"),
        spec.get("relaxed_by"),
    )


def parse_relaxations(
    data: Mapping[str, Any],
    names: Mapping[str, Any],
    documents: Mapping[str, Document],
    fail: Callable[[str], Exception],
) -> dict[str, Relaxation]:
    relaxations = {}
    for name, spec in data.items():
        if spec["from"] not in names or spec["until"] not in names:
            raise fail(f"relaxation {name!r} uses unknown settings")
        sources = parse_sources(spec["sources"], documents, fail)
        relaxations[name] = Relaxation(
            name, spec["from"], spec["until"], spec["text"], spec["summary"], sources
        )
    return relaxations


def choose(
    variants: Sequence[DeadlineSpec],
    dates: Mapping[str, date | None],
    today: date,
    values: Mapping[str, Any],
) -> DeadlineSpec:
    """The variant that applies: one counting from the board's decision once it is known (else one that
    does not, when there is one), in force on the day its clock starts."""
    decided = dates.get(DECISION) is not None
    chosen = [v for v in variants if (v.start == DECISION) == decided] or list(variants)
    pick = chosen[0]
    for variant in chosen[1:]:
        since = values[variant.applies_from] if variant.applies_from else None
        if since is not None and trigger_day(variant.trigger, dates, today) >= since:
            pick = variant
    return pick


def start_of(spec: DeadlineSpec, dates: Mapping[str, date | None]) -> tuple[date | None, bool]:
    """The day the clock starts, and whether it is the stand-in (``fallback``) rather than its own start."""
    if spec.start is not None and dates.get(spec.start) is not None:
        return dates[spec.start], False
    if spec.fallback is not None and dates.get(spec.fallback) is not None:
        return dates[spec.fallback], True
    return None, False
