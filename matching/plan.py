"""A batch plan: one reviewer for each of several cases, the best total fit under capacity and conflicts.

Solved as a rectangular assignment with scipy's ``linear_sum_assignment``: rows are cases, columns
are consultants' free places (one column per place) plus one "nobody" column per case. Only
eligible pairs get an arc (conflicted pairs are never offered, as in OpenReview's matcher).
Each arc's weight is its fit plus a bonus larger than any possible difference in total fit, so
the plan first covers as many cases as it can and then, among those plans, maximises total fit.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class Option:
    """An eligible consultant for a case, with their fit score."""

    consultant_id: int
    score: float


@dataclass(frozen=True)
class CaseOptions:
    case_ref: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Alternate:
    consultant_id: int
    score: float
    free_after_plan: bool  # still has a free place once the plan is carried out


@dataclass(frozen=True)
class Proposal:
    case_ref: str
    consultant_id: int | None
    score: float | None
    alternates: tuple[Alternate, ...]
    note: str


@dataclass(frozen=True)
class Plan:
    proposals: tuple[Proposal, ...]
    assigned: int
    total_score: float
    message: str


def _best_options(case: CaseOptions) -> dict[int, float]:
    best: dict[int, float] = {}
    for option in case.options:
        best[option.consultant_id] = max(option.score, best.get(option.consultant_id, option.score))
    return best


def plan(cases: Sequence[CaseOptions], free_places: Mapping[int, int], *, alternates: int = 3) -> Plan:
    """Propose a reviewer for each case; ``free_places`` is each consultant's capacity left."""
    options = [_best_options(case) for case in cases]
    wanted = Counter(consultant for best in options for consultant in best)
    columns: dict[int, list[int]] = {}
    owner: list[int] = []  # the consultant holding each place column
    for consultant in sorted(wanted):
        places = min(free_places.get(consultant, 0), wanted[consultant])
        columns[consultant] = list(range(len(owner), len(owner) + places))
        owner.extend([consultant] * places)
    slots = len(owner)
    scores = [score for best in options for consultant, score in best.items() if columns[consultant]]
    chosen: dict[int, int] = {}
    if scores:
        # Any plan covering k+1 cases outweighs every plan covering k: bonus > k * spread - lowest score.
        bonus = len(cases) * (max(scores) - min(scores)) - min(scores) + 1
        cost = np.zeros((len(cases), slots + len(cases)))
        for row, best in enumerate(options):
            for consultant, score in best.items():
                cost[row, columns[consultant]] = -(score + bonus)
        for row, column in zip(*linear_sum_assignment(cost), strict=True):
            if column < slots and cost[row, column] < 0:
                chosen[row] = owner[column]
    used = Counter(chosen.values())
    proposals = []
    for row, case in enumerate(cases):
        consultant = chosen.get(row)
        others = sorted(
            ((c, s) for c, s in options[row].items() if c != consultant), key=lambda item: (-item[1], item[0])
        )
        backup = tuple(Alternate(c, s, free_places.get(c, 0) - used[c] > 0) for c, s in others[:alternates])
        if consultant is not None:
            note = "best overall fit across the cases in this plan"
        elif options[row]:
            note = "every eligible consultant's free places went to other cases in this plan"
        else:
            note = "no eligible consultant: see the case's shortlist for what excludes them"
        score = options[row][consultant] if consultant is not None else None
        proposals.append(Proposal(case.case_ref, consultant, score, backup, note))
    total = round(sum(options[row][consultant] for row, consultant in chosen.items()), 2)
    message = f"{len(chosen)} of {len(cases)} cases have a proposed reviewer; total fit {total:g}."
    return Plan(tuple(proposals), len(chosen), total, message)
