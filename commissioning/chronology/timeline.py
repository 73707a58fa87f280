"""The timeline's figures without the picture: its span, each agency's events counted month by month,
and a text alternative that says in sentences what the chart shows.

The pages show the chart with these beside it (the accessibility standard they keep asks for a text
alternative and the same figures as a table), and the documents print them under the chart.
"""

from dataclasses import dataclass
from datetime import date

from commissioning.chronology.composite import Composite
from commissioning.chronology.dates import MONTH_NAMES, long_date
from commissioning.chronology.documents import Rendering, count, span
from core.errors import Invalid

MONTHLY_UP_TO = 36  # months; a longer span is counted year by year, so the table stays readable


def extent(composite: Composite, rendering: Rendering) -> tuple[date, date]:
    """The days the timeline covers: the period under review, widened to every row and the incident."""
    days = [day for row in composite.rows for day in (row.entry.when.start, row.entry.when.end)]
    if rendering.period is not None:
        days += [rendering.period.start, rendering.period.end]
    if composite.incident is not None:
        days.append(composite.incident)
    if not days:
        raise Invalid(
            "The timeline needs the period under review or at least one accepted chronology to show."
        )
    return min(days), max(days)


@dataclass(frozen=True)
class Lane:
    """One agency's events, counted in each column of the table (by the first day each can have been)."""

    agency: str
    counts: tuple[int, ...]
    uncertain: int

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Figures:
    """The chart as words and a table: ``columns`` are the months (or years) counted in."""

    summary: str
    columns: tuple[str, ...]
    lanes: tuple[Lane, ...]

    def totals(self) -> tuple[int, ...]:
        return tuple(sum(lane.counts[i] for lane in self.lanes) for i in range(len(self.columns)))

    def table(self) -> list[list[str | int]]:
        """The table as printed: a heading row, one row per agency, and the totals."""
        rows: list[list[str | int]] = [["Agency", *self.columns, "Total"]]
        rows += [[lane.agency, *lane.counts, lane.total] for lane in self.lanes]
        rows.append(["All agencies", *self.totals(), sum(lane.total for lane in self.lanes)])
        return rows

    def to_json(self) -> dict[str, object]:
        return {
            "summary": self.summary,
            "columns": list(self.columns),
            "rows": [
                {"agency": lane.agency, "counts": list(lane.counts), "total": lane.total}
                for lane in self.lanes
            ],
            "totals": list(self.totals()),
        }


def figures(composite: Composite, rendering: Rendering) -> Figures:
    """The counts per agency per month (per year over three years) and the text alternative."""
    first, last = extent(composite, rendering)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MONTHLY_UP_TO:
        columns = tuple(
            f"{MONTH_NAMES[(first.month - 1 + i) % 12][:3]} {first.year + (first.month - 1 + i) // 12}"
            for i in range(months)
        )

        def column(day: date) -> int:
            return (day.year - first.year) * 12 + day.month - first.month

    else:
        columns = tuple(str(year) for year in range(first.year, last.year + 1))

        def column(day: date) -> int:
            return day.year - first.year

    lanes = rendering.lanes(composite)
    counts = {agency: [0] * len(columns) for agency in lanes}
    uncertain = dict.fromkeys(lanes, 0)
    for row in composite.rows:
        counts[row.agency][column(row.entry.when.start)] += 1
        uncertain[row.agency] += row.entry.when.uncertain
    built = tuple(Lane(agency, tuple(counts[agency]), uncertain[agency]) for agency in lanes)
    return Figures(summary(composite, built, first, last), columns, built)


def _marked(number: int, what: tuple[str, str], drawn: str, superlative: str, most: str) -> str:
    """How the chart marks ``number`` gaps or clusters (``what``: the noun and the words after it), and
    the longest or largest of them (``most``)."""
    noun, after = what
    one = number == 1
    return (
        f"{count(number, noun)} {after} {'is' if one else 'are'} {drawn}; "
        f"{'it' if one else f'the {superlative}'} is {most}."
    )


def summary(composite: Composite, lanes: tuple[Lane, ...], first: date, last: date) -> str:
    """The text alternative: lanes, span, incident, gaps, clusters, final weeks and uncertain dates."""
    each = "; ".join(
        f"{lane.agency} ({count(lane.total, 'event') if lane.total else 'no events yet'})" for lane in lanes
    )
    sentences = [
        f"Timeline of {count(len(composite.rows), 'event')} from "
        f"{count(len(lanes), 'agency', 'agencies')}, {long_date(first)} to {long_date(last)}, "
        f"one lane per agency: {each}."
    ]
    if composite.incident is not None:
        sentences.append(f"The incident on {long_date(composite.incident)} is marked with a line.")
    if composite.gaps:
        longest = max(composite.gaps, key=lambda gap: gap.days)
        sentences.append(
            _marked(
                len(composite.gaps),
                ("gap", "with no contact from any agency"),
                "shaded grey",
                "longest",
                f"{count(longest.days, 'day')}, {span(longest.start, longest.end)}",
            )
        )
    else:
        sentences.append("There is no gap without contact.")
    if composite.clusters:
        largest = max(composite.clusters, key=lambda cluster: cluster.contacts)
        sentences.append(
            _marked(
                len(composite.clusters),
                ("cluster", "of contacts"),
                "hatched",
                "largest",
                f"{count(largest.contacts, 'contact')} within {span(largest.start, largest.end)}, "
                f"from {', '.join(largest.agencies)}",
            )
        )
    if composite.incident is not None and composite.settings.final_weeks:
        inside = sum(row.final_weeks for row in composite.rows)
        events = "No event falls" if not inside else f"{count(inside, 'event')} fall{'s' * (inside == 1)}"
        sentences.append(
            f"{events} in the {count(composite.settings.final_weeks, 'week')} before the incident, shown "
            "enlarged on the right."
        )
    uncertain = sum(lane.uncertain for lane in lanes)
    if uncertain:
        sentences.append(
            f"{count(uncertain, 'event')} with an uncertain date "
            f"{'is' if uncertain == 1 else 'are'} drawn hollow."
        )
    return " ".join(sentences)
