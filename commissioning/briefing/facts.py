"""A case as the briefing reads it: its reference, lead partnership and validated features, with the day
that places it in a period. Plain data, so every figure group is a pure function over a list of these."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class CaseFacts:
    """One case in a briefing. ``features`` are validated (``commissioning.features.validate``): only
    known answers are present."""

    ref: str
    partnership: str  # the lead partnership's prefix
    features: Mapping[str, Any] = field(default_factory=dict)
    created_on: date | None = None  # the day the case was recorded, when the features give no date

    @property
    def day(self) -> date | None:
        """The day that places the case in a period: the day the local authority learned of it, else the
        day it happened, else the day it was recorded (an annual report counts the cases that came to
        the partnership in its year)."""
        return self.features.get("notified_date") or self.features.get("incident_date") or self.created_on


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def holds(self, case: CaseFacts) -> bool:
        return case.day is not None and self.start <= case.day <= self.end
