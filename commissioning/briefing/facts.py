"""A case as the briefing reads it: its reference, lead partnership and validated features, with the day
that places it in a period, its milestones against their deadlines and its recommendations counted. Plain
data, so every figure group is a pure function over a list of these."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Milestone:
    """A milestone as the case's timeline reads it (``commissioning.milestones``): the day it was recorded
    and the day the clock of the edition in force gave it; either None when not known."""

    on: date | None = None
    due: date | None = None


@dataclass(frozen=True)
class Agency:
    """One agency's actions on the case's recommendations: how many, and how many are overdue."""

    name: str
    actions: int
    overdue: int


@dataclass(frozen=True)
class Recommendations:
    """The case's recommendations counted: made, each scope (None: not decided yet), closed once every
    action was completed, and each agency's actions (the partnership's own under its name too)."""

    made: int = 0
    single_agency: int = 0
    multi_agency: int = 0
    completed: int = 0
    agencies: tuple[Agency, ...] = ()


@dataclass(frozen=True)
class CaseFacts:
    """One case in a briefing. ``features`` are validated (``commissioning.features.validate``): only
    known answers are present."""

    ref: str
    partnership: str  # the lead partnership's prefix
    features: Mapping[str, Any] = field(default_factory=dict)
    created_on: date | None = None  # the day the case was recorded, when the features give no date
    milestones: Mapping[str, Milestone] = field(default_factory=dict)  # by ``milestones.KINDS`` id
    recommendations: Recommendations = Recommendations()

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
