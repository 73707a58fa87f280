"""Statutory clocks: working days (no weekends, no England and Wales bank holidays) and calendar units.

Bank holidays come from the pinned ``holidays`` package, which includes substitute days and one-off
holidays known at its release; bump the pin when a new one-off holiday is announced.
"""

from bisect import bisect_right
from datetime import date, timedelta
from functools import cache

import holidays

UNITS = ("working_days", "days", "weeks", "months")
_NAMES = {"working_days": "working day", "days": "day", "weeks": "week", "months": "month"}


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@cache
def _working_days(year: int, years: int) -> tuple[date, ...]:
    """Every working day from 1 January of ``year`` for ``years`` years, in order."""
    day, end = date(year, 1, 1), date(year + years, 1, 1)
    days = []
    while day < end:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (the start day itself is day 0, whatever it is)."""
    if count <= 0:
        return start
    days = _working_days(start.year, 2 + count // 250)  # a year has about 252 working days
    return days[bisect_right(days, start) + count - 1]


def add_months(start: date, count: int) -> date:
    """Same day ``count`` months later, or the last day of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = start.month - 1 + count
    year, month = start.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(start.day, (following - timedelta(days=1)).day))


def due(start: date, count: int, unit: str) -> date:
    """The date ``count`` ``unit``s after ``start``."""
    if unit == "working_days":
        return add_working_days(start, count)
    if unit == "months":
        return add_months(start, count)
    return start + timedelta(days=count * (7 if unit == "weeks" else 1))


def describe(count: int, unit: str) -> str:
    """``5, 'working_days'`` -> ``'5 working days'``."""
    return f"{count} {_NAMES[unit]}{'' if count == 1 else 's'}"
