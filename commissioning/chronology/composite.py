"""The composite chronology: every accepted agency chronology merged into one timeline and marked.

Rows are ordered by date, then time (a row without one first in its day), then sequence, then the order
the agencies are given in. An uncertain date sorts at the first day it can be ("May 2016" at 1 May, before
the rows dated 1 May) and stays marked. ``marks`` explains the marks.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from commissioning.chronology import marks
from commissioning.chronology.checks import Entry
from commissioning.chronology.dates import Period
from commissioning.chronology.marks import Cluster, Gap
from core.errors import Invalid


@dataclass(frozen=True)
class AgencyChronology:
    """One agency's accepted rows."""

    agency: str
    entries: Sequence[Entry]


@dataclass(frozen=True)
class Settings:
    """What the marks look for; a partnership may set its own."""

    gap_days: int = 28  # this many days or more with no contact from any agency is a gap
    cluster_size: int = 5  # this many contacts or more ...
    cluster_days: int = 7  # ... within this many days is a cluster
    final_weeks: int = 4  # events this many weeks before the incident are marked
    same_event: float = 0.5  # Jaccard of two agencies' event words, on one day, to be linked as one event
    same_event_minutes: int = 60  # and, when both give a time, at most this far apart

    def __post_init__(self) -> None:
        problems = [
            wording
            for wrong, wording in (
                (self.gap_days < 1, "a gap must be at least 1 day"),
                (self.cluster_size < 2, "a cluster must be at least 2 contacts"),
                (self.cluster_days < 1, "a cluster's span must be at least 1 day"),
                (self.final_weeks < 0, "the final weeks cannot be fewer than 0"),
                (
                    not 0 < self.same_event <= 1,
                    "the share of words for the same event must be above 0 and at most 1",
                ),
                (self.same_event_minutes < 0, "the minutes apart for the same event cannot be fewer than 0"),
            )
            if wrong
        ]
        if problems:
            raise Invalid("The chronology settings cannot be used: " + "; ".join(problems) + ".")


@dataclass(frozen=True)
class CompositeRow:
    """A row of the composite: ``number`` from 1 in composite order, the agency that reported it, the
    numbers of other agencies' rows reporting the same event, and whether it falls in the final weeks."""

    number: int
    agency: str
    entry: Entry
    same_as: tuple[int, ...] = ()
    final_weeks: bool = False

    def to_json(self, text: Callable[[str], str] = str) -> dict[str, object]:
        """The row as the API gives it; ``text`` renders the free text (a glossary's coded view)."""
        row = self.entry.to_json()
        for key, value in row.items():
            if isinstance(value, str) and key not in ("date", "end", "precision", "shown", "time"):
                row[key] = text(value)
        return {
            "number": self.number,
            "agency": self.agency,
            **row,
            "row": self.entry.row,
            "same_event_as": list(self.same_as),
            "final_weeks": self.final_weeks,
        }


@dataclass(frozen=True)
class Composite:
    rows: tuple[CompositeRow, ...]
    gaps: tuple[Gap, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    incident: date | None = None
    settings: Settings = field(default_factory=Settings)

    def to_json(self, text: Callable[[str], str] = str) -> dict[str, object]:
        return {
            "rows": [row.to_json(text) for row in self.rows],
            "gaps": [gap.to_json() for gap in self.gaps],
            "clusters": [cluster.to_json() for cluster in self.clusters],
            "incident": self.incident.isoformat() if self.incident else None,
        }


def order_key(entry: Entry) -> tuple[object, ...]:
    """Where a row sorts among others on its first possible day: a year before a month before a day."""
    rank = {"year": 0, "month": 1, "day": 2}[entry.when.precision]
    return (entry.when.start, rank, *entry.sort_key()[1:])


def merge(
    chronologies: Sequence[AgencyChronology],
    *,
    period: Period | None = None,
    incident: date | None = None,
    settings: Settings | None = None,
) -> Composite:
    """One composite from every agency's accepted rows, with its gaps (within ``period`` when given),
    clusters, same-event links and, when ``incident`` is given, the final weeks marked."""
    settings = settings or Settings()
    names = [chronology.agency for chronology in chronologies]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise Invalid(f"Each agency's chronology is merged once, but {', '.join(twice)} is given twice.")
    keyed = [
        (order_key(entry), agency_index, row_index, chronology.agency, entry)
        for agency_index, chronology in enumerate(chronologies)
        for row_index, entry in enumerate(chronology.entries)
    ]
    keyed.sort(key=lambda item: item[:3])
    ordered = [(agency, entry) for *_, agency, entry in keyed]
    same = marks.same_events(ordered, threshold=settings.same_event, minutes=settings.same_event_minutes)
    linked: dict[int, tuple[int, ...]] = {}
    for group in same:
        for position in group:
            linked[position] = tuple(other + 1 for other in group if other != position)
    rows = tuple(
        CompositeRow(
            position + 1,
            agency,
            entry,
            linked.get(position, ()),
            incident is not None and marks.in_final_weeks(entry, incident, settings.final_weeks),
        )
        for position, (agency, entry) in enumerate(ordered)
    )
    return Composite(
        rows,
        tuple(marks.gaps([entry for _, entry in ordered], days=settings.gap_days, period=period)),
        tuple(marks.clusters(ordered, size=settings.cluster_size, days=settings.cluster_days, same=same)),
        incident,
        settings,
    )
