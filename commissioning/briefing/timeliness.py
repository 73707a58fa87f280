"""The timeliness figures: of the cases whose milestone and deadline are both known, the share where the
milestone was recorded by its deadline, over the whole period and year by year.

The deadlines are not worked out here: each case's are those its timeline shows (``milestones.read``
on the rules' clocks, ``threshold.deadline_for``), under the edition in force for the case. So a case
notified before the Panel existed (29 June 2018) is judged on its notification to Ofsted, and a decision
counts only where its edition gave the decision a time. A case is counted for a measure only where both
days are known: a milestone not recorded, or one no clock applies to, is neither on time nor late. The
labels give the current edition's times; a test ties them to the rules.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from commissioning.briefing.facts import CaseFacts
from commissioning.briefing.figures import (
    DENOMINATOR,
    HIDDEN,
    YEARS,
    Counted,
    Figure,
    FigureGroup,
    Sum,
    figure,
)
from commissioning.milestones import BY_ID

GROUP = "timeliness"


@dataclass(frozen=True)
class Measure:
    """One timeliness figure: its key, the milestone it judges (a ``milestones.KINDS`` id), its label and
    its name on the chart over time."""

    key: str
    milestone: str
    label: str
    short: str

    @property
    def over(self) -> str:
        return DENOMINATOR + self.key


MEASURES = (
    Measure(
        "timeliness.notified_within_5_working_days",
        "panel_notified",
        "Notifications within 5 working days (to the Panel, or to Ofsted under the editions before it)",
        "Notifications",
    ),
    Measure(
        "timeliness.rapid_review_within_15_working_days",
        "rapid_review_sent",
        "Rapid reviews sent within 15 working days of the notification",
        "Rapid reviews",
    ),
    Measure(
        "timeliness.decided_within_the_editions_time",
        "decision_to_initiate",
        "Decisions whether to hold a review within the time the edition gives",
        "Decisions",
    ),
    Measure(
        "timeliness.published_within_6_months",
        "published",
        "Reviews published within 6 months of the decision to hold them",
        "Publications",
    ),
)
assert all(m.milestone in BY_ID for m in MEASURES), "a measure judges a milestone the timeline records"


def _days(case: CaseFacts, measure: Measure) -> tuple[date, date] | None:
    """The day ``measure``'s milestone was recorded and the day it was due, when both are known."""
    m = case.milestones.get(measure.milestone)
    return (m.on, m.due) if m is not None and m.on is not None and m.due is not None else None


def judged(cases: Sequence[CaseFacts], measure: Measure) -> tuple[list[CaseFacts], list[CaseFacts]]:
    """The cases ``measure`` can judge (both days known), and of them the late ones."""
    days = {case.ref: found for case in cases if (found := _days(case, measure)) is not None}
    both = [case for case in cases if case.ref in days]
    return both, [case for case in both if days[case.ref][0] > days[case.ref][1]]


def _year(case: CaseFacts) -> int:
    assert case.day is not None  # a case in scope has its day
    return case.day.year


def _measured(key: str, label: str, both: int, late: int, over: str) -> Counted:
    """The on-time figure of ``both`` judged cases, ``late`` of them late (a hidden count)."""
    shown = figure(GROUP, key, label, both - late, both, over)
    return Counted(
        (shown,), {key: both - late, HIDDEN + key: late, over: both}, (Sum(over, (key, HIDDEN + key)),)
    )


def timeliness(cases: Sequence[CaseFacts]) -> Counted:
    """Each measure over the period, the late cases listed by reference (sorted)."""
    out = Counted()
    for measure in MEASURES:
        both, late = judged(cases, measure)
        found = _measured(measure.key, measure.label, len(both), len(late), measure.over)
        late_refs = tuple(sorted(case.ref for case in late))
        out += Counted(tuple(replace(f, late=late_refs) for f in found.figures), found.counts, found.sums)
    return out


def by_year(cases: Sequence[CaseFacts]) -> Counted:
    """Each measure year by year (the year of the day that places the case in the period), for every year
    some case is judged in, leaving out a year no case of the measure is judged in; each year's counts
    add up to the period's."""
    judged_by = {measure.key: judged(cases, measure) for measure in MEASURES}
    years = sorted({_year(case) for both, _ in judged_by.values() for case in both})
    figures: list[Figure] = []
    counts: dict[str, int] = {}
    sums: list[Sum] = []
    for year in years:
        for measure in MEASURES:
            both, late = judged_by[measure.key]
            n = sum(1 for case in both if _year(case) == year)
            k = sum(1 for case in late if _year(case) == year)
            key = f"{measure.key}.{year}"
            found = _measured(key, f"{measure.short}, {year}", n, k, f"{measure.over}.{year}")
            figures += [replace(f, series=measure.short, year=year) for f in found.figures if n]
            counts |= found.counts
            sums += found.sums
    for measure in MEASURES if years else ():
        parts = [f"{measure.key}.{year}" for year in years]
        sums.append(Sum(measure.key, tuple(parts)))
        sums.append(Sum(HIDDEN + measure.key, tuple(HIDDEN + part for part in parts)))
        sums.append(Sum(measure.over, tuple(f"{measure.over}.{year}" for year in years)))
    return Counted(tuple(figures), counts, tuple(sums))


TIMELINESS = "Timeliness"
GROUPS = (
    FigureGroup("timeliness", "Milestones met on time", TIMELINESS, timeliness),
    FigureGroup("timeliness_by_year", "Timeliness over time", TIMELINESS, by_year, chart=YEARS),
)
"""The timeliness groups, in the order the briefing shows them."""
