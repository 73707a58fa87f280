"""What every rendering of the composite says, whatever its format: the title, which view it is, the
columns and each row's cells, the marks in words, and the gaps and clusters described.

The XLSX, DOCX and PDF (and the chart's text alternative) read these, so they cannot disagree; only the
layout lives in ``spreadsheet``, ``word`` and ``pdf``. A document shows the coded view unless the
personal view is asked for, and says which view it is on its first page and on every page.
"""

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from commissioning.chronology import columns as cols
from commissioning.chronology.columns import Column
from commissioning.chronology.composite import Composite, CompositeRow
from commissioning.chronology.dates import Period, long_date
from commissioning.chronology.glossary import Glossary, View
from commissioning.chronology.marks import Cluster, Gap
from core.errors import Invalid
from core.values import printable

_DIGITS = re.compile(r"(\d+)")
CODED = (
    "Coded view: the names in the case's glossary are shown as their codes (for example Child A, Mother). "
    "This is the view to share within the review."
)
CODED_WITHOUT_GLOSSARY = (
    "Coded view, but the case has no glossary yet, so names are shown as the agencies wrote them. Add the "
    "family's and practitioners' names to the glossary before sharing this."
)
PERSONAL = (
    "Personal view: names are shown as the agencies wrote them. It is for the review's own people only: "
    "do not forward, share or publish it."
)


@dataclass(frozen=True)
class Rendering:
    """For whom and about what the composite is rendered: the case reference, the period under review,
    the partnership, the agencies asked (the order their lanes and lists take; an agency that has sent
    nothing yet still has its lane), the glossary and the view. ``columns`` names any columns the
    partnership added to its template, so they are shown under their own headings."""

    reference: str
    period: Period | None = None
    partnership: str = ""
    agencies: Sequence[str] = ()
    glossary: Glossary | None = None
    view: View = "coded"
    columns: Sequence[Column] = field(default=cols.STANDARD)

    def __post_init__(self) -> None:
        if self.view not in ("coded", "personal"):
            raise Invalid(f"A chronology is shown in the coded or the personal view, not {self.view!r}.")
        if not self.reference.strip():
            raise Invalid("A chronology document needs the case reference.")

    def text(self, value: str) -> str:
        """Free text as this view shows it, with anything a document cannot hold dropped."""
        shown = self.glossary.render(value, self.view) if self.glossary is not None else value
        return printable(shown)

    @property
    def view_name(self) -> str:
        return "Coded view" if self.view == "coded" else "Personal view"

    def notice(self) -> str:
        """The sentence at the top of every document saying which view it is and what that means."""
        if self.view == "personal":
            return PERSONAL
        return CODED if self.glossary is not None and self.glossary.terms else CODED_WITHOUT_GLOSSARY

    def title(self) -> str:
        return f"Multi-agency chronology: {self.reference}"

    def running_head(self) -> str:
        """What every page's header or footer says."""
        return f"{self.reference}: multi-agency chronology, {self.view_name.lower()}"

    def lanes(self, composite: Composite) -> list[str]:
        """The agencies in the order they are shown: those asked, then any other with rows, by name
        (``Agency 2`` before ``Agency 10``)."""
        lanes = list(dict.fromkeys(self.agencies))
        others = {row.agency for row in composite.rows} - set(lanes)
        return lanes + sorted(others, key=natural)

    def added_columns(self) -> list[Column]:
        """The partnership's own columns, shown after the standard ones."""
        standard = {column.key for column in cols.STANDARD}
        return [column for column in self.columns if column.key not in standard]

    def facts(self, composite: Composite) -> list[str]:
        """The lines under the title: partnership, period, incident and what the composite holds."""
        lines = []
        if self.partnership:
            lines.append(f"Safeguarding partnership: {self.partnership}")
        if self.period is not None:
            lines.append(f"Period under review: {self.period.describe()}")
        if composite.incident is not None:
            lines.append(f"Incident: {long_date(composite.incident)}")
        agencies = self.lanes(composite)
        sent = {row.agency for row in composite.rows}
        lines.append(
            f"{count(len(composite.rows), 'event')} from {count(len(sent), 'agency', 'agencies')}"
            + (f" of the {len(agencies)} asked" if len(agencies) > len(sent) else "")
        )
        return lines


