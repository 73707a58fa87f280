"""Who decides on a child's case review in an area on a given day: its Local Safeguarding Children Board,
or the safeguarding partners once the area has moved to the new arrangements.

The Children and Social Work Act 2017 replaced LSCBs with the safeguarding partners (Children Act 2004
s16E). Each area moved on its own day, between 29 June 2018 and 29 September 2019 (Working Together 2018,
transitional guidance), so the day is a board's setting; an area with none set is taken to have moved on
the last day allowed. Pure: the days come in as plain data.
"""

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

FIRST_MOVE = date(2018, 6, 29)
LAST_MOVE = date(2019, 9, 29)


class Arrangement(StrEnum):
    lscb = "lscb"  # the Local Safeguarding Children Board
    partners = "partners"  # the safeguarding partners


def area_key(area: str) -> str:
    """An area as the settings and the cases may both write it: "Tower Hamlets", "tower-hamlets"."""
    return " ".join(area.replace("-", " ").replace("_", " ").casefold().split())


def moved_on(area: str | None, starts: Mapping[str, date]) -> date:
    """The day ``area`` moved to the new arrangements: its own day in ``starts``, else the last day."""
    days = {area_key(name): day for name, day in starts.items()}
    return days.get(area_key(area), LAST_MOVE) if area else LAST_MOVE


def arrangement_on(day: date, area: str | None, starts: Mapping[str, date]) -> Arrangement:
    """Who decided in ``area`` on ``day``: the partners from the day it moved, the LSCB before."""
    return Arrangement.partners if day >= moved_on(area, starts) else Arrangement.lscb


def check_starts(starts: Mapping[str, date]) -> None:
    """ValueError naming each day outside the window in which areas moved, or an area named twice."""
    problems = [
        f"{name}: {day.isoformat()} is outside {FIRST_MOVE.isoformat()} to {LAST_MOVE.isoformat()}, when "
        "areas moved to the new arrangements"
        for name, day in starts.items()
        if not FIRST_MOVE <= day <= LAST_MOVE
    ]
    keys = [area_key(name) for name in starts]
    problems += [f"{key!r} is named more than once" for key in dict.fromkeys(keys) if keys.count(key) > 1]
    if any(not key for key in keys):
        problems.append("an area's name is empty")
    if problems:
        raise ValueError("; ".join(problems))
