"""A terms of reference document as plain data: the sections ``commissioning.terms`` assembles, each a run
of paragraphs, lists and timetables citing their sources, and the JSON a stored version keeps, so
``commissioning.render`` can lay out any version in any format later.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Paragraph:
    text: str
    source: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Points:
    """A list; numbered for lines of enquiry, bulleted otherwise."""

    items: tuple[Paragraph, ...]
    numbered: bool = False
    kind: str = field(default="points", init=False)


@dataclass(frozen=True)
class Milestone:
    label: str
    due: date | None
    basis: str
    status: str
    source: str


@dataclass(frozen=True)
class Timetable:
    rows: tuple[Milestone, ...]
    kind: str = field(default="timetable", init=False)


Block = Paragraph | Points | Timetable


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]
    to_confirm: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source cited in the section, once each, in order of appearance."""
        found: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                found.append(block.source)
            elif isinstance(block, Points):
                found.extend(item.source for item in block.items)
            else:
                found.extend(row.source for row in block.rows)
        parts = (part.strip() for source in found for part in source.split(";"))
        return tuple(dict.fromkeys(p for p in parts if p))


@dataclass(frozen=True)
class Missing:
    section: str
    title: str
    what: str


@dataclass(frozen=True)
class Terms:
    case_ref: str
    title: str
    review_type: str | None
    review_name: str | None
    area: str | None
    issued_on: date
    clauses_version: str
    ruleset: str | None
    sections: tuple[Section, ...]
    guidance: str | None = None  # the edition of the guidance the review is held under, in words

    @property
    def missing(self) -> tuple[Missing, ...]:
        """Everything still to be confirmed, section by section: what the API lists back."""
        return tuple(Missing(s.key, s.title, what) for s in self.sections for what in s.to_confirm)


def format_date(value: date) -> str:
    """British long form, e.g. 4 November 2026: unambiguous in a document read aloud at a panel."""
    return f"{value.day} {value:%B %Y}"


def parse_date(value: Any) -> date | None:
    """A date from a stored or computed value (an ISO string or a date); None for anything else."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# Storage shape ------------------------------------------------------------------------------------


def to_dict(terms: Terms) -> dict[str, Any]:
    """JSON-ready form of the content object (dates as ISO strings), for storing a version."""

    def encode(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        return value

    return encode(asdict(terms))


def from_dict(data: Mapping[str, Any]) -> Terms:
    """The content object back from `to_dict`, so a stored version renders to any format later."""

    def block(b: Mapping[str, Any]) -> Block:
        if b["kind"] == "points":
            return Points(tuple(Paragraph(i["text"], i["source"]) for i in b["items"]), b["numbered"])
        if b["kind"] == "timetable":
            return Timetable(tuple(_milestone(r) for r in b["rows"]))
        return Paragraph(b["text"], b["source"])

    sections = tuple(
        Section(s["key"], s["title"], tuple(block(b) for b in s["blocks"]), tuple(s["to_confirm"]))
        for s in data["sections"]
    )
    return Terms(
        case_ref=data["case_ref"],
        title=data["title"],
        review_type=data["review_type"],
        review_name=data["review_name"],
        area=data["area"],
        issued_on=date.fromisoformat(data["issued_on"]),
        clauses_version=data["clauses_version"],
        ruleset=data["ruleset"],
        sections=sections,
        guidance=data.get("guidance"),
    )


def _milestone(row: Mapping[str, Any]) -> Milestone:
    return Milestone(row["label"], parse_date(row["due"]), row["basis"], row["status"], row["source"])
