"""Small numbers in the publishable briefing: primary and secondary suppression, as statistical
disclosure control defines them.

Primary suppression: a figure whose count is under 5 shows as "fewer than 5", with no count and no
percentage. Secondary suppression: hiding a small count is not enough when the figures left shown let a
reader work it out (a total less its other parts, a denominator less the count, through one sum or a
chain of them). So after the primary pass, every count a reader can derive from what is shown is worked
out, sum by sum, until nothing more follows; where a small count (1 to 4: a count of 0 tells nothing
about anyone) can be derived, the smallest shown figure in a sum that leads to it is hidden too, and the
working starts again, until no small count can be derived. A figure whose denominator is a hidden count
(recent immigration, over ethnic minority families) loses its denominator with it.

Denominators (the cases whose answer is known) stay shown: they are how many reviews there were. A
statistic (the median number of recommendations per review) is no count: it is hidden, as "fewer than
5", when it is worked out from fewer than 5 reviews, since it would then describe a review or two.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace

from commissioning.briefing.figures import DENOMINATOR, Counted, Figure, Sum

THRESHOLD = 5  # a count under this is shown as "fewer than 5"


def derivable(shown: Iterable[str], sums: Iterable[Sum]) -> set[str]:
    """Every count a reader can work out from the counts ``shown``: a sum with one count not known
    gives that count, again and again until nothing more follows."""
    known = set(shown)
    pending = [(s.total, *s.parts) for s in sums]
    found = True
    while found:
        found = False
        for terms in pending:
            unknown = [term for term in terms if term not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                found = True
    return known


def _exposed(counts: Mapping[str, int], shown: set[str], sums: tuple[Sum, ...]) -> list[str]:
    """The small counts a reader could work out though they are not shown, smallest first."""
    return sorted(
        (key for key in derivable(shown, sums) - shown if 0 < counts[key] < THRESHOLD),
        key=lambda key: (counts[key], key),
    )


def _to_hide(exposed: str, counts: Mapping[str, int], shown: set[str], sums: tuple[Sum, ...]) -> str:
    """The shown figure to hide for ``exposed``: the nearest (fewest sums away), then the smallest."""
    distance = {exposed: 0}
    frontier = [exposed]
    while frontier:
        nearer: list[str] = []
        for key in frontier:
            for terms in ((s.total, *s.parts) for s in sums if key in (s.total, *s.parts)):
                for term in terms:
                    if term not in distance:
                        distance[term] = distance[key] + 1
                        nearer.append(term)
        frontier = nearer
    candidates = [key for key in distance if key in shown and not key.startswith(DENOMINATOR)]
    return min(candidates, key=lambda key: (distance[key], counts[key], key))


def hidden_counts(counted: Counted) -> set[str]:
    """The figures' keys whose counts the publishable version hides: primary, then secondary."""
    counts, sums = counted.counts, counted.sums
    keys = {f.key for f in counted.figures if not f.statistic}
    hidden = {key for key in keys if counts[key] < THRESHOLD}
    denominators = {key for key in counts if key.startswith(DENOMINATOR)}
    while exposed := _exposed(counts, (keys - hidden) | denominators, sums):
        hidden.add(_to_hide(exposed[0], counts, (keys - hidden) | denominators, sums))
    return hidden


def suppressed(counted: Counted) -> tuple[Figure, ...]:
    """The figures as the publishable version shows them."""
    hidden = hidden_counts(counted)
    out = []
    for f in counted.figures:
        if f.key in hidden or (f.statistic and counted.counts[f.denominator_key] < THRESHOLD):
            f = replace(f, count=None, percent=None, suppressed=True)
        if f.denominator_key in hidden:
            f = replace(f, denominator=None, percent=None)
        out.append(f)
    return tuple(out)
