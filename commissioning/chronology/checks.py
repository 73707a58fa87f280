"""Every row of an agency's chronology checked before anything is stored.

Errors stop the file being accepted: a date or time that cannot be read (never read month first), a
missing source or event, a repeated row. Warnings can be accepted: a date outside the period under
review, or a row out of date order.

A repeated row (same date, time, source and event, ignoring case and spacing) is an error, not a warning:
in the composite it would count twice towards a cluster of contacts and show as two events on the
timeline, and reviewers would quote it twice. An event that really happened twice is told apart by its
time or a word in the event ("second call"), which the reviewer needs anyway.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time

from commissioning.chronology import columns as cols
from commissioning.chronology.columns import Column
from commissioning.chronology.dates import ChronoDate, DateError, Period, parse_date, parse_time
from commissioning.chronology.problems import Problem, Severity, quoted
from commissioning.chronology.tables import RawRow, Sheet

_TIME_IN_DATE = re.compile(
    r"(.*?\S)\s+(?:at\s+)?(\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)",
    re.IGNORECASE,
)
_STANDARD_KEYS = {column.key for column in cols.STANDARD}
_MISSING = {
    "source": "the source is missing: say which record this comes from (for example GP notes, case file or "
    "call log).",
    "event": "the event is missing: say what happened.",
}


@dataclass(frozen=True)
class Entry:
    """One checked row: ``when`` and ``time`` read, the rest as written. ``row`` and ``place`` say where
    it was in the file; ``extra`` holds the partnership's added columns."""

    row: int
    place: str
    when: ChronoDate
    time: time | None
    sequence: int | None
    source: str
    event: str
    role: str = ""
    comment: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def sort_key(self) -> tuple[object, ...]:
        """Date (an uncertain one at its first possible day), then time (none first), then sequence."""
        return (self.when.start, self.time is not None, self.time or time(0), self.sequence or 0)

    def to_json(self) -> dict[str, object]:
        return {
            **self.when.to_json(),
            "time": self.time.strftime("%H:%M") if self.time else None,
            "sequence": self.sequence,
            "source": self.source,
            "event": self.event,
            "role": self.role,
            "comment": self.comment,
            **self.extra,
        }


