"""The recommendations figures: how many each review made (minimum, median, maximum), the share that is
single-agency or multi-agency, how many are completed, and each agency's overdue actions.

Per review, the reviews counted are those with recommendations recorded (a review still under way has
none yet). Scope is a share of the recommendations whose scope is decided; completion, of every
recommendation (completed: closed by the partnership once every action was). An action is overdue past
its due date while its owner still owes work (``commissioning.recommendations.overdue``), counted out of
the agency's actions.
"""

import re
import statistics
from collections.abc import Sequence

from commissioning.briefing.facts import CaseFacts
from commissioning.briefing.figures import (
    DENOMINATOR,
    HIDDEN,
    Counted,
    FigureGroup,
    Sum,
    figure,
    statistic,
)
from commissioning.recommendations import SCOPE_WORDS

GROUP, OVERDUE = "recommendations", "recommendations.overdue"
REVIEWS, MADE, SCOPED = (DENOMINATOR + "recommendations." + name for name in ("reviews", "made", "scoped"))
ACTIONS = DENOMINATOR + "actions"


def _share(group: str, key: str, label: str, count: int, n: int, over: str) -> Counted:
    """A figure with its complement as a hidden count."""
    return Counted(
        (figure(group, key, label, count, n, over),),
        {key: count, HIDDEN + key: n - count, over: n},
        (Sum(over, (key, HIDDEN + key)),),
    )


def recommendations(cases: Sequence[CaseFacts]) -> Counted:
    """Per review, scope and completion."""
    made = sorted(case.recommendations.made for case in cases if case.recommendations.made)
    per_review = tuple(
        statistic(
            GROUP,
            f"recommendations.per_review_{name}",
            f"Recommendations per review: {name}",
            value,
            len(made),
            REVIEWS,
        )
        for name, value in (
            ("minimum", made[0] if made else None),
            ("median", statistics.median(made) if made else None),
            ("maximum", made[-1] if made else None),
        )
    )
    single = sum(case.recommendations.single_agency for case in cases)
    multi = sum(case.recommendations.multi_agency for case in cases)
    scoped = single + multi
    scopes = Counted(
        tuple(
            figure(
                GROUP,
                f"recommendations.{scope}",
                f"{SCOPE_WORDS[scope].capitalize()} recommendations",
                n,
                scoped,
                SCOPED,
            )
            for scope, n in (("single_agency", single), ("multi_agency", multi))
        ),
        {"recommendations.single_agency": single, "recommendations.multi_agency": multi, SCOPED: scoped},
        (Sum(SCOPED, ("recommendations.single_agency", "recommendations.multi_agency")),),
    )
    completed = _share(
        GROUP,
        "recommendations.completed",
        "Recommendations completed (closed once every action was completed)",
        sum(case.recommendations.completed for case in cases),
        sum(made),
        MADE,
    )
    return Counted(per_review, {REVIEWS: len(made)}) + scopes + completed


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def overdue(cases: Sequence[CaseFacts]) -> Counted:
    """Each agency's overdue actions out of its actions, by name, then every agency's together."""
    actions: dict[str, list[int]] = {}
    for case in cases:
        for agency in case.recommendations.agencies:
            counted = actions.setdefault(agency.name, [0, 0])
            counted[0] += agency.actions
            counted[1] += agency.overdue
    out = Counted()
    for name in sorted(actions):
        n, late = actions[name]
        out += _share(OVERDUE, f"{OVERDUE}.{_slug(name)}", name, late, n, f"{ACTIONS}.{_slug(name)}")
    n, late = (sum(one[i] for one in actions.values()) for i in (0, 1))
    total = _share(OVERDUE, f"{OVERDUE}.all_agencies", "All agencies", late, n, ACTIONS)
    ties = (
        Sum(f"{OVERDUE}.all_agencies", tuple(f.key for f in out.figures)),
        Sum(ACTIONS, tuple(f.denominator_key for f in out.figures)),
    )
    return out + total + Counted(sums=ties)


RECOMMENDATIONS = "Recommendations"
GROUPS = (
    FigureGroup("recommendations", "Recommendations made and completed", RECOMMENDATIONS, recommendations),
    FigureGroup("overdue", "Overdue actions by agency", RECOMMENDATIONS, overdue),
)
"""The recommendations groups, in the order the briefing shows them."""
