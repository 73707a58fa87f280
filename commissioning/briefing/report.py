"""A thematic briefing put together: the cases of a period and scope, each figure group's figures, the
reference figures beside them, and, in the publishable version, the small numbers suppressed.

Figure groups are listed once (``GROUPS``); a group added there appears in every output with no change
elsewhere. The internal version lists the cases it counts by reference, and the cases a timeliness figure
found late, for the partnership's own people; the publishable version names no case.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from operator import add
from typing import Any

from commissioning.briefing import profile, recommendations, suppression, timeliness
from commissioning.briefing.facts import CaseFacts, Period
from commissioning.briefing.figures import Counted, Figure, FigureGroup, Reference
from commissioning.features import written

GROUPS: tuple[FigureGroup, ...] = profile.GROUPS + timeliness.GROUPS + recommendations.GROUPS
FEWER = f"fewer than {suppression.THRESHOLD}"


@dataclass(frozen=True)
class Shown:
    """One figure group as the briefing shows it."""

    group: FigureGroup
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Briefing:
    period: Period
    scope: str  # the partnership's name, or "all partnerships"
    publishable: bool
    cases: int
    shown: tuple[Shown, ...]
    references: tuple[str, ...] = ()  # the cases counted, by reference (the internal version only)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for part in self.shown for f in part.figures)

    def sections(self) -> list[tuple[str, list[Shown]]]:
        """The groups under their sections' headings, in order."""
        out: dict[str, list[Shown]] = {}
        for part in self.shown:
            out.setdefault(part.group.section, []).append(part)
        return list(out.items())

    def title(self) -> str:
        return f"Thematic briefing: {self.scope}"

    def subtitle(self) -> str:
        return f"Cases from {written(self.period.start)} to {written(self.period.end)}"

    def version(self) -> str:
        """Which version this is, in words, with what a reader must know about it."""
        if self.publishable:
            return (
                f"Publishable version: any count under {suppression.THRESHOLD} shows as '{FEWER}', and "
                "further counts are hidden where they would let someone work one out. No case is named."
            )
        return (
            "Internal version: every count is shown, and the cases are listed by reference. Not for "
            "publication: share the publishable version outside the partnership."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "scope": self.scope,
            "publishable": self.publishable,
            "cases": self.cases,
            "figures": [f.to_json() for f in self.figures],
            "case_references": list(self.references),
            "late_cases": {f.key: list(f.late) for f in self.figures if f.late},
        }


def build(
    cases: Iterable[CaseFacts],
    *,
    period: Period,
    scope: str,
    publishable: bool,
    references: Mapping[str, Reference],
    groups: Sequence[FigureGroup] = GROUPS,
) -> Briefing:
    """The briefing of the ``cases`` in ``period``: every group's figures, with their references; in the
    publishable version suppressed across all groups at once (their counts share denominators)."""
    inside = [case for case in cases if period.holds(case)]
    counted = [group.count(inside).with_references(references) for group in groups]
    everything = reduce(add, counted, Counted())
    if publishable:
        final = tuple(replace(f, late=()) for f in suppression.suppressed(everything))
    else:
        final = everything.figures
    by_key = {f.key: f for f in final}
    shown = tuple(
        Shown(group, tuple(by_key[f.key] for f in found.figures))
        for group, found in zip(groups, counted, strict=True)
    )
    refs = () if publishable else tuple(sorted(case.ref for case in inside))
    return Briefing(period, scope, publishable, len(inside), shown, refs)