@dataclass(frozen=True)
class Checked:
    """What a file's check found: the rows that can be read, and every problem with the file."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    @property
    def acceptable(self) -> bool:
        """No errors: the file can be accepted, once someone has accepted its warnings."""
        return not self.errors


def check(sheet: Sheet, period: Period, columns: Sequence[Column] = cols.STANDARD) -> Checked:
    """Every row of ``sheet`` checked against ``period``; problems in file order, row by row."""
    problems = list(sheet.problems)
    entries: list[Entry] = []
    seen: dict[tuple[object, ...], RawRow] = {}
    for row in sheet.rows:
        found: list[Problem] = []
        entry = _entry(row, period, columns, found)
        if entry is not None:
            if entries and _before(entry, entries[-1]):
                found.append(_out_of_order(row, entry, entries[-1]))
            key = (entry.when, entry.time, _fold(entry.source), _fold(entry.event))
            if key in seen:
                found.append(_repeat(row, seen[key]))
            else:
                seen[key] = row
                entries.append(entry)
        problems.extend(found)
    return Checked(tuple(entries), tuple(problems))


def _entry(row: RawRow, period: Period, columns: Sequence[Column], found: list[Problem]) -> Entry | None:
    """The row read, or ``None`` when it has errors; its problems are added to ``found``. A column the
    file lacks was reported once, with the headings, and is not reported again on every row."""
    date_text, time_in_date = _split_time(row.value("date"))
    when = None
    try:
        if "date" in row.values:
            when = parse_date(date_text, period)
    except DateError as error:
        written = row.value("date")
        found.append(
            _problem(row, "date", f"{quoted(written)} is not a date: {error}" if written else str(error))
        )
    clock = _time(row, time_in_date, found)
    sequence = _sequence(row, found)
    for column in columns:
        if (
            column.required
            and column.key in row.values
            and not row.value(column.key)
            and column.key != "date"
        ):
            found.append(_problem(row, column.key, _missing(column)))
    if when is not None:
        found.extend(_period(row, when, period))
    lacking = any(column.required and column.key not in row.values for column in columns)
    if when is None or lacking or any(problem.severity == "error" for problem in found):
        return None
    return Entry(
        row=row.number,
        place=row.place,
        when=when,
        time=clock,
        sequence=sequence,
        source=row.value("source"),
        event=row.value("event"),
        role=row.value("role"),
        comment=row.value("comment"),
        extra={key: value for key, value in row.values.items() if key not in _STANDARD_KEYS},
    )


def _split_time(text: str) -> tuple[str, str]:
    """A time typed into the date cell ("22/05/2016 14:30", a spreadsheet's date and time) split off."""
    found = _TIME_IN_DATE.fullmatch(text.strip())
    return (found.group(1), found.group(2)) if found else (text, "")


def _time(row: RawRow, time_in_date: str, found: list[Problem]) -> time | None:
    """The row's time, from the time cell or typed after the date; the two must agree."""
    clocks = set()
    for key, written in (("time", row.value("time")), ("date", time_in_date)):
        if written:
            try:
                clocks.add(parse_time(written))
            except DateError as error:
                found.append(_problem(row, key, f"{quoted(written)} is not a time: {error}"))
                return None
    if len(clocks) > 1:
        found.append(
            _problem(
                row,
                "time",
                f"the date cell says {time_in_date} but the time cell says {row.value('time')}: keep the "
                "right one in the time cell and take the time out of the date.",
            )
        )
        return None
    return clocks.pop() if clocks else None


def _sequence(row: RawRow, found: list[Problem]) -> int | None:
    written = row.value("sequence")
    if not written:
        return None
    if written.isdigit():
        return int(written)
    found.append(
        _problem(
            row, "sequence", f"{quoted(written)} is not a whole number: number the events of a day 1, 2, 3."
        )
    )
    return None


def _period(row: RawRow, when: ChronoDate, period: Period) -> list[Problem]:
    if period.start <= when.end and when.start <= period.end:
        return []
    side = "before" if when.end < period.start else "after"
    return [
        _problem(
            row,
            "date",
            f"{when.shown()} is {side} the period under review ({period.describe()}): check the date, or "
            "accept this if the event matters to the review.",
            "warning",
        )
    ]


def _before(entry: Entry, previous: Entry) -> bool:
    """Whether ``entry`` certainly happened before ``previous``: an uncertain date is out of order only when
    every day it could be comes before every day the other could be."""
    if entry.when.end < previous.when.start:
        return True
    same_day = entry.when == previous.when and entry.when.start == entry.when.end and not entry.when.uncertain
    if not same_day:
        return False
    if entry.time is not None and previous.time is not None and entry.time != previous.time:
        return entry.time < previous.time
    return entry.sequence is not None and previous.sequence is not None and entry.sequence < previous.sequence


def _out_of_order(row: RawRow, entry: Entry, previous: Entry) -> Problem:
    return _problem(
        row,
        "date",
        f"{_when(entry)} comes before the row above it ({previous.place}, {_when(previous)}): check the "
        "date, or accept this and the composite will put the event in date order.",
        "warning",
    )


def _when(entry: Entry) -> str:
    shown = entry.when.shown()
    return f"{shown} {entry.time:%H:%M}" if entry.time else shown


def _repeat(row: RawRow, first: RawRow) -> Problem:
    return _problem(
        row,
        "event",
        f"this row repeats {first.place} (the same date, time, source and event). Delete it, or if it "
        "happened twice, give each its time or say so in the event.",
    )


def _missing(column: Column) -> str:
    return _MISSING.get(column.key, f"this is empty, and every row needs its {column.header.lower()}.")


def _problem(row: RawRow, key: str, sentence: str, severity: Severity = "error") -> Problem:
    heading = row.headers.get(key, key)
    return Problem(
        row.number, heading, f"{row.place}, {heading}: {sentence[0].upper()}{sentence[1:]}", severity
    )


def _fold(text: str) -> str:
    """Text as compared for repeats: case and runs of spaces ignored."""
    return " ".join(text.lower().split())
