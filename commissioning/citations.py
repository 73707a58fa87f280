"""Which edition of a guidance document was in force on a day, and how a rule cites it.

A rule turns on a date: the incident, the day the local authority learned of it, the Panel's
notification, or the board's decision. Its reasons and deadlines cite the edition of each document in
force on that date, so a 2020 case cites Working Together 2018, not 2023. The editions are data (the
``editions`` table of the rulesets' shared file, with their sources); this module reads the table and
resolves a rule's sources on a day. Pure.
"""

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

# The dates a rule can turn on, each with the dates that stand in for it while it is not known, nearest
# first: a decision not yet made is taken to follow the notification, an unknown incident to precede it.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "incident": ("incident_date", "notified_date"),
    "notification": ("notified_date", "incident_date"),
    "panel_notification": ("panel_notified_date", "notified_date", "incident_date"),
    "decision": ("decided_on", "panel_notified_date", "notified_date", "incident_date"),
}
DECISION = "decided_on"  # the board's decision: not a case feature, given with the board's decision


@dataclass(frozen=True)
class Cite:
    """A reference to a part (such as 'serious case reviews') of a document that has editions, and what
    to cite instead on a day no edition with that part was in force."""

    document: str
    part: str
    otherwise: str = ""


Source = str | Cite  # a fixed source (an Act, a regulation) or a part of an edition chosen by date


@dataclass(frozen=True)
class Edition:
    id: str
    title: str  # as a reader sees it cited: "Working Together to Safeguard Children 2018"
    in_force: date | None  # None: a date set to 'never' by a local setting
    parts: Mapping[str, str]  # part -> where in this edition, e.g. "chapter 4"; "" for the whole edition


@dataclass(frozen=True)
class Document:
    id: str
    editions: tuple[Edition, ...]  # oldest first
    cite_first_before: bool  # for a day before any edition with the part: cite the first (True) or none

    @cached_property
    def _by_part(self) -> dict[str, tuple[list[date], list[Edition]]]:
        """For each part, the days its editions came into force and the editions, in order."""
        found: dict[str, tuple[list[date], list[Edition]]] = {}
        for edition in sorted((e for e in self.editions if e.in_force), key=lambda e: e.in_force):  # type: ignore[arg-type, return-value]
            for part in edition.parts:
                days, editions = found.setdefault(part, ([], []))
                days.append(edition.in_force)  # type: ignore[arg-type]
                editions.append(edition)
        return found

    def edition(self, part: str, day: date, *, first: bool = True) -> Edition | None:
        """The edition with ``part`` in force on ``day``; before any, the first one if the document says so
        and ``first`` allows it (a citation with a stand-in of its own never reaches forward)."""
        days, editions = self._by_part.get(part, ([], []))
        now = bisect_right(days, day)
        if now:
            return editions[now - 1]
        return editions[0] if editions and first and self.cite_first_before else None

    def cite(self, part: str, day: date, *, first: bool = True) -> str | None:
        edition = self.edition(part, day, first=first)
        if edition is None:
            return None
        where = edition.parts[part]
        return f"{edition.title}, {where}" if where else edition.title


def trigger_day(on: str, dates: Mapping[str, date | None], today: date) -> date:
    """The day a rule turns on, or the nearest known date standing in for it (else ``today``)."""
    return next((day for name in TRIGGERS[on] if (day := dates.get(name)) is not None), today)


def render(sources: Sequence[Source], documents: Mapping[str, Document], day: date) -> str:
    """Sources as a reader sees them on ``day``: fixed ones as written, edition parts by the edition then."""
    shown = []
    for source in sources:
        text = (
            source
            if isinstance(source, str)
            else documents[source.document].cite(source.part, day, first=not source.otherwise)
            or source.otherwise
        )
        if text and text not in shown:
            shown.append(text)
    return "; ".join(shown)


def parse_sources(
    spec: Any, documents: Mapping[str, Document], fail: Callable[[str], Exception]
) -> tuple[Source, ...]:
    """A rule's sources from the data: a string, or a list of strings and ``{"cite": "document.part"}``
    (with ``"else"``: what to cite on a day no edition with that part was in force)."""
    items = [spec] if isinstance(spec, str) else spec
    if not isinstance(items, list) or not items:
        raise fail(f"sources must be a text or a list, got {spec!r}")
    parsed: list[Source] = []
    for item in items:
        if isinstance(item, str):
            parsed.append(item)
            continue
        if not isinstance(item, dict):
            raise fail(f"a source is a text or {{'cite': 'document.part'}}, got {item!r}")
        document, _, part = str(item.get("cite", "")).partition(".")
        known = documents.get(document)
        if known is None or not any(part in e.parts for e in known.editions):
            raise fail(f"no edition of {document!r} has a part {part!r}")
        parsed.append(Cite(document, part, item.get("else", "")))
    return tuple(parsed)


def parse_documents(data: Mapping[str, Any], dates: Mapping[str, date | None]) -> dict[str, Document]:
    """The editions table; an edition's ``in_force`` is a date or ``{"param": NAME}`` (a ruleset setting,
    so a board that knows the day better can set it)."""
    documents = {}
    for doc_id, spec in data.items():
        editions = tuple(
            Edition(
                edition["id"],
                edition["title"],
                dates[edition["in_force"]["param"]]
                if isinstance(edition["in_force"], dict)
                else date.fromisoformat(edition["in_force"]),
                edition["parts"],
            )
            for edition in spec["editions"]
        )
        documents[doc_id] = Document(doc_id, editions, spec["before_first"] == "first")
    return documents