def natural(name: str) -> list[tuple[int, str | int]]:
    """A name's place in a list a person reads: case ignored, numbers in number order."""
    return [
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(name.casefold()) if part
    ]


def count(number: int, one: str, many: str | None = None) -> str:
    """``3 events``, ``1 event``, with thousands separated."""
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def span(start: date, end: date) -> str:
    """``3 May 2024``, or ``3 May 2024 to 9 May 2024``."""
    return long_date(start) if start == end else f"{long_date(start)} to {long_date(end)}"


def numbers(rows: Sequence[int]) -> str:
    """Row numbers as a person writes them: ``3-6, 9, 12-13``."""
    runs: list[list[int]] = []
    for number in sorted(rows):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def describe_gap(gap: Gap, number: int) -> str:
    """``Gap 2: no contact from any agency for 60 days, ...``; gaps are numbered in date order."""
    text = (
        f"Gap {number}: no contact from any agency for {count(gap.days, 'day')}, {span(gap.start, gap.end)}."
    )
    if gap.maybe:
        rows = "row" if len(gap.maybe) == 1 else "rows"
        text += f" The uncertain date of {rows} {numbers(gap.maybe)} may fall in it."
    return text


def describe_cluster(cluster: Cluster, number: int) -> str:
    """``Cluster 1: 12 contacts within ..., from ...``; clusters are numbered in date order."""
    return (
        f"Cluster {number}: {count(cluster.contacts, 'contact')} within {span(cluster.start, cluster.end)}, "
        f"from {', '.join(cluster.agencies)}."
    )


@dataclass(frozen=True)
class Marks:
    """Which gap or cluster (numbered from 1) each row number is next to, in, or may fall in."""

    cluster: dict[int, int]
    gap_before: dict[int, int]  # the first row after a gap
    gap_after: dict[int, int]  # the last row, when a gap has no row after it
    maybe_in_gap: dict[int, int]


def marks(composite: Composite) -> Marks:
    """Every row's place beside the gaps and clusters, found once for the whole composite."""
    cluster = {row: n for n, found in enumerate(composite.clusters, 1) for row in found.rows}
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    starts = [row.entry.when.start for row in composite.rows]  # in order: the composite sorts by them
    for number, gap in enumerate(composite.gaps, 1):
        following = bisect_right(starts, gap.end)
        if following < len(composite.rows):
            before.setdefault(composite.rows[following].number, number)
        elif composite.rows:
            after.setdefault(composite.rows[-1].number, number)
    maybe = {row: n for n, gap in enumerate(composite.gaps, 1) for row in gap.maybe}
    return Marks(cluster, before, after, maybe)


def gap_note(row: CompositeRow, found: Marks, composite: Composite) -> str:
    """The gap next to a row, in words, or ""."""
    for where, numbered in (("After", found.gap_before), ("Before", found.gap_after)):
        if row.number in numbered:
            number = numbered[row.number]
            days = count(composite.gaps[number - 1].days, "day")
            return f"{where} gap {number} ({days} with no contact)"
    return ""


def cluster_note(row: CompositeRow, found: Marks) -> str:
    return f"Cluster {found.cluster[row.number]}" if row.number in found.cluster else ""


def row_marks(row: CompositeRow, found: Marks, composite: Composite) -> list[str]:
    """Everything marked on a row, as short phrases for a "Marks" column."""
    said = []
    if row.entry.when.uncertain:
        said.append("Date uncertain")
    if row.same_as:
        said.append(f"Same event as row {numbers(row.same_as)}")
    if row.number in found.cluster:
        said.append(cluster_note(row, found))
    if row.number in found.maybe_in_gap:
        said.append(f"May fall in gap {found.maybe_in_gap[row.number]}")
    if row.final_weeks:
        said.append(f"Final {count(composite.settings.final_weeks, 'week')}")
    return said


