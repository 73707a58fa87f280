"""The dates and times people write in chronologies, read as a UK reader reads them: day first, always.

A date may be exact (``22/05/2016``, ``22.05.16``, ``22 May 2016``, ``22nd May 2016``, ``22-May-16``,
``2016-05-22``), doubted (``?22 May 2016``, ``22/05/2016?``, ``c. May 2016``), known only to the month or
year (``May 2016``, ``05/2016``, ``2016``), or a range (``22-24 May 2016``, ``22/05/2016 - 24/05/2016``,
``May to June 2016``). A doubted date, or one whose day or month is unknown, is *uncertain* and stays
marked wherever it goes. A two-digit year takes the century that puts the date nearest the period under
review, so ``01/02/99`` in a review of 1998-2000 is 1999 and in a review of 2095-2100 is 2099.
"""

import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Literal

Precision = Literal["day", "month", "year"]

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    {name.lower(): n for n, name in enumerate(MONTH_NAMES, 1)}
    | {name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, 1)}
    | {"sept": 9}
)
WEEKDAYS = (
    {name.lower(): n for n, name in enumerate(WEEKDAY_NAMES)}
    | {name[:3].lower(): n for n, name in enumerate(WEEKDAY_NAMES)}
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099  # a four-digit year outside these is a slip of the keyboard
EXAMPLE = "write it as 22/05/2016, or ?22/05/2016 or May 2016 if the day is not certain"


class DateError(ValueError):
    """Why a date or time cannot be read, as the end of a sentence that quotes it: "'31/02/2016' is not a
    date: " + "February 2016 has 29 days."."""


@dataclass(frozen=True)
class Period:
    """The period under review, both days included."""

    start: date
    end: date

    def distance(self, first: date, last: date) -> int:
        """Days between the span ``first``..``last`` and the period (0 when they overlap)."""
        if last < self.start:
            return (self.start - last).days
        return max((first - self.end).days, 0)

    def describe(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"


@dataclass(frozen=True)
class ChronoDate:
    """When an event happened: the first and last day it can have been, and how sure the writer was.

    ``start`` is where the event sorts ("May 2016" sorts at 1 May); ``end`` is the last day it can have
    been (31 May for "May 2016", the last day of a range). ``doubted`` is the writer's "?" or "c.".
    """

    start: date
    end: date
    precision: Precision
    end_precision: Precision
    doubted: bool = False
    is_range: bool = False

    @property
    def uncertain(self) -> bool:
        """Doubted, or the day or month is not known: shown marked wherever it appears."""
        return self.doubted or self.precision != "day" or self.end_precision != "day"

    def shown(self) -> str:
        """The date as the composite prints it: ``22/05/2016``, ``?May 2016``, ``May 2016 to June 2016``."""
        text = _show(self.start, self.precision)
        if self.is_range:
            text += " to " + _show(self.end, self.end_precision)
        return ("?" if self.doubted else "") + text

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.start.isoformat(),
            "end": self.end.isoformat() if self.is_range or self.precision != "day" else None,
            "uncertain": self.uncertain,
            "precision": self.precision,
            "shown": self.shown(),
        }


def long_date(day: date) -> str:
    """``date(2016, 5, 22)`` -> ``22 May 2016``."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _show(day: date, precision: Precision) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTH_NAMES[day.month - 1]} {day.year}"
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class _Parts:
    """The pieces of one written date; ``None`` where the writer left a piece out."""

    day: int | None
    month: int | None
    year: int | None
    two_digit_year: bool = False


_ORD = r"(?:st|nd|rd|th)?"
_SEP = r"\s*([./-])\s*"
_FULL = (  # the complete forms, each with its pieces' order
    (re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}})\s*\2\s*(\d{{4}}|\d{{2}})"), "d_m_y"),
    (re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}})\s*\2\s*(\d{{1,2}})"), "y_m_d"),
    (re.compile(rf"(\d{{1,2}}){_ORD}(?:\s+of)?[\s./-]*([a-z]+)\.?,?[\s./-]*(\d{{4}}|\d{{2}})"), "dmy"),
    (re.compile(rf"([a-z]+)\.?\s*(\d{{1,2}}){_ORD},?\s+(\d{{4}}|\d{{2}})"), "mdy"),
    (re.compile(r"([a-z]+)\.?,?[\s./-]*(\d{4}|\d{2})"), "my"),
    (re.compile(r"(\d{4})[./-](\d{1,2})"), "ym"),
    (re.compile(r"(\d{1,2})[./-](\d{4})"), "my"),
    (re.compile(r"(\d{4})"), "y"),
)
_PARTIAL = (  # the left side of a range may leave out what its right side says ("22-24 May 2016")
    (re.compile(rf"(\d{{1,2}}){_ORD}"), "d"),
    (re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})"), "dm"),
    (re.compile(rf"(\d{{1,2}}){_ORD}(?:\s+of)?[\s./-]*([a-z]+)\.?"), "dm"),
    (re.compile(r"([a-z]+)\.?"), "m"),
)
_DOUBT_BEFORE = re.compile(r"^(?:\?|circa\b|approx(?:imately|\.)?|about\b|around\b|abt\.?|ca\.|c\.|c\s)\s*")
_WEEKDAY = re.compile(r"^([a-z]+)\.?,?\s+(?=\d)")
_RANGE = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b|\btill\b)\s*")
_SPACES = re.compile(r"\s+")


def parse_date(text: str, period: Period) -> ChronoDate:
    """``text`` as a date or range; ``period`` settles two-digit years. ``DateError`` says why not."""
    cleaned = _SPACES.sub(" ", text.strip().lower())
    if not cleaned:
        raise DateError(f"the date is missing: {EXAMPLE}.")
    doubted, cleaned = _doubt(cleaned)
    try:
        single = _single(cleaned, period)
    except _Unrecognised:
        pass
    else:
        return replace(single, doubted=doubted or single.doubted)
    for found in _RANGE.finditer(cleaned):
        left, right = cleaned[: found.start()], cleaned[found.end() :]
        try:
            last = _single(right, period)
            first = _single(left, period, fill=last)
        except _Unrecognised:
            continue
        if first.start > last.end:
            raise DateError(f"the range ends ({last.shown()}) before it starts ({first.shown()}).")
        return ChronoDate(
            first.start,
            last.end,
            first.precision,
            last.end_precision,
            doubted=doubted or first.doubted or last.doubted,
            is_range=True,
        )
    if _has_no_year(cleaned):
        raise DateError(f"it has no year; {EXAMPLE}.")
    raise DateError(f"{EXAMPLE}.")


def _has_no_year(text: str) -> bool:
    """Whether ``text`` is a day and month with the year left off ("22/05", "22 May")."""
    try:
        parts = _match(text, _PARTIAL)
    except DateError:
        return False
    return parts is not None and parts.day is not None and parts.month is not None


class _Unrecognised(DateError):
    """No form fits: the caller may try the text as a range before giving up."""


def _doubt(text: str) -> tuple[bool, str]:
    """Whether the writer doubted the date ("?", "c.", "approx"), and the date without the mark."""
    stripped = _DOUBT_BEFORE.sub("", text)
    if stripped.endswith("?"):
        stripped = stripped[:-1].rstrip()
    return stripped != text, stripped


def _single(text: str, period: Period, fill: ChronoDate | None = None) -> ChronoDate:
    """One date (not a range); with ``fill``, pieces left out are taken from the range's last date."""
    doubted, text = _doubt(text)
    weekday = None
    named = _WEEKDAY.match(text)
    if named and named.group(1) in WEEKDAYS:
        weekday, text = WEEKDAYS[named.group(1)], text[named.end() :]
    parts = _match(text, _FULL)
    if parts is None and fill is not None:
        partial = _match(text, _PARTIAL)
        if partial is not None:
            month = partial.month or fill.end.month
            # "22 Dec - 3 Jan 2016" starts in the year before the one written
            parts = _Parts(partial.day, month, fill.end.year - (month > fill.end.month))
    if parts is None:
        raise _Unrecognised(text)
    result = _resolve(parts, period, doubted)
    if weekday is not None:
        if result.precision != "day":
            raise DateError(f"'{text}' names a day of the week but no day of the month.")
        if result.start.weekday() != weekday:
            actual = WEEKDAY_NAMES[result.start.weekday()]
            named_day = WEEKDAY_NAMES[weekday]
            raise DateError(
                f"{long_date(result.start)} was a {actual}, not a {named_day}: check which is right."
            )
    return result


def _match(text: str, forms: tuple[tuple[re.Pattern[str], str], ...]) -> _Parts | None:
    for pattern, order in forms:
        found = pattern.fullmatch(text)
        if found:
            pieces = [group for group in found.groups() if group not in (".", "/", "-")]
            return _pieces(order, pieces)
    return None


def _pieces(order: str, pieces: list[str]) -> _Parts:
    """Named pieces from a matched form; a month may be a number or a word."""
    named = dict(zip(order.replace("_", ""), pieces, strict=True))
    year = named.get("y")
    return _Parts(
        day=int(named["d"]) if "d" in named else None,
        month=_month(named["m"]) if "m" in named else None,
        year=int(year) if year else None,
        two_digit_year=year is not None and len(year) == 2,
    )


def _month(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text in MONTHS:
        return MONTHS[text]
    raise DateError(f"'{text}' is not a month: write the month as a number or a name, as 22/05/2016.")


def _resolve(parts: _Parts, period: Period, doubted: bool) -> ChronoDate:
    """A checked date from its pieces: no month 13, no 31 February, the century settled."""
    month, day = parts.month, parts.day
    if month is not None and not 1 <= month <= 12:
        hint = ""
        if month > 12 and day is not None and 1 <= day <= 12:
            name = f"{month} {MONTH_NAMES[day - 1]}"
            hint = (
                f" (dates are read day first, so {name} is {month:02d}/{day:02d}, not {day:02d}/{month:02d})"
            )
        raise DateError(f"there is no month {month}{hint}.")
    year = _year(parts, period)
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateError(f"the year {year} looks mistyped.")
    if month is None:
        return ChronoDate(date(year, 1, 1), date(year, 12, 31), "year", "year", doubted)
    days = monthrange(year, month)[1]
    if day is None:
        return ChronoDate(date(year, month, 1), date(year, month, days), "month", "month", doubted)
    if not 1 <= day <= days:
        name = MONTH_NAMES[month - 1]
        raise DateError(f"{name} {year} has {days} days." if day else "there is no day 0.")
    return ChronoDate(date(year, month, day), date(year, month, day), "day", "day", doubted)


def _year(parts: _Parts, period: Period) -> int:
    """The year written, or for a two-digit year the century nearest the period under review."""
    assert parts.year is not None
    if not parts.two_digit_year:
        return parts.year
    century = period.start.year // 100 * 100
    month = parts.month

    def distance(year: int) -> int:
        first = date(year, month or 1, 1)
        last = date(year, month or 12, monthrange(year, month or 12)[1])
        return period.distance(first, last)

    return min((century + offset + parts.year for offset in (-100, 0, 100)), key=distance)


_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*(?:hrs|hours|h)?")
_DIGITS = re.compile(r"(\d{1,2})(\d{2})\s*(?:hrs|hours|h)?")
_NAMED_TIMES = {"noon": time(12), "12 noon": time(12), "midday": time(12), "midnight": time(0)}


def parse_time(text: str) -> time | None:
    """A clock time (``14:30``, ``2.30pm``, ``1430``, ``1430hrs``, ``noon``), or ``None`` when blank."""
    cleaned = _SPACES.sub(" ", text.strip().lower())
    if not cleaned:
        return None
    if cleaned in _NAMED_TIMES:
        return _NAMED_TIMES[cleaned]
    found = _DIGITS.fullmatch(cleaned)
    if found:
        hour, minute, half = int(found.group(1)), int(found.group(2)), None
    else:
        found = _CLOCK.fullmatch(cleaned)
        if not found or (found.group(2) is None and found.group(4) is None):
            raise DateError(
                "write it as 14:30, or leave the time empty and say 'morning' or 'about 2pm' in the event."
            )
        hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(4)
    if minute > 59:
        raise DateError("minutes run from 00 to 59.")
    if half:
        if not 1 <= hour <= 12:
            raise DateError("with am or pm the hour runs from 1 to 12.")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    elif hour > 23:
        raise DateError("hours run from 00 to 23.")
    return time(hour, minute)
