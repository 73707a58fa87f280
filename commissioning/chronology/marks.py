"""What the composite marks for a reviewer: one event reported by two agencies, gaps with no contact,
clusters of contacts, and events in the last weeks before the incident.

Two rows are the same event when different agencies give them the same day (and, when both give times,
times within an hour) and their events are worded alike: compared as sets of content words (case,
punctuation, little words like "the" and "by" and a plural "s" dropped), they have at least half their
words in common (token-set Jaccard), or every word of the shorter one, if it has two or more, is in the
longer ("Strategy meeting" / "Strategy meeting held with police and social care"). Agencies word the
same event differently and in any order ("Home visit by HV, mother seen" / "HV home visit; saw mother"),
which a character diff (difflib) scores low and a word set does not; it is cheap enough to run on every
pair of rows of a day, and a reviewer can be told in one sentence what a link means. A link is a prompt
to look, not a finding: two accounts of one event that differ are what a reviewer wants to see side by
side.

Gaps and clusters count only rows dated to the day: "May 2016" cannot show there was contact inside a
gap or crowd a week, so such rows are listed beside the gaps they might fall in.
"""

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from commissioning.chronology.checks import Entry
from commissioning.chronology.dates import Period

_WORD = re.compile(r"[a-z0-9]+")
_LITTLE = frozenset(  # little words that say nothing about which event it was
    {
        *("a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "had", "has", "have"),
        *("he", "her", "his", "in", "is", "it", "of", "on", "or", "she", "that", "the", "their", "them"),
        *("they", "this", "to", "was", "were", "with"),
    }
)


@dataclass(frozen=True)
class Gap:
    """Days with no contact from any agency; ``maybe`` lists rows with a vague date that could fall in it."""

    start: date
    end: date
    maybe: tuple[int, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "maybe": list(self.maybe),
        }


@dataclass(frozen=True)
class Cluster:
    """Many contacts in a short span: the days, how many contacts, by whom, and the composite rows."""

    start: date
    end: date
    contacts: int
    agencies: tuple[str, ...]
    rows: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "contacts": self.contacts,
            "agencies": list(self.agencies),
            "rows": list(self.rows),
        }


def words(text: str) -> frozenset[str]:
    """The content words of an event, as compared for the same event."""
    return frozenset(
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in _WORD.findall(text.lower())
        if word not in _LITTLE
    )


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Token-set Jaccard: the words both use over the words either uses (0 when both are empty)."""
    either = len(first | second)
    return len(first & second) / either if either else 0.0


def worded_alike(first: frozenset[str], second: frozenset[str], threshold: float) -> bool:
    """Whether two events' words say the same event: enough in common, or the shorter inside the longer."""
    shorter = min(len(first), len(second))
    return similarity(first, second) >= threshold or (shorter >= 2 and (first <= second or second <= first))


def same_events(
    rows: Sequence[tuple[str, Entry]], *, threshold: float, minutes: int
) -> list[tuple[int, ...]]:
    """Groups (of two or more positions in ``rows``) reported by different agencies as one event."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for position, (_agency, entry) in enumerate(rows):
        if entry.when.precision == "day":
            by_day[entry.when.start].append(position)
    parent = list(range(len(rows)))

    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    for positions in by_day.values():
        if len(positions) < 2 or len({rows[p][0] for p in positions}) < 2:
            continue
        texts = {p: words(rows[p][1].event) for p in positions}
        for index, first in enumerate(positions):
            for second in positions[index + 1 :]:
                (agency, entry), (other_agency, other) = rows[first], rows[second]
                if (
                    agency != other_agency
                    and _near_in_time(entry, other, minutes)
                    and worded_alike(texts[first], texts[second], threshold)
                ):
                    parent[root(second)] = root(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for position in range(len(rows)):
        groups[root(position)].append(position)
    return [tuple(group) for group in groups.values() if len(group) > 1]


def _near_in_time(first: Entry, second: Entry, minutes: int) -> bool:
    if first.time is None or second.time is None:
        return True
    day = date(2000, 1, 1)
    apart = abs(datetime.combine(day, first.time) - datetime.combine(day, second.time))
    return apart <= timedelta(minutes=minutes)


def gaps(entries: Sequence[Entry], *, days: int, period: Period | None) -> list[Gap]:
    """Spans of at least ``days`` days with no contact, within ``period`` when given (its edges count:
    no contact in its first three months is a gap)."""
    spans = sorted(
        (e.when.start, e.when.end) for e in entries if e.when.end_precision == e.when.precision == "day"
    )
    if period is not None:
        spans = [(max(start, period.start), min(end, period.end)) for start, end in spans]
        spans = [(start, end) for start, end in spans if start <= end]
        spans = [(period.start - timedelta(days=1),) * 2, *spans, (period.end + timedelta(days=1),) * 2]
    found = []
    covered = spans[0][1] if spans else None
    for start, end in spans[1:]:
        assert covered is not None
        if (start - covered).days - 1 >= days:
            found.append((covered + timedelta(days=1), start - timedelta(days=1)))
        covered = max(covered, end)
    vague = [
        (number, entry)
        for number, entry in enumerate(entries, 1)
        if not entry.when.end_precision == entry.when.precision == "day"
    ]
    return [
        Gap(start, end, tuple(n for n, e in vague if e.when.start <= end and start <= e.when.end))
        for start, end in found
    ]


def clusters(
    rows: Sequence[tuple[str, Entry]], *, size: int, days: int, same: Sequence[tuple[int, ...]] = ()
) -> list[Cluster]:
    """Spans where at least ``size`` contacts fall within ``days`` days of each other; an event two
    agencies report counts once. ``rows`` are in composite order; rows are numbered from 1."""
    repeated = {position for group in same for position in sorted(group)[1:]}
    counted = [
        (entry.when.start, position)
        for position, (_agency, entry) in enumerate(rows)
        if entry.when.precision == "day" and position not in repeated
    ]
    counted.sort()
    starts = [day for day, _ in counted]
    spans: list[list[date]] = []
    first = 0
    for last, day in enumerate(starts):
        while (day - starts[first]).days >= days:
            first += 1
        if last - first + 1 >= size:
            if spans and starts[first] <= spans[-1][1]:
                spans[-1][1] = day
            else:
                spans.append([starts[first], day])
    found = []
    for start, end in spans:
        inside = [position for _, position in counted[bisect_left(starts, start) : bisect_right(starts, end)]]
        found.append(
            Cluster(
                start,
                end,
                len(inside),
                tuple(sorted({rows[p][0] for p in inside})),
                tuple(sorted(p + 1 for p in inside)),
            )
        )
    return found


def in_final_weeks(entry: Entry, incident: date, weeks: int) -> bool:
    """Whether the event can have happened in the ``weeks`` weeks up to and including the incident day."""
    return entry.when.end >= incident - timedelta(weeks=weeks) and entry.when.start <= incident