def in_order(composite: Composite) -> list[tuple[int, Gap] | CompositeRow]:
    """The rows with each gap (and its number) where it falls, before the first row after it, as the
    DOCX and PDF print them: a gap is a band across the table, where a reader sees the silence."""
    found = marks(composite)
    items: list[tuple[int, Gap] | CompositeRow] = []
    for row in composite.rows:
        if row.number in found.gap_before:
            number = found.gap_before[row.number]
            items.append((number, composite.gaps[number - 1]))
        items.append(row)
    items.extend((number, composite.gaps[number - 1]) for number in found.gap_after.values())
    return items


# (heading, column key, relative width) of the printed table; the partnership's own columns go before "Marks"
TABLE_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("No.", "number", 1.0),
    ("Date", "date", 2.3),
    ("Time", "time", 1.2),
    ("Agency", "agency", 2.6),
    ("Source of information", "source", 2.4),
    ("Event", "event", 7.0),
    ("Practitioner role", "role", 2.3),
    ("Significance or comment", "comment", 4.0),
)


def table_layout(rendering: Rendering) -> list[tuple[str, str, float]]:
    """The printed table's columns in order, as the DOCX and PDF lay them out: ours, the partnership's
    own, then the marks."""
    added = [(column.header, column.key, 2.4) for column in rendering.added_columns()]
    return [*TABLE_COLUMNS, *added, ("Marks", "marks", 3.0)]


def table_cells(
    row: CompositeRow, rendering: Rendering, found: Marks, composite: Composite
) -> dict[str, str]:
    """A printed row's text by column key: its cells and, under "marks", everything marked on it."""
    return cells(row, rendering) | {"marks": "; ".join(row_marks(row, found, composite))}


def cells(row: CompositeRow, rendering: Rendering) -> dict[str, str]:
    """A row's text by column key, in the rendering's view: the date as written ("?22/05/2016")."""
    entry = row.entry
    values = {
        "number": str(row.number),
        "agency": printable(row.agency),
        "date": entry.when.shown(),
        "time": entry.time.strftime("%H:%M") if entry.time else "",
        "sequence": "" if entry.sequence is None else str(entry.sequence),
        "source": rendering.text(entry.source),
        "event": rendering.text(entry.event),
        "role": rendering.text(entry.role),
        "comment": rendering.text(entry.comment),
    }
    for column in rendering.added_columns():
        values[column.key] = rendering.text(entry.extra.get(column.key, ""))
    return values


def sections(composite: Composite) -> list[tuple[str, list[str]]]:
    """The gaps, the clusters and the final weeks, each a heading and its points, as the DOCX and PDF
    print them before the table."""
    settings = composite.settings
    gaps = [describe_gap(gap, number) for number, gap in enumerate(composite.gaps, 1)]
    clusters = [
        f"{describe_cluster(cluster, number)} Rows {numbers(cluster.rows)}."
        for number, cluster in enumerate(composite.clusters, 1)
    ]
    found = [
        (
            "Gaps in contact",
            gaps or [f"No span of {count(settings.gap_days, 'day')} or more without contact."],
        ),
        (
            "Clusters of contact",
            clusters
            or [f"No {settings.cluster_size} or more contacts within {count(settings.cluster_days, 'day')}."],
        ),
    ]
    if composite.incident is not None:
        found.append(("The final weeks before the incident", [final_weeks_summary(composite)]))
    return found


def final_weeks_summary(composite: Composite) -> str:
    """What the final weeks hold, in one sentence; "" when there is no incident to count back from."""
    if composite.incident is None:
        return ""
    weeks = composite.settings.final_weeks
    inside = [row for row in composite.rows if row.final_weeks]
    agencies = list(dict.fromkeys(row.agency for row in inside))
    if not inside:
        return f"No agency recorded an event in the {count(weeks, 'week')} before the incident."
    return (
        f"{count(len(inside), 'event')} in the {count(weeks, 'week')} before the incident, from "
        f"{', '.join(agencies)}."
    )
